// Tìm kiếm: full text (diacritics optional) and filters, the columns the clerk chooses, saved searches,
// and the results exported to .xlsx or .pdf. The result list is virtualised like the registers.

import { api, ApiFailure, messageOf } from "./api";
import type { Filter } from "./bindings/Filter";
import type { RegisterRow } from "./bindings/RegisterRow";
import type { ResultColumn } from "./bindings/ResultColumn";
import type { SavedSearch } from "./bindings/SavedSearch";
import type { StatusFilter } from "./bindings/StatusFilter";
import type { Urgency } from "./bindings/Urgency";
import type { Direction } from "./bindings/Direction";
import { SECRECY_LABEL, URGENCY_LABEL } from "./columns";
import { button, el, field, select, textInput } from "./dom";
import { formatCount, formatDate, formatDateTime, validDate } from "./format";
import { HANDLING_LABEL, STATUS_FILTER_LABEL } from "./labels";
import { runExport } from "./reports";
import type { Desk } from "./shell";
import { VirtualList } from "./virtual-list";

const DEFAULT_COLUMNS = ["register", "number", "register_date", "code", "organ_name", "subject", "status"];

function status(r: RegisterRow): string {
  if (r.cancelled) return "Đã hủy";
  if (r.recalled) return "Đã thu hồi";
  if (r.handlingStatus) return HANDLING_LABEL[r.handlingStatus];
  return r.direction === "incoming" ? "Chưa giao" : "Đã ban hành";
}

const CELL: Record<string, (r: RegisterRow) => string> = {
  register: (r) => (r.direction === "incoming" ? "Đến" : "Đi"),
  number: (r) => r.numberText,
  register_date: (r) => formatDate(r.arrivalDate ?? r.documentDate ?? r.registeredAt),
  code: (r) => r.code,
  document_date: (r) => formatDate(r.documentDate),
  organ_name: (r) => r.organName,
  type_name: (r) => r.typeName,
  subject: (r) => `${r.typeName} ${r.subject}`,
  signer: (r) => r.signer ?? "",
  recipients: (r) => r.recipients.join("; "),
  lead: (r) => r.lead ?? r.handler ?? "",
  deadline: (r) => formatDateTime(r.handlingDeadline),
  status,
  urgency: (r) => (r.urgency ? URGENCY_LABEL[r.urgency] : ""),
  secrecy: (r) => (r.secrecy ? SECRECY_LABEL[r.secrecy] : ""),
  note: (r) => r.note ?? "",
};

const WIDTH: Record<string, string> = { register: "48px", number: "70px", register_date: "96px", document_date: "96px", subject: "minmax(200px, 3fr)", status: "120px", urgency: "90px", secrecy: "80px", deadline: "120px" };

export function showSearch(root: HTMLElement, desk: Desk, signal: AbortSignal): void {
  let allColumns: ResultColumn[] = [];
  let columns = [...DEFAULT_COLUMNS];
  let filter: Filter = { anyUrgent: false };

  const text = textInput("find-text", { type: "search", placeholder: "Gõ có dấu hoặc không dấu: quyet dinh, to trinh…" });
  const direction = select("find-direction", [["", "Cả hai sổ"], ["incoming", "Văn bản đến"], ["outgoing", "Văn bản đi"]]);
  const year = textInput("find-year", { inputMode: "numeric", placeholder: "2026", size: 6 });
  const type = textInput("find-type", { placeholder: "Quyết định" });
  const organ = textInput("find-organ", { placeholder: "Sở Tài chính" });
  const urgency = select("find-urgency", [["", "Mọi độ khẩn"], ["any", "Mọi văn bản khẩn"], ...(Object.entries(URGENCY_LABEL) as [string, string][])]);
  const statusSel = select("find-status", [["", "Mọi tình trạng"], ...(Object.entries(STATUS_FILTER_LABEL) as [string, string][])]);
  const from = textInput("find-from", { placeholder: "dd/mm/yyyy" });
  const to = textInput("find-to", { placeholder: "dd/mm/yyyy" });
  const fields = {
    text: field("Nội dung", text, "", "span2"),
    direction: field("Sổ", direction),
    year: field("Năm", year),
    type: field("Tên loại", type),
    organ: field("Cơ quan ban hành", organ),
    urgency: field("Độ khẩn", urgency),
    status: field("Tình trạng", statusSel),
    from: field("Từ ngày", from),
    to: field("Đến ngày", to),
  };
  const go = button("Tìm", "find-submit", { primary: true, type: "submit", shortcut: "Enter" });
  const form = el("form", { className: "filters", "data-testid": "find-form", noValidate: true }, el("div", { className: "form-grid five" }, ...Object.values(fields).map((f) => f.box)), el("div", { className: "actions" }, go));

  const saved = select("saved-list", [["", "Tìm kiếm đã lưu…"]]);
  const applySaved = button("Áp dụng", "saved-apply");
  const deleteSaved = button("Xóa", "saved-delete");
  const saveName = textInput("saved-name", { placeholder: "Tên để lưu tìm kiếm này" });
  const saveButton = button("Lưu tìm kiếm", "saved-save", { shortcut: "Ctrl+S" });
  const columnsButton = button("Chọn cột", "columns-toggle");
  const xlsx = button("Xuất Excel", "export-xlsx");
  const pdf = button("Xuất PDF", "export-pdf");
  const columnsPanel = el("div", { className: "columns-panel", "data-testid": "columns-panel", hidden: true });
  const out = el("div", { "data-testid": "find-export" });
  const tools = el("div", { className: "toolbar wrap" }, saved, applySaved, deleteSaved, saveName, saveButton, columnsButton, xlsx, pdf);
  const banner = el("div", { className: "error-banner", role: "alert", "data-testid": "find-error" });
  const count = el("div", { className: "count", "data-testid": "find-count" }, "");
  const header = el("div", { className: "grid-header", role: "row" });
  const viewport = el("div", { className: "viewport", role: "grid", tabIndex: 0, "data-testid": "find-results", "aria-label": "Kết quả tìm kiếm" });
  const grid = el("section", { className: "grid" }, header, viewport);
  root.replaceChildren(el("div", { className: "page search-page" }, el("h2", {}, "Tìm kiếm"), form, tools, columnsPanel, out, banner, count, grid));

  const list = new VirtualList(viewport, {
    rowHeight: 40,
    pageSize: 100,
    renderRow: (r) => {
      const row = el("div", { className: `row${r.urgency ? " urgent" : ""}${r.secrecy ? " secret" : ""}${r.cancelled ? " cancelled" : ""}`, role: "row", "data-testid": "find-row", "data-id": r.id });
      for (const c of columns) {
        const cell = el("div", { className: "cell", role: "cell", "data-col": c });
        if (c === "subject") {
          if (r.urgency) cell.append(el("span", { className: `badge urgency-${r.urgency}` }, URGENCY_LABEL[r.urgency]));
          if (r.secrecy) cell.append(el("span", { className: `badge secrecy-${r.secrecy}` }, SECRECY_LABEL[r.secrecy]));
        }
        const value = (CELL[c] ?? (() => ""))(r);
        cell.append(el("span", { className: "text" }, value));
        cell.title = value;
        row.append(cell);
      }
      row.addEventListener("click", () => desk.openDocument(r.id));
      return row;
    },
    renderPlaceholder: () => el("div", { className: "row loading", role: "row" }),
    onCount: (n, exact) => {
      count.textContent = `Tìm thấy ${formatCount(n)}${exact ? "" : "+"} văn bản`;
      count.dataset.count = String(n);
    },
    onError: (e) => (banner.textContent = messageOf(e)),
  });

  function drawHeader(): void {
    const titles = new Map(allColumns.map((c) => [c.id, c.title]));
    header.replaceChildren(...columns.map((c) => el("div", { className: "cell", role: "columnheader" }, titles.get(c) ?? c)));
    grid.style.setProperty("--columns", columns.map((c) => WIDTH[c] ?? "minmax(90px, 1fr)").join(" "));
  }

  function readFilter(): Filter | null {
    let bad = false;
    for (const f of [fields.from, fields.to]) {
      const ok = validDate(f.input.value);
      f.setError(ok ? "" : "Ngày không hợp lệ (dd/mm/yyyy).");
      bad ||= !ok;
    }
    const y = year.value.trim();
    fields.year.setError(/^(\d{4})?$/.test(y) ? "" : "Năm gồm 4 chữ số.");
    if (bad || fields.year.error.textContent) return null;
    return {
      text: text.value.trim() || undefined,
      direction: (direction.value || undefined) as Direction | undefined,
      year: y ? Number(y) : undefined,
      typeName: type.value.trim() || undefined,
      organ: organ.value.trim() || undefined,
      urgency: urgency.value && urgency.value !== "any" ? (urgency.value as Urgency) : undefined,
      anyUrgent: urgency.value === "any",
      status: (statusSel.value || undefined) as StatusFilter | undefined,
      dateFrom: from.value.trim() || undefined,
      dateTo: to.value.trim() || undefined,
    };
  }

  function writeFilter(f: Filter): void {
    text.value = f.text ?? "";
    direction.value = f.direction ?? "";
    year.value = f.year ? String(f.year) : "";
    type.value = f.typeName ?? "";
    organ.value = f.organ ?? "";
    urgency.value = f.anyUrgent ? "any" : (f.urgency ?? "");
    statusSel.value = f.status ?? "";
    from.value = f.dateFrom ? formatDate(f.dateFrom) : "";
    to.value = f.dateTo ? formatDate(f.dateTo) : "";
  }

  function run(): void {
    const f = readFilter();
    if (!f) return;
    filter = f;
    banner.textContent = "";
    count.textContent = "Đang tìm…";
    delete count.dataset.count;
    drawHeader();
    list.setSource((page, pageSize) => api.findRegister(filter, page, pageSize));
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    run();
  });
  form.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && e.target instanceof HTMLSelectElement) {
      e.preventDefault();
      run();
    }
  });

  async function loadSaved(select?: number): Promise<void> {
    let items: SavedSearch[] = [];
    try {
      items = await api.savedSearches();
    } catch (e) {
      if (!(e instanceof ApiFailure && e.code === "forbidden")) banner.textContent = messageOf(e);
    }
    saved.replaceChildren(el("option", { value: "" }, "Tìm kiếm đã lưu…"), ...items.map((s) => el("option", { value: String(s.id), selected: s.id === select }, s.name)));
    savedItems = items;
  }
  let savedItems: SavedSearch[] = [];
  applySaved.addEventListener("click", () => {
    const s = savedItems.find((x) => String(x.id) === saved.value);
    if (!s) return;
    writeFilter(s.filter);
    if (s.columns.length) columns = s.columns.filter((c) => c in CELL);
    drawColumnsPanel();
    run();
  });
  deleteSaved.addEventListener("click", () => {
    if (!saved.value) return;
    void api.deleteSavedSearch(Number(saved.value)).then(() => loadSaved(), (e: unknown) => (banner.textContent = messageOf(e)));
  });
  function save(): void {
    const f = readFilter();
    if (!f) return;
    void api.saveSearch({ name: saveName.value.trim(), filter: f, columns }).then(
      (s) => {
        desk.toast(`Đã lưu tìm kiếm “${s.name}”.`);
        saveName.value = "";
        void loadSaved(s.id);
      },
      (e: unknown) => (banner.textContent = messageOf(e)),
    );
  }
  saveButton.addEventListener("click", save);
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey && e.key.toLowerCase() === "s") {
      e.preventDefault();
      save();
    }
  }, { signal });

  function drawColumnsPanel(): void {
    columnsPanel.replaceChildren(
      ...allColumns.map((c) => {
        const box = el("input", { type: "checkbox", checked: columns.includes(c.id), "data-testid": `column-${c.id}` });
        box.addEventListener("change", () => {
          columns = allColumns.map((x) => x.id).filter((id) => (id === c.id ? box.checked : columns.includes(id)));
          if (columns.length === 0) columns = ["subject"];
          drawHeader();
          list.redraw();
        });
        return el("label", { className: "check" }, box, c.title);
      }),
    );
  }
  columnsButton.addEventListener("click", () => (columnsPanel.hidden = !columnsPanel.hidden));
  xlsx.addEventListener("click", () => void runExport(out, desk, () => api.exportResults(filter, columns, "xlsx")));
  pdf.addEventListener("click", () => void runExport(out, desk, () => api.exportResults(filter, columns, "pdf")));

  void api.resultColumns().then((cols) => {
    allColumns = cols;
    drawColumnsPanel();
    drawHeader();
  });
  void loadSaved();
  drawHeader();
  text.focus();
}
