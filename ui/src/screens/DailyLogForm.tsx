import {
  Alert,
  BodyShort,
  Box,
  Button,
  Checkbox,
  Heading,
  HStack,
  Radio,
  RadioGroup,
  Textarea,
  TextField,
  VStack,
} from "@navikt/ds-react";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { logObservation, toCommandError } from "../api";
import { ATTENDANCE, type Attendance } from "../codes";
import { DateField, type DateProblem } from "../components/DateField";
import { FormErrorSummary, type FieldError } from "../components/FormErrorSummary";
import { charCount, decimalInput, formatDate, parseDecimal, todayIso } from "../format";
import { currentLanguage } from "../i18n";
import { draftKey, useDraft } from "../hooks/useDraft";

const FIELD_MAX = 2000;

const IDS = {
  date: "daily-log-date",
  attendance: "daily-log-attendance-present",
  hours: "daily-log-hours",
  tasksDone: "daily-log-tasks-done",
  wentWell: "daily-log-went-well",
  problem: "daily-log-problem",
  contactMessage: "daily-log-contact-message",
} as const;

type Field = keyof typeof IDS;

type DailyLogDraft = {
  date: string;
  attendance: string;
  hours: string;
  tasksDone: string;
  wentWell: string;
  problem: string;
  wantsContact: boolean;
  contactMessage: string;
};

export function dailyLogDraftKey(placementId: string): string {
  return draftKey("daily-log", placementId);
}

interface Props {
  placementId: string;
  /** The placement's first day: no log before it. */
  startDate: string;
  hoursPerWeek: number;
  /** Move focus to the form's heading when it opens. */
  autoFocus?: boolean;
  onSaved: (wantsContact: boolean) => void;
  onCancel: () => void;
}

/** The employer's daily log: made to be filled in well under a minute. */
export function DailyLogForm({ placementId, startDate, hoursPerWeek, autoFocus, onSaved, onCancel }: Props) {
  const { t } = useTranslation();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (autoFocus) heading.current?.focus();
  }, [autoFocus]);
  const language = currentLanguage();
  // A normal day's hours, as a starting point the employer corrects when the day was different.
  const usualHours = hoursPerWeek > 0 ? decimalInput(Math.round((hoursPerWeek / 5) * 2) / 2, language) : "";
  const draft = useDraft<DailyLogDraft>(dailyLogDraftKey(placementId), {
    date: todayIso(),
    attendance: "present",
    hours: usualHours,
    tasksDone: "",
    wentWell: "",
    problem: "",
    wantsContact: false,
    contactMessage: "",
  });
  const [dateProblem, setDateProblem] = useState<DateProblem>(null);
  const [touched, setTouched] = useState<Partial<Record<Field, boolean>>>({});
  const [attempt, setAttempt] = useState(0);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [today] = useState(todayIso);
  // Bumped to remount the date field when the draft is thrown away.
  const [formKey, setFormKey] = useState(0);

  const v = draft.value;
  const absent = v.attendance === "absent";
  const hours = absent ? 0 : parseDecimal(v.hours);
  const tooLong = t("dailyLog.errors.tooLong", { max: FIELD_MAX });

  const errors: Partial<Record<Field, string>> = {};
  if (dateProblem === "after") errors.date = t("dailyLog.errors.future");
  else if (dateProblem === "before")
    errors.date = t("dailyLog.errors.beforeStart", { start: formatDate(startDate, language) });
  else if (dateProblem || !v.date) errors.date = t("dailyLog.errors.date");
  else if (v.date > today) errors.date = t("dailyLog.errors.future");
  else if (v.date < startDate)
    errors.date = t("dailyLog.errors.beforeStart", { start: formatDate(startDate, language) });
  if (!(ATTENDANCE as readonly string[]).includes(v.attendance)) errors.attendance = t("dailyLog.errors.attendance");
  if (!(hours >= 0 && hours <= 24)) errors.hours = t("dailyLog.errors.hours");
  for (const field of ["tasksDone", "wentWell", "problem", "contactMessage"] as const) {
    if (charCount(v[field]) > FIELD_MAX) errors[field] = tooLong;
  }

  const shown = (field: Field) => (attempt > 0 || touched[field] ? errors[field] : undefined);
  // On leaving a field, flag what is wrong with what was typed; empty fields wait for the submit.
  const touch = (field: Field) => (e: { currentTarget: { value: string } }) => {
    if (e.currentTarget.value.trim()) setTouched((s) => ({ ...s, [field]: true }));
  };
  const summary: FieldError[] = (Object.keys(IDS) as Field[])
    .filter((f) => errors[f])
    .map((f) => ({ id: IDS[f], message: errors[f] ?? "" }));

  function onAttendance(value: Attendance) {
    // An absent day has no working hours; coming back from "absent" restores a usual day.
    if (value === "absent") draft.update({ attendance: value, hours: "0" });
    else if (absent) draft.update({ attendance: value, hours: usualHours });
    else draft.update({ attendance: value });
  }

  function discard() {
    draft.clear();
    setDateProblem(null);
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
    try {
      await logObservation(placementId, {
        date: v.date,
        attendance: v.attendance,
        hours,
        tasksDone: v.tasksDone.trim(),
        wentWell: v.wentWell.trim(),
        problem: v.problem.trim(),
        wantsContact: v.wantsContact,
        contactMessage: v.wantsContact ? v.contactMessage.trim() : "",
      });
      draft.clear();
      onSaved(v.wantsContact);
    } catch (error) {
      setSubmitError(toCommandError(error).message);
      setSubmitting(false);
    }
  }

  return (
    <Box
      padding={{ xs: "space-16", md: "space-24" }}
      background="raised"
      borderRadius="12"
      borderWidth="1"
      borderColor="neutral-subtle"
    >
      <form
        key={formKey}
        onSubmit={submit}
        noValidate
        aria-labelledby="daily-log-heading"
        data-testid="daily-log-form"
      >
        <VStack gap="space-20">
          <VStack gap="space-4">
            <Heading level="2" size="medium" id="daily-log-heading" ref={heading} tabIndex={-1}>
              {t("dailyLog.heading")}
            </Heading>
            <BodyShort textColor="subtle">{t("dailyLog.intro")}</BodyShort>
          </VStack>
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

          <DateField
            id={IDS.date}
            label={t("dailyLog.date")}
            value={v.date}
            fromDate={startDate}
            toDate={today}
            onChange={(value, problem) => {
              draft.update({ date: value });
              setDateProblem(problem);
            }}
            onBlur={touch("date")}
            error={shown("date")}
            testId="daily-log-date"
          />
          <RadioGroup
            legend={t("dailyLog.attendance")}
            value={v.attendance}
            onChange={onAttendance}
            error={shown("attendance")}
            data-testid="daily-log-attendance"
          >
            <HStack gap="space-4 space-24" wrap>
              {ATTENDANCE.map((code) => (
                <Radio
                  key={code}
                  id={`daily-log-attendance-${code}`}
                  value={code}
                  data-testid={`daily-log-attendance-${code}`}
                >
                  {t(`attendance.${code}`)}
                </Radio>
              ))}
            </HStack>
          </RadioGroup>
          <TextField
            id={IDS.hours}
            label={t("dailyLog.hours")}
            inputMode="decimal"
            autoComplete="off"
            htmlSize={5}
            value={absent ? "0" : v.hours}
            disabled={absent}
            onChange={(e) => draft.update({ hours: e.target.value })}
            onBlur={touch("hours")}
            error={shown("hours")}
            data-testid="daily-log-hours"
          />

          <Textarea
            id={IDS.tasksDone}
            label={t("dailyLog.tasksDone")}
            minRows={2}
            maxLength={FIELD_MAX}
            value={v.tasksDone}
            onChange={(e) => draft.update({ tasksDone: e.target.value })}
            error={shown("tasksDone")}
            data-testid="daily-log-tasks-done"
          />
          <Textarea
            id={IDS.wentWell}
            label={t("dailyLog.wentWell")}
            minRows={2}
            maxLength={FIELD_MAX}
            value={v.wentWell}
            onChange={(e) => draft.update({ wentWell: e.target.value })}
            error={shown("wentWell")}
            data-testid="daily-log-went-well"
          />
          <Textarea
            id={IDS.problem}
            label={
              <>
                {t("dailyLog.problem")} ({t("app.optional")})
              </>
            }
            description={t("dailyLog.problemDescription")}
            minRows={2}
            maxLength={FIELD_MAX}
            value={v.problem}
            onChange={(e) => draft.update({ problem: e.target.value })}
            error={shown("problem")}
            data-testid="daily-log-problem"
          />

          <VStack gap="space-8">
            <Checkbox
              checked={v.wantsContact}
              onChange={(e) => draft.update({ wantsContact: e.target.checked })}
              data-testid="daily-log-wants-contact"
            >
              {t("dailyLog.wantsContact")}
            </Checkbox>
            {v.wantsContact && (
              <Textarea
                id={IDS.contactMessage}
                label={
                  <>
                    {t("dailyLog.contactMessage")} ({t("app.optional")})
                  </>
                }
                minRows={2}
                maxLength={FIELD_MAX}
                value={v.contactMessage}
                onChange={(e) => draft.update({ contactMessage: e.target.value })}
                error={shown("contactMessage")}
                data-testid="daily-log-contact-message"
              />
            )}
          </VStack>

          {submitError && (
            <Alert variant="error" data-testid="daily-log-error">
              {submitError}
            </Alert>
          )}

          <HStack gap="space-16">
            <Button type="submit" loading={submitting} data-testid="daily-log-save">
              {t("dailyLog.submit")}
            </Button>
            <Button type="button" variant="secondary" onClick={onCancel} data-testid="daily-log-cancel">
              {t("app.cancel")}
            </Button>
          </HStack>
        </VStack>
      </form>
    </Box>
  );
}
