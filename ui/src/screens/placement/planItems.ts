// How the plan's items (goals, training tasks, adaptations) read on the overview.
import { formatDate, parseIsoDate } from "../../format";
import type { Language } from "../../i18n";
import { draftKey } from "../../hooks/useDraft";

/** The training plan's detail is "responsible · 2026-12-01": show the date as a date. */
export function datesIn(text: string | null, language: Language): string {
  if (!text) return "";
  return text
    .split(" · ")
    .filter((part) => part.trim())
    .map((part) => (parseIsoDate(part) ? formatDate(part, language) : part))
    .join(" · ");
}

/** The tag colour of a plan item's status (a task's progress, an adaptation's state). */
export function planStatusColor(status: string) {
  switch (status) {
    case "can_do":
    case "active":
      return "success" as const;
    case "with_adaptation":
      return "info" as const;
    default:
      return "neutral" as const;
  }
}

/** The draft of an edit of one record (any kind): an edit left half-done opens again with it. */
export function recordEditDraftKey(placementId: string, recordId: string): string {
  return draftKey("record-edit", `${placementId}.${recordId}`);
}
