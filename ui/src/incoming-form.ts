// Registering an incoming document (App. VI metadata), keyboard first: the fields in the order they are
// read off the paper, Enter or Ctrl+Enter saves, Ctrl+O picks the file, Escape closes. The issuer and
// the type are remembered from the last entry. A possible duplicate is shown before anything is saved,
// with "Vẫn đăng ký" to register anyway; after saving the arrival number is shown large.
// An electronic arrival's PDF is verified as soon as it is chosen (domain §1.1): the verdict on each
// signature is shown before saving. One that does not verify is refused by the register; the clerk then
// registers it with a reason ("Đăng ký với lý do…", Alt+L, audited) or rejects it ("Từ chối", Alt+T).

import { api, ApiFailure, messageOf } from "./api";
import type { Channel } from "./bindings/Channel";
import type { IncomingForm } from "./bindings/IncomingForm";
import type { IncomingRegistered } from "./bindings/IncomingRegistered";
import type { SignatureReport } from "./bindings/SignatureReport";
import type { Secrecy } from "./bindings/Secrecy";
import type { Urgency } from "./bindings/Urgency";
import { type Attachment, attachment } from "./attach";
import { SECRECY_LABEL, URGENCY_LABEL } from "./columns";
import { button, el, field, keyIs, modal, select, textInput, type Field } from "./dom";
import { formatDate, validDate } from "./format";
import { VERDICT_LABEL } from "./labels";
import type { Desk } from "./shell";
import { verdictPanel } from "./signing";
import { attachSuggestions, typeSuggestions } from "./suggest";

/** Remembered per register (a machine may keep more than one). */
const REMEMBER = "vanthu.incoming.last:";

interface Remembered {
  organName: string;
  organId: string;
  typeName: string;
}

function remembered(register: string): Remembered {
  try {
    const v = JSON.parse(localStorage.getItem(REMEMBER + register) ?? "{}") as Partial<Remembered>;
    return { organName: v.organName ?? "", organId: v.organId ?? "", typeName: v.typeName ?? "" };
  } catch {
    return { organName: "", organId: "", typeName: "" };
  }
}

export function urgencyOptions(): [string, string][] {
  return [["", "Thường"], ...(Object.entries(URGENCY_LABEL) as [string, string][])];
}

export function secrecyOptions(): [string, string][] {
  return [["", "Không mật"], ...(Object.entries(SECRECY_LABEL) as [string, string][])];
}

/** A draft of the review queue being registered: its assembled PDF is the document. */
export interface FromDraft {
  draftId: number;
  pages?: number;
  label: string;
}

function draftAttachment(from: FromDraft): Attachment {
  const canvas = el("canvas", { "data-testid": "in-preview-canvas" });
  const info = el("div", { className: "hint", "data-testid": "in-preview-info" }, "Đang ghép bản số hoá…");
  const preview = el("div", { className: "preview", "data-testid": "in-preview" }, info, canvas);
  const box = el("div", { className: "field", "data-testid": "in-draft" }, el("label", {}, "Tệp văn bản"), el("div", {}, `Bản số hoá #${from.draftId} — ${from.label}`));
  void api.draftPdfBytes(from.draftId).then(
    async (bytes) => {
      const { renderFirstPage } = await import("./pdf-preview");
      const pages = await renderFirstPage(bytes, canvas, 260);
      info.textContent = `PDF ${pages} trang, đạt tiêu chuẩn số hoá`;
    },
    (e: unknown) => (info.textContent = messageOf(e)),
  );
  return { box, preview, path: () => "", pick: () => {}, dispose: () => {} };
}

export function openForm(desk: Desk, done: () => void, from?: FromDraft): void {
  const last = remembered(desk.status.dbPath);
  let organId = last.organId;
  const organ = field("Cơ quan ban hành", textInput("in-organ", { value: last.organName, placeholder: "Sở Tài chính" }), "Gợi ý từ danh bạ cơ quan; ↓ để chọn.", "span2");
  const code = field("Số, ký hiệu", textInput("in-code", { placeholder: "136/TTr-STTTT" }));
  const issued = field("Ngày văn bản", textInput("in-issued", { placeholder: "dd/mm/yyyy" }));
  const type = field("Tên loại", textInput("in-type", { value: last.typeName, placeholder: "Công văn" }));
  const subject = field("Trích yếu nội dung", textInput("in-subject", { placeholder: "Về việc…" }), "", "span3r");
  const signer = field("Người ký", textInput("in-signer"));
  const urgency = field("Độ khẩn", select("in-urgency", urgencyOptions()));
  const secrecy = field("Độ mật", select("in-secrecy", secrecyOptions()));
  const due = field("Hạn xử lý", textInput("in-due", { placeholder: "dd/mm/yyyy" }));
  const channel = field("Phương thức nhận", select("in-channel", [["paper", "Bản giấy"], ["electronic", "Điện tử"]]));
  const pages = field("Số trang", textInput("in-pages", { inputMode: "numeric", value: from?.pages ? String(from.pages) : "" }));
  const handler = field("Đơn vị hoặc người nhận", textInput("in-handler"), "", "span2");
  const note = field("Ghi chú", textInput("in-note"), "", "span4");
  const file = from ? draftAttachment(from) : attachment("in", () => checkSignatures());

  attachSuggestions(
    organ.input as HTMLInputElement,
    async (typed) => (await api.suggestOrgans(typed, 8)).map((o) => ({ label: o.name, detail: o.organId ?? "", value: o })),
    (s) => {
      const o = s.value as { name: string; organId: string | null };
      organ.input.value = o.name;
      organId = o.organId ?? "";
    },
  );
  organ.input.addEventListener("input", () => (organId = ""));
  attachSuggestions(type.input as HTMLInputElement, typeSuggestions, (s) => (type.input.value = String(s.value)));

  const error = el("div", { className: "form-error", role: "alert", "data-testid": "in-error" });
  const duplicate = el("div", { className: "duplicate", role: "alert", "data-testid": "dup-warning", hidden: true });
  const refusal = el("div", { className: "duplicate", role: "alert", "data-testid": "sig-refusal", hidden: true });
  const signatures = el("div", { className: "sig-box", "data-testid": "sig-box" });
  const save = button("Đăng ký", "in-save", { primary: true, type: "submit", shortcut: "Enter" });
  const form = el(
    "form",
    { className: "doc-form", "data-testid": "incoming-form", noValidate: true },
    error,
    duplicate,
    refusal,
    signatures,
    el(
      "div",
      { className: "form-grid four" },
      organ.box, code.box, issued.box, type.box, subject.box, signer.box, urgency.box, secrecy.box,
      due.box, channel.box, pages.box, handler.box, note.box,
    ),
    el("div", { className: "actions" }, save, el("span", { className: "hint" }, "Ctrl+Enter cũng lưu · Ctrl+O chọn tệp · Esc đóng")),
  );
  const body = el("div", { className: "form-with-preview" }, form, el("div", { className: "side" }, file.box, file.preview));
  const dialog = modal("Đăng ký văn bản đến", "incoming-dialog", body);
  void dialog.closed.then(() => file.dispose());
  dialog.box.classList.add("wide");

  body.addEventListener("keydown", (event) => {
    const outside = event.target instanceof HTMLInputElement && !form.contains(event.target);
    if (event.key === "Enter" && (event.ctrlKey || outside || event.target instanceof HTMLSelectElement)) {
      event.preventDefault();
      form.requestSubmit();
    } else if (event.ctrlKey && event.key.toLowerCase() === "o") {
      event.preventDefault();
      file.pick();
    }
  });

  // The verdict on the chosen file's signatures, for an electronic arrival: shown before saving.
  let verified: { path: string; report: SignatureReport } | null = null;
  let verifying = "";
  function checkSignatures(): void {
    const path = file.path();
    refusal.hidden = true;
    if (channel.input.value !== "electronic" || !path) {
      verifying = "";
      verified = null;
      signatures.replaceChildren();
      return;
    }
    if (verified?.path === path) {
      signatures.replaceChildren(verdictPanel(verified.report));
      return;
    }
    verifying = path;
    verified = null;
    signatures.replaceChildren(el("div", { className: "progress-line", role: "status", "data-testid": "sig-checking" }, el("span", { className: "spinner" }), "Đang kiểm tra chữ ký số…"));
    api.verifyFile(path).then(
      (report) => {
        if (verifying !== path) return;
        verified = { path, report };
        signatures.replaceChildren(verdictPanel(report));
      },
      (e: unknown) => {
        if (verifying !== path) return;
        signatures.replaceChildren(el("div", { className: "form-error", role: "alert", "data-testid": "sig-check-error" }, `Không kiểm tra được chữ ký số: ${messageOf(e)}`));
      },
    );
  }
  channel.input.addEventListener("change", checkSignatures);

  function collect(allowDuplicate: boolean, signatureOverride?: string): IncomingForm | null {
    error.textContent = "";
    const checks: [Field, string][] = [
      [organ, organ.input.value.trim() ? "" : "Vui lòng nhập cơ quan ban hành."],
      [issued, validDate(issued.input.value) ? "" : "Ngày không hợp lệ (dd/mm/yyyy)."],
      [type, type.input.value.trim() ? "" : "Vui lòng nhập tên loại văn bản."],
      [subject, subject.input.value.trim() ? "" : "Vui lòng nhập trích yếu."],
      [due, validDate(due.input.value) ? "" : "Ngày không hợp lệ (dd/mm/yyyy)."],
      [pages, /^\d*$/.test(pages.input.value.trim()) ? "" : "Số trang phải là số."],
    ];
    let first: Field | null = null;
    for (const [f, message] of checks) {
      f.setError(message);
      if (message && !first) first = f;
    }
    if (first) {
      first.input.focus();
      return null;
    }
    const pageText = pages.input.value.trim();
    return {
      organName: organ.input.value.trim(),
      organId: organId || undefined,
      code: code.input.value.trim() || undefined,
      issuedDate: issued.input.value.trim() || undefined,
      typeName: type.input.value.trim(),
      subject: subject.input.value.trim(),
      signer: signer.input.value.trim() || undefined,
      urgency: (urgency.input.value || undefined) as Urgency | undefined,
      secrecy: (secrecy.input.value || undefined) as Secrecy | undefined,
      dueDate: due.input.value.trim() || undefined,
      channel: channel.input.value as Channel,
      pageAmount: pageText ? Number(pageText) : undefined,
      handler: handler.input.value.trim() || undefined,
      note: note.input.value.trim() || undefined,
      files: file.path() ? [file.path()] : [],
      fromCapture: from?.draftId,
      allowDuplicate,
      signatureOverride,
    };
  }

  function submit(allowDuplicate: boolean, signatureOverride?: string): void {
    const input = collect(allowDuplicate, signatureOverride);
    if (!input) return;
    save.disabled = true;
    save.setAttribute("aria-busy", "true");
    api.registerIncoming(input).then(
      (registered) => {
        localStorage.setItem(REMEMBER + desk.status.dbPath, JSON.stringify({ organName: input.organName, organId: input.organId ?? "", typeName: input.typeName }));
        done();
        showNumber(registered);
      },
      (e: unknown) => {
        save.disabled = false;
        save.removeAttribute("aria-busy");
        if (e instanceof ApiFailure && e.code === "duplicate") showDuplicate(e, signatureOverride);
        else if (e instanceof ApiFailure && e.code === "signature_invalid") showRefusal(e, allowDuplicate);
        else error.textContent = messageOf(e);
      },
    );
  }

  /** The register refused an arrival whose signatures do not verify: a reason, or no registration. */
  function showRefusal(e: ApiFailure, allowDuplicate: boolean): void {
    const withReason = button("Đăng ký với lý do…", "sig-override", { primary: true, shortcut: "Alt+L" });
    const reject = button("Từ chối", "sig-reject", { shortcut: "Alt+T" });
    const actions = el("div", { className: "actions" }, withReason, reject);
    refusal.replaceChildren(
      el("strong", {}, `Chữ ký số: ${verified ? VERDICT_LABEL[verified.report.verdict] : "chưa đạt"} — văn bản chưa được đăng ký`),
      el("p", { "data-testid": "sig-refusal-message" }, e.message),
      actions,
    );
    refusal.hidden = false;
    withReason.addEventListener("click", () => {
      if (refusal.querySelector("[data-testid=sig-override-reason]")) return;
      const reason = textInput("sig-override-reason", { placeholder: "Ví dụ: đã xác minh qua điện thoại với cơ quan gửi" });
      const f = field("Lý do vẫn đăng ký (ghi vào nhật ký, văn thư chịu trách nhiệm)", reason);
      const confirm = button("Đăng ký", "sig-override-confirm", { primary: true, shortcut: "Enter" });
      refusal.append(f.box, el("div", { className: "actions" }, confirm));
      const go = () => {
        const text = reason.value.trim();
        if (!text) {
          f.setError("Phải ghi lý do.");
          return reason.focus();
        }
        refusal.hidden = true;
        submit(allowDuplicate, text);
      };
      confirm.addEventListener("click", go);
      // Enter here registers with the reason, never the form without it.
      reason.addEventListener("keydown", (ev) => {
        if (ev.key === "Enter") {
          ev.preventDefault();
          ev.stopPropagation();
          go();
        }
      });
      reason.focus();
    });
    reject.addEventListener("click", () => {
      dialog.close();
      desk.toast("Đã từ chối văn bản: chữ ký số chưa đạt, không đăng ký.");
    });
    refusal.addEventListener("keydown", (ev) => {
      if (ev.altKey && keyIs(ev, "l")) {
        ev.preventDefault();
        withReason.click();
      } else if (ev.altKey && keyIs(ev, "t")) {
        ev.preventDefault();
        reject.click();
      }
    });
    withReason.focus();
  }

  function showDuplicate(e: ApiFailure, signatureOverride?: string): void {
    const earlier = e.details?.earlier;
    const confirm = button("Vẫn đăng ký", "dup-confirm", { primary: true, shortcut: "Alt+V" });
    const back = button("Không đăng ký, sửa lại", "dup-cancel");
    duplicate.replaceChildren(
      el("strong", {}, "Có thể trùng văn bản đã đăng ký"),
      el("p", { "data-testid": "dup-message" }, e.message),
    );
    if (earlier) {
      duplicate.append(
        el(
          "dl",
          { className: "kv", "data-testid": "dup-earlier" },
          el("dt", {}, "Số đến"), el("dd", {}, `${earlier.numberText} ngày ${formatDate(earlier.arrivalDate ?? earlier.registeredAt)}`),
          el("dt", {}, "Số, ký hiệu"), el("dd", {}, earlier.code),
          el("dt", {}, "Cơ quan ban hành"), el("dd", {}, earlier.organName),
          el("dt", {}, "Trích yếu"), el("dd", {}, `${earlier.typeName} ${earlier.subject}`),
        ),
      );
    }
    duplicate.append(el("div", { className: "actions" }, confirm, back));
    duplicate.hidden = false;
    confirm.addEventListener("click", () => {
      duplicate.hidden = true;
      submit(true, signatureOverride);
    });
    back.addEventListener("click", () => {
      duplicate.hidden = true;
      code.input.focus();
    });
    duplicate.addEventListener("keydown", (ev) => {
      if (ev.altKey && keyIs(ev, "v")) {
        ev.preventDefault();
        confirm.click();
      }
    });
    confirm.focus();
  }

  function showNumber(r: IncomingRegistered): void {
    const again = button("Đăng ký văn bản tiếp theo", "in-next", { primary: !from, shortcut: from ? undefined : "Enter" });
    const openIt = button("Mở văn bản", "in-open");
    const stampIt = button("Đóng dấu đến, in bản lưu", "in-stamp", { primary: !!from, shortcut: from ? "Enter" : "Alt+D" });
    stampIt.addEventListener("click", () => {
      dialog.close();
      void import("./stamp").then((m) => m.openStamp(desk, r.id));
    });
    const result = el(
      "div",
      { className: "registered", "data-testid": "incoming-registered" },
      el("div", { className: "label" }, "Số đến"),
      el("div", { className: "big-number", "data-testid": "arrival-number" }, String(r.arrivalNumber)),
      el("div", {}, `Ngày đến ${formatDate(r.arrivalDate)} · Sổ văn bản đến năm ${r.year}`),
      el("div", { className: "subject" }, `${r.document.typeName} ${r.document.subject}`),
      verified && channel.input.value === "electronic" ? el("div", { className: "hint", "data-testid": "registered-verdict" }, `Chữ ký số: ${VERDICT_LABEL[verified.report.verdict]}`) : "",
      r.registerDeadline ? el("div", { className: "hint" }, `Trình trước ${r.registerDeadline.slice(11, 16)} ${formatDate(r.registerDeadline)}`) : "",
      el("div", { className: "actions" }, ...(from ? [stampIt, again, openIt] : [again, openIt, stampIt])),
    );
    body.replaceChildren(result);
    file.dispose();
    again.addEventListener("click", () => {
      dialog.close();
      openForm(desk, done);
    });
    openIt.addEventListener("click", () => {
      dialog.close();
      desk.openDocument(r.id);
    });
    (from ? stampIt : again).focus();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(false);
  });
  organ.input.focus();
  (organ.input as HTMLInputElement).select();
}
