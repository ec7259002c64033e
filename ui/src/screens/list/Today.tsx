import { Link } from "@navikt/ds-react";
import { useTranslation } from "react-i18next";
import type { PlacementSummary } from "../../bindings/PlacementSummary";
import type { Role } from "../../bindings/Role";
import { WaitingList } from "../../components/WaitingList";
import { formatDate, todayIso } from "../../format";
import { currentLanguage } from "../../i18n";
import { href } from "../../hooks/useRoute";

export interface TodayLine {
  placementId: string;
  kind: "late" | "request" | "overdue" | "visit" | "log";
  count: number;
  /** A visit: its day. */
  day?: string;
}

/**
 * What waits today across every placement on this device, from the list alone (computed on the
 * device, offline): contact requests not answered within their placement's response time and
 * the others not answered yet, overdue actions, visits due today or passed
 * (adviser), and today's log not yet written (employer). Open placements only.
 */
export function todayLines(list: readonly PlacementSummary[], role: Role | null, today = todayIso()): TodayLine[] {
  const lines: TodayLine[] = [];
  for (const p of list) {
    if (p.status !== "active" && p.status !== "planned") continue;
    // A request past its response time comes first, counted apart from the rest.
    if (p.lateRequests > 0) lines.push({ placementId: p.id, kind: "late", count: p.lateRequests });
    const waiting = p.openRequests - p.lateRequests;
    if (waiting > 0) lines.push({ placementId: p.id, kind: "request", count: waiting });
    if (p.overdueActions > 0) lines.push({ placementId: p.id, kind: "overdue", count: p.overdueActions });
    if (role === "adviser" && p.nextVisit && p.nextVisit <= today)
      lines.push({ placementId: p.id, kind: "visit", count: 1, day: p.nextVisit });
    if (role === "employer" && p.status === "active" && p.lastObservation !== today)
      lines.push({ placementId: p.id, kind: "log", count: 1 });
  }
  return lines;
}

/** «I dag» at the top of the list: each line opens its placement. Nothing waiting: nothing shown. */
export function Today({ placements, role }: { placements: readonly PlacementSummary[]; role: Role | null }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  const lines = todayLines(placements, role);
  if (lines.length === 0) return null;
  const name = new Map(placements.map((p) => [p.id, p.candidateName]));
  const text = (l: TodayLine) => {
    const who = name.get(l.placementId) ?? "";
    switch (l.kind) {
      case "request":
        return t("today.request", { count: l.count, name: who });
      case "late":
        return t("today.late", { count: l.count, name: who });
      case "overdue":
        return t("today.overdue", { count: l.count, name: who });
      case "visit":
        return t("today.visit", { name: who, date: formatDate(l.day, language) });
      case "log":
        return t("today.log", { name: who });
    }
  };
  return (
    <WaitingList heading={t("today.heading")} testId="today" className="full-width">
      {lines.map((l) => (
        <li key={`${l.placementId}:${l.kind}`} data-testid="today-item" data-kind={l.kind}>
          <Link href={href({ name: "placement", id: l.placementId })}>{text(l)}</Link>
        </li>
      ))}
    </WaitingList>
  );
}
