// Sign-in and password change. The backend decides (wrong password, lockout, idle sign-out); these
// screens only ask and show its Vietnamese message as is.

import { api, messageOf } from "./api";
import type { Organisation } from "./bindings/Organisation";
import type { SessionInfo } from "./bindings/SessionInfo";
import { button, el, field, textInput } from "./dom";

/** Shows the sign-in form; resolves with the session once signed in. */
export function showSignIn(root: HTMLElement, organisation: Organisation | null, notice = ""): Promise<SessionInfo> {
  return new Promise((resolve) => {
    const username = field("Tên đăng nhập", textInput("signin-username", { name: "username", autocomplete: "username" }));
    const password = field(
      "Mật khẩu",
      textInput("signin-password", { type: "password", name: "password", autocomplete: "current-password" }),
    );
    const error = el("div", { className: "form-error", role: "alert", "data-testid": "signin-error" });
    const info = el("div", { className: "form-notice", role: "status", "data-testid": "signin-notice" }, notice);
    const submit = button("Đăng nhập", "signin-submit", { primary: true, type: "submit", shortcut: "Enter" });
    const form = el(
      "form",
      { className: "centered", "data-testid": "signin-form", noValidate: true },
      el("h1", {}, "Đăng nhập"),
      el("p", { className: "lead" }, organisation ? `Sổ đăng ký văn bản — ${organisation.name}` : "Sổ đăng ký văn bản"),
      info,
      error,
      username.box,
      password.box,
      el("div", { className: "actions" }, submit),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      error.textContent = "";
      const name = username.input.value.trim();
      username.setError(name ? "" : "Vui lòng nhập tên đăng nhập.");
      password.setError(password.input.value ? "" : "Vui lòng nhập mật khẩu.");
      if (!name) return username.input.focus();
      if (!password.input.value) return password.input.focus();
      submit.disabled = true;
      api.signIn(name, password.input.value).then(resolve, (e: unknown) => {
        error.textContent = messageOf(e);
        submit.disabled = false;
        password.input.value = "";
        password.input.focus();
      });
    });
    root.replaceChildren(form);
    username.input.focus();
  });
}

/** Asks for the current and the new password (twice). Resolves once changed, or on cancel when allowed. */
export function showChangePassword(root: HTMLElement, required: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const old = field("Mật khẩu hiện tại", textInput("pw-old", { type: "password", autocomplete: "current-password" }));
    const next = field(
      "Mật khẩu mới",
      textInput("pw-new", { type: "password", autocomplete: "new-password" }),
      "Ít nhất 8 ký tự, có cả chữ và số, khác tên đăng nhập.",
    );
    const again = field("Nhập lại mật khẩu mới", textInput("pw-again", { type: "password", autocomplete: "new-password" }));
    const error = el("div", { className: "form-error", role: "alert", "data-testid": "pw-error" });
    const submit = button("Đổi mật khẩu", "pw-submit", { primary: true, type: "submit", shortcut: "Enter" });
    const actions = el("div", { className: "actions" }, submit);
    if (!required) {
      const cancel = button("Hủy", "pw-cancel", { shortcut: "Esc" });
      cancel.addEventListener("click", () => resolve(false));
      actions.append(cancel);
    }
    const form = el(
      "form",
      { className: "centered", "data-testid": "pw-form", noValidate: true },
      el("h1", {}, "Đổi mật khẩu"),
      el("p", { className: "lead" }, required ? "Bạn phải đổi mật khẩu được cấp trước khi làm việc tiếp." : "Đổi mật khẩu của bạn."),
      error,
      old.box,
      next.box,
      again.box,
      actions,
    );
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !required) {
        event.preventDefault();
        resolve(false);
      }
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      error.textContent = "";
      old.setError(old.input.value ? "" : "Vui lòng nhập mật khẩu hiện tại.");
      next.setError(next.input.value.length >= 8 ? "" : "Mật khẩu mới phải có ít nhất 8 ký tự.");
      again.setError(again.input.value === next.input.value ? "" : "Hai lần nhập mật khẩu mới không khớp.");
      const bad = [old, next, again].find((f) => f.error.textContent);
      if (bad) return bad.input.focus();
      submit.disabled = true;
      api.changePassword(old.input.value, next.input.value).then(
        () => resolve(true),
        (e: unknown) => {
          error.textContent = messageOf(e);
          submit.disabled = false;
        },
      );
    });
    root.replaceChildren(form);
    old.input.focus();
  });
}
