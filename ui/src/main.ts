// Entry point: load the bundled fonts, ask the shell about the register, then show what fits: the
// first-start setup, the sign-in, the required password change, or the desk itself. If the register
// cannot be opened at all, say why (in Vietnamese) instead of showing an empty window.

import "./fonts.css";
import "./styles.css";

import { api, ApiFailure, onSessionProblem } from "./api";
import { showChangePassword, showSignIn } from "./auth";
import { el } from "./dom";
import { showSetup } from "./setup";
import "./screens";
import { showShell, stopShell } from "./shell";

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

const root = document.getElementById("app") as HTMLElement;
let starting = false;

/** From the register's state to the desk: setup, sign-in, password change as needed. */
async function start(notice = ""): Promise<void> {
  if (starting) return;
  starting = true;
  stopShell();
  try {
    let status = await api.appStatus();
    if (!status.initialised) {
      await showSetup(root);
      status = await api.appStatus();
    }
    if (status.hasAccounts && !status.session) {
      await showSignIn(root, status.organisation, notice);
      status = await api.appStatus();
    }
    if (status.session?.account.mustChangePassword) {
      await showChangePassword(root, true);
      status = await api.appStatus();
    }
    starting = false;
    showShell(root, status, { restart: (message) => void start(message) });
  } catch (error) {
    starting = false;
    if (error instanceof ApiFailure && ["not_signed_in", "session_expired"].includes(error.code)) {
      void start(error.message);
    } else {
      showFatal(root, error);
    }
  }
}

onSessionProblem((failure) => {
  // The session ended (idle, disabled) or a password change is required: back to the right screen.
  void start(failure.code === "password_change_required" ? "" : failure.message);
});

window.addEventListener("vanthu-restart", (event) => void start(String((event as CustomEvent).detail ?? "")));

async function boot(): Promise<void> {
  await loadFonts();
  await start();
}

void boot();
