// The timeline's pure parts: order, colours, overdue actions, how long a request waited.
import type { TFunction } from "i18next";
import type { TimelineItem } from "../../bindings/TimelineItem";
import { ACTION_STATUSES_OPEN } from "../../codes";
import { parseIsoDate, todayIso } from "../../format";

type KindColor = "accent" | "info" | "warning" | "neutral" | "success" | "meta-purple";

const KIND_COLOR: Partial<Record<string, KindColor>> = {
  visit: "accent",
  observation: "info",
  contact_request: "warning",
  action: "success",
  note: "neutral",
  adviser_note: "meta-purple",
};

/** The tag colour of a timeline entry's kind; neutral for a kind this version does not know. */
export function kindColor(kind: string): KindColor {
  return KIND_COLOR[kind] ?? "neutral";
}

/** The tag colour of a contact request's status. */
export function requestColor(status: string) {
  switch (status) {
    case "open":
      return "warning" as const;
    case "acknowledged":
      return "info" as const;
    case "resolved":
      return "success" as const;
    default:
      return "neutral" as const;
  }
}

/** A day (`YYYY-MM-DD`, local midnight) or a moment in ms; 0 for anything else. */
export function timeOf(at: string): number {
  const day = parseIsoDate(at);
  const ms = day ? day.getTime() : new Date(at).getTime();
  return Number.isNaN(ms) ? 0 : ms;
}

/** Newest first, whatever order the command gave (a new list). */
export function newestFirst(items: readonly TimelineItem[]): TimelineItem[] {
  return [...items].sort((a, b) => timeOf(b.at) - timeOf(a.at));
}

/** The status of an entry whose kind has one (a visit's correction state, a day's attendance…). */
export function statusOf(item: TimelineItem): string | null {
  return "status" in item ? item.status : null;
}

/** An action still to do whose due date has passed. */
export function isOverdue(item: Extract<TimelineItem, { kind: "action" }>, today = todayIso()): boolean {
  const open = (ACTION_STATUSES_OPEN as readonly string[]).includes(item.status);
  return open && item.due !== null && parseIsoDate(item.due) !== undefined && item.due < today;
}

/** "2 t 15 min": how long a request waited, in plain words. */
export function durationText(t: TFunction, ms: number): string {
  const total = Math.round(Math.max(0, ms) / 60_000);
  if (total < 1) return t("duration.lessThanMinute");
  const days = Math.floor(total / 1440);
  const hours = Math.floor((total % 1440) / 60);
  const minutes = total % 60;
  const parts: string[] = [];
  if (days > 0) {
    parts.push(t("duration.days", { count: days }));
    if (hours > 0) parts.push(t("duration.hours", { count: hours }));
  } else if (hours > 0) {
    parts.push(t("duration.hours", { count: hours }));
    if (minutes > 0) parts.push(t("duration.minutes", { count: minutes }));
  } else {
    parts.push(t("duration.minutes", { count: minutes }));
  }
  return parts.join(" ");
}
