// Entry point: load the bundled fonts, ask the shell whether the register is initialised, then show
// either the first-start form or the register. If the register cannot be opened at all, say why (in
// Vietnamese) instead of showing an empty window.

import "./fonts.css";
import "./styles.css";

import { api, ApiFailure } from "./api";
import { el } from "./dom";
import { showRegister } from "./register";
import { showSetup } from "./setup";

/** Loads every subset of the bundled font before the first paint of real text. */
async function loadFonts(): Promise<void> {
  const sample = "Sổ văn bản đến Ủy ban nhân dân Quyết định ĐẶNG Ơ Ư ẫ ỹ";
  try {
    await Promise.all([
      document.fonts.load(`400 14px "Noto Sans"`, sample),
      document.fonts.load(`700 14px "Noto Sans"`, sample),
    ]);
  } catch {
    // A missing font must not stop the register from opening: the system fallback is used.
  }
}

function showFatal(root: HTMLElement, error: unknown): void {
  const message = error instanceof ApiFailure ? error.message : String(error);
  const code = error instanceof ApiFailure ? error.code : "unknown";
  root.replaceChildren(
    el(
      "div",
      { className: "centered fatal", role: "alert", "data-testid": "fatal-error" },
      el("h1", {}, "Không mở được sổ đăng ký"),
      el("p", { className: "lead", "data-testid": "fatal-message" }, message),
      el("p", {}, "Hãy kiểm tra tệp dữ liệu rồi mở lại chương trình. Nếu lỗi còn lặp lại, báo cho quản trị hệ thống kèm mã lỗi bên dưới."),
      el("code", {}, `Mã lỗi: ${code}`),
    ),
  );
}

async function start(): Promise<void> {
  const root = document.getElementById("app") as HTMLElement;
  await loadFonts();
  try {
    let status = await api.appStatus();
    if (!status.initialised) {
      const organisation = await showSetup(root);
      status = { ...status, initialised: true, organisation };
    }
    showRegister(root, status);
  } catch (error) {
    showFatal(root, error);
  }
}

void start();
