// One document, everything about it: metadata, files (preview, open to print), handling (assignment for
// leaders, progress for handlers), the reply that answered it or the document it answers, its case files,
// its signatures (the verdict kept at registration, the copies signed with the organisation's key, and
// "Ký số" / "Ký sao y" for the clerk: signing.ts) and its full history in Vietnamese words; cancellation
// and recall with a reason; its exchange through the hub ("Gửi qua trục", each recipient's status, the
// status history: exchange.ts).

import { api, messageOf } from "./api";
import type { DocumentDetail } from "./bindings/DocumentDetail";
import type { HandlerRef } from "./bindings/HandlerRef";
import type { HandlingStatus } from "./bindings/HandlingStatus";
import type { RegisterRow } from "./bindings/RegisterRow";
import { SECRECY_LABEL, URGENCY_LABEL } from "./columns";
import { button, el, field, keyIs, modal, select, submitOnCtrlEnter, textInput } from "./dom";
import { formatDate, formatDateTime } from "./format";
import { actionLabel, HANDLING_LABEL } from "./labels";
import type { Desk } from "./shell";
import { exchangeSection } from "./exchange";
import { openSignDialog, signaturesSection } from "./signing";
import { attachSuggestions } from "./suggest";

export function showDocument(id: string, desk: Desk): void {
  const body = el("div", { className: "detail", "data-testid": "document-detail" }, el("p", { className: "hint" }, "Đang tải…"));
  const dialog = modal("Chi tiết văn bản", "detail-dialog", body);
  dialog.box.classList.add("wide");
  let loaded = false;
  void load();
  // Alt+K signs (issued), Alt+Y signs a copy, Alt+G sends through the hub: the buttons, when the
  // detail offers them.
  dialog.box.addEventListener("keydown", (event) => {
    if (!event.altKey || event.ctrlKey) return;
    const target = keyIs(event, "k") ? "sign-issued" : keyIs(event, "y") ? "sign-copy" : keyIs(event, "g") ? "send-hub" : "";
    const b = target ? body.querySelector<HTMLButtonElement>(`[data-testid="${target}"]`) : null;
    if (b && !b.disabled) {
      event.preventDefault();
      b.click();
    }
  });

  async function load(focus?: string): Promise<void> {
    // Every reload after the first follows a change: the lists behind the dialog refresh too.
    if (loaded) window.dispatchEvent(new Event("vanthu-changed"));
    loaded = true;
    try {
      const d = await api.showDocument(id);
      render(d);
      if (focus) (body.querySelector(`[data-testid="${focus}"]`) as HTMLElement | null)?.focus();
    } catch (e) {
      body.replaceChildren(el("div", { className: "form-error", role: "alert" }, messageOf(e)));
    }
  }

  function render(d: DocumentDetail): void {
    const r = d.document;
    const incoming = r.direction === "incoming";
    const title = el("h3", { className: "doc-title", "data-testid": "detail-title" });
    badges(title, r);
    title.append(`${r.typeName} ${r.subject}`);
    const number = el(
      "div",
      { className: "doc-number", "data-testid": "detail-number" },
      incoming ? `Số đến ${r.numberText} · ${r.code || "không số"}` : `Số, ký hiệu ${r.code}`,
    );
    const meta = el("dl", { className: "kv", "data-testid": "detail-meta" });
    const add = (k: string, v: string | null | undefined) => {
      if (v) meta.append(el("dt", {}, k), el("dd", {}, v));
    };
    if (incoming) {
      add("Ngày đến", formatDate(r.arrivalDate));
      add("Cơ quan ban hành", r.organName);
      add("Ngày văn bản", formatDate(r.documentDate));
      add("Người ký", r.signer);
      add("Đơn vị hoặc người nhận", r.handler);
      add("Phương thức", r.channel === "electronic" ? "Điện tử" : r.channel === "paper" ? "Bản giấy" : "");
      add("Hạn xử lý", formatDate(r.dueDate));
      add("Hạn trình", formatDateTime(r.registerDeadline));
    } else {
      add("Ngày ban hành", formatDate(r.documentDate));
      add("Người ký", r.signer);
      add("Nơi nhận", r.recipients.join("; "));
      add("Bản lưu", r.archiveHolder);
      add("Số lượng bản", r.copies === null ? "" : String(r.copies));
      add("Hạn trả lời", formatDate(r.dueDate));
      add("Sổ", r.series);
    }
    add("Ghi chú", r.note);
    if (r.cancelled) add("Đã hủy", `${formatDateTime(r.cancelledAt)} — ${r.cancelReason ?? ""}`);
    if (r.recalled) add("Đã thu hồi", `${formatDateTime(r.recalledAt)} — ${r.recallReason ?? ""}`);

    const sections: Node[] = [title, number];
    if (r.recalled) sections.push(el("div", { className: "frozen", "data-testid": "detail-frozen" }, "Văn bản đã bị thu hồi: hồ sơ được giữ nguyên, không sửa được nữa."));
    sections.push(meta, filesSection(d));
    if (!incoming) sections.push(deliverySection(d));
    if (incoming) sections.push(handlingSection(d));
    const live = !r.cancelled && !r.recalled;
    sections.push(
      caseFileSection(d),
      signaturesSection(id, incoming, desk),
      exchangeSection(id, !incoming, live, d.delivery, desk, () => void load()),
      historySection(d),
      actionsSection(d),
    );
    body.replaceChildren(...sections);
  }

  function filesSection(d: DocumentDetail): HTMLElement {
    const box = el("section", { "data-testid": "detail-files" }, el("h4", {}, "Tệp đính kèm"));
    if (d.files.length === 0) box.append(el("p", { className: "hint" }, "Không có tệp."));
    const canvas = el("canvas", { hidden: true, "data-testid": "detail-preview" });
    for (const f of d.files) {
      const preview = button("Xem trước", "file-preview");
      const openIt = button("Mở để in", "file-open");
      preview.disabled = f.mediaType !== "application/pdf";
      preview.addEventListener("click", () => {
        void api.storedFileBytes(f.sha256).then(
          async (bytes) => {
            const { renderFirstPage } = await import("./pdf-preview");
            await renderFirstPage(bytes, canvas, 360);
            canvas.hidden = false;
          },
          (e: unknown) => desk.toast(messageOf(e)),
        );
      });
      openIt.addEventListener("click", () => void api.openStoredFile(f.sha256).then((p) => desk.toast(`Đã mở ${p}`), (e: unknown) => desk.toast(messageOf(e))));
      box.append(el("div", { className: "file-line" }, el("span", {}, `${f.name} (${Math.ceil(f.size / 1024)} KB)`), preview, openIt));
    }
    box.append(canvas);
    return box;
  }

  function deliverySection(d: DocumentDetail): HTMLElement {
    const box = el("section", {}, el("h4", {}, "Nơi nhận"));
    const list = el("ul", {});
    for (const x of d.delivery) list.append(el("li", {}, `${x.name} — ${x.internal ? "nội bộ" : "bên ngoài"}, ${x.channel === "electronic" ? "điện tử" : "bản giấy"}`));
    if (d.delivery.length === 0) list.append(el("li", {}, d.document.recipients.join("; ") || "—"));
    box.append(list);
    if (d.answers) box.append(el("h4", {}, "Trả lời văn bản đến"), docLink(d.answers, "detail-answers"));
    return box;
  }

  function docLink(row: RegisterRow, testid: string): HTMLElement {
    const b = el("button", { type: "button", className: "link", "data-testid": testid }, `${row.direction === "incoming" ? `Số đến ${row.numberText}` : row.code} — ${row.typeName} ${row.subject}`);
    b.addEventListener("click", () => {
      dialog.close();
      showDocument(row.id, desk);
    });
    return b;
  }

  function handlingSection(d: DocumentDetail): HTMLElement {
    const box = el("section", { "data-testid": "detail-handling" }, el("h4", {}, "Giải quyết"));
    const h = d.handling;
    if (h) {
      const lead = h.handlers.filter((x) => x.lead).map((x) => x.name).join(", ");
      const co = h.handlers.filter((x) => !x.lead).map((x) => x.name).join(", ");
      box.append(
        el(
          "dl",
          { className: "kv" },
          el("dt", {}, "Tình trạng"), el("dd", { "data-testid": "handling-status" }, HANDLING_LABEL[h.status]),
          el("dt", {}, "Chủ trì"), el("dd", { "data-testid": "handling-lead" }, lead),
          el("dt", {}, "Phối hợp"), el("dd", {}, co || "—"),
          el("dt", {}, "Hạn giải quyết"), el("dd", { "data-testid": "handling-deadline" }, formatDateTime(h.deadline) || "Không hạn"),
          el("dt", {}, "Ý kiến chỉ đạo"), el("dd", {}, h.directions ?? "—"),
          el("dt", {}, "Người giao"), el("dd", {}, `${h.assignedBy}, ${formatDateTime(h.assignedAt)}`),
        ),
      );
      if (h.progress.length > 0) {
        const list = el("ul", { className: "progress", "data-testid": "handling-progress" });
        for (const p of h.progress) list.append(el("li", {}, `${formatDateTime(p.at)} · ${p.actor}: ${HANDLING_LABEL[p.status]}${p.note ? ` — ${p.note}` : ""}`));
        box.append(list);
      }
      if (h.replies.length > 0) {
        box.append(el("h4", {}, "Văn bản trả lời"));
        for (const reply of h.replies) box.append(docLink(reply, "detail-reply"));
      }
    } else {
      box.append(el("p", { className: "hint", "data-testid": "handling-none" }, "Chưa phân công giải quyết."));
    }
    const live = !d.document.cancelled;
    if (live && desk.can("assign")) box.append(assignForm(d));
    if (live && h && desk.can("progress")) box.append(progressForm(h.status));
    if (live && desk.can("register")) box.append(replyForm());
    return box;
  }

  /** This incoming document is the report one of our outgoing documents asked for. */
  function replyForm(): HTMLElement {
    const input = textInput("reply-outgoing", { placeholder: "Gõ số, ký hiệu hoặc trích yếu văn bản đi…" });
    const msg = el("div", { className: "field-error", "data-testid": "reply-error" });
    const f = field("Là báo cáo trả lời văn bản đi", input, "Chọn văn bản đi đã yêu cầu báo cáo; nó ra khỏi danh sách chờ báo cáo.");
    const wrap = el("div", { className: "suggest-box" });
    input.replaceWith(wrap);
    wrap.append(input);
    attachSuggestions(
      input,
      async (typed) =>
        typed.trim().length < 2
          ? []
          : (await api.searchRegister({ text: typed, direction: "outgoing", page: 0, pageSize: 8 })).items.map((r) => ({ label: `${r.code} — ${r.subject}`, value: r })),
      (s) => {
        const r = s.value as RegisterRow;
        void api.recordReply(id, r.id).then(
          () => {
            desk.toast(`Đã ghi nhận là báo cáo trả lời văn bản ${r.code}.`);
            void load();
          },
          (e: unknown) => (msg.textContent = messageOf(e)),
        );
      },
    );
    return el("div", { className: "sub-form" }, f.box, msg);
  }

  function assignForm(d: DocumentDetail): HTMLElement {
    const lead = select("assign-lead", []);
    const co = el("div", { className: "checks", "data-testid": "assign-co" });
    const days = textInput("assign-days", { value: "10", inputMode: "numeric", size: 4 });
    const deadline = textInput("assign-deadline", { placeholder: "dd/mm/yyyy hh:mm" });
    const directions = el("textarea", { rows: 2, "data-testid": "assign-directions" });
    const error = el("div", { className: "form-error", role: "alert", "data-testid": "assign-error" });
    const save = button(d.handling ? "Giao lại" : "Giao xử lý", "assign-save", { primary: true, type: "submit", shortcut: "Ctrl+Enter" });
    const form = el(
      "form",
      { className: "sub-form", "data-testid": "assign-form", noValidate: true },
      el("h4", {}, d.handling ? "Phân công lại" : "Phân công giải quyết"),
      error,
      el(
        "div",
        { className: "form-grid" },
        field("Chủ trì", lead).box,
        field("Số ngày làm việc", days, "Hạn tính theo lịch làm việc").box,
        field("Hạn giải quyết", deadline, "Sửa được").box,
      ),
      field("Phối hợp", co as unknown as HTMLInputElement).box,
      field("Ý kiến chỉ đạo", directions).box,
      el("div", { className: "actions" }, save),
    );
    // Lead and co-handlers: a unit ("unit:3") or a person ("account:7").
    void Promise.all([desk.units(), api.people()]).then(([units, people]) => {
      const active = units.filter((u) => u.active);
      const unitOf = (id: number | null) => active.find((u) => u.id === id)?.abbreviation;
      lead.replaceChildren(
        el("optgroup", { label: "Đơn vị" }, ...active.map((u) => el("option", { value: `unit:${u.id}` }, `${u.name} (${u.abbreviation})`))),
        el("optgroup", { label: "Cá nhân" }, ...people.map((p) => el("option", { value: `account:${p.id}` }, `${p.fullName}${unitOf(p.unitId) ? ` — ${unitOf(p.unitId)}` : ""}`))),
      );
      const check = (value: string, label: string, testid: string) =>
        el("label", { className: "check" }, el("input", { type: "checkbox", value, "data-testid": testid }), label);
      co.replaceChildren(
        ...active.map((u) => check(`unit:${u.id}`, u.name, `assign-co-${u.abbreviation}`)),
        ...people.map((p) => check(`account:${p.id}`, p.fullName, `assign-co-${p.username}`)),
      );
    }, (e: unknown) => (error.textContent = messageOf(e)));
    const suggest = () => {
      const n = Number(days.value.trim());
      if (!Number.isInteger(n) || n < 0) return;
      void api.suggestDeadline(n).then((t) => (deadline.value = `${t.slice(8, 10)}/${t.slice(5, 7)}/${t.slice(0, 4)} ${t.slice(11, 16)}`), () => {});
    };
    days.addEventListener("change", suggest);
    days.addEventListener("input", suggest);
    suggest();
    submitOnCtrlEnter(form);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      error.textContent = "";
      if (!lead.value) {
        error.textContent = "Chọn đơn vị hoặc người chủ trì.";
        return lead.focus();
      }
      const ref = (v: string): HandlerRef => {
        const [kind, id] = v.split(":");
        return { kind: kind === "account" ? "account" : "unit", id: Number(id) };
      };
      const leadRef = ref(lead.value);
      const coRefs: HandlerRef[] = Array.from(co.querySelectorAll<HTMLInputElement>("input:checked"))
        .filter((c) => c.value !== lead.value)
        .map((c) => ref(c.value));
      save.disabled = true;
      api
        .assignHandling({ id, lead: leadRef, co: coRefs, deadline: deadline.value.trim() || undefined, directions: directions.value.trim() || undefined })
        .then(
          () => {
            desk.toast("Đã giao xử lý văn bản.");
            void load();
          },
          (err: unknown) => {
            save.disabled = false;
            error.textContent = messageOf(err);
          },
        );
    });
    return form;
  }

  function progressForm(current: HandlingStatus): HTMLElement {
    const status = select("progress-status", [["in-progress", "Đang giải quyết"], ["done", "Đã giải quyết"]], current === "in-progress" ? "done" : "in-progress");
    const note = textInput("progress-note", { placeholder: "Đã làm gì, kết quả…" });
    const error = el("div", { className: "form-error", role: "alert", "data-testid": "progress-error" });
    const save = button("Cập nhật tiến độ", "progress-save", { primary: true, type: "submit", shortcut: "Enter" });
    const form = el(
      "form",
      { className: "sub-form", "data-testid": "progress-form", noValidate: true },
      el("h4", {}, "Cập nhật tiến độ"),
      error,
      el("div", { className: "form-grid" }, field("Tình trạng", status).box, field("Ghi chú", note, "", "span2").box),
      el("div", { className: "actions" }, save),
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      save.disabled = true;
      api.reportProgress(id, status.value as HandlingStatus, note.value.trim()).then(
        () => {
          desk.toast("Đã cập nhật tiến độ.");
          void load();
        },
        (err: unknown) => {
          save.disabled = false;
          error.textContent = messageOf(err);
        },
      );
    });
    return form;
  }

  function caseFileSection(d: DocumentDetail): HTMLElement {
    const box = el("section", { "data-testid": "detail-casefiles" }, el("h4", {}, "Hồ sơ"));
    const list = el("ul", {});
    for (const c of d.caseFiles) list.append(el("li", {}, `${c.notation} — ${c.title}`));
    if (d.caseFiles.length === 0) list.append(el("li", { className: "hint" }, "Chưa thuộc hồ sơ nào."));
    box.append(list);
    if (desk.can("casefiles") && !d.document.cancelled) {
      const pick = select("casefile-pick", [["", "Chọn hồ sơ đang mở…"]]);
      const addButton = button("Đưa vào hồ sơ", "casefile-add");
      const error = el("div", { className: "field-error", "data-testid": "casefile-add-error" });
      void api.caseFiles(null).then((files) => {
        for (const c of files.filter((f) => !f.closedAt && !d.caseFiles.some((x) => x.id === f.id))) {
          pick.append(el("option", { value: String(c.id) }, `${c.year} · ${c.notation} — ${c.title}`));
        }
      });
      addButton.addEventListener("click", () => {
        if (!pick.value) {
          error.textContent = "Chọn một hồ sơ đang mở.";
          return pick.focus();
        }
        void api.addToCaseFile(Number(pick.value), id).then(
          () => {
            desk.toast("Đã đưa văn bản vào hồ sơ.");
            void load();
          },
          (e: unknown) => (error.textContent = messageOf(e)),
        );
      });
      box.append(el("div", { className: "row-inline" }, pick, addButton), error);
    }
    return box;
  }

  function historySection(d: DocumentDetail): HTMLElement {
    const list = el("ol", { className: "history", "data-testid": "detail-history" });
    for (const h of d.history) {
      list.append(el("li", {}, el("span", { className: "when" }, formatDateTime(h.at)), ` ${actionLabel(h.action)} — ${h.actor}${historyNote(h.newJson)}`));
    }
    return el("section", {}, el("h4", {}, "Lịch sử xử lý"), list);
  }

  function actionsSection(d: DocumentDetail): HTMLElement {
    const r = d.document;
    const box = el("div", { className: "actions" });
    const error = el("div", { className: "form-error", role: "alert", "data-testid": "detail-error" });
    const output = el("div", { "data-testid": "slip-output" });
    if (r.direction === "incoming" && desk.can("print")) {
      const slip = button("In phiếu giải quyết", "print-slip", { shortcut: "Alt+P" });
      slip.addEventListener("click", () => void import("./reports").then((m) => m.printSlip(id, desk, output)));
      box.append(slip);
    }
    const hasPdf = d.files.some((f) => f.role === "main" && f.mediaType === "application/pdf");
    if (r.direction === "incoming" && hasPdf && desk.can("register") && !r.cancelled) {
      const stamp = button("Đóng dấu đến, in bản lưu", "stamp-document", { shortcut: "Alt+D" });
      stamp.addEventListener("click", () => void import("./stamp").then((m) => m.openStamp(desk, id)));
      box.append(stamp);
    }
    if (hasPdf && desk.can("sign") && !r.cancelled) {
      // The organisation's signature: on an outgoing document once the competent person has signed it,
      // and on a copy of any document.
      const signed = () => void load();
      if (r.direction === "outgoing" && !r.recalled) {
        const issue = button("Ký số", "sign-issued", { shortcut: "Alt+K" });
        issue.addEventListener("click", () => openSignDialog(desk, id, "issued", signed));
        box.append(issue);
      }
      const copy = button("Ký sao y", "sign-copy", { shortcut: "Alt+Y" });
      copy.addEventListener("click", () => openSignDialog(desk, id, "copy", signed));
      box.append(copy);
    }
    if (desk.can("register") && !r.cancelled && !r.recalled) {
      const cancel = button("Hủy đăng ký", "cancel-document");
      cancel.addEventListener("click", () => askReason("Hủy đăng ký văn bản", "Lý do hủy", (reason) => api.cancelDocument(id, reason)));
      box.append(cancel);
      if (r.direction === "outgoing") {
        const recall = button("Thu hồi văn bản", "recall-document");
        recall.addEventListener("click", () => askReason("Thu hồi văn bản đã ban hành", "Lý do thu hồi", (reason) => api.recallDocument(id, reason)));
        box.append(recall);
      }
    }
    return el("section", {}, error, box, output);
  }

  function askReason(title: string, label: string, act: (reason: string) => Promise<unknown>): void {
    const reason = textInput("reason-input");
    const f = field(label, reason);
    const ok = button("Xác nhận", "reason-confirm", { primary: true, type: "submit", shortcut: "Enter" });
    const form = el("form", { noValidate: true }, f.box, el("div", { className: "actions" }, ok));
    const ask = modal(title, "reason-dialog", form);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!reason.value.trim()) return f.setError("Phải ghi lý do.");
      ok.disabled = true;
      act(reason.value.trim()).then(
        () => {
          ask.close();
          void load();
        },
        (err: unknown) => {
          ok.disabled = false;
          f.setError(messageOf(err));
        },
      );
    });
    reason.focus();
  }
}

function historyNote(json: string | null): string {
  if (!json) return "";
  try {
    const v = JSON.parse(json) as Record<string, unknown>;
    const reason = v.reason ?? v.cancel_reason ?? v.recall_reason ?? v.note;
    return typeof reason === "string" && reason ? ` (${reason})` : "";
  } catch {
    return "";
  }
}

function badges(target: HTMLElement, r: RegisterRow): void {
  if (r.urgency) target.append(el("span", { className: `badge urgency-${r.urgency}` }, URGENCY_LABEL[r.urgency]));
  if (r.secrecy) target.append(el("span", { className: `badge secrecy-${r.secrecy}` }, SECRECY_LABEL[r.secrecy]));
  if (r.cancelled) target.append(el("span", { className: "badge cancelled" }, "Đã hủy"));
  if (r.recalled) target.append(el("span", { className: "badge cancelled" }, "Đã thu hồi"));
}
