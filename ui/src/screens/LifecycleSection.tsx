import { ArrowUndoIcon, PlayIcon } from "@navikt/aksel-icons";
import { Alert, BodyLong, BodyShort, Box, Button, Heading, HStack, Select, VStack } from "@navikt/ds-react";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { activatePlacement, closePlacement, reopenPlacement, toCommandError } from "../api";
import type { PlacementFacts } from "../bindings/PlacementFacts";
import { CLOSE_REASONS, codeLabel } from "../codes";
import { DateField, type DateProblem } from "../components/DateField";
import { formatDate, todayIso } from "../format";
import { currentLanguage } from "../i18n";

/** How a placement is closed: ended (it ran its course) or cancelled (it stopped early, or never began). */
type CloseKind = "ended" | "cancelled";

/** What the last successful action was, for the confirmation. */
type Done = "activated" | "ended" | "cancelled" | "reopened";

const SAVED_KEY = {
  activated: "lifecycle.savedActivated",
  ended: "lifecycle.savedEnded",
  cancelled: "lifecycle.savedCancelled",
  reopened: "lifecycle.savedReopened",
} as const;

/** The error kinds of these commands that have their own sentence in the UI. */
const KNOWN_ERRORS = [
  "in_future",
  "before_placement_start",
  "status_transition",
  "reopen_too_late",
  "unknown_choice",
  "invalid_date",
  "out_of_range",
] as const;
type KnownError = (typeof KNOWN_ERRORS)[number];

function isKnownError(kind: string): kind is KnownError {
  return (KNOWN_ERRORS as readonly string[]).includes(kind);
}

/** A command's error as a sentence: the UI's own for the kinds it knows, else the Rust side's. */
function useFailureText() {
  const { t } = useTranslation();
  return (error: unknown): string => {
    const e = toCommandError(error);
    return isKnownError(e.kind) ? t(`errors.${e.kind}`) : t("lifecycle.failed", { message: e.message });
  };
}

const IDS = {
  date: "lifecycle-date",
  reason: "lifecycle-reason",
} as const;

interface Props {
  placementId: string;
  facts: PlacementFacts;
  /** The placement's status changed: load the overview again. */
  onChanged: () => void;
}

/**
 * "Start og slutt", for the adviser: start a planned placement, end or cancel it (a day and a
 * reason, which the employer sees), and reopen it while the employer still has access.
 */
export function LifecycleSection({ placementId, facts, onChanged }: Props) {
  const { t } = useTranslation();
  const language = currentLanguage();
  const failureText = useFailureText();
  const [form, setForm] = useState<CloseKind | null>(null);
  const [busy, setBusy] = useState<"activate" | "reopen" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<Done | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const endButton = useRef<HTMLButtonElement>(null);
  const cancelButton = useRef<HTMLButtonElement>(null);

  // After an action the buttons change: put focus on the heading, the confirmation right below it.
  useEffect(() => {
    if (done) heading.current?.focus();
  }, [done]);

  const status = facts.status;
  const closed = status === "ended" || status === "cancelled";
  const accessEnds = facts.employerAccessEnds;
  const canReopen = closed && accessEnds !== null && todayIso() <= accessEnds;

  function open(kind: CloseKind) {
    setDone(null);
    setError(null);
    setForm(kind);
  }

  async function run(action: "activate" | "reopen") {
    setBusy(action);
    setError(null);
    setDone(null);
    try {
      if (action === "activate") await activatePlacement(placementId);
      else await reopenPlacement(placementId);
      setDone(action === "activate" ? "activated" : "reopened");
      onChanged();
    } catch (e) {
      setError(failureText(e));
    } finally {
      setBusy(null);
    }
  }

  return (
    <Box
      as="section"
      padding="space-16"
      background="raised"
      borderRadius="12"
      borderWidth="1"
      borderColor="neutral-subtle"
      aria-labelledby="lifecycle-heading"
      data-testid="lifecycle"
      data-status={status}
    >
      <VStack gap="space-12">
        <Heading level="2" size="small" id="lifecycle-heading" ref={heading} tabIndex={-1}>
          {t("lifecycle.heading")}
        </Heading>
        {done && !form && (
          <Alert variant="success" size="small" role="status" data-testid="lifecycle-saved">
            {t(SAVED_KEY[done])}
          </Alert>
        )}
        {error && (
          <Alert variant="error" size="small" role="alert" data-testid="lifecycle-error">
            {error}
          </Alert>
        )}

        {status === "planned" && !form && (
          <BodyShort textColor="subtle">{t("lifecycle.introPlanned")}</BodyShort>
        )}
        {status === "active" && !form && <BodyShort textColor="subtle">{t("lifecycle.introActive")}</BodyShort>}

        {(status === "planned" || status === "active") &&
          (form ? (
            <CloseForm
              kind={form}
              placementId={placementId}
              startDate={facts.startDate}
              onSaved={() => {
                setDone(form);
                setForm(null);
                onChanged();
              }}
              onCancel={() => {
                const opener = form === "ended" ? endButton : cancelButton;
                setForm(null);
                // The form is gone: put focus back on the button that opened it.
                window.setTimeout(() => opener.current?.focus(), 0);
              }}
            />
          ) : (
            <HStack gap="space-8" wrap>
              {status === "planned" && (
                <Button
                  type="button"
                  size="small"
                  icon={<PlayIcon aria-hidden />}
                  loading={busy === "activate"}
                  disabled={busy !== null}
                  onClick={() => void run("activate")}
                  data-testid="lifecycle-activate"
                >
                  {t("lifecycle.activate")}
                </Button>
              )}
              {status === "active" && (
                <Button
                  ref={endButton}
                  type="button"
                  size="small"
                  variant="secondary"
                  disabled={busy !== null}
                  onClick={() => open("ended")}
                  data-testid="lifecycle-end"
                >
                  {t("lifecycle.end")}
                </Button>
              )}
              <Button
                ref={cancelButton}
                type="button"
                size="small"
                variant="secondary"
                disabled={busy !== null}
                onClick={() => open("cancelled")}
                data-testid="lifecycle-cancel"
              >
                {t("lifecycle.cancel")}
              </Button>
            </HStack>
          ))}

        {closed && (
          <VStack gap="space-8" data-testid="lifecycle-closed">
            <VStack gap="space-2">
              {facts.closedOn && (
                <BodyShort data-testid="lifecycle-closed-on">
                  {t(status === "cancelled" ? "lifecycle.closedOnCancelled" : "lifecycle.closedOnEnded", {
                    date: formatDate(facts.closedOn, language),
                  })}
                </BodyShort>
              )}
              {facts.closedReason && (
                <BodyShort data-testid="lifecycle-closed-reason">
                  {t("lifecycle.reasonShown", { reason: codeLabel(t, "closeReason", facts.closedReason) })}
                </BodyShort>
              )}
              {accessEnds && (
                <BodyShort data-testid="lifecycle-access-ends">
                  {t(canReopen ? "lifecycle.accessUntil" : "lifecycle.accessEnded", {
                    date: formatDate(accessEnds, language),
                  })}
                </BodyShort>
              )}
            </VStack>
            {canReopen ? (
              <>
                <BodyShort size="small" textColor="subtle">
                  {t("lifecycle.reopenHint")}
                </BodyShort>
                <div>
                  <Button
                    type="button"
                    size="small"
                    variant="secondary"
                    icon={<ArrowUndoIcon aria-hidden />}
                    loading={busy === "reopen"}
                    disabled={busy !== null}
                    onClick={() => void run("reopen")}
                    data-testid="lifecycle-reopen"
                  >
                    {t("lifecycle.reopen")}
                  </Button>
                </div>
              </>
            ) : (
              accessEnds && (
                <BodyShort size="small" textColor="subtle" data-testid="lifecycle-reopen-too-late">
                  {t("lifecycle.reopenTooLate")}
                </BodyShort>
              )
            )}
          </VStack>
        )}
      </VStack>
    </Box>
  );
}

interface CloseFormProps {
  kind: CloseKind;
  placementId: string;
  /** `YYYY-MM-DD`: a placement cannot end before it started (cancelling it can). */
  startDate: string;
  onSaved: () => void;
  onCancel: () => void;
}

/** The day and the reason for ending or cancelling; the employer keeps access 12 weeks after that day. */
function CloseForm({ kind, placementId, startDate, onSaved, onCancel }: CloseFormProps) {
  const { t } = useTranslation();
  const language = currentLanguage();
  const failureText = useFailureText();
  const [today] = useState(todayIso);
  const [date, setDate] = useState(today);
  const [dateProblem, setDateProblem] = useState<DateProblem>(null);
  const [reason, setReason] = useState("");
  const [attempt, setAttempt] = useState(0);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const formHeading = useRef<HTMLHeadingElement>(null);
  const mustFollowStart = kind === "ended";

  // Opened by a button: move focus into the form.
  useEffect(() => {
    formHeading.current?.focus();
  }, []);

  const beforeStart = t("lifecycle.errors.beforeStart", { start: formatDate(startDate, language) });
  const errors: { date?: string; reason?: string } = {};
  if (dateProblem === "after") errors.date = t("lifecycle.errors.future");
  else if (dateProblem === "before") errors.date = beforeStart;
  else if (dateProblem || !date) errors.date = t("lifecycle.errors.date");
  else if (date > today) errors.date = t("lifecycle.errors.future");
  else if (mustFollowStart && date < startDate) errors.date = beforeStart;
  if (!(CLOSE_REASONS as readonly string[]).includes(reason)) errors.reason = t("lifecycle.errors.reason");
  const shown = (field: keyof typeof errors) => (attempt > 0 ? errors[field] : undefined);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setAttempt((n) => n + 1);
    setSubmitError(null);
    // Two fields: the first one that is wrong takes focus, its message beside it.
    const wrong = (["date", "reason"] as const).find((field) => errors[field]);
    if (wrong) {
      document.getElementById(IDS[wrong])?.focus();
      return;
    }
    setSubmitting(true);
    try {
      await closePlacement(placementId, { status: kind, on: date, reason });
      onSaved();
    } catch (error) {
      setSubmitError(failureText(error));
      setSubmitting(false);
    }
  }

  const headingText = kind === "ended" ? t("lifecycle.end") : t("lifecycle.cancel");
  return (
    <Box padding="space-12" background="neutral-soft" borderRadius="8">
      <form
        onSubmit={submit}
        noValidate
        aria-labelledby="lifecycle-form-heading"
        data-testid="lifecycle-form"
        data-kind={kind}
      >
        <VStack gap="space-16">
          <Heading level="3" size="xsmall" id="lifecycle-form-heading" ref={formHeading} tabIndex={-1}>
            {headingText}
          </Heading>
          <DateField
            id={IDS.date}
            label={kind === "ended" ? t("lifecycle.dateEnd") : t("lifecycle.dateCancel")}
            description={t("lifecycle.dateDescription")}
            value={date}
            fromDate={mustFollowStart ? startDate : undefined}
            toDate={today}
            onChange={(value, problem) => {
              setDate(value);
              setDateProblem(problem);
            }}
            error={shown("date")}
            testId="lifecycle-date"
          />
          <Select
            id={IDS.reason}
            label={t("lifecycle.reason")}
            description={t("lifecycle.reasonDescription")}
            size="small"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            error={shown("reason")}
            aria-required
            data-testid="lifecycle-reason"
          >
            <option value="">{t("lifecycle.reasonChoose")}</option>
            {CLOSE_REASONS.map((code) => (
              <option key={code} value={code}>
                {codeLabel(t, "closeReason", code)}
              </option>
            ))}
          </Select>
          <Alert variant="info" size="small" inline data-testid="lifecycle-access-hint">
            <BodyLong size="small">{t("lifecycle.accessHint")}</BodyLong>
          </Alert>
          {submitError && (
            <Alert variant="error" size="small" role="alert" data-testid="lifecycle-form-error">
              {submitError}
            </Alert>
          )}
          <HStack gap="space-8" wrap>
            <Button type="submit" size="small" loading={submitting} data-testid="lifecycle-save">
              {t("lifecycle.save")}
            </Button>
            <Button
              type="button"
              size="small"
              variant="tertiary"
              disabled={submitting}
              onClick={onCancel}
              data-testid="lifecycle-form-cancel"
            >
              {t("lifecycle.close")}
            </Button>
          </HStack>
        </VStack>
      </form>
    </Box>
  );
}
