// The visit form's data: its draft (flat fields, the action rows as JSON), its rules and the
// command input it becomes. No React here.
import type { TFunction } from "i18next";
import type { VisitInput } from "../../bindings/VisitInput";
import type { VisitRecord } from "../../bindings/VisitRecord";
import { VISIT_KINDS } from "../../codes";
import { charCount, toIsoDate } from "../../format";
import { draftKey } from "../../hooks/useDraft";
import type { FieldErrors, Problems } from "../../hooks/useForm";
import { ATTENDEES_MAX, FIELD_MAX, LONG_MAX, SHORT_MAX } from "../../bindings/rules";

// The limits the Rust side checks (folgesvenn-domain's validate.rs).
export { ATTENDEES_MAX, FIELD_MAX, LONG_MAX, SHORT_MAX };
export const RATINGS = ["1", "2", "3", "4", "5"] as const;

/** The input ids of the visit's fields (the error summary links to them). */
export const IDS = {
  date: "visit-date",
  time: "visit-time",
  kind: "visit-kind",
  place: "visit-place",
  attendees: "visit-attendees",
  attendance: "visit-attendance",
  taskProgress: "visit-task-progress",
  summary: "visit-summary",
  adviserNote: "visit-adviser-note",
  nextVisit: "visit-next",
} as const;

/** The ids of an action row's fields. */
export const rowIds = (key: string) => ({ what: `visit-action-what-${key}`, due: `visit-action-due-${key}` });

/** The problem key of an action row's due date field. */
export const dueProblem = (key: string) => `due:${key}`;

/** One agreed action while it is being written; `key` keeps React rows (and their ids) stable. */
export interface ActionRow {
  key: string;
  what: string;
  owner: string;
  due: string;
}

export type VisitDraft = {
  date: string;
  time: string;
  kind: string;
  place: string;
  attendees: string;
  attendance: string;
  taskProgress: string;
  employerRating: string;
  candidateRating: string;
  summary: string;
  adviserNote: string;
  /** The action rows as JSON: drafts hold flat fields only. */
  actions: string;
  nextVisit: string;
};

export function visitDraftKey(placementId: string, corrects?: string): string {
  return draftKey("visit", corrects ? `${placementId}.corrects.${corrects}` : placementId);
}

export function newRow(): ActionRow {
  return { key: crypto.randomUUID(), what: "", owner: "employer", due: "" };
}

/** The action rows a draft holds; one empty row when the text is not a list. */
export function parseRows(text: string): ActionRow[] {
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value)) return [newRow()];
    return value.flatMap((item: unknown): ActionRow[] => {
      if (typeof item !== "object" || item === null) return [];
      const r = item as Record<string, unknown>;
      return [
        {
          key: typeof r.key === "string" && r.key ? r.key : crypto.randomUUID(),
          what: typeof r.what === "string" ? r.what : "",
          owner: typeof r.owner === "string" ? r.owner : "employer",
          due: typeof r.due === "string" ? r.due : "",
        },
      ];
    });
  } catch {
    return [newRow()];
  }
}

/** `HH:MM` of a moment in local time. */
export function localTime(date: Date): string {
  return `${String(date.getHours()).padStart(2, "0")}:${String(date.getMinutes()).padStart(2, "0")}`;
}

/**
 * A new visit opens at `now`. A correction starts from what the original said (its time and
 * summary); the rest is filled in anew.
 */
export function initialVisit(original: Pick<VisitRecord, "at" | "summary"> | undefined, now: Date): VisitDraft {
  const originalAt = original ? new Date(original.at) : null;
  const startAt = originalAt && !Number.isNaN(originalAt.getTime()) ? originalAt : now;
  return {
    date: toIsoDate(startAt),
    time: localTime(startAt),
    kind: "on_site",
    place: "",
    attendees: "",
    attendance: "",
    taskProgress: "",
    employerRating: "",
    candidateRating: "",
    summary: original?.summary ?? "",
    adviserNote: "",
    actions: JSON.stringify([newRow()]),
    nextVisit: "",
  };
}

/** "Kari, Ola ," as ["Kari", "Ola"]. */
export function attendeesOf(text: string): string[] {
  return text
    .split(",")
    .map((a) => a.trim())
    .filter(Boolean);
}

/** What is wrong with the visit: its fields in screen order, then each action row's. */
export function validateVisit(t: TFunction, v: VisitDraft, problems: Problems): FieldErrors {
  const tooLong = (max: number) => t("visit.errors.tooLong", { max });
  const attendees = attendeesOf(v.attendees);
  const errors: FieldErrors = {};
  if (problems.date || !v.date) errors.date = t("visit.errors.date");
  if (!/^\d{2}:\d{2}(:\d{2})?$/.test(v.time) || Number.isNaN(new Date(`${v.date}T${v.time}`).getTime()))
    errors.time = t("visit.errors.time");
  if (!(VISIT_KINDS as readonly string[]).includes(v.kind)) errors.kind = t("visit.errors.kind");
  if (charCount(v.place) > SHORT_MAX) errors.place = tooLong(SHORT_MAX);
  if (attendees.length > ATTENDEES_MAX || attendees.some((a) => charCount(a) > SHORT_MAX))
    errors.attendees = t("visit.errors.attendees", { max: ATTENDEES_MAX, length: SHORT_MAX });
  if (charCount(v.attendance) > FIELD_MAX) errors.attendance = tooLong(FIELD_MAX);
  if (charCount(v.taskProgress) > FIELD_MAX) errors.taskProgress = tooLong(FIELD_MAX);
  if (charCount(v.summary) > LONG_MAX) errors.summary = tooLong(LONG_MAX);
  if (charCount(v.adviserNote) > LONG_MAX) errors.adviserNote = tooLong(LONG_MAX);
  if (problems.nextVisit) errors.nextVisit = t("visit.errors.nextVisit");

  // Each action row: something to do when it has a due date, a due date that is a date.
  parseRows(v.actions).forEach((row, i) => {
    const ids = rowIds(row.key);
    if (!row.what.trim() && row.due) errors[ids.what] = t("visit.errors.actionWhat", { n: i + 1 });
    else if (charCount(row.what) > FIELD_MAX) errors[ids.what] = tooLong(FIELD_MAX);
    if (problems[dueProblem(row.key)]) errors[ids.due] = t("visit.errors.actionDue", { n: i + 1 });
  });
  return errors;
}

/** The command's input; rows without a "what" are left out. */
export function toVisitInput(v: VisitDraft, corrects: string | undefined): VisitInput {
  const rating = (value: string) => ((RATINGS as readonly string[]).includes(value) ? Number(value) : null);
  return {
    at: new Date(`${v.date}T${v.time}`).toISOString(),
    kind: v.kind,
    place: v.place.trim(),
    attendees: attendeesOf(v.attendees),
    summary: v.summary.trim(),
    attendanceSinceLast: v.attendance.trim(),
    taskProgress: v.taskProgress.trim(),
    employerRating: rating(v.employerRating),
    candidateRating: rating(v.candidateRating),
    adviserNote: v.adviserNote.trim(),
    actions: parseRows(v.actions)
      .filter((row) => row.what.trim())
      .map((row) => ({ what: row.what.trim(), owner: row.owner, due: row.due || null })),
    nextVisit: v.nextVisit || null,
    corrects: corrects ?? null,
  };
}
