// In sổ: a register book (incoming, outgoing, handling) for a date range and a volume, as a PDF in the
// App. IV form with its cover; then "Mở để in" opens it in the system viewer and its print dialog.

import { api } from "./api";
import type { Book } from "./bindings/Book";
import { button, el, field, select, textInput } from "./dom";
import { validDate } from "./format";
import { runExport } from "./reports";
import type { Desk } from "./shell";

export function showPrint(root: HTMLElement, desk: Desk, _signal: AbortSignal): void {
  const y = desk.status.today.slice(0, 4);
  const book = select("print-book", [["incoming", "Sổ đăng ký văn bản đến"], ["outgoing", "Sổ đăng ký văn bản đi"], ["handling", "Sổ theo dõi giải quyết văn bản đến"]]);
  const from = field("Từ ngày", textInput("print-from", { value: `01/01/${y}`, placeholder: "dd/mm/yyyy" }));
  const to = field("Đến ngày", textInput("print-to", { value: `31/12/${y}`, placeholder: "dd/mm/yyyy" }));
  const volume = field("Quyển số", textInput("print-volume", { value: "1", inputMode: "numeric", size: 4 }));
  const submit = button("Tạo tệp PDF", "print-submit", { primary: true, type: "submit", shortcut: "Enter" });
  const out = el("div", { "data-testid": "print-output" });
  const form = el(
    "form",
    { className: "sub-form", "data-testid": "print-form", noValidate: true },
    el("div", { className: "form-grid four" }, field("Sổ", book).box, from.box, to.box, volume.box),
    el("div", { className: "actions" }, submit),
  );
  root.replaceChildren(
    el("div", { className: "page" }, el("h2", {}, "In sổ đăng ký"), el("p", { className: "hint" }, "Sổ in theo mẫu Phụ lục IV Nghị định 30/2020/NĐ-CP, có trang bìa; mỗi trang ghi rõ in từ hệ thống, người in và thời điểm in."), form, out),
  );
  form.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && e.target instanceof HTMLSelectElement) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    let bad = false;
    for (const f of [from, to]) {
      const ok = f.input.value.trim() !== "" && validDate(f.input.value);
      f.setError(ok ? "" : "Ngày không hợp lệ (dd/mm/yyyy).");
      bad ||= !ok;
    }
    const v = volume.input.value.trim();
    volume.setError(/^\d*$/.test(v) ? "" : "Quyển số phải là số.");
    if (bad || volume.error.textContent) return;
    void runExport(out, desk, () => api.printRegister({ book: book.value as Book, from: from.input.value.trim(), to: to.input.value.trim(), volume: v ? Number(v) : undefined }));
  });
  book.focus();
}
