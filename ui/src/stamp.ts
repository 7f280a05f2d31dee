// The arrival stamp (dấu ĐẾN, Decree 30 App. IV) on the archive copy, and printing it.
//
// Page 1 is rendered by pdfium in the shell (off the UI thread); the 50 × 35 mm box is drawn over it
// where the stamp will go. The clerk moves it off the text with the arrow keys (5 mm, Shift: 1 mm) or
// the mouse, and Enter stamps: the shell appends the stamp to a copy of the PDF as an incremental
// update, and the stamped page is shown as it will be printed. Ctrl+P prints it through the system's
// printers (CUPS), marked as printed from Vanthu.

import { api, messageOf } from "./api";
import type { StampLayout } from "./bindings/StampLayout";
import { button, el, field, keyIs, modal, select } from "./dom";
import type { Desk } from "./shell";

const PREVIEW_WIDTH = 520;

export function openStamp(desk: Desk, id: string): void {
  const error = el("div", { className: "form-error", role: "alert", "data-testid": "stamp-error" });
  const status = el("div", { className: "hint", role: "status", "data-testid": "stamp-status" }, "Đang dựng trang 1…");
  const img = el("img", { className: "stamp-page", alt: "Trang 1", "data-testid": "stamp-page" });
  const box = el("div", { className: "stamp-box", "data-testid": "stamp-box", title: "Kéo hoặc dùng phím mũi tên để dời dấu" }, "ĐẾN");
  const stage = el("div", { className: "stamp-stage", tabIndex: 0, "data-testid": "stamp-stage" }, img, box);
  const stamp = button("Đóng dấu đến", "stamp-apply", { primary: true, shortcut: "Enter" });
  const printer = select("stamp-printer", [["", "Máy in mặc định"]]);
  const print = button("In bản lưu", "stamp-print", { shortcut: "Ctrl+P" });
  print.disabled = true;
  const dialog = modal(
    "Đóng dấu đến và in bản lưu",
    "stamp-dialog",
    error,
    status,
    stage,
    el("div", { className: "actions" }, stamp, field("Máy in", printer).box, print),
    el("div", { className: "hint" }, "←↑→↓ dời dấu 5 mm (Shift: 1 mm) · Enter đóng dấu · Ctrl+P in · Esc đóng"),
  );
  dialog.box.classList.add("wide");

  let layout: StampLayout | null = null;
  let x = 0;
  let y = 0;
  let url = "";
  void dialog.closed.then(() => url && URL.revokeObjectURL(url));
  const scale = () => PREVIEW_WIDTH / (layout?.pageWidthMm ?? 210);

  function place(): void {
    if (!layout) return;
    x = Math.max(0, Math.min(x, layout.pageWidthMm - layout.stampWidthMm));
    y = Math.max(0, Math.min(y, layout.pageHeightMm - layout.stampHeightMm));
    const s = scale();
    Object.assign(box.style, { left: `${x * s}px`, top: `${y * s}px`, width: `${layout.stampWidthMm * s}px`, height: `${layout.stampHeightMm * s}px` });
    box.dataset.xMm = x.toFixed(1);
    box.dataset.yMm = y.toFixed(1);
  }

  async function showPage(sha256: string): Promise<void> {
    const bytes = await api.renderPage(sha256, 1, PREVIEW_WIDTH * Math.ceil(window.devicePixelRatio || 1));
    if (url) URL.revokeObjectURL(url);
    url = URL.createObjectURL(new Blob([bytes], { type: "image/png" }));
    img.src = url;
    img.style.width = `${PREVIEW_WIDTH}px`;
  }

  async function load(): Promise<void> {
    layout = await api.stampLayout(id);
    x = layout.xMm;
    y = layout.yMm;
    await showPage(layout.sourceSha256);
    place();
    status.textContent = layout.current
      ? `Đã có bản lưu đóng dấu lúc ${layout.current.madeAt.slice(11, 16)} ${layout.current.madeAt.slice(8, 10)}/${layout.current.madeAt.slice(5, 7)}; đóng lại sẽ tạo bản mới từ bản gốc.`
      : "Dời khung nếu dấu che chữ, rồi bấm Enter.";
    print.disabled = !layout.current;
    stage.focus();
  }

  stage.addEventListener("keydown", (e) => {
    const step = e.shiftKey ? 1 : 5;
    const moves: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    const m = moves[e.key];
    if (m && box.isConnected && !box.hidden) {
      e.preventDefault();
      x += m[0];
      y += m[1];
      place();
    } else if (e.key === "Enter") {
      e.preventDefault();
      stamp.click();
    }
  });
  let drag: { px: number; py: number; x: number; y: number } | null = null;
  box.addEventListener("pointerdown", (e) => {
    drag = { px: e.clientX, py: e.clientY, x, y };
    box.setPointerCapture(e.pointerId);
  });
  box.addEventListener("pointermove", (e) => {
    if (!drag) return;
    x = drag.x + (e.clientX - drag.px) / scale();
    y = drag.y + (e.clientY - drag.py) / scale();
    place();
  });
  box.addEventListener("pointerup", () => (drag = null));

  stamp.addEventListener("click", () => {
    error.textContent = "";
    stamp.disabled = true;
    api.stampArchiveCopy({ id, xMm: x, yMm: y }).then(
      async (copy) => {
        box.hidden = true;
        await showPage(copy.sha256);
        status.textContent = `Đã đóng dấu đến lên bản lưu (bản gốc giữ nguyên). Dấu ở ${copy.xMm.toFixed(0)}; ${copy.yMm.toFixed(0)} mm.`;
        stamp.textContent = "Đóng lại ở chỗ khác";
        stamp.disabled = false;
        print.disabled = false;
        stamp.onclick = () => {
          box.hidden = false;
          void load();
        };
        print.focus();
      },
      (e: unknown) => {
        stamp.disabled = false;
        error.textContent = messageOf(e);
      },
    );
  });

  print.addEventListener("click", () => {
    error.textContent = "";
    print.disabled = true;
    api.printDocument({ id, original: false, printer: printer.value || undefined }).then(
      (job) => {
        status.textContent = `Đã gửi lệnh in ${job.job} tới máy in ${job.printer}.`;
        desk.toast(`Đã in bản lưu (${job.job}).`);
        print.disabled = false;
      },
      (e: unknown) => {
        print.disabled = false;
        error.textContent = messageOf(e);
      },
    );
  });
  dialog.box.addEventListener("keydown", (e) => {
    if (e.ctrlKey && keyIs(e, "p")) {
      e.preventDefault();
      if (!print.disabled) print.click();
    }
  });

  void api.printers().then(
    (list) => printer.replaceChildren(...list.map((p) => el("option", { value: p.name }, p.default ? `${p.name} (mặc định)` : p.name))),
    () => {},
  );
  void load().catch((e: unknown) => {
    status.textContent = "";
    error.textContent = messageOf(e);
  });
}
