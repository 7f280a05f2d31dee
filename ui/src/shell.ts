// The desk around every screen: the header (organisation, who is signed in, sign-out), the navigation
// (each item with its Alt shortcut), the status bar (register file, last backup) and the things that run
// in the background while the clerk works: the idle sign-out, the minute-by-minute check of the
// home screen that raises a desktop notification when something urgent arrives or a deadline nears,
// and the connection indicator of the document hub (exchange.ts).

import { listen } from "@tauri-apps/api/event";
import { api, messageOf } from "./api";
import type { AppStatus } from "./bindings/AppStatus";
import type { BackupStatus } from "./bindings/BackupStatus";
import type { Role } from "./bindings/Role";
import type { SessionInfo } from "./bindings/SessionInfo";
import type { Unit } from "./bindings/Unit";
import { showChangePassword } from "./auth";
import { connectionIndicator } from "./exchange";
import { el, keyIs, modalOpen } from "./dom";
import { formatDateTime } from "./format";
import { ROLE_LABEL } from "./labels";
import { startNotifications } from "./notify";

export type Screen = "home" | "digitise" | "incoming" | "outgoing" | "exchange" | "casefiles" | "search" | "print" | "signing" | "admin";

/** What a role may do, to decide what the window offers. The backend still checks every call. */
export type Capability = "register" | "assign" | "progress" | "casefiles" | "print" | "sign" | "admin";

const ALLOWED: Record<Role, Capability[]> = {
  clerk: ["register", "print", "casefiles", "sign"],
  leader: ["assign", "progress", "print"],
  specialist: ["progress", "casefiles"],
  admin: ["admin", "print"],
};

export interface Desk {
  status: AppStatus;
  session: SessionInfo | null;
  can: (c: Capability) => boolean;
  go: (screen: Screen, arg?: string) => void;
  openDocument: (id: string) => void;
  units: () => Promise<Unit[]>;
  /** Shows a short confirmation in the status bar. */
  toast: (message: string) => void;
  refreshBackup: () => void;
}

export type ScreenRender = (container: HTMLElement, desk: Desk, signal: AbortSignal, arg?: string) => void;

interface NavItem {
  screen: Screen;
  label: string;
  key: string;
  shows?: Capability;
}

const NAV: NavItem[] = [
  { screen: "home", label: "Trang chủ", key: "H" },
  { screen: "digitise", label: "Số hoá", key: "G", shows: "register" },
  { screen: "incoming", label: "Văn bản đến", key: "D" },
  { screen: "outgoing", label: "Văn bản đi", key: "I" },
  { screen: "exchange", label: "Liên thông", key: "L" },
  { screen: "casefiles", label: "Hồ sơ", key: "S" },
  { screen: "search", label: "Tìm kiếm", key: "T" },
  { screen: "print", label: "In sổ", key: "P", shows: "print" },
  { screen: "signing", label: "Chữ ký số", key: "K", shows: "sign" },
  { screen: "admin", label: "Quản trị", key: "Q", shows: "admin" },
];

let stopCurrent: (() => void) | null = null;

/** Ends the running desk (timers, listeners) before another screen takes the window. */
export function stopShell(): void {
  stopCurrent?.();
  stopCurrent = null;
}

const screens = new Map<Screen, ScreenRender>();

/** Screens register themselves here (see screens.ts). */
export function defineScreen(screen: Screen, render: ScreenRender): void {
  screens.set(screen, render);
}

export function showShell(root: HTMLElement, status: AppStatus, hooks: { restart: (message?: string) => void }): void {
  stopShell();
  const life = new AbortController();
  const session = status.session;
  const role = session?.account.role ?? null;
  let unitsCache: Promise<Unit[]> | null = null;
  let screenLife: AbortController | null = null;
  let current: Screen = session ? "home" : "incoming";

  const org = status.organisation;
  const user = el("div", { className: "user" });
  if (session) {
    const signOut = el("button", { type: "button", className: "link", "data-testid": "sign-out", "aria-keyshortcuts": "Alt+X" }, "Đăng xuất ", el("kbd", {}, "Alt+X"));
    const changePw = el("button", { type: "button", className: "link", "data-testid": "change-password" }, "Đổi mật khẩu");
    user.append(
      el(
        "div",
        { className: "who" },
        el("strong", { "data-testid": "user-name" }, session.account.fullName),
        el("span", { "data-testid": "user-role" }, ROLE_LABEL[session.account.role]),
      ),
      changePw,
      signOut,
    );
    signOut.addEventListener("click", () => void doSignOut(""));
    changePw.addEventListener("click", () => {
      stopShell();
      void showChangePassword(root, false).then(() => hooks.restart());
    });
  } else {
    user.append(el("span", { className: "open-mode", "data-testid": "open-mode" }, "Sổ chưa có tài khoản: mọi người dùng máy này đều làm việc được"));
  }
  const topbar = el(
    "header",
    { className: "topbar" },
    el(
      "div",
      { className: "org" },
      el("strong", { "data-testid": "org-title" }, org?.name ?? ""),
      el("span", {}, org ? `${org.abbreviation} · Mã định danh ${org.orgId}` : ""),
    ),
    user,
  );

  const can = (c: Capability) => role === null || ALLOWED[role].includes(c);
  // Filled below, once `desk` exists (the indicator opens the exchange screen through it).
  const indicatorSlot = el("div", { className: "indicator-slot" });
  topbar.insertBefore(indicatorSlot, user);
  const navButtons = new Map<Screen, HTMLButtonElement>();
  const nav = el("nav", { className: "nav", "aria-label": "Chức năng" });
  for (const item of NAV) {
    if (item.shows && !can(item.shows)) continue;
    const b = el(
      "button",
      { type: "button", className: "nav-item", "data-testid": `nav-${item.screen}`, "aria-keyshortcuts": `Alt+${item.key}`, title: `${item.label} (Alt+${item.key})` },
      item.label,
      " ",
      el("kbd", {}, `Alt+${item.key}`),
    );
    b.addEventListener("click", () => go(item.screen));
    navButtons.set(item.screen, b);
    nav.append(b);
  }

  const main = el("main", { className: "screen", id: "screen", "data-testid": "screen", tabIndex: -1 });
  const backupInfo = el("span", { "data-testid": "backup-status" }, "");
  const toastEl = el("span", { className: "toast", role: "status", "data-testid": "toast" }, "");
  const statusbar = el(
    "footer",
    { className: "statusbar" },
    el("span", { "data-testid": "db-path", title: status.dbPath }, `Tệp dữ liệu: ${status.dbPath}`),
    toastEl,
    backupInfo,
  );
  root.replaceChildren(topbar, nav, main, statusbar);

  let toastTimer = 0;
  const desk: Desk = {
    status,
    session,
    can,
    go,
    openDocument: (id) => void import("./detail").then((m) => m.showDocument(id, desk)),
    units: () => {
      unitsCache ??= api.units().catch((e: unknown) => {
        unitsCache = null;
        throw e;
      });
      return unitsCache;
    },
    toast: (message) => {
      toastEl.textContent = message;
      window.clearTimeout(toastTimer);
      toastTimer = window.setTimeout(() => (toastEl.textContent = ""), 8000);
    },
    refreshBackup: () => void refreshBackup(),
  };

  function go(screen: Screen, arg?: string): void {
    const render = screens.get(screen);
    if (!render || !navButtons.has(screen)) return;
    current = screen;
    for (const [s, b] of navButtons) b.setAttribute("aria-current", s === screen ? "page" : "false");
    screenLife?.abort();
    screenLife = new AbortController();
    main.replaceChildren();
    main.dataset.screen = screen;
    render(main, desk, screenLife.signal, arg);
    // Keyboard first: the focus is always somewhere in the screen, never lost on the page body.
    if (!main.contains(document.activeElement)) main.focus();
  }

  async function refreshBackup(): Promise<void> {
    try {
      backupInfo.textContent = backupLine(await api.backupStatus());
    } catch (e) {
      backupInfo.textContent = `Sao lưu: ${messageOf(e)}`;
    }
  }

  async function doSignOut(notice: string): Promise<void> {
    try {
      await api.signOut();
    } finally {
      hooks.restart(notice);
    }
  }

  document.addEventListener(
    "keydown",
    (event) => {
      if (!event.altKey || event.ctrlKey || modalOpen()) return;
      const item = NAV.find((n) => keyIs(event, n.key));
      if (item && navButtons.has(item.screen)) {
        event.preventDefault();
        go(item.screen);
      } else if (keyIs(event, "x") && session) {
        event.preventDefault();
        void doSignOut("");
      }
    },
    { signal: life.signal },
  );

  // Idle sign-out: the backend ends the session after idleMinutes without a call; the window also
  // returns to the sign-in screen by itself after that many minutes without input.
  if (session) {
    let lastInput = Date.now();
    const touch = () => (lastInput = Date.now());
    for (const type of ["keydown", "mousedown", "mousemove", "wheel", "touchstart"]) {
      document.addEventListener(type, touch, { signal: life.signal, passive: true, capture: true });
    }
    const idleCheck = window.setInterval(() => {
      if (Date.now() - lastInput > session.idleMinutes * 60_000) {
        void doSignOut(`Phiên làm việc đã kết thúc sau ${session.idleMinutes} phút không thao tác; hãy đăng nhập lại.`);
      }
    }, 15_000);
    life.signal.addEventListener("abort", () => window.clearInterval(idleCheck));
  }

  const stopNotify = startNotifications();
  const unlisten = listen("backup-status-changed", () => void refreshBackup());
  stopCurrent = () => {
    life.abort();
    screenLife?.abort();
    stopNotify();
    void unlisten.then((f) => f());
    document.querySelectorAll(".backdrop").forEach((b) => b.remove());
  };

  indicatorSlot.append(connectionIndicator(desk, life.signal));
  void refreshBackup();
  go(current);
}

function backupLine(s: BackupStatus): string {
  const last = s.last ? `lần gần nhất ${formatDateTime(s.last.at)}: ${s.last.ok ? "thành công" : `lỗi — ${s.last.message}`}` : "chưa sao lưu lần nào";
  const ok = s.lastOk && s.last && s.lastOk.at !== s.last.at ? ` · thành công gần nhất ${formatDateTime(s.lastOk.at)}` : "";
  return `Sao lưu: ${last}${ok}`;
}
