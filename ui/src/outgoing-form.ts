// Registering an outgoing document: the number and notation it would get are previewed live while the
// clerk fills the form (another clerk may still take that number first) and fixed only on save. The
// recipients are internal units or external organisations, each electronic or on paper.

import { api, messageOf } from "./api";
import type { OutgoingForm } from "./bindings/OutgoingForm";
import type { Recipient } from "./bindings/Recipient";
import type { RegisterRow } from "./bindings/RegisterRow";
import type { Secrecy } from "./bindings/Secrecy";
import type { Urgency } from "./bindings/Urgency";
import { attachment } from "./attach";
import { button, el, field, keyIs, modal, select, textInput, type Field } from "./dom";
import { formatDate, validDate } from "./format";
import { secrecyOptions, urgencyOptions } from "./incoming-form";
import type { Desk } from "./shell";
import { attachSuggestions, typeSuggestions } from "./suggest";

export function openForm(desk: Desk, done: () => void): void {
  const type = field("Tên loại", textInput("out-type", { placeholder: "Công văn, Quyết định, QĐ…" }));
  const unit = field("Đơn vị soạn thảo", select("out-unit", [["", "—"]]));
  const legal = el("input", { type: "checkbox", "data-testid": "out-legal" });
  const subject = field("Trích yếu nội dung", textInput("out-subject", { placeholder: "Về việc…" }), "", "span3");
  const signer = field("Người ký", textInput("out-signer"));
  const position = field("Chức vụ", textInput("out-position", { placeholder: "Chủ tịch" }));
  const copies = field("Số lượng bản", textInput("out-copies", { inputMode: "numeric" }));
  const archive = field("Đơn vị, người nhận bản lưu", textInput("out-archive", { placeholder: "Lưu: VT, VP" }));
  const urgency = field("Độ khẩn", select("out-urgency", urgencyOptions()));
  const secrecy = field("Độ mật", select("out-secrecy", secrecyOptions()));
  const due = field("Hạn báo cáo, trả lời", textInput("out-due", { placeholder: "dd/mm/yyyy" }));
  const pages = field("Số trang", textInput("out-pages", { inputMode: "numeric" }));
  const note = field("Ghi chú", textInput("out-note"), "", "span2");
  const file = attachment("out");
  attachSuggestions(type.input as HTMLInputElement, typeSuggestions, (s) => {
    type.input.value = String(s.value);
    schedulePreview();
  });

  // Recipients: one row per recipient, internal unit or external organisation, electronic or paper.
  const recipients: { row: HTMLElement; get: () => Recipient | null }[] = [];
  const recipientRows = el("div", { className: "recipient-rows", "data-testid": "out-recipients" });
  const recipientsError = el("div", { className: "field-error", "data-testid": "out-recipients-error" });
  function addRecipient(): HTMLInputElement {
    const i = recipients.length;
    const kind = select(`out-rcp-kind-${i}`, [["external", "Cơ quan ngoài"], ["internal", "Đơn vị nội bộ"]]);
    const name = textInput(`out-rcp-name-${i}`, { placeholder: "Tên cơ quan, đơn vị nhận", "aria-label": "Nơi nhận" });
    let organId = "";
    attachSuggestions(
      name,
      async (typed) =>
        kind.value === "internal"
          ? (await desk.units()).filter((u) => u.name.toLowerCase().includes(typed.toLowerCase())).map((u) => ({ label: u.name, value: { name: u.name, organId: null } }))
          : (await api.suggestOrgans(typed, 8)).map((o) => ({ label: o.name, detail: o.organId ?? "", value: o })),
      (s) => {
        const o = s.value as { name: string; organId: string | null };
        name.value = o.name;
        organId = o.organId ?? "";
      },
    );
    const channel = select(`out-rcp-channel-${i}`, [["electronic", "Điện tử"], ["paper", "Bản giấy"]]);
    const remove = button("Bỏ", `out-rcp-remove-${i}`);
    const row = el("div", { className: "recipient-row" }, kind, name, channel, remove);
    const entry = {
      row,
      get: (): Recipient | null =>
        name.value.trim()
          ? { internal: kind.value === "internal", organId: organId || null, name: name.value.trim(), channel: channel.value as Recipient["channel"] }
          : null,
    };
    remove.addEventListener("click", () => {
      recipients.splice(recipients.indexOf(entry), 1);
      row.remove();
    });
    recipients.push(entry);
    recipientRows.append(row);
    return name;
  }
  addRecipient();
  const addRecipientButton = button("Thêm nơi nhận", "out-rcp-add", { shortcut: "Alt+R" });
  addRecipientButton.addEventListener("click", () => addRecipient().focus());

  // The incoming document it answers: search and pick.
  let answers: RegisterRow | null = null;
  const answerInput = textInput("out-answers", { placeholder: "Gõ số đến, ký hiệu hoặc trích yếu của văn bản đến được trả lời…" });
  const answerShown = el("div", { className: "hint", "data-testid": "out-answers-picked" }, "");
  attachSuggestions(
    answerInput,
    async (typed) =>
      typed.trim().length < 2
        ? []
        : (await api.searchRegister({ text: typed, direction: "incoming", page: 0, pageSize: 8 })).items.map((r) => ({
            label: `Số đến ${r.numberText} · ${r.code} — ${r.subject}`,
            value: r,
          })),
    (s) => {
      answers = s.value as RegisterRow;
      answerInput.value = `Số đến ${answers.numberText} · ${answers.code}`;
      answerShown.textContent = `Trả lời: ${answers.typeName} ${answers.subject} (${answers.organName}, ${formatDate(answers.arrivalDate)})`;
    },
  );
  answerInput.addEventListener("input", () => {
    answers = null;
    answerShown.textContent = "";
  });

  const previewBox = el(
    "div",
    { className: "number-preview", "data-testid": "out-preview", "aria-live": "polite" },
    el("div", { className: "label" }, "Số sẽ cấp"),
    el("div", { className: "big-number", "data-testid": "out-preview-code" }, "—"),
    el("div", { className: "hint", "data-testid": "out-preview-series" }, "Nhập tên loại để xem số."),
  );

  void desk.units().then((units) => {
    for (const u of units.filter((x) => x.active)) unit.input.append(el("option", { value: u.abbreviation }, `${u.abbreviation} — ${u.name}`));
  });

  const error = el("div", { className: "form-error", role: "alert", "data-testid": "out-error" });
  const save = button("Cấp số và đăng ký", "out-save", { primary: true, type: "submit", shortcut: "Ctrl+Enter" });
  const form = el(
    "form",
    { className: "doc-form", "data-testid": "outgoing-form", noValidate: true },
    error,
    el(
      "div",
      { className: "form-grid" },
      type.box,
      unit.box,
      el("label", { className: "check span1" }, legal, "Văn bản quy phạm pháp luật"),
      subject.box, signer.box, position.box, copies.box,
      archive.box, urgency.box, secrecy.box, due.box, pages.box, note.box,
    ),
    el("fieldset", {}, el("legend", {}, "Nơi nhận"), recipientRows, recipientsError, addRecipientButton),
    el("fieldset", {}, el("legend", {}, "Trả lời văn bản đến"), el("div", { className: "suggest-box" }, answerInput), answerShown),
    el("div", { className: "actions" }, save, el("span", { className: "hint" }, "Ctrl+O chọn tệp · Alt+R thêm nơi nhận · Esc đóng")),
  );
  const body = el("div", { className: "form-with-preview" }, form, el("div", { className: "side" }, previewBox, file.box, file.preview));
  const dialog = modal("Đăng ký văn bản đi", "outgoing-dialog", body);
  dialog.box.classList.add("wide");
  void dialog.closed.then(() => file.dispose());

  function draft(strict: boolean): OutgoingForm | null {
    const checks: [Field, string][] = [
      [type, type.input.value.trim() ? "" : "Vui lòng nhập tên loại văn bản."],
      [subject, !strict || subject.input.value.trim() ? "" : "Vui lòng nhập trích yếu."],
      [signer, !strict || signer.input.value.trim() ? "" : "Vui lòng nhập người ký."],
      [copies, /^\d*$/.test(copies.input.value.trim()) ? "" : "Số lượng bản phải là số."],
      [pages, /^\d*$/.test(pages.input.value.trim()) ? "" : "Số trang phải là số."],
      [due, validDate(due.input.value) ? "" : "Ngày không hợp lệ (dd/mm/yyyy)."],
    ];
    let first: Field | null = null;
    for (const [f, message] of checks) {
      if (strict) f.setError(message);
      if (message && !first) first = f;
    }
    if (first) {
      if (strict) first.input.focus();
      return null;
    }
    const num = (f: Field) => (f.input.value.trim() ? Number(f.input.value.trim()) : undefined);
    return {
      typeName: type.input.value.trim(),
      draftingUnit: unit.input.value || undefined,
      legal: legal.checked,
      // The preview needs only what decides the number: a placeholder subject and signer are fine.
      subject: subject.input.value.trim() || (strict ? "" : "…"),
      signer: signer.input.value.trim() || (strict ? "" : "…"),
      signerPosition: position.input.value.trim() || undefined,
      recipients: recipients.map((r) => r.get()).filter((r): r is Recipient => r !== null),
      copies: num(copies),
      archiveHolder: archive.input.value.trim() || undefined,
      urgency: (urgency.input.value || undefined) as Urgency | undefined,
      secrecy: (secrecy.input.value || undefined) as Secrecy | undefined,
      dueDate: due.input.value.trim() || undefined,
      pageAmount: num(pages),
      note: note.input.value.trim() || undefined,
      files: file.path() ? [file.path()] : [],
      responseFor: answers?.id,
    };
  }

  let timer = 0;
  let ticket = 0;
  function schedulePreview(): void {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => {
      const d = draft(false);
      const code = previewBox.querySelector("[data-testid=out-preview-code]") as HTMLElement;
      const series = previewBox.querySelector("[data-testid=out-preview-series]") as HTMLElement;
      if (!d) {
        code.textContent = "—";
        series.textContent = "Nhập tên loại để xem số.";
        return;
      }
      const mine = ++ticket;
      api.previewOutgoing(d).then(
        (p) => {
          if (mine !== ticket) return;
          code.textContent = p.code;
          series.textContent = `${p.series} · số được giữ khi bấm “Cấp số”`;
        },
        (e: unknown) => {
          if (mine !== ticket) return;
          code.textContent = "—";
          series.textContent = messageOf(e);
        },
      );
    }, 200);
  }
  for (const f of [type, unit, secrecy] as Field[]) f.input.addEventListener("input", schedulePreview);
  for (const f of [unit, secrecy] as Field[]) f.input.addEventListener("change", schedulePreview);
  legal.addEventListener("change", schedulePreview);

  body.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.ctrlKey) {
      event.preventDefault();
      form.requestSubmit();
    } else if (event.key === "Enter" && !event.defaultPrevented && event.target instanceof HTMLInputElement) {
      // A number once given is never taken back: only Ctrl+Enter (or the button) issues it, never a
      // stray Enter in a field.
      event.preventDefault();
    } else if (event.ctrlKey && event.key.toLowerCase() === "o") {
      event.preventDefault();
      file.pick();
    } else if (event.altKey && keyIs(event, "r")) {
      event.preventDefault();
      addRecipient().focus();
    }
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.textContent = "";
    recipientsError.textContent = "";
    const d = draft(true);
    if (!d) return;
    save.disabled = true;
    save.setAttribute("aria-busy", "true");
    api.registerOutgoing(d).then(
      (r) => {
        done();
        const again = button("Đăng ký văn bản đi tiếp theo", "out-next", { primary: true, shortcut: "Enter" });
        const openIt = button("Mở văn bản", "out-open");
        body.replaceChildren(
          el(
            "div",
            { className: "registered", "data-testid": "outgoing-registered" },
            el("div", { className: "label" }, "Số, ký hiệu đã cấp"),
            el("div", { className: "big-number", "data-testid": "out-code" }, r.code),
            el("div", {}, `Ngày ban hành ${formatDate(r.issuedDate)} · ${r.document.series}`),
            el("div", { className: "subject" }, `${r.document.typeName} ${r.document.subject}`),
            el("div", { className: "actions" }, again, openIt),
          ),
        );
        file.dispose();
        again.addEventListener("click", () => {
          dialog.close();
          openForm(desk, done);
        });
        openIt.addEventListener("click", () => {
          dialog.close();
          desk.openDocument(r.id);
        });
        again.focus();
      },
      (e: unknown) => {
        save.disabled = false;
        save.removeAttribute("aria-busy");
        error.textContent = messageOf(e);
        error.scrollIntoView({ block: "nearest" });
      },
    );
  });
  type.input.focus();
}
