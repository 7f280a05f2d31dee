// Liên thông: exchange with the document hub (trục liên thông).
//
// - The connection indicator in the top bar: the link (connected, cut and retrying, not configured),
//   what waits to leave and what waits for the clerk; a click opens the exchange screen.
// - The exchange screen: the packages that arrived and wait for registration, each with its sender,
//   number, subject, signatures' verdict and files; "Vào sổ" registers it (status 03 goes back),
//   "Từ chối" rejects it with a reason (02). "Đồng bộ ngay" asks the worker for a pass now.
// - On a document: "Gửi qua trục" for an outgoing one, the delivery and last status per recipient,
//   the messages queued (a refused one can be queued again) and the status history both ways.
// - The hub account (Quản trị › Trục liên thông): address, user, secret (kept in the desktop's
//   keyring, never shown again), the hub's CA file; "Kiểm tra kết nối" reads the hub's directory.
//
// The window never sends anything itself: the backend's worker does, whenever the link is up, and
// announces each pass with the `exchange-changed` event, on which everything here re-reads.

import { listen } from "@tauri-apps/api/event";
import { api, messageOf } from "./api";
import type { Delivery } from "./bindings/Delivery";
import type { DocumentExchange } from "./bindings/DocumentExchange";
import type { ExchangeOverview } from "./bindings/ExchangeOverview";
import type { InboxItem } from "./bindings/InboxItem";
import type { InboxState } from "./bindings/InboxState";
import type { Recipient } from "./bindings/Recipient";
import { button, el, field, keyIs, modal, modalOpen, submitOnCtrlEnter, textInput } from "./dom";
import { formatDate, formatDateTime } from "./format";
import type { Desk } from "./shell";

const DELIVERY_LABEL: Record<Delivery, string> = {
  pending: "Chờ gửi",
  unknown: "Chờ gửi lại (hỏi trục trước)",
  sent: "Đã gửi lên trục",
  failed: "Trục từ chối",
};

const INBOX_LABEL: Record<InboxState, string> = {
  waiting: "Chờ vào sổ",
  registered: "Đã vào sổ",
  rejected: "Đã từ chối",
  withdrawn: "Bên gửi đã thu hồi",
  applied: "Đã áp dụng",
};

const PRIORITY_LABEL = ["", "Khẩn", "Thượng khẩn", "Hỏa tốc", "Hỏa tốc hẹn giờ"];
const PRIORITY_CLASS = ["", "urgency-khan", "urgency-thuong-khan", "urgency-hoa-toc", "urgency-hoa-toc"];

const VERDICT_LABEL: Record<string, string> = {
  valid: "Chữ ký số hợp lệ",
  indeterminate: "Chữ ký số chưa xác định được",
  invalid: "Chữ ký số không hợp lệ",
  unsigned: "Không có chữ ký số",
  none: "Không có tệp PDF",
};

/** Re-runs `refresh` after every exchange pass and every change in the window, until `signal` ends. */
function onExchangeChange(signal: AbortSignal, refresh: () => void): void {
  const unlisten = listen("exchange-changed", () => refresh());
  window.addEventListener("vanthu-changed", refresh, { signal });
  signal.addEventListener("abort", () => void unlisten.then((f) => f()));
}

// ---------------------------------------------------------------------------------------------
// The connection indicator.

function linkLine(o: ExchangeOverview): { cls: string; text: string; title: string } {
  const since = o.lastSuccessAt ? `lần đồng bộ thành công gần nhất ${formatDateTime(o.lastSuccessAt)}` : "chưa đồng bộ lần nào";
  switch (o.state) {
    case "unconfigured":
      return { cls: "off", text: "Trục: chưa cấu hình", title: "Quản trị › Trục liên thông để nhập địa chỉ và tài khoản của cơ quan trên trục." };
    case "unknown":
      return { cls: "wait", text: "Trục: đang kết nối…", title: o.hubUrl ?? "" };
    case "online":
      return { cls: "on", text: "Trục: đã kết nối", title: `${o.hubUrl ?? ""} — ${since}` };
    case "offline":
      return {
        cls: "down",
        text: "Trục: mất kết nối",
        title: `${o.lastError ?? ""}\n${since}; thử lại lúc ${formatDateTime(o.nextAttemptAt)}. Văn bản vẫn được lưu để gửi khi có mạng.`,
      };
  }
}

/** The indicator in the top bar; a click (or Alt+L) opens the exchange screen. */
export function connectionIndicator(desk: Desk, signal: AbortSignal): HTMLElement {
  const dot = el("span", { className: "dot", "aria-hidden": "true" });
  const state = el("span", { "data-testid": "link-state" }, "Trục: …");
  const outbox = el("span", { className: "link-count", "data-testid": "outbox-count" }, "");
  const inbox = el("span", { className: "link-count", "data-testid": "inbox-count" }, "");
  const box = el(
    "button",
    { type: "button", className: "link-indicator", "data-testid": "link-indicator", title: "" },
    dot,
    state,
    outbox,
    inbox,
  );
  box.addEventListener("click", () => desk.go("exchange"));
  let seq = 0;
  async function refresh(): Promise<void> {
    const mine = ++seq;
    try {
      const o = await api.exchangeOverview();
      if (mine !== seq) return;
      const line = linkLine(o);
      box.dataset.state = o.state;
      box.className = `link-indicator ${line.cls}`;
      state.textContent = line.text;
      box.title = line.title;
      outbox.textContent = `Chờ gửi ${o.outbox}${o.failed ? ` · bị từ chối ${o.failed}` : ""}`;
      inbox.textContent = `Chờ vào sổ ${o.inbox}`;
      outbox.dataset.count = String(o.outbox);
      inbox.dataset.count = String(o.inbox);
    } catch (e) {
      if (mine !== seq) return;
      state.textContent = "Trục: không đọc được trạng thái";
      box.title = messageOf(e);
    }
  }
  onExchangeChange(signal, () => void refresh());
  // The clock moves even when nothing happens: "retrying at …" must not go stale.
  const timer = window.setInterval(() => void refresh(), 30_000);
  signal.addEventListener("abort", () => window.clearInterval(timer));
  void refresh();
  return box;
}

// ---------------------------------------------------------------------------------------------
// The exchange screen: what arrived.

export function showExchange(root: HTMLElement, desk: Desk, signal: AbortSignal): void {
  const status = el("p", { className: "hint", "data-testid": "exchange-status" }, "");
  const syncNow = button("Đồng bộ ngay", "sync-now", { shortcut: "Alt+N" });
  const showAll = el("input", { type: "checkbox", "data-testid": "inbox-show-all" });
  const list = el("div", { className: "inbox-list", "data-testid": "inbox-list", role: "listbox", "aria-label": "Văn bản đến qua trục", tabIndex: 0 });
  const detail = el("div", { className: "inbox-detail", "data-testid": "inbox-detail" });
  root.replaceChildren(
    el(
      "div",
      { className: "page exchange" },
      el("div", { className: "row-inline" }, el("h2", {}, "Văn bản đến qua trục liên thông"), syncNow),
      status,
      el("label", { className: "check" }, showAll, "Hiện cả văn bản đã xử lý"),
      el("div", { className: "inbox-split" }, list, detail),
    ),
  );
  let items: InboxItem[] = [];
  let selected: number | null = null;

  syncNow.addEventListener("click", () => {
    void api.syncNow().then(() => desk.toast("Đang đồng bộ với trục…"), (e: unknown) => desk.toast(messageOf(e)));
  });
  showAll.addEventListener("change", () => void load());
  document.addEventListener(
    "keydown",
    (event) => {
      if (modalOpen()) return;
      if (event.altKey && !event.ctrlKey && keyIs(event, "n")) {
        event.preventDefault();
        syncNow.click();
      }
    },
    { signal },
  );
  // Keyboard first: arrows move through the packages, Enter registers, Delete rejects.
  list.addEventListener("keydown", (event) => {
    const at = items.findIndex((i) => i.id === selected);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = items[Math.max(0, Math.min(items.length - 1, at + (event.key === "ArrowDown" ? 1 : -1)))];
      if (next) choose(next.id);
    } else if (event.key === "Enter") {
      event.preventDefault();
      detail.querySelector<HTMLButtonElement>("[data-testid=inbox-register]")?.click();
    } else if (event.key === "Delete") {
      event.preventDefault();
      detail.querySelector<HTMLButtonElement>("[data-testid=inbox-reject]")?.click();
    }
  });

  async function load(): Promise<void> {
    try {
      const [o, found] = await Promise.all([api.exchangeOverview(), api.inbox(showAll.checked)]);
      if (signal.aborted) return;
      status.textContent = `${linkLine(o).text}. ${o.lastSuccessAt ? `Đồng bộ thành công gần nhất: ${formatDateTime(o.lastSuccessAt)}.` : ""}${o.state === "offline" ? ` ${o.lastError ?? ""}` : ""}`;
      items = found;
      renderList();
      if (selected === null || !items.some((i) => i.id === selected)) selected = items[0]?.id ?? null;
      renderDetail();
    } catch (e) {
      list.replaceChildren(el("div", { className: "form-error", role: "alert" }, messageOf(e)));
    }
  }

  function renderList(): void {
    if (items.length === 0) {
      list.replaceChildren(el("p", { className: "hint", "data-testid": "inbox-empty" }, "Không có văn bản nào chờ vào sổ."));
      return;
    }
    list.replaceChildren(
      ...items.map((i) => {
        const row = el(
          "div",
          { className: `inbox-row${i.id === selected ? " selected" : ""}`, role: "option", "aria-selected": String(i.id === selected), "data-testid": "inbox-row", "data-id": String(i.id), "data-state": i.state },
          el("div", { className: "from" }, i.senderName),
          el("div", { className: "what" }, ...priorityBadge(i.priority), `${i.code ?? "không số"} — ${i.subject}`),
          el("div", { className: "when hint" }, `${formatDateTime(i.receivedAt)} · ${i.kindLabel} · ${INBOX_LABEL[i.state]}`),
        );
        row.addEventListener("click", () => choose(i.id));
        return row;
      }),
    );
  }

  function choose(id: number): void {
    selected = id;
    renderList();
    renderDetail();
    list.focus();
  }

  function renderDetail(): void {
    const i = items.find((x) => x.id === selected);
    if (!i) {
      detail.replaceChildren();
      return;
    }
    const meta = el("dl", { className: "kv", "data-testid": "inbox-meta" });
    const add = (k: string, v: string | null | undefined) => {
      if (v) meta.append(el("dt", {}, k), el("dd", {}, v));
    };
    add("Cơ quan gửi", `${i.senderName} (${i.sender})`);
    add("Số, ký hiệu", i.code);
    add("Loại văn bản", i.typeName);
    add("Ngày ban hành", formatDate(i.promulgationDate));
    add("Trích yếu", i.subject);
    add("Độ khẩn", PRIORITY_LABEL[i.priority]);
    add("Nhận lúc", formatDateTime(i.receivedAt));
    add("Mã văn bản (DocumentId)", i.documentId);
    add("Tình trạng", INBOX_LABEL[i.state]);
    add("Quyết định", i.decidedAt ? `${formatDateTime(i.decidedAt)} — ${i.decidedBy ?? ""}${i.decisionNote ? ` (${i.decisionNote})` : ""}` : null);
    const verdict = el("p", { className: `verdict verdict-${i.verdict ?? "none"}`, "data-testid": "inbox-verdict" }, VERDICT_LABEL[i.verdict ?? "none"] ?? i.verdict ?? "");
    const files = el("ul", { className: "files", "data-testid": "inbox-files" });
    for (const f of i.files) {
      const openIt = button("Mở", "inbox-file-open");
      openIt.addEventListener("click", () => void api.openStoredFile(f.sha256).then((p) => desk.toast(`Đã mở ${p}`), (e: unknown) => desk.toast(messageOf(e))));
      files.append(el("li", {}, `${f.name} (${Math.ceil(f.size / 1024)} KB) `, openIt));
    }
    const actions = el("div", { className: "actions" });
    if (i.state === "waiting" && desk.can("register")) {
      const register = button("Vào sổ", "inbox-register", { primary: true, shortcut: "Enter" });
      const reject = button("Từ chối", "inbox-reject", { shortcut: "Delete" });
      register.addEventListener("click", () => openRegister(i));
      reject.addEventListener("click", () => openReject(i));
      actions.append(register, reject);
    }
    if (i.document) {
      const openDoc = button("Mở văn bản đã vào sổ", "inbox-open-document");
      openDoc.addEventListener("click", () => desk.openDocument(i.document ?? ""));
      actions.append(openDoc);
    }
    detail.replaceChildren(el("h3", {}, `${i.typeName ?? "Văn bản"} ${i.code ?? ""}`), verdict, meta, el("h4", {}, "Tệp"), files, actions);
  }

  function openRegister(i: InboxItem): void {
    const handler = textInput("inbox-handler", { placeholder: "Đơn vị hoặc người nhận" });
    const note = textInput("inbox-note");
    const override = textInput("inbox-override", { placeholder: "Vì sao vẫn vào sổ" });
    const needsReason = i.verdict !== "valid";
    const fields: Node[] = [field("Đơn vị hoặc người nhận", handler).box, field("Ghi chú", note).box];
    const overrideField = field("Lý do vẫn vào sổ", override, `${VERDICT_LABEL[i.verdict ?? "none"] ?? ""}: phải ghi lý do (được lưu vào nhật ký).`);
    if (needsReason) fields.push(overrideField.box);
    const ok = button("Vào sổ", "inbox-register-confirm", { primary: true, type: "submit", shortcut: "Ctrl+Enter" });
    const error = el("div", { className: "form-error", role: "alert", "data-testid": "inbox-register-error" });
    const form = el("form", { noValidate: true }, error, ...fields, el("div", { className: "actions" }, ok));
    const dialog = modal(`Vào sổ văn bản đến: ${i.code ?? i.subject}`, "inbox-register-dialog", form);
    submitOnCtrlEnter(form);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (needsReason && !override.value.trim()) {
        overrideField.setError("Phải ghi lý do.");
        return override.focus();
      }
      ok.disabled = true;
      api
        .registerFromInbox({
          inboxId: i.id,
          handler: handler.value.trim() || undefined,
          note: note.value.trim() || undefined,
          signatureOverride: needsReason ? override.value.trim() : undefined,
        })
        .then(
          (r) => {
            dialog.close();
            desk.toast(`Đã vào sổ: số đến ${r.arrivalNumber}. Đã báo “Đã tiếp nhận” cho ${i.senderName}.`);
            window.dispatchEvent(new Event("vanthu-changed"));
          },
          (err: unknown) => {
            ok.disabled = false;
            error.textContent = messageOf(err);
          },
        );
    });
    handler.focus();
  }

  function openReject(i: InboxItem): void {
    const reason = textInput("inbox-reject-reason");
    const f = field("Lý do từ chối", reason, `Gửi cho ${i.senderName} cùng trạng thái “Từ chối tiếp nhận”.`);
    const ok = button("Từ chối", "inbox-reject-confirm", { primary: true, type: "submit", shortcut: "Enter" });
    const form = el("form", { noValidate: true }, f.box, el("div", { className: "actions" }, ok));
    const dialog = modal(`Từ chối văn bản: ${i.code ?? i.subject}`, "inbox-reject-dialog", form);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!reason.value.trim()) return f.setError("Phải ghi lý do.");
      ok.disabled = true;
      api.rejectInbox(i.id, reason.value.trim()).then(
        () => {
          dialog.close();
          desk.toast(`Đã từ chối và báo cho ${i.senderName}.`);
          window.dispatchEvent(new Event("vanthu-changed"));
        },
        (err: unknown) => {
          ok.disabled = false;
          f.setError(messageOf(err));
        },
      );
    });
    reason.focus();
  }

  onExchangeChange(signal, () => void load());
  void load();
}

function priorityBadge(priority: number): (Node | string)[] {
  return priority > 0 ? [el("span", { className: `badge ${PRIORITY_CLASS[priority] ?? ""}` }, PRIORITY_LABEL[priority] ?? ""), " "] : [];
}

// ---------------------------------------------------------------------------------------------
// On a document.

/**
 * The document's exchange: "Gửi qua trục" and each recipient's state (outgoing), the package it came
 * in (incoming), the messages and the status history. Fills `box` when the answer comes.
 */
export function exchangeSection(id: string, outgoing: boolean, live: boolean, recipients: Recipient[], desk: Desk, reload: () => void): HTMLElement {
  const box = el("section", { className: "exchange-panel", "data-testid": "detail-exchange" }, el("h4", {}, "Liên thông"), el("p", { className: "hint" }, "Đang tải…"));
  void api.documentExchange(id).then(
    (x) => render(x),
    (e: unknown) => box.replaceChildren(el("h4", {}, "Liên thông"), el("p", { className: "hint" }, messageOf(e))),
  );

  function render(x: DocumentExchange): void {
    const parts: Node[] = [el("h4", {}, "Liên thông qua trục")];
    if (outgoing) {
      if (x.recipients.length === 0) parts.push(el("p", { className: "hint", "data-testid": "exchange-not-sent" }, "Chưa gửi qua trục."));
      else {
        parts.push(
          el(
            "table",
            { className: "table", "data-testid": "exchange-recipients" },
            el("thead", {}, el("tr", {}, ...["Nơi nhận", "Gửi", "Trạng thái nơi nhận báo", "Lúc"].map((h) => el("th", {}, h)))),
            el(
              "tbody",
              {},
              ...x.recipients.map((r) =>
                el(
                  "tr",
                  { "data-testid": "exchange-recipient", "data-organ": r.organId, "data-delivery": r.delivery, "data-code": r.lastCode ?? "" },
                  el("td", {}, `${r.name} (${r.organId})`),
                  el("td", {}, DELIVERY_LABEL[r.delivery]),
                  el("td", {}, r.lastCode ? `${r.lastCode} — ${r.lastName ?? ""}${r.lastDescription ? `: ${r.lastDescription}` : ""}` : "Chưa có"),
                  el("td", {}, formatDateTime(r.lastAt)),
                ),
              ),
            ),
          ),
        );
      }
      // One package per document: once queued, its recipients are fixed (the hub keys it by DocumentId).
      if (live && desk.can("register") && x.recipients.length === 0) {
        const send = button("Gửi qua trục", "send-hub", { shortcut: "Alt+G" });
        send.addEventListener("click", () => openSend(id, recipients, desk, reload));
        parts.push(el("div", { className: "actions" }, send));
      }
    } else if (x.arrival) {
      const a = x.arrival;
      parts.push(el("p", { "data-testid": "exchange-arrival" }, `Nhận qua trục từ ${a.senderName} (${a.sender}) lúc ${formatDateTime(a.receivedAt)} — ${VERDICT_LABEL[a.verdict ?? "none"] ?? ""}.`));
    } else {
      parts.push(el("p", { className: "hint" }, "Văn bản không nhận qua trục."));
    }
    const failed = x.messages.filter((m) => m.delivery === "failed");
    for (const m of failed) {
      const retry = button("Gửi lại", "message-retry");
      retry.addEventListener("click", () => void api.retryMessage(m.id).then(() => reload(), (e: unknown) => desk.toast(messageOf(e))));
      parts.push(el("div", { className: "form-error", "data-testid": "message-failed" }, `${m.label}: trục từ chối — ${m.lastError ?? ""} `, retry));
    }
    const waiting = x.messages.filter((m) => m.delivery === "pending" || m.delivery === "unknown");
    if (waiting.length) {
      parts.push(el("p", { className: "hint", "data-testid": "messages-waiting" }, `Đang chờ gửi: ${waiting.map((m) => m.label).join("; ")} (gửi khi có kết nối).`));
    }
    if (x.history.length) {
      const list = el("ol", { className: "history", "data-testid": "exchange-history" });
      for (const s of x.history) {
        const who = s.organName ?? s.organId;
        list.append(
          el(
            "li",
            { "data-code": s.code, "data-way": s.way },
            el("span", { className: "when" }, formatDateTime(s.at)),
            ` ${s.way === "in" ? `${who} báo` : `Đã báo ${who}`}: ${s.code} — ${s.name}${s.description ? ` (${s.description})` : ""}`,
          ),
        );
      }
      parts.push(el("h4", {}, "Lịch sử trạng thái"), list);
    }
    if (x.documentId) parts.push(el("p", { className: "hint" }, `Mã văn bản trên trục: ${x.documentId}`));
    box.replaceChildren(...parts);
  }
  return box;
}

/** Chooses the recipients (the document's own, the hub's directory, or a code typed) and queues the package. */
function openSend(id: string, recipients: Recipient[], desk: Desk, reload: () => void): void {
  const checks = el("div", { className: "checks", "data-testid": "send-recipients" });
  const seen = new Set<string>();
  const addCheck = (organId: string, name: string, checked: boolean) => {
    if (seen.has(organId)) return;
    seen.add(organId);
    checks.append(el("label", { className: "check" }, el("input", { type: "checkbox", value: organId, checked, "data-testid": `send-to-${organId}` }), `${name} (${organId})`));
  };
  for (const r of recipients) if (!r.internal && r.organId) addCheck(r.organId, r.name, r.channel === "electronic");
  const directoryNote = el("p", { className: "hint", "data-testid": "send-directory" }, "Đang tải danh bạ của trục…");
  void api.hubAgencies().then(
    (agencies) => {
      for (const a of agencies) addCheck(a.organId, a.name, false);
      directoryNote.textContent = agencies.length ? "" : "Danh bạ của trục trống.";
    },
    (e: unknown) => (directoryNote.textContent = `Chưa đọc được danh bạ của trục (${messageOf(e)}); vẫn gửi được theo mã định danh.`),
  );
  const typed = textInput("send-organ-id", { placeholder: "000.00.00.H24" });
  const typedField = field("Hoặc mã định danh cơ quan nhận", typed, "Nhiều mã cách nhau bằng dấu phẩy.");
  const error = el("div", { className: "form-error", role: "alert", "data-testid": "send-error" });
  const ok = button("Gửi", "send-confirm", { primary: true, type: "submit", shortcut: "Ctrl+Enter" });
  const form = el("form", { noValidate: true }, error, checks, directoryNote, typedField.box, el("div", { className: "actions" }, ok));
  const dialog = modal("Gửi văn bản qua trục liên thông", "send-dialog", form);
  submitOnCtrlEnter(form);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const to = [
      ...Array.from(checks.querySelectorAll<HTMLInputElement>("input:checked")).map((c) => c.value),
      ...typed.value.split(",").map((t) => t.trim()).filter((t) => t !== ""),
    ];
    if (to.length === 0) {
      error.textContent = "Chọn ít nhất một nơi nhận.";
      return;
    }
    ok.disabled = true;
    api.sendOutgoing(id, to).then(
      () => {
        dialog.close();
        desk.toast("Đã đưa văn bản vào hàng đợi gửi: gửi ngay khi có kết nối với trục.");
        reload();
      },
      (err: unknown) => {
        ok.disabled = false;
        error.textContent = messageOf(err);
      },
    );
  });
  (checks.querySelector("input") ?? typed).focus();
}

// ---------------------------------------------------------------------------------------------
// The hub account (Quản trị › Trục liên thông).

export async function hubSettings(body: HTMLElement, desk: Desk): Promise<void> {
  const account = await api.hubAccount();
  const url = textInput("hub-url", { value: account?.url ?? "", placeholder: "https://truc.tinh.gov.vn" });
  const user = textInput("hub-user", { value: account?.user ?? "", placeholder: "Để trống: dùng mã định danh của cơ quan" });
  const secret = textInput("hub-secret", { type: "password", placeholder: account ? "Đã lưu — nhập lại để thay" : "" });
  const ca = textInput("hub-ca", { value: account?.caFile ?? "", placeholder: "/đường/dẫn/ca.pem (khi trục dùng chứng thư riêng)" });
  const fUrl = field("Địa chỉ trục", url);
  const fSecret = field("Mật khẩu kết nối", secret, "Lưu trong kho khóa của máy (Secret Service), không lưu trong sổ.");
  const error = el("div", { className: "form-error", role: "alert", "data-testid": "hub-error" });
  const state = el("p", { className: "hint", "data-testid": "hub-state" }, account ? `Đã cấu hình: ${account.url}, tài khoản ${account.user} (mã cơ quan ${account.organId}).` : "Chưa cấu hình tài khoản trục.");
  const save = button("Lưu", "hub-save", { primary: true, type: "submit", shortcut: "Ctrl+Enter" });
  const test = button("Kiểm tra kết nối", "hub-test");
  const directory = el("ul", { "data-testid": "hub-directory" });
  const form = el(
    "form",
    { className: "sub-form", noValidate: true, "data-testid": "hub-form" },
    el("h3", {}, "Trục liên thông văn bản"),
    state,
    error,
    el("div", { className: "form-grid" }, fUrl.box, field("Tài khoản", user).box, fSecret.box, field("Chứng thư CA của trục", ca).box),
    el("div", { className: "actions" }, save, test),
    directory,
  );
  body.replaceChildren(form);
  submitOnCtrlEnter(form);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    error.textContent = "";
    if (!url.value.trim()) return fUrl.setError("Nhập địa chỉ trục.");
    if (!secret.value) return fSecret.setError("Nhập mật khẩu kết nối.");
    save.disabled = true;
    api.setHubAccount({ url: url.value.trim(), user: user.value.trim(), secret: secret.value, caFile: ca.value.trim() || null }).then(
      (a) => {
        save.disabled = false;
        secret.value = "";
        state.textContent = `Đã cấu hình: ${a.url}, tài khoản ${a.user} (mã cơ quan ${a.organId}).`;
        desk.toast("Đã lưu tài khoản trục liên thông.");
      },
      (err: unknown) => {
        save.disabled = false;
        error.textContent = messageOf(err);
      },
    );
  });
  test.addEventListener("click", () => {
    error.textContent = "";
    directory.replaceChildren(el("li", { className: "hint" }, "Đang hỏi trục…"));
    void api.hubAgencies().then(
      (agencies) => directory.replaceChildren(el("li", { "data-testid": "hub-test-ok" }, `Kết nối được: danh bạ của trục có ${agencies.length} cơ quan.`), ...agencies.map((a) => el("li", {}, `${a.name} (${a.organId})`))),
      (err: unknown) => {
        directory.replaceChildren();
        error.textContent = messageOf(err);
      },
    );
  });
  url.focus();
}
