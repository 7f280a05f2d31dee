// The file of a document being registered: typed as a path, picked with the system's file dialog
// (Ctrl+O), or dropped on the window; page 1 of a PDF is previewed beside the form.

import { getCurrentWebview } from "@tauri-apps/api/webview";
import { open } from "@tauri-apps/plugin-dialog";
import { api, messageOf } from "./api";
import { button, el, field, textInput } from "./dom";

export interface Attachment {
  box: HTMLElement;
  preview: HTMLElement;
  path: () => string;
  pick: () => void;
  dispose: () => void;
}

/** `onPath` hears every file chosen (typed, picked or dropped; "" when cleared). */
export function attachment(prefix: string, onPath?: (path: string) => void): Attachment {
  const input = textInput(`${prefix}-file`, { placeholder: "/home/vanthu/scan/van-ban.pdf" });
  const pickButton = button("Chọn tệp…", `${prefix}-pick`, { shortcut: "Ctrl+O" });
  const f = field("Tệp văn bản (PDF)", input, "Chọn tệp, dán đường dẫn, hoặc kéo tệp PDF thả vào cửa sổ.");
  f.box.append(el("div", { className: "row-inline" }, pickButton));
  const canvas = el("canvas", { "data-testid": `${prefix}-preview-canvas` });
  const info = el("div", { className: "hint", "data-testid": `${prefix}-preview-info` }, "Chưa có tệp.");
  const preview = el("div", { className: "preview", "data-testid": `${prefix}-preview` }, info, canvas);
  canvas.hidden = true;

  let shown = "";
  async function show(path: string): Promise<void> {
    if (path === shown) return;
    shown = path;
    onPath?.(path);
    f.setError("");
    if (!path) {
      canvas.hidden = true;
      info.textContent = "Chưa có tệp.";
      return;
    }
    info.textContent = "Đang đọc tệp…";
    try {
      const bytes = await api.readPickedFile(path);
      const { renderFirstPage } = await import("./pdf-preview");
      const pages = await renderFirstPage(bytes, canvas, 260);
      if (shown !== path) return;
      canvas.hidden = false;
      info.textContent = `Trang 1 / ${pages}`;
    } catch (e) {
      if (shown !== path) return;
      canvas.hidden = true;
      info.textContent = "";
      f.setError(messageOf(e));
    }
  }
  input.addEventListener("change", () => void show(input.value.trim()));

  function set(path: string): void {
    input.value = path;
    void show(path);
  }

  function pick(): void {
    void open({ multiple: false, directory: false, filters: [{ name: "PDF", extensions: ["pdf", "PDF"] }] }).then(
      (chosen) => {
        if (typeof chosen === "string") set(chosen);
        input.focus();
      },
      (e: unknown) => f.setError(messageOf(e)),
    );
  }
  pickButton.addEventListener("click", pick);

  // Drag and drop from the file manager: Tauri gives the paths of the dropped files.
  let unlisten: (() => void) | null = null;
  let disposed = false;
  void getCurrentWebview()
    .onDragDropEvent((event) => {
      const p = event.payload;
      if (p.type === "over" || p.type === "enter") preview.classList.add("drop-target");
      else preview.classList.remove("drop-target");
      if (p.type === "drop" && p.paths.length > 0) set(p.paths[0] ?? "");
    })
    .then((f) => {
      if (disposed) f();
      else unlisten = f;
    })
    .catch(() => {});

  return {
    box: f.box,
    preview,
    path: () => input.value.trim(),
    pick,
    dispose: () => {
      disposed = true;
      unlisten?.();
    },
  };
}
