// Trang chủ: deadlines at a glance — what arrived today, what is urgent, what is due today, what is
// overdue (the presentation deadline of an unassigned document, or the handling deadline), per handler,
// and the case files due at the archive. Refreshed every minute.

import { api, messageOf } from "./api";
import type { DeadlineItem } from "./bindings/DeadlineItem";
import type { RegisterRow } from "./bindings/RegisterRow";
import { SECRECY_LABEL, URGENCY_LABEL } from "./columns";
import { el } from "./dom";
import { formatDate, formatDateTime } from "./format";
import type { Desk } from "./shell";

export function showHome(root: HTMLElement, desk: Desk, signal: AbortSignal): void {
  const error = el("div", { className: "error-banner", role: "alert", "data-testid": "home-error" });
  const grid = el("div", { className: "home-grid", "data-testid": "home" });
  root.replaceChildren(el("div", { className: "page" }, el("h2", {}, "Trang chủ"), error, grid));

  function rowLine(r: RegisterRow, extra = ""): HTMLElement {
    const b = el("button", { type: "button", className: `doc-line${r.urgency ? " urgent" : ""}${r.secrecy ? " secret" : ""}`, "data-testid": "home-doc", "data-id": r.id });
    if (r.urgency) b.append(el("span", { className: `badge urgency-${r.urgency}` }, URGENCY_LABEL[r.urgency]));
    if (r.secrecy) b.append(el("span", { className: `badge secrecy-${r.secrecy}` }, SECRECY_LABEL[r.secrecy]));
    b.append(
      el("span", { className: "num" }, r.direction === "incoming" ? `Số đến ${r.numberText}` : r.code),
      el("span", { className: "subj" }, `${r.typeName} ${r.subject}`),
      el("span", { className: "meta" }, extra || r.organName),
    );
    b.addEventListener("click", () => desk.openDocument(r.id));
    return b;
  }

  function deadlineLine(d: DeadlineItem): HTMLElement {
    const what = d.kind === "presentation" ? "Hạn trình" : "Hạn giải quyết";
    return rowLine(d.document, `${what}: ${formatDateTime(d.deadline)}${d.document.lead ? ` · ${d.document.lead}` : ""}`);
  }

  function card(title: string, testid: string, items: HTMLElement[], emptyText: string, tone = ""): HTMLElement {
    return el(
      "section",
      { className: `card ${tone}`, "data-testid": testid },
      el("h3", {}, title, " ", el("span", { className: "count-pill", "data-testid": `${testid}-count` }, String(items.length))),
      items.length ? el("div", { className: "lines" }, ...items) : el("p", { className: "hint" }, emptyText),
    );
  }

  async function load(): Promise<void> {
    try {
      const [d, due, awaited] = await Promise.all([api.dashboard(), api.caseFilesDue(), api.repliesAwaited(7)]);
      if (signal.aborted) return;
      error.textContent = "";
      const perHandler = el(
        "table",
        { className: "table", "data-testid": "home-handlers" },
        el("thead", {}, el("tr", {}, el("th", {}, "Đơn vị, người chủ trì"), el("th", {}, "Đang giải quyết"), el("th", {}, "Đến hạn hôm nay"), el("th", {}, "Quá hạn"))),
        el("tbody", {}, ...d.perHandler.map((h) => el("tr", { className: h.overdue > 0 ? "late" : "" }, el("td", {}, h.name), el("td", {}, String(h.open)), el("td", {}, String(h.dueToday)), el("td", {}, String(h.overdue))))),
      );
      grid.replaceChildren(
        card("Văn bản đến hôm nay", "home-arrived", d.arrivedToday.map((r) => rowLine(r)), "Hôm nay chưa có văn bản đến."),
        card("Văn bản khẩn chưa xong", "home-urgent", d.urgentOpen.map((r) => rowLine(r)), "Không có văn bản khẩn.", d.urgentOpen.length ? "alert" : ""),
        card("Đến hạn hôm nay", "home-due", d.dueToday.map(deadlineLine), "Không có việc đến hạn hôm nay.", d.dueToday.length ? "warn" : ""),
        card("Quá hạn", "home-overdue", d.overdue.map(deadlineLine), "Không có việc quá hạn.", d.overdue.length ? "alert" : ""),
        el("section", { className: "card wide" }, el("h3", {}, "Theo người, đơn vị chủ trì"), d.perHandler.length ? perHandler : el("p", { className: "hint" }, "Chưa có văn bản nào được giao.")),
        card(
          "Văn bản đi chờ báo cáo",
          "home-awaited",
          awaited.map((a) => rowLine(a.document, `${a.overdue ? "Quá hạn báo cáo" : "Hạn báo cáo"}: ${formatDate(a.dueDate)}`)),
          "Không có văn bản đi nào chờ báo cáo trong 7 ngày tới.",
          awaited.some((a) => a.overdue) ? "alert" : awaited.length ? "warn" : "",
        ),
        card(
          "Hồ sơ sắp đến hạn nộp lưu",
          "home-archive",
          due.map((c) => el("div", { className: "doc-line" }, el("span", { className: "num" }, c.notation), el("span", { className: "subj" }, c.title), el("span", { className: "meta" }, `Nộp lưu trước ${formatDate(c.archiveDue)}`))),
          "Không có hồ sơ nào phải nộp lưu trong 30 ngày tới.",
          due.length ? "warn" : "",
        ),
      );
    } catch (e) {
      error.textContent = messageOf(e);
    }
  }
  window.addEventListener("vanthu-changed", () => void load(), { signal });
  void load();
  const timer = window.setInterval(() => void load(), 60_000);
  signal.addEventListener("abort", () => window.clearInterval(timer));
}
