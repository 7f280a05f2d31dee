// Desktop notifications: every minute the home screen's figures are read; a new urgent document, or a
// deadline that passes within the hour, raises one notification (once per document and deadline).

import { isPermissionGranted, requestPermission, sendNotification } from "@tauri-apps/plugin-notification";
import { api } from "./api";

const POLL_MS = 60_000;
const SOON_MS = 60 * 60_000;

export function startNotifications(): () => void {
  const seen = new Set<string>();
  let first = true;
  let allowed: boolean | null = null;

  async function notify(title: string, body: string): Promise<void> {
    try {
      allowed ??= (await isPermissionGranted()) || (await requestPermission()) === "granted";
      if (allowed) sendNotification({ title, body });
    } catch {
      allowed = false; // no notification service on this desktop: the home screen still shows it all
    }
  }

  async function poll(): Promise<void> {
    let d;
    try {
      d = await api.dashboard();
    } catch {
      return;
    }
    const fresh: [string, string, string][] = [];
    for (const row of d.urgentOpen) {
      const key = `urgent:${row.id}`;
      if (!seen.has(key)) fresh.push([key, "Văn bản khẩn", `Số đến ${row.numberText}: ${row.typeName} ${row.subject}`]);
    }
    for (const item of [...d.dueToday, ...d.overdue]) {
      const due = Date.parse(item.deadline);
      const key = `due:${item.document.id}:${item.deadline}`;
      if (!seen.has(key) && due - Date.now() < SOON_MS) {
        fresh.push([key, due < Date.now() ? "Văn bản quá hạn" : "Sắp đến hạn", `${item.document.code || item.document.numberText}: ${item.document.subject}`]);
      }
    }
    for (const [key, title, body] of fresh) {
      seen.add(key);
      // What is already there when the window opens is on the home screen; notify what comes later.
      if (!first) await notify(title, body);
    }
    first = false;
  }

  void poll();
  const timer = window.setInterval(() => void poll(), POLL_MS);
  return () => window.clearInterval(timer);
}
