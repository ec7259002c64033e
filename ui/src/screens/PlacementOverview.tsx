import { ArrowLeftIcon, CheckmarkIcon, EyeIcon, PencilIcon, PencilWritingIcon } from "@navikt/aksel-icons";
import {
  Alert,
  BodyLong,
  BodyShort,
  Box,
  Button,
  Detail,
  Heading,
  HGrid,
  HStack,
  Link,
  Loader,
  ReadMore,
  Tag,
  Textarea,
  VStack,
} from "@navikt/ds-react";
import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import {
  acknowledgeRequest,
  placementOverview,
  resolveRequest,
  setActionStatus,
  toCommandError,
} from "../api";
import type { FieldConflict } from "../bindings/FieldConflict";
import type { Overview } from "../bindings/Overview";
import type { PlanItem } from "../bindings/PlanItem";
import type { Role } from "../bindings/Role";
import type { TimelineItem } from "../bindings/TimelineItem";
import {
  ACTION_STATUSES,
  ACTION_STATUSES_OPEN,
  codeLabel,
  fieldPathLabel,
  statusColor,
  timelineStatusList,
  type CodeList,
} from "../codes";
import { LoadError } from "../components/LoadError";
import { NavOnlyTag } from "../components/NavOnlyTag";
import { PageTitle } from "../components/PageTitle";
import { StatusSelect } from "../components/StatusSelect";
import { charCount, formatDate, formatNumber, formatShortDate, parseIsoDate, todayIso } from "../format";
import { currentLanguage } from "../i18n";
import { draftKey, useDraft, useOpenIfDraft } from "../hooks/useDraft";
import { useLoad } from "../hooks/useLoad";
import { usePaintMark } from "../hooks/usePaintMark";
import { href } from "../hooks/useRoute";
import { useSyncRevision } from "../sync";
import { DailyLogForm, dailyLogDraftKey } from "./DailyLogForm";
import { InviteEmployer } from "./InviteEmployer";
import { LifecycleSection } from "./LifecycleSection";
import { NoteForm } from "./NoteForm";
import { SyncLogSection } from "./SyncLogSection";
import { MembersSection } from "./MembersSection";
import { TrainingPlanSection } from "./TrainingPlanSection";

/** What the Rust side accepts as an answer to a contact request. */
const RESOLUTION_MAX = 2000;

/** One placement: facts, plan, conflicts and what happened, newest first. */
export function PlacementOverview({ id, role }: { id: string; role: Role | null }) {
  const { t } = useTranslation();
  const dataVersion = useSyncRevision();
  const load = useCallback(() => placementOverview(id), [id]);
  const overview = useLoad(load, dataVersion);
  usePaintMark("painted:overview", overview.data !== undefined, id);
  // An unsaved daily log (after a crash, or a closed window) opens the form again at once.
  const [logOpen, setLogOpen] = useState(false);
  useOpenIfDraft(dailyLogDraftKey(id), setLogOpen);
  const [saved, setSaved] = useState<"plain" | "withRequest" | null>(null);
  // Opened by the button (not restored on load): move focus into the form.
  const [focusForm, setFocusForm] = useState(false);
  const openButton = useRef<HTMLButtonElement>(null);

  // After saving, the form is gone: put focus back on its button, with the confirmation above it.
  useEffect(() => {
    if (saved) openButton.current?.focus();
  }, [saved]);

  const back = (
    <Link href={href({ name: "list" })} data-testid="back-to-list">
      <ArrowLeftIcon aria-hidden />
      {t("overview.back")}
    </Link>
  );

  if (!overview.data) {
    return (
      <VStack gap="space-24" paddingBlock="space-32">
        {back}
        {overview.error ? (
          overview.error.kind === "unknown_placement" ? (
            <Alert variant="warning">{t("overview.notFound")}</Alert>
          ) : (
            <LoadError error={overview.error} onRetry={overview.reload} />
          )
        ) : (
          <Loader size="large" title={t("app.loading")} />
        )}
      </VStack>
    );
  }

  const o = overview.data;
  return (
    <VStack gap="space-32" paddingBlock="space-32" data-testid="placement-overview" data-placement-id={o.id}>
      <VStack gap="space-16">
        {back}
        <HStack gap="space-12" align="center" wrap>
          <PageTitle testId="overview-candidate-name">{o.facts.candidateName}</PageTitle>
          <Tag variant="moderate" data-color={statusColor(o.facts.status)} data-testid="overview-status">
            {codeLabel(t, "status", o.facts.status)}
          </Tag>
        </HStack>
        {role === "employer" && o.facts.employerAccessEnds && (
          <AccessEnds status={o.facts.status} accessEnds={o.facts.employerAccessEnds} />
        )}
        <Facts overview={o} role={role} />
      </VStack>

      {overview.error && <LoadError error={overview.error} onRetry={overview.reload} />}

      {role === "adviser" && (
        <HStack gap="space-16" wrap>
          <Button
            as="a"
            href={href({ name: "visit", id: o.id })}
            icon={<PencilWritingIcon aria-hidden />}
            data-testid="record-visit"
          >
            {t("overview.recordVisit")}
          </Button>
        </HStack>
      )}

      {role === "employer" && (
        <VStack gap="space-16">
          {saved && !logOpen && (
            <Alert variant="success" size="small" data-testid="daily-log-saved" role="status">
              {saved === "withRequest" ? t("dailyLog.savedWithRequest") : t("dailyLog.saved")}
            </Alert>
          )}
          {logOpen ? (
            <DailyLogForm
              placementId={o.id}
              startDate={o.facts.startDate}
              hoursPerWeek={o.facts.hoursPerWeek}
              autoFocus={focusForm}
              onSaved={(wantsContact) => {
                setLogOpen(false);
                setSaved(wantsContact ? "withRequest" : "plain");
                overview.reload();
              }}
              onCancel={() => {
                setLogOpen(false);
                setFocusForm(false);
              }}
            />
          ) : (
            <div>
              <Button
                ref={openButton}
                icon={<PencilWritingIcon aria-hidden />}
                onClick={() => {
                  setSaved(null);
                  setFocusForm(true);
                  setLogOpen(true);
                }}
                data-testid="daily-log-open"
              >
                {t("dailyLog.open")}
              </Button>
            </div>
          )}
        </VStack>
      )}

      {o.conflicts.length > 0 && <Conflicts conflicts={o.conflicts} />}

      <HGrid columns={{ xs: 1, md: 2 }} gap="space-24">
        <PlanSection
          title={t("overview.goals")}
          items={o.goals}
          testId="overview-goals"
          detail={(item) => codeLabel(t, "goalCategory", item.detail)}
        />
        <TrainingPlanSection
          placementId={o.id}
          items={o.trainingPlan}
          onChanged={overview.reload}
          canAdd={role === "adviser"}
        />
        <PlanSection
          title={t("overview.adaptations")}
          items={o.adaptations}
          testId="overview-adaptations"
          statusList="adaptationStatus"
          detail={(item) => formatDate(item.detail, currentLanguage())}
        />
        <PlanSection
          title={t("overview.contactPersons")}
          items={o.contactPersons}
          testId="overview-contact-persons"
          detail={(item) => item.detail ?? ""}
        />
      </HGrid>

      <Timeline items={o.timeline} placementId={o.id} role={role} onChanged={overview.reload} />

      {role === "adviser" && (
        <LifecycleSection key={o.id} placementId={o.id} facts={o.facts} onChanged={overview.reload} />
      )}
      {role === "adviser" && <InviteEmployer placementId={o.id} />}
      {role === "adviser" && <MembersSection placementId={o.id} refresh={dataVersion} />}

      <SyncLogSection placementId={o.id} refresh={dataVersion} />
    </VStack>
  );
}

/**
 * For the employer, once the placement is ended or cancelled: how long this device keeps it. The
 * relay refuses employer devices after that day, and the device deletes the placement.
 */
function AccessEnds({ status, accessEnds }: { status: string; accessEnds: string }) {
  const { t } = useTranslation();
  const date = formatDate(accessEnds, currentLanguage());
  const over = todayIso() > accessEnds;
  return (
    <Alert variant={over ? "warning" : "info"} data-testid="access-ends" data-date={accessEnds}>
      {over
        ? t("overview.accessEnded", { date })
        : status === "cancelled"
          ? t("overview.accessEndsCancelled", { date })
          : t("overview.accessEndsEnded", { date })}
    </Alert>
  );
}

function Facts({ overview: o, role }: { overview: Overview; role: Role | null }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  const f = o.facts;
  const period = f.endDate
    ? t("period.range", { start: formatDate(f.startDate, language), end: formatDate(f.endDate, language) })
    : t("period.from", { start: formatDate(f.startDate, language) });
  const rows: Array<[string, ReactNode, string]> = [
    [
      t("overview.employer"),
      <>
        {f.employerName}
        <Detail as="span" textColor="subtle">
          {" "}
          ({t("overview.orgNumber")} {f.employerOrg})
        </Detail>
      </>,
      "overview-employer",
    ],
    [t("overview.measure"), codeLabel(t, "measure", f.measure), "overview-measure"],
    [t("overview.period"), period, "overview-period"],
    [t("overview.hoursPerWeek"), formatNumber(f.hoursPerWeek, language), "overview-hours"],
    [t("overview.adviser"), f.adviserName, "overview-adviser"],
  ];
  if (f.closedOn) {
    const label = f.status === "cancelled" ? t("overview.cancelledOn") : t("overview.closedOn");
    rows.push([label, formatDate(f.closedOn, language), "overview-closed-on"]);
  }
  if (f.closedReason) {
    rows.push([t("overview.closedReason"), codeLabel(t, "closeReason", f.closedReason), "overview-closed-reason"]);
  }
  if (role === "employer" && f.employerAccessEnds) {
    rows.push([t("overview.accessEnds"), formatDate(f.employerAccessEnds, language), "overview-access-ends"]);
  }
  return (
    <Box padding="space-16" background="raised" borderRadius="12" borderWidth="1" borderColor="neutral-subtle">
      <dl className="facts" aria-label={t("overview.facts")}>
        {rows.map(([label, value, testId]) => (
          <div key={testId}>
            <dt>{label}</dt>
            <dd data-testid={testId}>{value}</dd>
          </div>
        ))}
      </dl>
    </Box>
  );
}

interface PlanSectionProps {
  title: string;
  items: PlanItem[];
  testId: string;
  detail: (item: PlanItem) => string;
  statusList?: CodeList;
}

function PlanSection({ title, items, testId, detail, statusList }: PlanSectionProps) {
  const { t } = useTranslation();
  return (
    <Box
      as="section"
      padding="space-16"
      background="raised"
      borderRadius="12"
      borderWidth="1"
      borderColor="neutral-subtle"
      aria-label={title}
      data-testid={testId}
    >
      <VStack gap="space-12">
        <Heading level="2" size="small">
          {title}
        </Heading>
        {items.length === 0 ? (
          <BodyShort textColor="subtle">{t("overview.nothingYet")}</BodyShort>
        ) : (
          <ul className="plain-list">
            {items.map((item) => {
              const d = detail(item);
              return (
                <li key={item.id} data-testid="plan-item" data-status={item.status ?? undefined}>
                  <HStack gap="space-8" justify="space-between" align="start" wrap={false}>
                    <VStack gap="space-0">
                      <BodyShort className="pre-line">{item.text}</BodyShort>
                      {d && <Detail textColor="subtle">{d}</Detail>}
                    </VStack>
                    {statusList && item.status && (
                      <Tag size="xsmall" variant="moderate" data-color={planStatusColor(item.status)}>
                        {codeLabel(t, statusList, item.status)}
                      </Tag>
                    )}
                  </HStack>
                </li>
              );
            })}
          </ul>
        )}
      </VStack>
    </Box>
  );
}

function planStatusColor(status: string) {
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

function Conflicts({ conflicts }: { conflicts: FieldConflict[] }) {
  const { t } = useTranslation();
  return (
    <Alert variant="warning" data-testid="overview-conflicts">
      <VStack gap="space-12">
        <Heading level="2" size="small">
          {t("overview.conflicts")}
        </Heading>
        <BodyLong>{t("overview.conflictsIntro")}</BodyLong>
        <ul className="plain-list">
          {conflicts.map((c) => (
            <li key={c.path.join("/")} data-testid="conflict">
              <BodyShort weight="semibold" title={c.path.join("/")}>
                {fieldPathLabel(t, c.path)}
              </BodyShort>
              <ul>
                {c.values.map((value, i) => (
                  <li key={i}>
                    <BodyShort className="pre-line">
                      <span className="visually-hidden">{t("overview.conflictValue", { n: i + 1 })}: </span>
                      {value}
                    </BodyShort>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      </VStack>
    </Alert>
  );
}

const KIND_COLOR: Record<string, "accent" | "info" | "warning" | "neutral" | "success" | "meta-purple"> = {
  visit: "accent",
  observation: "info",
  contact_request: "warning",
  action: "success",
  note: "neutral",
  adviser_note: "meta-purple",
};

interface TimelineProps {
  items: TimelineItem[];
  placementId: string;
  role: Role | null;
  /** Something was changed from the timeline (a request answered): load the overview again. */
  onChanged: () => void;
}

/** Entries drawn at first; a three-year placement has hundreds, and drawing them all made opening slow. */
const TIMELINE_PAGE = 40;

function Timeline({ items, placementId, role, onChanged }: TimelineProps) {
  const { t } = useTranslation();
  const [shown, setShown] = useState(TIMELINE_PAGE);
  // Newest first, whatever order the command gave.
  const sorted = [...items].sort((a, b) => timeOf(b.at) - timeOf(a.at));
  const hidden = sorted.length - shown;
  return (
    <VStack as="section" gap="space-16" aria-labelledby="timeline-heading" data-testid="overview-timeline">
      <Heading level="2" size="medium" id="timeline-heading">
        {t("overview.timeline")}
      </Heading>
      <NoteForm key={placementId} placementId={placementId} role={role} onSaved={onChanged} />
      {sorted.length === 0 ? (
        <BodyShort textColor="subtle">{t("overview.timelineEmpty")}</BodyShort>
      ) : (
        <ol className="timeline">
          {sorted.slice(0, shown).map((item) => (
            <li
              key={`${item.kind}:${item.id}`}
              className="timeline__item"
              data-kind={item.kind}
              data-status={item.status ?? undefined}
              data-id={item.id}
              data-testid="timeline-item"
            >
              <TimelineEntry item={item} placementId={placementId} role={role} onChanged={onChanged} />
            </li>
          ))}
        </ol>
      )}
      {hidden > 0 && (
        <div>
          <Button
            variant="secondary"
            size="small"
            onClick={() => setShown((n) => n + 4 * TIMELINE_PAGE)}
            data-testid="timeline-more"
          >
            {t("overview.timelineMore", { count: hidden })}
          </Button>
        </div>
      )}
    </VStack>
  );
}

function TimelineEntry({
  item,
  placementId,
  role,
  onChanged,
}: {
  item: TimelineItem;
  placementId: string;
  role: Role | null;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const language = currentLanguage();
  const statusList = timelineStatusList(item.kind);
  const isRequest = item.kind === "contact_request";
  const isVisit = item.kind === "visit";
  const isAction = item.kind === "action";
  const overdue = isAction && isOverdue(item);
  return (
    <VStack gap="space-4">
      <HStack gap="space-8" align="center" wrap>
        <Tag size="xsmall" variant="moderate" data-color={KIND_COLOR[item.kind] ?? "neutral"}>
          {codeLabel(t, "kind", item.kind)}
        </Tag>
        {item.kind === "adviser_note" && <NavOnlyTag size="xsmall" />}
        <Detail as="time" dateTime={item.at} textColor="subtle" data-testid="timeline-date">
          {formatDate(item.at, language)}
        </Detail>
        {isRequest && item.status ? (
          <Tag
            size="xsmall"
            variant="moderate"
            data-color={requestColor(item.status)}
            data-status={item.status}
            data-testid="request-status"
          >
            {codeLabel(t, "requestStatus", item.status)}
          </Tag>
        ) : (
          !isAction &&
          statusList &&
          item.status && (
            <Tag
              size="xsmall"
              variant="outline"
              data-color={isVisit ? "accent" : "neutral"}
              data-testid="timeline-status"
            >
              {codeLabel(t, statusList, item.status)}
            </Tag>
          )
        )}
        {overdue && (
          <Tag size="xsmall" variant="strong" data-color="warning" data-testid="action-overdue">
            {t("overview.actionOverdue")}
          </Tag>
        )}
      </HStack>
      {item.text && (
        <BodyLong className="pre-line" data-testid="timeline-text">
          {item.text}
        </BodyLong>
      )}
      {(item.kind === "note" || item.kind === "adviser_note") && item.detail && (
        <Detail textColor="subtle" data-testid="note-author">
          {t("note.by", { name: item.detail })}
        </Detail>
      )}
      {isAction && (
        <HStack gap="space-8" justify="space-between" align="center" wrap>
          {(item.detail || item.doneAt) && (
            <Detail textColor="subtle" data-testid="action-detail">
              {[
                item.detail ? t("overview.actionOwner", { owner: codeLabel(t, "actionOwner", item.detail) }) : "",
                item.doneAt ? t("overview.actionDue", { date: formatShortDate(item.doneAt, language) }) : "",
              ]
                .filter(Boolean)
                .join(" · ")}
            </Detail>
          )}
          {/* The employer sets the status of the actions it owns; the rest are the adviser's. */}
          {(role === "adviser" || item.detail === "employer") && (
          <StatusSelect
            label={t("overview.actionStatusLabel", { what: item.text })}
            status={item.status}
            codes={ACTION_STATUSES}
            list="actionStatus"
            save={(status) => setActionStatus(placementId, item.id, status)}
            onSaved={onChanged}
            testId="action-status"
            errorTestId="action-status-error"
          />
          )}
        </HStack>
      )}
      {isVisit && item.status === "corrected" && (
        <Detail textColor="subtle">{t("overview.correctedHelp")}</Detail>
      )}
      {isVisit && item.status === "correction" && (
        <ReadMore header={t("overview.history")} size="small" data-testid="visit-history">
          <VStack gap="space-4">
            <BodyShort size="small">
              {item.detail ? t("overview.historyIntro") : t("overview.historyEmpty")}
            </BodyShort>
            {item.detail && (
              <BodyLong size="small" className="pre-line" data-testid="visit-history-text">
                {item.detail}
              </BodyLong>
            )}
          </VStack>
        </ReadMore>
      )}
      {isVisit && role === "adviser" && item.status !== "corrected" && (
        <div>
          <Button
            as="a"
            size="xsmall"
            variant="tertiary"
            icon={<PencilIcon aria-hidden />}
            href={href({ name: "correctVisit", id: placementId, visitId: item.id })}
            aria-label={t("overview.correctVisitLabel", { date: formatDate(item.at, language) })}
            data-testid="visit-correct"
          >
            {t("overview.correctVisit")}
          </Button>
        </div>
      )}
      {isRequest && <RequestFollowUp item={item} placementId={placementId} role={role} onChanged={onChanged} />}
    </VStack>
  );
}

/** An action still to do whose due date has passed. */
function isOverdue(item: TimelineItem): boolean {
  const open = (ACTION_STATUSES_OPEN as readonly string[]).includes(item.status ?? "");
  return open && item.doneAt !== null && parseIsoDate(item.doneAt) !== undefined && item.doneAt < todayIso();
}

function requestColor(status: string) {
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

/** "2 t 15 min": how long a request waited, in plain words. */
function durationText(t: ReturnType<typeof useTranslation>["t"], ms: number): string {
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

/** A contact request's answer (time taken, resolution), and the adviser's buttons while it is open. */
function RequestFollowUp({
  item,
  placementId,
  role,
  onChanged,
}: {
  item: TimelineItem;
  placementId: string;
  role: Role | null;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const taken = item.doneAt ? Date.parse(item.doneAt) - Date.parse(item.at) : Number.NaN;
  return (
    <VStack gap="space-8">
      {!Number.isNaN(taken) && (
        <Detail textColor="subtle" data-testid="request-time-taken">
          {item.status === "resolved"
            ? t("overview.answeredAfter", { duration: durationText(t, taken) })
            : t("overview.seenAfter", { duration: durationText(t, taken) })}
        </Detail>
      )}
      {item.detail && (
        <Box padding="space-12" background="success-soft" borderRadius="8">
          <VStack gap="space-4">
            <Detail weight="semibold">{t("overview.resolutionHeading")}</Detail>
            <BodyLong size="small" className="pre-line" data-testid="request-resolution-text">
              {item.detail}
            </BodyLong>
          </VStack>
        </Box>
      )}
      {role === "adviser" && (item.status === "open" || item.status === "acknowledged") && (
        <RequestActions requestId={item.id} placementId={placementId} open={item.status === "open"} onChanged={onChanged} />
      )}
    </VStack>
  );
}

function RequestActions({
  requestId,
  placementId,
  open,
  onChanged,
}: {
  requestId: string;
  placementId: string;
  /** Not yet seen: "Marker som sett" is offered too. */
  open: boolean;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  // The answer is kept as a draft while it is typed, like every other form.
  const draft = useDraft(draftKey("request-resolution", requestId), { resolution: "" });
  const [busy, setBusy] = useState<"acknowledge" | "resolve" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const resolution = draft.value.resolution;
  const tooLong = charCount(resolution) > RESOLUTION_MAX;
  const fieldId = `request-resolution-${requestId}`;

  async function run(action: "acknowledge" | "resolve") {
    if (action === "resolve" && tooLong) return;
    setBusy(action);
    setError(null);
    try {
      if (action === "acknowledge") {
        await acknowledgeRequest(placementId, requestId);
      } else {
        await resolveRequest(placementId, requestId, resolution.trim());
        draft.clear();
      }
      setBusy(null);
      onChanged();
    } catch (e) {
      setError(toCommandError(e).message);
      setBusy(null);
    }
  }

  return (
    <Box
      padding="space-12"
      background="neutral-soft"
      borderRadius="8"
      data-testid="request-actions"
    >
      <VStack gap="space-12">
        {open && (
          <div>
            <Button
              size="small"
              variant="secondary"
              icon={<EyeIcon aria-hidden />}
              loading={busy === "acknowledge"}
              disabled={busy !== null}
              onClick={() => void run("acknowledge")}
              data-testid="request-acknowledge"
            >
              {t("request.acknowledge")}
            </Button>
          </div>
        )}
        <Textarea
          id={fieldId}
          label={t("request.resolution")}
          description={t("request.resolutionDescription")}
          size="small"
          minRows={2}
          maxLength={RESOLUTION_MAX}
          value={resolution}
          onChange={(e) => draft.update({ resolution: e.target.value })}
          error={tooLong ? t("request.tooLong", { max: RESOLUTION_MAX }) : undefined}
          data-testid="request-resolution"
        />
        <div>
          <Button
            size="small"
            icon={<CheckmarkIcon aria-hidden />}
            loading={busy === "resolve"}
            disabled={busy !== null}
            onClick={() => void run("resolve")}
            data-testid="request-resolve"
          >
            {t("request.resolve")}
          </Button>
        </div>
        {error && (
          <Alert variant="error" size="small" data-testid="request-error">
            {error}
          </Alert>
        )}
      </VStack>
    </Box>
  );
}

function timeOf(at: string): number {
  const day = parseIsoDate(at);
  const ms = day ? day.getTime() : new Date(at).getTime();
  return Number.isNaN(ms) ? 0 : ms;
}
