// Code lists: the codes are what the commands take and return; labels come from i18n.
import type { TFunction } from "i18next";

export const MEASURES = [
  "work_training",
  "temporary_wage_subsidy",
  "permanent_wage_subsidy",
  "mentor",
  "inclusion_subsidy",
  "supported_employment",
  "ordinary_job",
] as const;
export type Measure = (typeof MEASURES)[number];

export const STATUSES = ["planned", "active", "ended", "cancelled"] as const;
/** Why a placement ended or was cancelled. Neutral categories: the employer sees them. */
export const CLOSE_REASONS = [
  "completed",
  "got_job",
  "other_measure",
  "candidate_ended",
  "employer_ended",
  "other",
] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];
export const ATTENDANCE = ["present", "absent", "late", "left_early"] as const;
export type Attendance = (typeof ATTENDANCE)[number];
export const ACTION_STATUSES = ["open", "in_progress", "done", "cancelled"] as const;
/** Where an action still needs doing (and so can pass its due date). */
export const ACTION_STATUSES_OPEN = ["open", "in_progress"] as const;
export const TASK_STATUSES = ["not_started", "with_adaptation", "can_do"] as const;
export const VISIT_KINDS = ["on_site", "phone", "video", "three_party"] as const;
export const ACTION_OWNERS = ["adviser", "employer", "candidate"] as const;
export type ActionOwner = (typeof ACTION_OWNERS)[number];
export const TIMELINE_KINDS = [
  "visit",
  "observation",
  "note",
  "adviser_note",
  "contact_request",
  "action",
] as const;

export type CodeList =
  | "role"
  | "measure"
  | "status"
  | "closeReason"
  | "attendance"
  | "actionStatus"
  | "requestStatus"
  | "taskStatus"
  | "adaptationStatus"
  | "goalCategory"
  | "kind"
  | "visitKind"
  | "visitStatus"
  | "actionOwner"
  | "syncDocument"
  | "field";

/** The label of a code, or the code itself when this version of the UI does not know it. */
export function codeLabel(t: TFunction, list: CodeList, code: string | null | undefined): string {
  if (!code) return "";
  const key = `${list}.${code}`;
  const label: unknown = (t as unknown as (k: string, o: { defaultValue: string }) => unknown)(key, {
    defaultValue: code,
  });
  return typeof label === "string" ? label : code;
}

/** Which code list a timeline item's status belongs to. */
export function timelineStatusList(kind: string): CodeList | null {
  switch (kind) {
    case "observation":
      return "attendance";
    case "contact_request":
      return "requestStatus";
    case "action":
      return "actionStatus";
    case "visit":
      return "visitStatus";
    default:
      return null;
  }
}

type TagColor = "neutral" | "info" | "success" | "warning" | "danger" | "accent";

export function statusColor(status: string): TagColor {
  switch (status) {
    case "active":
      return "success";
    case "planned":
      return "info";
    case "cancelled":
      return "warning";
    default:
      return "neutral";
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A document path such as ["visits", "<uuid>", "summary"] as "Besøk › Oppsummering". */
export function fieldPathLabel(t: TFunction, path: string[]): string {
  return path
    .filter((segment) => !UUID.test(segment))
    .map((segment) => codeLabel(t, "field", segment))
    .join(" › ");
}
