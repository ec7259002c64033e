import { ArrowLeftIcon, PencilWritingIcon } from "@navikt/aksel-icons";
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
  Tag,
  VStack,
} from "@navikt/ds-react";
import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { loadDraft, placementOverview } from "../api";
import type { FieldConflict } from "../bindings/FieldConflict";
import type { Overview } from "../bindings/Overview";
import type { PlanItem } from "../bindings/PlanItem";
import type { Role } from "../bindings/Role";
import type { TimelineItem } from "../bindings/TimelineItem";
import { codeLabel, fieldPathLabel, statusColor, timelineStatusList, type CodeList } from "../codes";
import { LoadError } from "../components/LoadError";
import { PageTitle } from "../components/PageTitle";
import { formatDate, formatNumber, parseIsoDate } from "../format";
import { currentLanguage, type Language } from "../i18n";
import { useLoad } from "../hooks/useLoad";
import { href } from "../hooks/useRoute";
import { useDataVersion } from "../sync";
import { DailyLogForm, dailyLogDraftKey } from "./DailyLogForm";


/** One placement: facts, plan, conflicts and what happened, newest first. */
export function PlacementOverview({ id, role }: { id: string; role: Role | null }) {
  const { t } = useTranslation();
  const dataVersion = useDataVersion();
  const load = useCallback(() => placementOverview(id), [id]);
  const overview = useLoad(load, dataVersion);
  // An unsaved daily log (after a crash, or a closed window) opens the form again at once.
  const [logOpen, setLogOpen] = useState(false);
  useEffect(() => {
    let live = true;
    loadDraft(dailyLogDraftKey(id))
      .then((text) => {
        if (live && text !== null) setLogOpen(true);
      })
      .catch(() => {
        // No draft: the form stays closed.
      });
    return () => {
      live = false;
    };
  }, [id]);
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
        <Facts overview={o} />
      </VStack>

      {overview.error && <LoadError error={overview.error} onRetry={overview.reload} />}

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
        <PlanSection
          title={t("overview.trainingPlan")}
          items={o.trainingPlan}
          testId="overview-training-plan"
          statusList="taskStatus"
          detail={(item) => datesIn(item.detail, currentLanguage())}
          ordered
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

      <Timeline items={o.timeline} />
    </VStack>
  );
}

function Facts({ overview: o }: { overview: Overview }) {
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
  if (f.closedOn) rows.push([t("overview.closedOn"), formatDate(f.closedOn, language), "overview-closed-on"]);
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

/** The training plan's detail is "responsible · 2026-12-01": show the date as a date. */
function datesIn(text: string | null, language: Language): string {
  if (!text) return "";
  return text
    .split(" · ")
    .map((part) => (parseIsoDate(part) ? formatDate(part, language) : part))
    .join(" · ");
}

interface PlanSectionProps {
  title: string;
  items: PlanItem[];
  testId: string;
  detail: (item: PlanItem) => string;
  statusList?: CodeList;
  ordered?: boolean;
}

function PlanSection({ title, items, testId, detail, statusList, ordered }: PlanSectionProps) {
  const { t } = useTranslation();
  const List = ordered ? "ol" : "ul";
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
          <List className="plain-list">
            {items.map((item) => {
              const d = detail(item);
              return (
                <li key={item.id} data-testid="plan-item">
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
          </List>
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

function Timeline({ items }: { items: TimelineItem[] }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  // Newest first, whatever order the command gave.
  const sorted = [...items].sort((a, b) => timeOf(b.at) - timeOf(a.at));
  return (
    <VStack as="section" gap="space-16" aria-labelledby="timeline-heading" data-testid="overview-timeline">
      <Heading level="2" size="medium" id="timeline-heading">
        {t("overview.timeline")}
      </Heading>
      {sorted.length === 0 ? (
        <BodyShort textColor="subtle">{t("overview.timelineEmpty")}</BodyShort>
      ) : (
        <ol className="timeline">
          {sorted.map((item) => {
            const statusList = timelineStatusList(item.kind);
            return (
              <li
                key={`${item.kind}:${item.id}`}
                className="timeline__item"
                data-kind={item.kind}
                data-testid="timeline-item"
              >
                <VStack gap="space-4">
                  <HStack gap="space-8" align="center" wrap>
                    <Tag size="xsmall" variant="moderate" data-color={KIND_COLOR[item.kind] ?? "neutral"}>
                      {codeLabel(t, "kind", item.kind)}
                    </Tag>
                    <Detail as="time" dateTime={item.at} textColor="subtle" data-testid="timeline-date">
                      {formatDate(item.at, language)}
                    </Detail>
                    {statusList && item.status && (
                      <Tag size="xsmall" variant="outline" data-testid="timeline-status">
                        {codeLabel(t, statusList, item.status)}
                      </Tag>
                    )}
                  </HStack>
                  {item.text && (
                    <BodyLong className="pre-line" data-testid="timeline-text">
                      {item.text}
                    </BodyLong>
                  )}
                </VStack>
              </li>
            );
          })}
        </ol>
      )}
    </VStack>
  );
}

function timeOf(at: string): number {
  const day = parseIsoDate(at);
  const ms = day ? day.getTime() : new Date(at).getTime();
  return Number.isNaN(ms) ? 0 : ms;
}
