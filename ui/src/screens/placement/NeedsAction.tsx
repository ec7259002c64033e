import { useTranslation } from "react-i18next";
import type { Overview } from "../../bindings/Overview";
import type { Role } from "../../bindings/Role";
import type { TimelineItem } from "../../bindings/TimelineItem";
import { WaitingList } from "../../components/WaitingList";
import { formatDate, todayIso } from "../../format";
import { currentLanguage } from "../../i18n";
import { isOverdue } from "./timeline";
import { entryElement } from "./Timeline";

type Request = Extract<TimelineItem, { kind: "contact_request" }>;
type Action = Extract<TimelineItem, { kind: "action" }>;

/** What this user acts on today, from the overview alone (no command of its own). */
export function needsAction(o: Overview, role: Role | null, today = todayIso()) {
  const open = o.facts.status === "active" || o.facts.status === "planned";
  const requests = o.timeline.filter((i): i is Request => i.kind === "contact_request" && i.status !== "resolved");
  const overdue = o.timeline.filter((i): i is Action => i.kind === "action" && isOverdue(i, today));
  const nextVisit = role === "adviser" && open ? o.facts.nextVisit : null;
  const logMissing = role === "employer" && o.facts.status === "active" && o.facts.lastObservation !== today;
  return { requests, overdue, nextVisit, logMissing };
}

/**
 * The top of the overview: what needs acting on now (requests waiting for an answer, overdue
 * actions, the next visit, today's log), each a step from its place further down. Empty: nothing.
 */
export function NeedsAction({ overview, role }: { overview: Overview; role: Role | null }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  const { requests, overdue, nextVisit, logMissing } = needsAction(overview, role);
  const lines: Array<[string, string]> = [];
  const today = todayIso();
  for (const r of requests) {
    const base =
      role === "adviser" ? t("needsAction.request", { text: r.text }) : t("needsAction.requestWaiting", { text: r.text });
    // While no one has answered: the day to answer by (the placement's working days), or that it passed.
    const due = r.answerBy
      ? r.answerBy < today
        ? t("needsAction.answerLate", { date: formatDate(r.answerBy, language) })
        : t("needsAction.answerBy", { date: formatDate(r.answerBy, language) })
      : "";
    lines.push([r.id, due ? `${base} ${due}` : base]);
  }
  for (const a of overdue) {
    lines.push([a.id, t("needsAction.overdue", { text: a.text, date: formatDate(a.due, language) })]);
  }
  if (nextVisit) lines.push(["next-visit", t("needsAction.nextVisit", { date: formatDate(nextVisit, language) })]);
  if (logMissing) lines.push(["daily-log", t("needsAction.logMissing")]);
  if (lines.length === 0) return null;

  /** Moves to the entry in the timeline (the hash belongs to the router, so no anchor link). */
  function show(id: string) {
    const el = entryElement(id, ["timeline-item"]);
    if (!el) return;
    el.scrollIntoView({ block: "center" });
    el.setAttribute("tabindex", "-1");
    el.focus();
  }

  return (
    <WaitingList heading={t("needsAction.heading")} testId="needs-action">
      {lines.map(([id, text]) => (
        <li key={id} data-testid="needs-action-item">
          {id === "next-visit" || id === "daily-log" ? (
            text
          ) : (
            <button type="button" className="link-button" onClick={() => show(id)}>
              {text}
            </button>
          )}
        </li>
      ))}
    </WaitingList>
  );
}
