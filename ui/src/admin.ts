// Quản trị (administrators only; the backend refuses everyone else): accounts, units, the working
// calendar, the security policy, and backups — on demand to a chosen folder, on a schedule, the last
// result and the last success, and a restore from a backup folder after a confirmation. The "Chữ ký
// số" tab (token, seal, trust anchors, CRLs) is drawn by signing.ts, the "Trục liên thông" tab (the hub
// account) by exchange.ts.

import { open } from "@tauri-apps/plugin-dialog";
import { api, messageOf } from "./api";
import type { Account } from "./bindings/Account";
import type { Role } from "./bindings/Role";
import type { Unit } from "./bindings/Unit";
import { button, el, field, keyIs, modal, select, textInput } from "./dom";
import { formatDateTime } from "./format";
import { ROLE_LABEL } from "./labels";
import { hubSettings } from "./exchange";
import { signingSettings } from "./signing";
import type { Desk } from "./shell";

type Tab = "users" | "units" | "series" | "calendar" | "security" | "backup" | "signing" | "hub";
const TABS: [Tab, string][] = [["users", "Người dùng"], ["units", "Đơn vị"], ["series", "Sổ và số"], ["calendar", "Lịch làm việc"], ["security", "Bảo mật"], ["backup", "Sao lưu"], ["signing", "Chữ ký số"], ["hub", "Trục liên thông"]];

export function showAdmin(root: HTMLElement, desk: Desk, _signal: AbortSignal, arg?: string): void {
  const body = el("div", { className: "admin-body" });
  const tabs = el("div", { className: "tabs", role: "tablist" });
  for (const [tab, label] of TABS) {
    const b = el("button", { type: "button", className: "tab", role: "tab", "data-testid": `admin-tab-${tab}` }, label);
    b.addEventListener("click", () => show(tab));
    tabs.append(b);
  }
  root.replaceChildren(el("div", { className: "page" }, el("h2", {}, "Quản trị"), tabs, body));

  let current: HTMLElement | null = null;
  function show(tab: Tab): void {
    for (const b of tabs.querySelectorAll("button")) b.setAttribute("aria-selected", String(b.dataset.testid === `admin-tab-${tab}`));
    // Each tab draws into its own box: a slow answer for a tab left meanwhile never overwrites another.
    const box = el("div", { className: "admin-body", "data-testid": `admin-${tab}` });
    current = box;
    body.replaceChildren(box);
    const render = { users, units, series, calendar, security, backup, signing: signingSettings, hub: hubSettings }[tab];
    void render(box, desk).catch((e: unknown) => {
      if (current === box) box.replaceChildren(el("div", { className: "form-error", role: "alert", "data-testid": "admin-error" }, messageOf(e)));
    });
  }
  show((TABS.find(([t]) => t === arg)?.[0] ?? "users"));
}

function roleOptions(): [string, string][] {
  return (Object.entries(ROLE_LABEL) as [Role, string][]).map(([r, l]) => [r, l]);
}

async function users(body: HTMLElement, desk: Desk): Promise<void> {
  const [accounts, units] = await Promise.all([api.accounts(), api.units()]);
  const unitName = (id: number | null) => units.find((u) => u.id === id)?.name ?? "—";
  const table = el(
    "table",
    { className: "table", "data-testid": "users-table" },
    el("thead", {}, el("tr", {}, ...["Tên đăng nhập", "Họ và tên", "Vai trò", "Đơn vị", "Tình trạng", ""].map((h) => el("th", {}, h)))),
    el("tbody", {}, ...accounts.map((a) => userRow(a))),
  );
  function userRow(a: Account): HTMLElement {
    const reset = button("Đặt lại mật khẩu", `user-reset-${a.username}`);
    const toggle = button(a.active ? "Khóa" : "Mở khóa", `user-toggle-${a.username}`);
    reset.addEventListener("click", () => {
      const pw = textInput("reset-password", { type: "password" });
      const f = field(`Mật khẩu tạm cho ${a.username}`, pw, "Người dùng phải đổi ở lần đăng nhập tới.");
      const ok = button("Đặt lại", "reset-confirm", { primary: true, type: "submit" });
      const form = el("form", { noValidate: true }, f.box, el("div", { className: "actions" }, ok));
      const m = modal("Đặt lại mật khẩu", "reset-dialog", form);
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        void api.resetPassword(a.id, pw.value).then(() => {
          m.close();
          desk.toast(`Đã đặt lại mật khẩu cho ${a.username}.`);
        }, (err: unknown) => f.setError(messageOf(err)));
      });
      pw.focus();
    });
    toggle.addEventListener("click", () => {
      void api.updateAccount({ id: a.id, fullName: a.fullName, position: a.position ?? undefined, role: a.role, unitId: a.unitId, active: !a.active }).then(() => users(body, desk), (err: unknown) => desk.toast(messageOf(err)));
    });
    const state = !a.active ? "Đã khóa" : a.lockedUntil ? `Tạm khóa đến ${formatDateTime(a.lockedUntil)}` : a.mustChangePassword ? "Chờ đổi mật khẩu" : "Hoạt động";
    const roleSel = select(`user-role-${a.username}`, roleOptions(), a.role);
    const unitSel = select(`user-unit-${a.username}`, [["", "—"], ...units.map((u): [string, string] => [String(u.id), u.name])], a.unitId === null ? "" : String(a.unitId));
    roleSel.setAttribute("aria-label", `Vai trò của ${a.username}`);
    unitSel.setAttribute("aria-label", `Đơn vị của ${a.username}`);
    const save = button("Lưu", `user-save-${a.username}`);
    save.addEventListener("click", () => {
      void api
        .updateAccount({ id: a.id, fullName: a.fullName, position: a.position ?? undefined, role: roleSel.value as Role, unitId: unitSel.value ? Number(unitSel.value) : null, active: a.active })
        .then(() => {
          desk.toast(`Đã lưu tài khoản ${a.username}.`);
          void users(body, desk);
        }, (err: unknown) => desk.toast(messageOf(err)));
    });
    return el("tr", { "data-testid": "user-row", title: unitName(a.unitId) }, el("td", {}, a.username), el("td", {}, a.fullName), el("td", {}, roleSel), el("td", {}, unitSel), el("td", {}, state), el("td", {}, save, reset, toggle));
  }

  const username = field("Tên đăng nhập", textInput("new-user-username"));
  const fullName = field("Họ và tên", textInput("new-user-fullname"));
  const position = field("Chức vụ", textInput("new-user-position"));
  const role = field("Vai trò", select("new-user-role", roleOptions(), "clerk"));
  const unit = field("Đơn vị", select("new-user-unit", [["", "—"], ...units.map((u): [string, string] => [String(u.id), u.name])]));
  const password = field("Mật khẩu ban đầu", textInput("new-user-password", { type: "password" }), "Người dùng phải đổi ở lần đăng nhập đầu.");
  const error = el("div", { className: "form-error", role: "alert", "data-testid": "new-user-error" });
  const submit = button("Tạo tài khoản", "new-user-submit", { primary: true, type: "submit", shortcut: "Enter" });
  const form = el("form", { className: "sub-form", "data-testid": "new-user-form", noValidate: true }, el("h3", {}, "Tạo tài khoản"), error, el("div", { className: "form-grid" }, username.box, fullName.box, position.box, role.box, unit.box, password.box), el("div", { className: "actions" }, submit));
  form.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && e.target instanceof HTMLSelectElement) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    error.textContent = "";
    void api
      .createAccount({ username: username.input.value.trim(), fullName: fullName.input.value.trim(), position: position.input.value.trim() || undefined, role: role.input.value as Role, unitId: unit.input.value ? Number(unit.input.value) : null, password: password.input.value })
      .then((a) => {
        desk.toast(`Đã tạo tài khoản ${a.username}.`);
        void users(body, desk);
      }, (err: unknown) => (error.textContent = messageOf(err)));
  });
  body.replaceChildren(table, form);
}

async function units(body: HTMLElement, desk: Desk): Promise<void> {
  const list: Unit[] = await api.units();
  const abbr = field("Tên viết tắt", textInput("new-unit-abbr", { placeholder: "TC-KH" }));
  const name = field("Tên đơn vị", textInput("new-unit-name", { placeholder: "Phòng Tài chính - Kế hoạch" }), "", "span2");
  const error = el("div", { className: "form-error", role: "alert", "data-testid": "new-unit-error" });
  const submit = button("Thêm đơn vị", "new-unit-submit", { primary: true, type: "submit", shortcut: "Enter" });
  const form = el("form", { className: "sub-form", noValidate: true }, error, el("div", { className: "form-grid" }, abbr.box, name.box), el("div", { className: "actions" }, submit));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void api.addUnit({ abbreviation: abbr.input.value.trim(), name: name.input.value.trim() }).then((u) => {
      desk.toast(`Đã thêm đơn vị ${u.name}.`);
      void units(body, desk);
    }, (err: unknown) => (error.textContent = messageOf(err)));
  });
  body.replaceChildren(
    el("table", { className: "table", "data-testid": "units-table" }, el("thead", {}, el("tr", {}, el("th", {}, "Viết tắt"), el("th", {}, "Tên đơn vị"))), el("tbody", {}, ...list.map((u) => el("tr", {}, el("td", {}, u.abbreviation), el("td", {}, u.name))))),
    form,
  );
}

// The register books of the year and the last number each gave (domain.md §3: one series for incoming
// documents, one for administrative ones, one per legal-normative type, secret, copies, advisory bodies).
// Numbers are drawn only by registrations, never typed here.
async function series(body: HTMLElement, desk: Desk): Promise<void> {
  const year = Number(desk.status.today.slice(0, 4));
  const list = await api.series(year);
  const rows = list.map((s) => el("tr", {}, el("td", {}, s.title), el("td", {}, s.key), el("td", { className: "num" }, String(s.lastNumber))));
  body.replaceChildren(
    el("p", { className: "hint" }, `Năm ${year}: số được cấp tự động khi đăng ký, liên tục từ 1 trong mỗi sổ, không bao giờ dùng lại.`),
    list.length === 0
      ? el("p", { "data-testid": "series-empty" }, "Chưa cấp số nào trong năm nay.")
      : el(
          "table",
          { className: "table", "data-testid": "series-table" },
          el("thead", {}, el("tr", {}, el("th", {}, "Sổ"), el("th", {}, "Mã"), el("th", {}, "Số cuối cùng"))),
          el("tbody", {}, ...rows),
        ),
  );
}

async function calendar(body: HTMLElement, desk: Desk): Promise<void> {
  const c = await api.calendarSettings();
  const weekdays = field("Ngày làm việc trong tuần", textInput("cal-weekdays", { value: c.workingWeekdays.join(", ") }), "1 = thứ Hai … 7 = Chủ nhật");
  const hours = field("Giờ làm việc", textInput("cal-hours", { value: c.officeHours.map(([a, b]) => `${a}-${b}`).join(", ") }), "Ví dụ 07:30-11:30, 13:30-17:00");
  const added = field("Ngày nghỉ thêm", el("textarea", { rows: 2, value: c.addedHolidays.join("\n"), "data-testid": "cal-added" }), "Mỗi dòng một ngày yyyy-mm-dd");
  const removed = field("Ngày lễ làm bù (bỏ nghỉ)", el("textarea", { rows: 2, value: c.removedHolidays.join("\n"), "data-testid": "cal-removed" }));
  const extra = field("Ngày làm bù", el("textarea", { rows: 2, value: c.extraWorkingDays.join("\n"), "data-testid": "cal-extra" }));
  const error = el("div", { className: "form-error", role: "alert", "data-testid": "cal-error" });
  const submit = button("Lưu lịch", "cal-submit", { primary: true, type: "submit", shortcut: "Ctrl+Enter" });
  const form = el("form", { className: "sub-form", noValidate: true }, error, el("div", { className: "form-grid" }, weekdays.box, hours.box, added.box, removed.box, extra.box), el("div", { className: "actions" }, submit));
  const lines = (v: string) => v.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const officeHours = lines(hours.input.value).map((p): [string, string] => {
      const [a = "", b = ""] = p.split("-").map((s) => s.trim());
      return [a, b];
    });
    void api
      .setCalendarSettings({ workingWeekdays: lines(weekdays.input.value).map(Number), officeHours, addedHolidays: lines(added.input.value), removedHolidays: lines(removed.input.value), extraWorkingDays: lines(extra.input.value) })
      .then(() => desk.toast("Đã lưu lịch làm việc."), (err: unknown) => (error.textContent = messageOf(err)));
  });
  form.addEventListener("keydown", (e) => {
    if (e.ctrlKey && e.key === "Enter") {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  body.replaceChildren(form);
}

async function security(body: HTMLElement, desk: Desk): Promise<void> {
  const p = await api.securityPolicy();
  const attempts = field("Số lần nhập sai trước khi khóa", textInput("sec-attempts", { value: String(p.maxFailedAttempts), inputMode: "numeric" }));
  const lockout = field("Thời gian khóa (phút)", textInput("sec-lockout", { value: String(p.lockoutMinutes), inputMode: "numeric" }));
  const idle = field("Tự đăng xuất sau (phút không thao tác)", textInput("sec-idle", { value: String(p.idleMinutes), inputMode: "numeric" }));
  const error = el("div", { className: "form-error", role: "alert", "data-testid": "sec-error" });
  const submit = button("Lưu", "sec-submit", { primary: true, type: "submit", shortcut: "Enter" });
  const form = el("form", { className: "sub-form", noValidate: true }, error, el("div", { className: "form-grid" }, attempts.box, lockout.box, idle.box), el("div", { className: "actions" }, submit));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const n = (f: typeof attempts) => Number(f.input.value.trim());
    void api.setSecurityPolicy({ maxFailedAttempts: n(attempts), lockoutMinutes: n(lockout), idleMinutes: n(idle) }).then(() => desk.toast("Đã lưu thiết lập bảo mật."), (err: unknown) => (error.textContent = messageOf(err)));
  });
  body.replaceChildren(form);
}

async function pickFolder(target: HTMLInputElement): Promise<void> {
  const chosen = await open({ directory: true, multiple: false });
  if (typeof chosen === "string") target.value = chosen;
  target.focus();
}

async function backup(body: HTMLElement, desk: Desk, used = ""): Promise<void> {
  const status = await api.backupStatus();
  const last = status.last;
  const summary = el(
    "dl",
    { className: "kv", "data-testid": "backup-summary" },
    el("dt", {}, "Lần sao lưu gần nhất"), el("dd", { "data-testid": "backup-last" }, last ? `${formatDateTime(last.at)} — ${last.ok ? "thành công" : "lỗi"}: ${last.message} (${last.folder})` : "Chưa có"),
    el("dt", {}, "Thành công gần nhất"), el("dd", { "data-testid": "backup-last-ok" }, status.lastOk ? `${formatDateTime(status.lastOk.at)} (${status.lastOk.folder})` : "Chưa có"),
    el("dt", {}, "Lần tự động tới"), el("dd", {}, status.nextDue ? formatDateTime(status.nextDue) : "Chưa đặt lịch"),
  );

  const folder = textInput("backup-folder", { placeholder: "/media/usb/sao-luu", value: used || (status.schedule.folder ?? "") });
  const pick = button("Chọn thư mục…", "backup-pick");
  pick.addEventListener("click", () => void pickFolder(folder));
  const now = button("Sao lưu ngay", "backup-now", { primary: true, shortcut: "Alt+B" });
  const out = el("div", { "data-testid": "backup-output" });
  now.addEventListener("click", () => {
    if (!folder.value.trim()) return void (out.textContent = "Hãy chọn thư mục sao lưu.");
    now.disabled = true;
    out.replaceChildren(el("div", { className: "progress-line", role: "status" }, el("span", { className: "spinner" }), "Đang sao lưu và kiểm tra bản sao…"));
    void api.backupNow(folder.value.trim()).then(
      (m) => {
        out.replaceChildren(el("div", { "data-testid": "backup-done" }, `Đã sao lưu ${m.documents} văn bản, ${m.files} tệp vào ${m.folder}.`));
        desk.refreshBackup();
        void backup(body, desk, folder.value.trim()).then(() => body.append(out));
      },
      (e: unknown) => {
        now.disabled = false;
        out.replaceChildren(el("div", { className: "form-error", role: "alert" }, messageOf(e)));
        desk.refreshBackup();
      },
    );
  });

  const every = textInput("backup-every", { value: String(status.schedule.everyHours), inputMode: "numeric", size: 4 });
  const saveSchedule = button("Lưu lịch sao lưu", "backup-schedule-save");
  const scheduleMsg = el("div", { "data-testid": "backup-schedule-msg" });
  saveSchedule.addEventListener("click", () => {
    void api.setBackupSchedule({ folder: folder.value.trim() || null, everyHours: Number(every.value.trim()) || 0 }).then(
      () => {
        scheduleMsg.textContent = "Đã lưu lịch sao lưu tự động.";
        desk.refreshBackup();
      },
      (e: unknown) => (scheduleMsg.textContent = messageOf(e)),
    );
  });

  const restoreFrom = textInput("restore-folder", { placeholder: "/media/usb/sao-luu/vanthu-20260302-083000" });
  const restorePick = button("Chọn bản sao lưu…", "restore-pick");
  restorePick.addEventListener("click", () => void pickFolder(restoreFrom));
  const restore = button("Khôi phục…", "restore-start");
  const restoreMsg = el("div", { "data-testid": "restore-output" });
  restore.addEventListener("click", () => {
    if (!restoreFrom.value.trim()) return void (restoreMsg.textContent = "Hãy chọn thư mục bản sao lưu.");
    const yes = button("Khôi phục", "restore-confirm", { primary: true });
    const no = button("Không", "restore-cancel");
    const m = modal("Khôi phục sổ đăng ký", "restore-dialog", el("p", {}, `Sổ đăng ký hiện tại sẽ được thay bằng bản sao lưu ở ${restoreFrom.value.trim()} (sổ hiện tại được giữ lại bên cạnh). Mọi người sẽ phải đăng nhập lại. Tiếp tục?`), el("div", { className: "actions" }, yes, no));
    no.addEventListener("click", m.close);
    yes.addEventListener("click", () => {
      yes.disabled = true;
      m.box.querySelector(".modal-body")?.append(el("div", { className: "progress-line", role: "status" }, el("span", { className: "spinner" }), "Đang khôi phục…"));
      void api.restoreBackup(restoreFrom.value.trim()).then(
        (r) => {
          m.close();
          alertAndRestart(`Đã khôi phục ${r.backup.documents} văn bản từ bản sao lưu ngày ${formatDateTime(r.backup.createdAt)}.${r.previousMovedTo ? ` Sổ cũ được giữ ở ${r.previousMovedTo}.` : ""}`);
        },
        (e: unknown) => {
          m.close();
          restoreMsg.textContent = messageOf(e);
        },
      );
    });
    no.focus();
  });

  body.replaceChildren(
    summary,
    el("section", { className: "sub-form" }, el("h3", {}, "Sao lưu"), field("Thư mục sao lưu", folder).box, el("div", { className: "actions" }, pick, now), out, el("div", { className: "row-inline" }, el("label", { htmlFor: every.id || "" }, "Tự động sao lưu mỗi"), every, el("span", {}, "giờ (0 = tắt)"), saveSchedule), scheduleMsg),
    el("section", { className: "sub-form" }, el("h3", {}, "Khôi phục từ bản sao lưu"), field("Thư mục bản sao lưu", restoreFrom).box, el("div", { className: "actions" }, restorePick, restore), restoreMsg),
  );
  body.onkeydown = (e) => {
    if (e.altKey && keyIs(e, "b")) {
      e.preventDefault();
      now.click();
    }
  };
}

function alertAndRestart(message: string): void {
  // The desk was reopened: every session ended. Back to the start, with the message.
  window.dispatchEvent(new CustomEvent("vanthu-restart", { detail: message }));
}
