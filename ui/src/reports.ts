// Printouts and exports: the façade writes the file under the register's `exports` folder; the window
// shows where, and "Mở để in" opens it in the system's viewer, whose print dialog prints it.

import { api, messageOf } from "./api";
import type { Exported } from "./bindings/Exported";
import { button, el } from "./dom";
import type { Desk } from "./shell";

/** A line saying where the file is, with "Mở để in" — put into `target`. */
export function showExported(target: HTMLElement, e: Exported, desk: Desk): void {
  const openIt = button("Mở để in", "export-open", { primary: true, shortcut: "Ctrl+P" });
  openIt.addEventListener("click", () => void api.openExport(e.path).catch((err: unknown) => desk.toast(messageOf(err))));
  target.replaceChildren(
    el(
      "div",
      { className: "exported", "data-testid": "exported" },
      el("div", {}, `Đã ghi ${e.rows} dòng vào tệp:`),
      el("code", { "data-testid": "exported-path" }, e.path),
      el("div", { className: "actions" }, openIt),
    ),
  );
  target.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey && ev.key.toLowerCase() === "p") {
      ev.preventDefault();
      openIt.click();
    }
  });
  openIt.focus();
}

/** Runs an export with a visible progress line (the window stays responsive: it runs off the UI thread). */
export async function runExport(target: HTMLElement, desk: Desk, work: () => Promise<Exported>): Promise<void> {
  target.replaceChildren(el("div", { className: "progress-line", role: "status", "data-testid": "export-progress" }, el("span", { className: "spinner" }), "Đang tạo tệp…"));
  try {
    showExported(target, await work(), desk);
  } catch (e) {
    target.replaceChildren(el("div", { className: "form-error", role: "alert", "data-testid": "export-error" }, messageOf(e)));
  }
}

/** "In phiếu giải quyết" from a document's detail. */
export function printSlip(id: string, desk: Desk, target: HTMLElement): void {
  void runExport(target, desk, () => api.printHandlingSlip(id));
}
