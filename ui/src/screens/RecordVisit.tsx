import { ArrowLeftIcon, PlusIcon, TrashIcon } from "@navikt/aksel-icons";
import {
  Alert,
  BodyLong,
  BodyShort,
  Box,
  Button,
  Fieldset,
  Heading,
  HStack,
  Link,
  Loader,
  Radio,
  RadioGroup,
  Select,
  Textarea,
  TextField,
  VStack,
} from "@navikt/ds-react";
import { useCallback, useRef, useState, type FormEvent, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { placementOverview, recordVisit, toCommandError } from "../api";
import type { Overview } from "../bindings/Overview";
import type { VisitInput } from "../bindings/VisitInput";
import { ACTION_OWNERS, VISIT_KINDS, type ActionOwner } from "../codes";
import { DateField, type DateProblem } from "../components/DateField";
import { FormErrorSummary, type FieldError } from "../components/FormErrorSummary";
import { LoadError } from "../components/LoadError";
import { NavOnlyTag } from "../components/NavOnlyTag";
import { PageTitle } from "../components/PageTitle";
import { charCount, toIsoDate } from "../format";
import { draftKey, useDraft } from "../hooks/useDraft";
import { useLoad } from "../hooks/useLoad";
import { href, navigate } from "../hooks/useRoute";

// The limits the Rust side checks (folgesvenn-domain's validate.rs).
const SHORT_MAX = 200;
const FIELD_MAX = 2000;
const LONG_MAX = 20000;
const ATTENDEES_MAX = 20;
const RATINGS = ["1", "2", "3", "4", "5"] as const;
/** The rating radio for "not asked" (the draft keeps ""). */
const NO_RATING = "none";

const IDS = {
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

type Field = keyof typeof IDS;

/** One agreed action while it is being written; `key` keeps React rows (and their ids) stable. */
interface ActionRow {
  key: string;
  what: string;
  owner: string;
  due: string;
}

type VisitDraft = {
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

function newRow(): ActionRow {
  return { key: crypto.randomUUID(), what: "", owner: "employer", due: "" };
}

function parseRows(text: string): ActionRow[] {
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value)) return [newRow()];
    const rows = value.flatMap((item: unknown): ActionRow[] => {
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
    return rows;
  } catch {
    return [newRow()];
  }
}

/** `HH:MM` of a moment in local time. */
function localTime(date: Date): string {
  return `${String(date.getHours()).padStart(2, "0")}:${String(date.getMinutes()).padStart(2, "0")}`;
}

interface Props {
  placementId: string;
  /** The visit this form corrects (a correction is a new, linked entry). */
  corrects?: string;
}

/** The adviser records a follow-up visit on site: made to be filled in within two minutes. */
export function RecordVisit({ placementId, corrects }: Props) {
  const { t } = useTranslation();
  const load = useCallback(() => placementOverview(placementId), [placementId]);
  const overview = useLoad(load);
  const back = (
    <Link href={href({ name: "placement", id: placementId })} data-testid="back-to-overview">
      <ArrowLeftIcon aria-hidden />
      {t("visit.back")}
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
  return <VisitForm overview={overview.data} corrects={corrects} back={back} />;
}

function VisitForm({ overview: o, corrects, back }: { overview: Overview; corrects?: string; back: ReactNode }) {
  const { t } = useTranslation();
  const placementId = o.id;
  // A correction starts from what the original said (time and summary); the rest is filled in anew.
  const original = corrects
    ? o.timeline.find((item) => item.kind === "visit" && item.id === corrects)
    : undefined;
  // Worked out once, like useState's initial value: the form opens at "now".
  const [initial] = useState<VisitDraft>(() => {
    const originalAt = original ? new Date(original.at) : null;
    const startAt = originalAt && !Number.isNaN(originalAt.getTime()) ? originalAt : new Date();
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
      summary: original?.text ?? "",
      adviserNote: "",
      actions: JSON.stringify([newRow()]),
      nextVisit: "",
    };
  });
  const draft = useDraft<VisitDraft>(visitDraftKey(placementId, corrects), initial);
  const [dateProblems, setDateProblems] = useState<Record<string, DateProblem>>({});
  const [touched, setTouched] = useState<Partial<Record<Field, boolean>>>({});
  const [attempt, setAttempt] = useState(0);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<string | null>(null);
  // Bumped to remount the date fields when the draft is thrown away.
  const [formKey, setFormKey] = useState(0);
  // The row just added: its first field takes focus once it is on screen.
  const focusRow = useRef<string | null>(null);

  const v = draft.value;
  const rows = parseRows(v.actions);
  const attendees = v.attendees
    .split(",")
    .map((a) => a.trim())
    .filter(Boolean);
  const tooLong = (max: number) => t("visit.errors.tooLong", { max });

  const errors: Partial<Record<Field, string>> = {};
  if (dateProblems.date || !v.date) errors.date = t("visit.errors.date");
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
  if (dateProblems.nextVisit) errors.nextVisit = t("visit.errors.nextVisit");

  // Each action row: something to do when it has a due date, a due date that is a date.
  const rowErrors = new Map<string, { what?: string; due?: string }>();
  rows.forEach((row, i) => {
    const e: { what?: string; due?: string } = {};
    if (!row.what.trim() && row.due) e.what = t("visit.errors.actionWhat", { n: i + 1 });
    else if (charCount(row.what) > FIELD_MAX) e.what = tooLong(FIELD_MAX);
    if (dateProblems[`due:${row.key}`]) e.due = t("visit.errors.actionDue", { n: i + 1 });
    if (e.what || e.due) rowErrors.set(row.key, e);
  });

  const shown = (field: Field) => (attempt > 0 || touched[field] ? errors[field] : undefined);
  // On leaving a field, flag what is wrong with what was typed; empty fields wait for the submit.
  const touch = (field: Field) => (e: { currentTarget: { value: string } }) => {
    if (e.currentTarget.value.trim()) setTouched((s) => ({ ...s, [field]: true }));
  };
  const summary: FieldError[] = [
    ...(Object.keys(IDS) as Field[])
      .filter((f) => errors[f])
      .map((f) => ({ id: IDS[f], message: errors[f] ?? "" })),
    ...rows.flatMap((row) => {
      const e = rowErrors.get(row.key);
      const out: FieldError[] = [];
      if (e?.what) out.push({ id: `visit-action-what-${row.key}`, message: e.what });
      if (e?.due) out.push({ id: `visit-action-due-${row.key}`, message: e.due });
      return out;
    }),
  ];

  function setRows(next: ActionRow[]) {
    draft.update({ actions: JSON.stringify(next) });
  }

  function updateRow(key: string, patch: Partial<ActionRow>) {
    setRows(rows.map((row) => (row.key === key ? { ...row, ...patch } : row)));
  }

  function addRow() {
    const row = newRow();
    focusRow.current = row.key;
    setRows([...rows, row]);
  }

  function removeRow(key: string) {
    const next = rows.filter((row) => row.key !== key);
    setRows(next);
    setDateProblems((p) => ({ ...p, [`due:${key}`]: null }));
  }

  function onDate(field: string, patch: (value: string) => Partial<VisitDraft> | null) {
    return (value: string, problem: DateProblem) => {
      const p = patch(value);
      if (p) draft.update(p);
      setDateProblems((s) => ({ ...s, [field]: problem }));
    };
  }

  function discard() {
    draft.clear();
    setDateProblems({});
    setTouched({});
    setAttempt(0);
    setFormKey((k) => k + 1);
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setAttempt((n) => n + 1);
    setSubmitError(null);
    if (summary.length > 0) return;
    setSubmitting(true);
    const rating = (value: string) => (RATINGS as readonly string[]).includes(value) ? Number(value) : null;
    const input: VisitInput = {
      at: new Date(`${v.date}T${v.time}`).toISOString(),
      kind: v.kind,
      place: v.place.trim(),
      attendees,
      summary: v.summary.trim(),
      attendanceSinceLast: v.attendance.trim(),
      taskProgress: v.taskProgress.trim(),
      employerRating: rating(v.employerRating),
      candidateRating: rating(v.candidateRating),
      adviserNote: v.adviserNote.trim(),
      actions: rows
        .filter((row) => row.what.trim())
        .map((row) => ({ what: row.what.trim(), owner: row.owner, due: row.due || null })),
      nextVisit: v.nextVisit || null,
      corrects: corrects ?? null,
    };
    try {
      await recordVisit(placementId, input);
      draft.clear();
      navigate({ name: "placement", id: placementId }, { replace: true });
    } catch (error) {
      setSubmitError(toCommandError(error).message);
      setSubmitting(false);
    }
  }

  const ratingGroup = (field: "employerRating" | "candidateRating", testId: string) => (
    <RadioGroup
      legend={t(field === "employerRating" ? "visit.employerRating" : "visit.candidateRating")}
      description={t("visit.ratingDescription")}
      value={v[field] || NO_RATING}
      onChange={(value: string) => draft.update({ [field]: value === NO_RATING ? "" : value })}
      data-testid={testId}
    >
      <HStack gap="space-4 space-12" wrap>
        {[NO_RATING, ...RATINGS].map((value) => (
          <Radio key={value} value={value} id={`${testId}-${value}`} data-testid={`${testId}-${value}`}>
            {value === NO_RATING ? t("visit.ratingNone") : value}
          </Radio>
        ))}
      </HStack>
    </RadioGroup>
  );

  return (
    <VStack gap="space-24" paddingBlock="space-32" className="form-narrow">
      {back}
      {/* Date fields read their value when they mount: a restored draft mounts the form anew. */}
      <form onSubmit={submit} noValidate data-testid="visit-form" key={`${formKey}:${draft.restored}`}>
        <VStack gap="space-24">
          <VStack gap="space-8">
            <PageTitle>{corrects ? t("visit.correctHeading") : t("visit.heading")}</PageTitle>
            <BodyShort textColor="subtle" data-testid="visit-context">
              {t("visit.context", { candidate: o.facts.candidateName, employer: o.facts.employerName })}
            </BodyShort>
          </VStack>
          {corrects ? (
            <Alert variant="info" data-testid="visit-correction-info">
              <VStack gap="space-8">
                <BodyLong>{t("visit.correctIntro")}</BodyLong>
                {original && <BodyLong>{t("visit.correctPrefilled")}</BodyLong>}
              </VStack>
            </Alert>
          ) : (
            <BodyLong>{t("visit.intro")}</BodyLong>
          )}
          {draft.restored && (
            <Alert variant="info" size="small" data-testid="draft-restored">
              <VStack gap="space-8" align="start">
                {t("app.draftRestored")}
                <Button type="button" size="small" variant="tertiary" onClick={discard}>
                  {t("app.discardDraft")}
                </Button>
              </VStack>
            </Alert>
          )}
          <FormErrorSummary errors={summary} attempt={attempt} />

          <FormSection id="visit-when" title={t("visit.whenSection")}>
            <HStack gap="space-16" align="start" wrap>
              <DateField
                id={IDS.date}
                label={t("visit.date")}
                value={v.date}
                onChange={onDate("date", (date) => ({ date }))}
                onBlur={touch("date")}
                error={shown("date")}
                testId="visit-date"
              />
              <TextField
                id={IDS.time}
                type="time"
                label={t("visit.time")}
                value={v.time}
                onChange={(e) => draft.update({ time: e.target.value })}
                onBlur={touch("time")}
                error={shown("time")}
                data-testid="visit-time"
              />
            </HStack>
            <Select
              id={IDS.kind}
              label={t("visit.kind")}
              value={v.kind}
              onChange={(e) => draft.update({ kind: e.target.value })}
              error={shown("kind")}
              data-testid="visit-kind"
            >
              {VISIT_KINDS.map((kind) => (
                <option key={kind} value={kind}>
                  {t(`visitKind.${kind}`)}
                </option>
              ))}
            </Select>
            <TextField
              id={IDS.place}
              label={
                <>
                  {t("visit.place")} ({t("app.optional")})
                </>
              }
              autoComplete="off"
              value={v.place}
              onChange={(e) => draft.update({ place: e.target.value })}
              onBlur={touch("place")}
              error={shown("place")}
              data-testid="visit-place"
            />
            <TextField
              id={IDS.attendees}
              label={
                <>
                  {t("visit.attendees")} ({t("app.optional")})
                </>
              }
              description={t("visit.attendeesDescription")}
              autoComplete="off"
              value={v.attendees}
              onChange={(e) => draft.update({ attendees: e.target.value })}
              onBlur={touch("attendees")}
              error={shown("attendees")}
              data-testid="visit-attendees"
            />
          </FormSection>

          <FormSection id="visit-check-in" title={t("visit.checkInSection")}>
            <Textarea
              id={IDS.attendance}
              label={
                <>
                  {t("visit.attendance")} ({t("app.optional")})
                </>
              }
              description={t("visit.attendanceDescription")}
              minRows={2}
              maxLength={FIELD_MAX}
              value={v.attendance}
              onChange={(e) => draft.update({ attendance: e.target.value })}
              error={shown("attendance")}
              data-testid="visit-attendance"
            />
            <Textarea
              id={IDS.taskProgress}
              label={
                <>
                  {t("visit.taskProgress")} ({t("app.optional")})
                </>
              }
              minRows={2}
              maxLength={FIELD_MAX}
              value={v.taskProgress}
              onChange={(e) => draft.update({ taskProgress: e.target.value })}
              error={shown("taskProgress")}
              data-testid="visit-task-progress"
            />
            {ratingGroup("employerRating", "visit-employer-rating")}
            {ratingGroup("candidateRating", "visit-candidate-rating")}
          </FormSection>

          <FormSection id="visit-summary-section" title={t("visit.summarySection")}>
            <Textarea
              id={IDS.summary}
              label={t("visit.summary")}
              description={t("visit.summaryDescription")}
              minRows={4}
              maxLength={LONG_MAX}
              value={v.summary}
              onChange={(e) => draft.update({ summary: e.target.value })}
              error={shown("summary")}
              data-testid="visit-summary"
            />
            <Box
              padding="space-16"
              background="warning-soft"
              borderColor="warning-subtle"
              borderWidth="2"
              borderRadius="12"
              data-testid="visit-adviser-note-box"
            >
              <VStack gap="space-12">
                <div>
                  <NavOnlyTag />
                </div>
                <Textarea
                  id={IDS.adviserNote}
                  label={
                    <>
                      {t("visit.adviserNote")} ({t("app.optional")})
                    </>
                  }
                  description={t("visit.adviserNoteDescription")}
                  minRows={3}
                  maxLength={LONG_MAX}
                  value={v.adviserNote}
                  onChange={(e) => draft.update({ adviserNote: e.target.value })}
                  error={shown("adviserNote")}
                  data-testid="visit-adviser-note"
                />
              </VStack>
            </Box>
          </FormSection>

          <FormSection id="visit-actions" title={t("visit.actionsSection")} description={t("visit.actionsDescription")}>
            <ol className="plain-list" data-testid="visit-actions">
              {rows.map((row, i) => {
                const e = rowErrors.get(row.key);
                const show = attempt > 0;
                return (
                  <li key={row.key} data-testid="visit-action">
                    <Box
                      padding="space-16"
                      background="raised"
                      borderRadius="12"
                      borderWidth="1"
                      borderColor="neutral-subtle"
                    >
                      <Fieldset legend={t("visit.actionLegend", { n: i + 1 })} size="small">
                        <VStack gap="space-12">
                          <TextField
                            id={`visit-action-what-${row.key}`}
                            ref={(el) => {
                              if (el && focusRow.current === row.key) {
                                focusRow.current = null;
                                el.focus();
                              }
                            }}
                            label={t("visit.actionWhat")}
                            autoComplete="off"
                            value={row.what}
                            onChange={(ev) => updateRow(row.key, { what: ev.target.value })}
                            error={show ? e?.what : undefined}
                            data-testid="visit-action-what"
                          />
                          <HStack gap="space-16" align="start" wrap>
                            <Select
                              id={`visit-action-owner-${row.key}`}
                              label={t("visit.actionOwner")}
                              value={row.owner}
                              onChange={(ev) => updateRow(row.key, { owner: ev.target.value })}
                              data-testid="visit-action-owner"
                            >
                              {ACTION_OWNERS.map((owner: ActionOwner) => (
                                <option key={owner} value={owner}>
                                  {t(`actionOwner.${owner}`)}
                                </option>
                              ))}
                            </Select>
                            <DateField
                              id={`visit-action-due-${row.key}`}
                              label={
                                <>
                                  {t("visit.actionDue")} ({t("app.optional")})
                                </>
                              }
                              value={row.due}
                              onChange={onDate(`due:${row.key}`, (due) => {
                                updateRow(row.key, { due });
                                return null;
                              })}
                              error={show ? e?.due : undefined}
                              testId="visit-action-due"
                            />
                          </HStack>
                          <div>
                            <Button
                              type="button"
                              size="small"
                              variant="tertiary"
                              icon={<TrashIcon aria-hidden />}
                              onClick={() => removeRow(row.key)}
                              data-testid="visit-remove-action"
                            >
                              {t("visit.removeAction", { n: i + 1 })}
                            </Button>
                          </div>
                        </VStack>
                      </Fieldset>
                    </Box>
                  </li>
                );
              })}
            </ol>
            <div>
              <Button
                type="button"
                variant="secondary"
                size="small"
                icon={<PlusIcon aria-hidden />}
                onClick={addRow}
                data-testid="visit-add-action"
              >
                {t("visit.addAction")}
              </Button>
            </div>
          </FormSection>

          <FormSection id="visit-next-section" title={t("visit.nextSection")}>
            <DateField
              id={IDS.nextVisit}
              label={
                <>
                  {t("visit.nextVisit")} ({t("app.optional")})
                </>
              }
              value={v.nextVisit}
              onChange={onDate("nextVisit", (nextVisit) => ({ nextVisit }))}
              onBlur={touch("nextVisit")}
              error={shown("nextVisit")}
              testId="visit-next"
            />
          </FormSection>

          {submitError && (
            <Alert variant="error" data-testid="visit-error">
              {submitError}
            </Alert>
          )}

          <HStack gap="space-16" wrap>
            <Button type="submit" loading={submitting} data-testid="visit-submit">
              {corrects ? t("visit.submitCorrection") : t("visit.submit")}
            </Button>
            <Button
              as="a"
              variant="secondary"
              href={href({ name: "placement", id: placementId })}
              data-testid="visit-cancel"
            >
              {t("app.cancel")}
            </Button>
          </HStack>
        </VStack>
      </form>
    </VStack>
  );
}

/** A titled group of fields (h2), so the form reads in a few short steps. */
function FormSection({
  id,
  title,
  description,
  children,
}: {
  id: string;
  title: string;
  description?: string;
  children: ReactNode;
}) {
  return (
    <VStack as="section" gap="space-16" aria-labelledby={`${id}-heading`}>
      <VStack gap="space-4">
        <Heading level="2" size="small" id={`${id}-heading`}>
          {title}
        </Heading>
        {description && <BodyShort textColor="subtle">{description}</BodyShort>}
      </VStack>
      {children}
    </VStack>
  );
}
