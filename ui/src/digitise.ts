// Số hoá: the review queue. Paper comes in from the scanner (flatbed or feeder), the watched scan folder
// or files the clerk picks or drops; each piece of mail is a draft of pages. The clerk checks the
// thumbnails, turns a crooked page, deletes a blank one, splits a feeder batch into documents, and
// registers each draft: the incoming form opens with the assembled PDF, and after the number is given
// the arrival stamp and the print follow (stamp.ts).
//
// Keyboard first, on the page grid: ←/→ choose a page, R / Shift+R turn it, Delete removes it,
// Alt+←/→ moves it, T ("tách") splits before it, Space shows it large; on the draft list ↑/↓ choose a
// draft; Ctrl+Enter registers the draft; Ctrl+Q scans, Ctrl+O adds files.

import { listen } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { open } from "@tauri-apps/plugin-dialog";
import { api, messageOf } from "./api";
import type { Draft } from "./bindings/Draft";
import type { DraftPage } from "./bindings/DraftPage";
import type { ScanSource } from "./bindings/ScanSource";
import { button, el, field, keyIs, modal, select, textInput } from "./dom";
import { formatDateTime } from "./format";
import { openForm } from "./incoming-form";
import type { Desk } from "./shell";

const SOURCE_LABEL: Record<string, string> = { scanner: "Máy quét", folder: "Thư mục quét", file: "Tệp" };

export function showDigitise(root: HTMLElement, desk: Desk, signal: AbortSignal): void {
  const error = el("div", { className: "error-banner", role: "alert", "data-testid": "dg-error" });
  const notice = el("div", { className: "notice", role: "status", "data-testid": "dg-notice" });
  const device = select("dg-device", [["", "Đang tìm máy quét…"]]);
  const source = select("dg-source", [["flatbed", "Mặt kính"], ["feeder", "Khay nạp giấy"], ["duplex", "Khay nạp, hai mặt"]]);
  const resolution = select("dg-resolution", [["200", "200 dpi"], ["300", "300 dpi"]], "200");
  const limit = textInput("dg-pages", { inputMode: "numeric", size: 4, placeholder: "tất cả" });
  const scan = button("Quét", "dg-scan", { primary: true, shortcut: "Ctrl+Q" });
  const append = el("input", { type: "checkbox", "data-testid": "dg-append" });
  const appendBox = el("label", { className: "check" }, append, " Quét thêm vào bản nháp đang chọn");
  const addFiles = button("Thêm tệp…", "dg-add-files", { shortcut: "Ctrl+O" });
  const folderInput = textInput("dg-folder", { placeholder: "/home/vanthu/Scan" });
  const folderSave = button("Theo dõi", "dg-folder-save");
  const folderState = el("span", { className: "hint", "data-testid": "dg-folder-state" });
  const tools = el(
    "div",
    { className: "toolbar" },
    field("Máy quét", device).box,
    field("Nguồn giấy", source).box,
    field("Độ phân giải", resolution).box,
    field("Số tờ", limit).box,
    scan,
    appendBox,
    addFiles,
  );
  const separator = button("Tờ phân tách…", "dg-separator");
  separator.title = "In tờ này và đặt giữa hai văn bản trong khay nạp giấy: “Tách tại trang trắng” sẽ tách ở đó.";
  separator.addEventListener("click", () => {
    void api.separatorSheet().then((path) => api.openExport(path), fail);
  });
  const folderTools = el("div", { className: "toolbar" }, field("Thư mục quét", folderInput).box, folderSave, folderState, separator);

  const list = el("ul", { className: "draft-list", "data-testid": "dg-drafts", role: "listbox", tabIndex: 0, "aria-label": "Bản nháp chờ vào sổ" });
  const grid = el("div", { className: "page-grid", "data-testid": "dg-pages", role: "listbox", tabIndex: 0, "aria-label": "Các trang" });
  const title = el("h3", { "data-testid": "dg-draft-title" });
  const register = button("Vào sổ văn bản đến", "dg-register", { primary: true, shortcut: "Ctrl+Enter" });
  const splitBlanks = button("Tách tại trang trắng, tờ phân tách", "dg-split-blanks");
  const removeBlanks = button("Xoá trang trắng", "dg-remove-blanks");
  const splitHere = button("Tách trước trang này", "dg-split-here", { shortcut: "T" });
  const rotate = button("Xoay phải", "dg-rotate", { shortcut: "R" });
  const remove = button("Xoá trang", "dg-delete", { shortcut: "Delete" });
  const discard = button("Bỏ bản nháp", "dg-discard");
  const draftTools = el("div", { className: "toolbar" }, register, rotate, remove, splitHere, splitBlanks, removeBlanks, discard);
  const pane = el("section", { className: "draft-pane" }, title, draftTools, grid);
  root.replaceChildren(
    el("h2", {}, "Số hoá văn bản giấy"),
    error,
    notice,
    tools,
    folderTools,
    el("div", { className: "digitise-layout" }, el("aside", {}, el("h3", {}, "Hàng chờ"), list), pane),
  );

  let drafts: Draft[] = [];
  let pages: DraftPage[] = [];
  let current: number | null = null;
  let selected = 0;
  const urls: string[] = [];
  signal.addEventListener("abort", () => urls.forEach((u) => URL.revokeObjectURL(u)));

  /** Shows image bytes in `img` once they arrive; the URL is released with the grid or the screen. */
  function showImage(img: HTMLImageElement, bytes: Promise<ArrayBuffer>, type: string): void {
    void bytes.then((b) => {
      const url = URL.createObjectURL(new Blob([b], { type }));
      urls.push(url);
      img.src = url;
    }, fail);
  }

  function fail(e: unknown): void {
    error.textContent = messageOf(e);
  }

  async function loadDrafts(keep?: number | null, keepSelection = false): Promise<void> {
    drafts = await api.drafts();
    list.replaceChildren(
      ...drafts.map((d) => {
        const item = el(
          "li",
          { role: "option", "data-testid": `dg-draft-${d.id}`, "aria-selected": String(d.id === keep) },
          el("strong", {}, `#${d.id} · ${d.pdfSha256 ? "PDF" : `${d.pages} trang`}`),
          el("span", { className: "hint" }, ` ${SOURCE_LABEL[d.source] ?? d.source}: ${d.label}`),
          d.blankPages > 0 ? el("span", { className: "badge" }, `${d.blankPages} trắng`) : "",
          el("div", { className: "hint" }, formatDateTime(d.createdAt)),
        );
        item.addEventListener("click", () => void choose(d.id));
        return item;
      }),
    );
    if (drafts.length === 0) {
      list.append(el("li", { className: "hint", "data-testid": "dg-empty" }, "Không có bản nháp nào. Quét hoặc thêm tệp để bắt đầu."));
    }
    const next = drafts.find((d) => d.id === keep) ?? drafts[0];
    await choose(next ? next.id : null, keepSelection && next?.id === current);
  }

  async function choose(id: number | null, keepSelection = false): Promise<void> {
    current = id;
    for (const li of list.querySelectorAll("li[data-testid^='dg-draft-']")) {
      li.setAttribute("aria-selected", String(li.getAttribute("data-testid") === `dg-draft-${id}`));
    }
    const draft = drafts.find((d) => d.id === id);
    pane.hidden = !draft;
    if (!draft) return;
    title.textContent = `Bản nháp #${draft.id} — ${draft.label}`;
    pages = draft.pdfSha256 ? [] : await api.draftPages(draft.id);
    if (!keepSelection) selected = 0;
    selected = Math.min(selected, Math.max(0, pages.length - 1));
    urls.splice(0).forEach((u) => URL.revokeObjectURL(u));
    if (draft.pdfSha256) {
      const img = el("img", { alt: "Trang 1", className: "thumb", "data-testid": "dg-pdf-thumb" });
      grid.replaceChildren(el("figure", { className: "page" }, img, el("figcaption", {}, "Tệp PDF giữ nguyên")));
      showImage(img, api.renderPage(draft.pdfSha256, 1, 240), "image/png");
      return;
    }
    grid.replaceChildren(
      ...pages.map((p, i) => {
        const img = el("img", { alt: `Trang ${p.position}`, className: "thumb", style: `transform: rotate(${p.rotation}deg)` });
        const flags = [p.blank ? "trắng" : "", p.separator ? "tờ phân tách" : "", p.rotation ? `xoay ${p.rotation}°` : ""].filter(Boolean).join(" · ");
        const fig = el(
          "figure",
          { className: `page${p.blank || p.separator ? " blank" : ""}`, "data-testid": `dg-page-${p.position}`, "aria-selected": String(i === selected), role: "option" },
          img,
          el("figcaption", {}, `Trang ${p.position}`, flags ? el("span", { className: "badge" }, flags) : ""),
        );
        fig.addEventListener("click", () => select_(i));
        fig.addEventListener("dblclick", () => void enlarge(p));
        showImage(img, api.pageImage(p.id, true), "image/jpeg");
        return fig;
      }),
    );
  }

  function select_(i: number): void {
    selected = Math.max(0, Math.min(i, pages.length - 1));
    grid.querySelectorAll("figure").forEach((f, j) => f.setAttribute("aria-selected", String(j === selected)));
    grid.querySelectorAll("figure")[selected]?.scrollIntoView({ block: "nearest" });
  }

  async function enlarge(p: DraftPage): Promise<void> {
    const bytes = await api.pageImage(p.id, false);
    const url = URL.createObjectURL(new Blob([bytes], { type: "image/jpeg" }));
    const img = el("img", { className: "large-page", alt: `Trang ${p.position}`, style: `transform: rotate(${p.rotation}deg)`, "data-testid": "dg-large" });
    const dialog = modal(`Trang ${p.position} — ${p.width} × ${p.height} điểm ảnh, ${Math.round(p.dpi)} dpi`, "dg-large-dialog", img);
    void dialog.closed.then(() => URL.revokeObjectURL(url));
    img.src = url;
  }

  async function act(work: () => Promise<unknown>, message?: string): Promise<void> {
    error.textContent = "";
    try {
      await work();
      if (message) notice.textContent = message;
      await loadDrafts(current, true);
      grid.focus();
    } catch (e) {
      fail(e);
    }
  }

  const page = (): DraftPage | undefined => pages[selected];

  rotate.addEventListener("click", () => {
    const p = page();
    if (p) void act(() => api.rotatePage(p.id, 1));
  });
  remove.addEventListener("click", () => {
    const p = page();
    if (p) void act(() => api.deletePage(p.id), `Đã xoá trang ${p.position}.`);
  });
  splitHere.addEventListener("click", () => {
    const p = page();
    if (p) void act(async () => notice.textContent = `Đã tách thành bản nháp #${await api.splitBefore(p.id)}.`);
  });
  splitBlanks.addEventListener("click", () => {
    if (current !== null) {
      const id = current;
      void act(async () => {
        const made = await api.splitAtBlanks(id);
        notice.textContent = `Đã tách thành ${made.length} bản nháp: ${made.map((d) => `#${d}`).join(", ")}.`;
      });
    }
  });
  removeBlanks.addEventListener("click", () => {
    if (current !== null) {
      const id = current;
      void act(async () => (notice.textContent = `Đã xoá ${await api.removeBlankPages(id)} trang trắng.`));
    }
  });
  discard.addEventListener("click", () => {
    if (current !== null) {
      const id = current;
      void act(() => api.discardDraft(id), `Đã bỏ bản nháp #${id}.`);
    }
  });
  register.addEventListener("click", () => {
    const draft = drafts.find((d) => d.id === current);
    if (!draft) return;
    openForm(desk, () => void loadDrafts(null), { draftId: draft.id, pages: draft.pdfSha256 ? undefined : draft.pages, label: draft.label });
  });

  grid.addEventListener("keydown", (e) => {
    const p = page();
    if (e.key === "ArrowRight" && e.altKey && p) {
      e.preventDefault();
      void act(() => api.movePage(p.id, p.position + 1)).then(() => select_(selected + 1));
    } else if (e.key === "ArrowLeft" && e.altKey && p) {
      e.preventDefault();
      void act(() => api.movePage(p.id, Math.max(1, p.position - 1))).then(() => select_(selected - 1));
    } else if (e.key === "ArrowRight") {
      e.preventDefault();
      select_(selected + 1);
    } else if (e.key === "ArrowLeft") {
      e.preventDefault();
      select_(selected - 1);
    } else if (keyIs(e, "r") && !e.ctrlKey && p) {
      e.preventDefault();
      void act(() => api.rotatePage(p.id, e.shiftKey ? -1 : 1));
    } else if (e.key === "Delete" && p) {
      e.preventDefault();
      remove.click();
    } else if (keyIs(e, "t") && !e.ctrlKey && p) {
      e.preventDefault();
      splitHere.click();
    } else if (e.key === " " && p) {
      e.preventDefault();
      void enlarge(p);
    }
  });
  list.addEventListener("keydown", (e) => {
    const i = drafts.findIndex((d) => d.id === current);
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const next = drafts[Math.max(0, Math.min(drafts.length - 1, i + (e.key === "ArrowDown" ? 1 : -1)))];
      if (next) void choose(next.id);
    } else if (e.key === "ArrowRight" || e.key === "Enter") {
      e.preventDefault();
      grid.focus();
    }
  });
  root.addEventListener("keydown", (e) => {
    if (e.ctrlKey && e.key === "Enter") {
      e.preventDefault();
      register.click();
    } else if (e.ctrlKey && keyIs(e, "q")) {
      e.preventDefault();
      scan.click();
    } else if (e.ctrlKey && keyIs(e, "o")) {
      e.preventDefault();
      addFiles.click();
    }
  });

  let scanningInto: number | null = null;
  scan.addEventListener("click", () => {
    if (!device.value) {
      error.textContent = "Chưa chọn máy quét.";
      return;
    }
    error.textContent = "";
    scan.disabled = true;
    notice.textContent = "Đang quét…";
    const into = scanningInto ?? (append.checked ? current : null);
    api
      .scanToQueue({
        device: device.value,
        resolution: Number(resolution.value),
        source: source.value as ScanSource,
        pages: /^\d+$/.test(limit.value.trim()) ? Number(limit.value.trim()) : undefined,
        into: into ?? undefined,
      })
      .then(
        async (o) => {
          scanningInto = null;
          if (o.fault) {
            // Pages before the fault are kept: the clerk clears the paper and scans on into the same draft.
            error.textContent = o.fault;
            scanningInto = o.draftId;
            scan.textContent = "Quét tiếp";
          } else {
            scan.textContent = "Quét";
            notice.textContent = `Đã quét ${o.pages} trang.`;
          }
          await loadDrafts(o.draftId);
        },
        fail,
      )
      .finally(() => (scan.disabled = false));
  });
  void listen<number>("scan-progress", (e) => (notice.textContent = `Đang quét… đã nhận ${e.payload} trang.`)).then((un) =>
    signal.addEventListener("abort", un),
  );
  void listen("queue-changed", () => void loadDrafts(current)).then((un) => signal.addEventListener("abort", un));

  async function capture(paths: string[]): Promise<void> {
    error.textContent = "";
    try {
      const o = await api.captureFiles(paths);
      notice.textContent = o.drafts.length ? `Đã đưa ${o.drafts.length} tệp vào hàng chờ.` : "";
      if (o.problems.length) error.textContent = o.problems.map((p) => `${p.name}: ${p.message}`).join(" · ");
      await loadDrafts(o.drafts[0] ?? current);
    } catch (e) {
      fail(e);
    }
  }
  addFiles.addEventListener("click", () => {
    void open({ multiple: true, directory: false, filters: [{ name: "Ảnh quét, PDF", extensions: ["pdf", "jpg", "jpeg", "png", "tif", "tiff", "PDF", "JPG", "JPEG", "PNG", "TIF", "TIFF"] }] }).then(
      (chosen) => {
        const paths = Array.isArray(chosen) ? chosen : typeof chosen === "string" ? [chosen] : [];
        if (paths.length) void capture(paths);
      },
      fail,
    );
  });
  void getCurrentWebview()
    .onDragDropEvent((event) => {
      if (event.payload.type === "drop" && event.payload.paths.length > 0 && root.isConnected) void capture(event.payload.paths);
    })
    .then((un) => signal.addEventListener("abort", un));

  async function showFolder(): Promise<void> {
    const f = await api.scanFolder();
    folderInput.value = f.dir ?? "";
    folderState.textContent = f.watching
      ? `Đang theo dõi (${f.watching === "poll" ? "quét định kỳ" : "sự kiện hệ thống"})${f.quarantine ? ` · ${f.quarantine} tệp không đọc được trong “Không đọc được”` : ""}`
      : "Không theo dõi";
  }
  folderSave.addEventListener("click", () => {
    void api.setScanFolder({ dir: folderInput.value.trim() || undefined, poll: false }).then(() => showFolder(), fail);
  });

  void api.scanners().then((list) => {
    device.replaceChildren(...(list.length ? list.map((s) => el("option", { value: s.name }, `${s.vendor} ${s.model} (${s.name})`)) : [el("option", { value: "" }, "Không tìm thấy máy quét")]));
  }, (e: unknown) => device.replaceChildren(el("option", { value: "" }, messageOf(e))));
  void showFolder().catch(fail);
  void loadDrafts(null).then(() => list.focus(), fail);
}
