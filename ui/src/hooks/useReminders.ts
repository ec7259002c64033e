// OS notifications for what waits today, computed on the device from the placement list.
import { isPermissionGranted, requestPermission, sendNotification } from "@tauri-apps/plugin-notification";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { listPlacements } from "../api";
import type { Role } from "../bindings/Role";
import { todayIso } from "../format";
import { todayLines, type TodayLine } from "../screens/list/Today";

/** How often the waiting list is looked at again while the app is open (a day turns over). */
export const REMINDER_EVERY_MS = 15 * 60 * 1000;

/** What a set of waiting lines is, to tell a new one from one already notified. */
export function reminderKey(lines: readonly TodayLine[]): string {
  return lines
    .map((l) => `${l.placementId}:${l.kind}:${l.count}`)
    .sort()
    .join("|");
}

/**
 * Notifies the user when something new waits today (`todayLines`, the rule «I dag» shows): a
 * request past its response time, an unanswered request, an overdue action, a visit due, today's
 * log. The notification says how many things wait and nothing else: it may show on a locked
 * screen, so it never names a candidate or a workplace. One notification for each new set of
 * waiting things; looked at when the app opens, when a sync brought changes (`revision`), and
 * every `REMINDER_EVERY_MS`. Only while the store is open: a locked app reads nothing.
 */
export function useReminders(role: Role | null, revision: number, now: () => string = todayIso): void {
  const { t } = useTranslation();
  const notified = useRef<string | null>(null);
  useEffect(() => {
    let live = true;
    async function look() {
      const lines = todayLines(await listPlacements(), role, now());
      const key = reminderKey(lines);
      if (!live || lines.length === 0 || key === notified.current) return;
      notified.current = key;
      const count = lines.reduce((n, l) => n + l.count, 0);
      if (!(await isPermissionGranted()) && (await requestPermission()) !== "granted") return;
      sendNotification({ title: t("reminders.title"), body: t("reminders.body", { count }) });
    }
    const run = () => {
      look().catch(() => {
        // A reminder that could not be made is no error of the user's: the list shows the same.
      });
    };
    run();
    const timer = window.setInterval(run, REMINDER_EVERY_MS);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [role, revision, now, t]);
}
