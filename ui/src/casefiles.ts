// Hồ sơ: the yearly catalogue of case files; open one (notation, title, retention), see its documents in
// chronological order, close it, export it to PDF or XML; and the files due at the archive within 30 days.

import { api, messageOf } from "./api";
import type { CaseFile } from "./bindings/CaseFile";
import { button, el, field, select, textInput } from "./dom";
import { formatDate } from "./format";
import { runExport } from "./reports";
import type { Desk } from "./shell";

const RETENTION: [string, string][] = [["Vĩnh viễn", "Vĩnh viễn"], ["70 năm", "70 năm"], ["50 năm", "50 năm"], ["20 năm", "20 năm"], ["10 năm", "10 năm"], ["5 năm", "5 năm"]];

export function showCaseFiles(root: HTMLElement, desk: Desk, _signal: AbortSignal): void {
  const thisYear = desk.status.today.slice(0, 4);
  const year = textInput("cf-year", { value: String(thisYear), inputMode: "numeric", size: 6 });
  const show = button("Xem danh mục", "cf-show");
  const error = el("div", { className: "error-banner", role: "alert", "data-testid": "cf-error" });
  const warning = el("div", { className: "warning-list", "data-testid": "cf-due" });
  const table = el("table", { className: "table", "data-testid": "cf-table" });
  const detail = el("div", { className: "cf-detail", "data-testid": "cf-detail" });
  const tools = el("div", { className: "toolbar" }, field("Năm", year).box, show);

  let openForm: HTMLElement | null = null;
  if (desk.can("casefiles")) {
    const notation = textInput("cf-notation", { placeholder: "01.TH" });
    const title = textInput("cf-title", { placeholder: "Hồ sơ về…" });
    const retention = select("cf-maintenance", RETENTION, "10 năm");
    const unit = select("cf-unit", [["", "—"]]);
    const description = textInput("cf-description");
    const formError = el("div", { className: "form-error", role: "alert", "data-testid": "cf-open-error" });
    const submit = button("Mở hồ sơ", "cf-open", { primary: true, type: "submit", shortcut: "Enter" });
    const fNotation = field("Số và ký hiệu hồ sơ", notation);
    const fTitle = field("Tiêu đề hồ sơ", title, "", "span2");
    const form = el(
      "form",
      { className: "sub-form", "data-testid": "cf-open-form", noValidate: true },
      el("h3", {}, "Mở hồ sơ mới"),
      formError,
      el("div", { className: "form-grid" }, fNotation.box, fTitle.box, field("Thời hạn bảo quản", retention).box, field("Đơn vị", unit).box, field("Mô tả", description, "", "span3").box),
      el("div", { className: "actions" }, submit),
    );
    void desk.units().then((units) => units.forEach((u) => unit.append(el("option", { value: String(u.id) }, u.name))), () => {});
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      formError.textContent = "";
      fNotation.setError(notation.value.trim() ? "" : "Vui lòng nhập số và ký hiệu hồ sơ.");
      fTitle.setError(title.value.trim() ? "" : "Vui lòng nhập tiêu đề hồ sơ.");
      if (!notation.value.trim()) return notation.focus();
      if (!title.value.trim()) return title.focus();
      void api
        .openCaseFile({ year: Number(year.value) || undefined, notation: notation.value.trim(), title: title.value.trim(), maintenance: retention.value, unitId: unit.value ? Number(unit.value) : null, description: description.value.trim() || undefined })
        .then(
          (c) => {
            desk.toast(`Đã mở hồ sơ ${c.notation}.`);
            notation.value = "";
            title.value = "";
            void load(c.id);
          },
          (err: unknown) => (formError.textContent = messageOf(err)),
        );
    });
    openForm = form;
  }

  root.replaceChildren(el("div", { className: "page" }, el("h2", {}, "Hồ sơ"), tools, error, warning, openForm ?? "", el("h3", {}, "Danh mục hồ sơ"), table, detail));

  async function load(focus?: number): Promise<void> {
    try {
      const y = Number(year.value.trim());
      const [files, due] = await Promise.all([api.caseFiles(Number.isInteger(y) && y > 0 ? y : null), api.caseFilesDue()]);
      error.textContent = "";
      warning.replaceChildren(
        ...(due.length
          ? [el("strong", {}, `Có ${due.length} hồ sơ phải nộp lưu trong 30 ngày tới:`), el("ul", {}, ...due.map((c) => el("li", {}, `${c.notation} — ${c.title} (hạn ${formatDate(c.archiveDue)})`)))]
          : []),
      );
      warning.hidden = due.length === 0;
      table.replaceChildren(
        el("thead", {}, el("tr", {}, el("th", {}, "Số, ký hiệu"), el("th", {}, "Tiêu đề"), el("th", {}, "Thời hạn bảo quản"), el("th", {}, "Số văn bản"), el("th", {}, "Tình trạng"))),
        el("tbody", {}, ...files.map(rowOf)),
      );
      if (files.length === 0) table.append(el("caption", {}, "Năm này chưa có hồ sơ nào."));
      if (focus !== undefined) void openDetail(focus);
    } catch (e) {
      error.textContent = messageOf(e);
    }
  }

  function rowOf(c: CaseFile): HTMLElement {
    const open = el("button", { type: "button", className: "link", "data-testid": "cf-row", "data-id": String(c.id) }, c.notation);
    open.addEventListener("click", () => void openDetail(c.id));
    return el("tr", {}, el("td", {}, open), el("td", {}, c.title), el("td", {}, c.maintenance), el("td", {}, String(c.documents)), el("td", {}, c.closedAt ? `Đã đóng · nộp lưu ${formatDate(c.archiveDue)}` : "Đang mở"));
  }

  async function openDetail(id: number): Promise<void> {
    try {
      const d = await api.caseFile(id);
      const c = d.file;
      const out = el("div", { "data-testid": "cf-export-output" });
      const pdf = button("Xuất PDF", "cf-export-pdf");
      const xml = button("Xuất XML", "cf-export-xml");
      pdf.addEventListener("click", () => void runExport(out, desk, () => api.exportCaseFile(id, "pdf")));
      xml.addEventListener("click", () => void runExport(out, desk, () => api.exportCaseFile(id, "xml")));
      const actions = el("div", { className: "actions" }, pdf, xml);
      if (!c.closedAt && desk.can("casefiles")) {
        const close = button("Đóng hồ sơ", "cf-close");
        close.addEventListener("click", () => void api.closeCaseFile(id).then(() => load(id), (e: unknown) => (error.textContent = messageOf(e))));
        actions.append(close);
      }
      const docs = el("ol", { className: "lines", "data-testid": "cf-documents" });
      for (const r of d.documents) {
        const b = el("button", { type: "button", className: "link", "data-testid": "cf-document" }, `${formatDate(r.arrivalDate ?? r.documentDate)} · ${r.direction === "incoming" ? `Số đến ${r.numberText}` : r.code} — ${r.typeName} ${r.subject}`);
        b.addEventListener("click", () => desk.openDocument(r.id));
        docs.append(el("li", {}, b));
      }
      detail.replaceChildren(
        el("h3", { "data-testid": "cf-detail-title" }, `Hồ sơ ${c.notation} — ${c.title}`),
        el("p", { className: "hint" }, `Năm ${c.year} · Bảo quản ${c.maintenance} · Người lập ${c.creator} · ${c.closedAt ? `Đã đóng ${formatDate(c.closedAt)}` : "Đang mở"}`),
        d.documents.length ? docs : el("p", { className: "hint" }, "Chưa có văn bản. Mở một văn bản và chọn “Đưa vào hồ sơ”."),
        actions,
        out,
      );
      pdf.focus();
    } catch (e) {
      error.textContent = messageOf(e);
    }
  }

  show.addEventListener("click", () => void load());
  year.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      void load();
    }
  });
  void load();
}
