// The register's columns, in the order of Decree 30, Appendix IV (docs/domain.md §4), and how one
// RegisterRow fills them. "Ngày chuyển" and "Ký nhận" are filled by hand on the printed register.

import type { Direction } from "./bindings/Direction";
import type { RegisterRow } from "./bindings/RegisterRow";
import type { Secrecy } from "./bindings/Secrecy";
import type { Urgency } from "./bindings/Urgency";
import { formatDate } from "./format";

export interface Column {
  /** Stable key, also the cell's `data-col`. */
  key: string;
  /** Vietnamese heading, exactly as in the appendix. */
  title: string;
  /** CSS grid track. */
  width: string;
  /** "num" for numbers, "wrap" for two-line text. */
  kind?: "num" | "wrap";
  /** Fills the cell. Text goes through textContent, never innerHTML. */
  fill: (cell: HTMLElement, row: RegisterRow) => void;
}

export const URGENCY_LABEL: Record<Urgency, string> = {
  khan: "Khẩn",
  "thuong-khan": "Thượng khẩn",
  "hoa-toc": "Hỏa tốc",
};

export const SECRECY_LABEL: Record<Secrecy, string> = {
  mat: "Mật",
  "toi-mat": "Tối mật",
  "tuyet-mat": "Tuyệt mật",
};

function text(cell: HTMLElement, value: string | number | null | undefined): void {
  const span = document.createElement("span");
  span.className = "text";
  span.textContent = value === null || value === undefined ? "" : String(value);
  cell.append(span);
  if (span.textContent) cell.title = span.textContent;
}

function badge(cell: HTMLElement, className: string, label: string, testId: string): void {
  const b = document.createElement("span");
  b.className = `badge ${className}`;
  b.dataset.testid = testId;
  b.textContent = label;
  cell.append(b);
}

/** Tên loại và trích yếu nội dung, with the urgency and secrecy badges in front. */
function fillSubject(cell: HTMLElement, row: RegisterRow): void {
  if (row.urgency) badge(cell, `urgency-${row.urgency}`, URGENCY_LABEL[row.urgency], "badge-urgency");
  if (row.secrecy) badge(cell, `secrecy-${row.secrecy}`, SECRECY_LABEL[row.secrecy], "badge-secrecy");
  const wrapper = document.createElement("span");
  wrapper.className = "text";
  const type = document.createElement("span");
  type.className = "type";
  type.textContent = row.typeName;
  wrapper.append(type, document.createTextNode(` ${row.subject}`));
  cell.append(wrapper);
  cell.title = `${row.typeName} ${row.subject}`;
}

/** Ghi chú, with "Đã hủy" and the reason first when the registration was cancelled. */
function fillNote(cell: HTMLElement, row: RegisterRow): void {
  if (row.cancelled) {
    badge(cell, "cancelled", "Đã hủy", "badge-cancelled");
    if (row.cancelReason) {
      const reason = document.createElement("span");
      reason.className = "reason";
      reason.dataset.testid = "cancel-reason";
      reason.textContent = row.cancelReason;
      cell.append(reason);
    }
  }
  if (row.recalled) badge(cell, "cancelled", "Đã thu hồi", "badge-recalled");
  if (row.note) text(cell, row.note);
  const title = [row.cancelled ? `Đã hủy: ${row.cancelReason ?? ""}` : "", row.note ?? ""].filter(Boolean).join(" — ");
  cell.title = title;
}

const blank = (): void => {};

const INCOMING: Column[] = [
  { key: "arrival-date", title: "Ngày đến", width: "92px", fill: (c, r) => text(c, formatDate(r.arrivalDate)) },
  { key: "number", title: "Số đến", width: "64px", kind: "num", fill: (c, r) => text(c, r.numberText) },
  { key: "author", title: "Tác giả", width: "minmax(120px, 1.2fr)", kind: "wrap", fill: (c, r) => text(c, r.organName) },
  { key: "code", title: "Số, ký hiệu", width: "minmax(130px, 0.8fr)", kind: "wrap", fill: (c, r) => text(c, r.code) },
  {
    key: "document-date",
    title: "Ngày tháng văn bản",
    width: "92px",
    fill: (c, r) => text(c, formatDate(r.documentDate)),
  },
  {
    key: "subject",
    title: "Tên loại và trích yếu nội dung",
    width: "minmax(200px, 2.6fr)",
    kind: "wrap",
    fill: fillSubject,
  },
  {
    key: "handler",
    title: "Đơn vị hoặc người nhận",
    width: "minmax(100px, 1fr)",
    kind: "wrap",
    fill: (c, r) => text(c, r.handler),
  },
  { key: "transfer-date", title: "Ngày chuyển", width: "80px", fill: blank },
  { key: "receipt", title: "Ký nhận", width: "70px", fill: blank },
  { key: "note", title: "Ghi chú", width: "minmax(90px, 0.9fr)", kind: "wrap", fill: fillNote },
];

const OUTGOING: Column[] = [
  { key: "code", title: "Số, ký hiệu", width: "minmax(130px, 0.9fr)", kind: "num", fill: (c, r) => text(c, r.code) },
  {
    key: "document-date",
    title: "Ngày tháng văn bản",
    width: "92px",
    fill: (c, r) => text(c, formatDate(r.documentDate)),
  },
  {
    key: "subject",
    title: "Tên loại và trích yếu nội dung",
    width: "minmax(200px, 2.6fr)",
    kind: "wrap",
    fill: fillSubject,
  },
  { key: "signer", title: "Người ký", width: "minmax(100px, 0.9fr)", kind: "wrap", fill: (c, r) => text(c, r.signer) },
  {
    key: "recipients",
    title: "Nơi nhận",
    width: "minmax(110px, 1.1fr)",
    kind: "wrap",
    fill: (c, r) => text(c, r.recipients.join("; ")),
  },
  {
    key: "archive-holder",
    title: "Đơn vị, người nhận bản lưu",
    width: "minmax(100px, 0.9fr)",
    kind: "wrap",
    fill: (c, r) => text(c, r.archiveHolder),
  },
  { key: "copies", title: "Số lượng bản", width: "64px", fill: (c, r) => text(c, r.copies) },
  { key: "transfer-date", title: "Ngày chuyển", width: "80px", fill: blank },
  { key: "receipt", title: "Ký nhận", width: "70px", fill: blank },
  { key: "note", title: "Ghi chú", width: "minmax(90px, 0.8fr)", kind: "wrap", fill: fillNote },
];

export function columnsFor(direction: Direction): Column[] {
  return direction === "incoming" ? INCOMING : OUTGOING;
}

export function gridTemplate(columns: Column[]): string {
  return columns.map((c) => c.width).join(" ");
}
