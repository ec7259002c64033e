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
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { logObservation } from "../../api";
import { ATTENDANCE, type Attendance } from "../../codes";
import { DateField } from "../../components/DateField";
import { DraftRestored } from "../../components/DraftRestored";
import { FormErrorSummary } from "../../components/FormErrorSummary";
import { charCount, decimalInput, formatDate, parseDecimal, todayIso } from "../../format";
import { currentLanguage } from "../../i18n";
import { draftKey } from "../../hooks/useDraft";
import { useForm, type FieldErrors } from "../../hooks/useForm";
import { FIELD_MAX } from "../../bindings/rules";


const IDS = {
  date: "daily-log-date",
  attendance: "daily-log-attendance-present",
  hours: "daily-log-hours",
  tasksDone: "daily-log-tasks-done",
  wentWell: "daily-log-went-well",
  problem: "daily-log-problem",
  contactMessage: "daily-log-contact-message",
} as const;

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

/** The day's hours as a number: none on an absent day, NaN when it is not a number. */
function hoursOf(v: DailyLogDraft): number {
  return v.attendance === "absent" ? 0 : parseDecimal(v.hours);
}

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
  const [today] = useState(todayIso);
  const tooLong = t("dailyLog.errors.tooLong", { max: FIELD_MAX });
  const beforeStart = t("dailyLog.errors.beforeStart", { start: formatDate(startDate, language) });
  const form = useForm<DailyLogDraft>({
    draftKey: dailyLogDraftKey(placementId),
    initial: {
      date: todayIso(),
      attendance: "present",
      hours: usualHours,
      tasksDone: "",
      wentWell: "",
      problem: "",
      wantsContact: false,
      contactMessage: "",
    },
    ids: IDS,
    validate: (v, problems) => {
      const errors: FieldErrors = {};
      const dateProblem = problems.date;
      if (dateProblem === "after") errors.date = t("dailyLog.errors.future");
      else if (dateProblem === "before") errors.date = beforeStart;
      else if (dateProblem || !v.date) errors.date = t("dailyLog.errors.date");
      else if (v.date > today) errors.date = t("dailyLog.errors.future");
      else if (v.date < startDate) errors.date = beforeStart;
      if (!(ATTENDANCE as readonly string[]).includes(v.attendance)) errors.attendance = t("dailyLog.errors.attendance");
      const hours = hoursOf(v);
      if (!(hours >= 0 && hours <= 24)) errors.hours = t("dailyLog.errors.hours");
      for (const field of ["tasksDone", "wentWell", "problem", "contactMessage"] as const) {
        if (charCount(v[field]) > FIELD_MAX) errors[field] = tooLong;
      }
      return errors;
    },
  });

  const v = form.values;
  const absent = v.attendance === "absent";

  function onAttendance(value: Attendance) {
    // An absent day has no working hours; coming back from "absent" restores a usual day.
    if (value === "absent") form.update({ attendance: value, hours: "0" });
    else if (absent) form.update({ attendance: value, hours: usualHours });
    else form.update({ attendance: value });
  }

  const submit = form.handleSubmit(async () => {
    await logObservation(placementId, {
      date: v.date,
      attendance: v.attendance,
      hours: hoursOf(v),
      tasksDone: v.tasksDone.trim(),
      wentWell: v.wentWell.trim(),
      problem: v.problem.trim(),
      wantsContact: v.wantsContact,
      contactMessage: v.wantsContact ? v.contactMessage.trim() : "",
    });
    onSaved(v.wantsContact);
  });

  return (
    <Box
      padding={{ xs: "space-16", md: "space-24" }}
      background="raised"
      borderRadius="12"
      borderWidth="1"
      borderColor="neutral-subtle"
    >
      <form
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
          {form.restored && <DraftRestored onDiscard={form.clear} />}
          <FormErrorSummary errors={form.summary} attempt={form.attempt} />

          <DateField
            key={form.resetKey}
            id={IDS.date}
            label={t("dailyLog.date")}
            value={v.date}
            fromDate={startDate}
            toDate={today}
            onChange={form.dateChange("date")}
            onBlur={form.touch("date")}
            error={form.error("date")}
            testId="daily-log-date"
          />
          <RadioGroup
            legend={t("dailyLog.attendance")}
            value={v.attendance}
            onChange={onAttendance}
            error={form.error("attendance")}
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
            onChange={(e) => form.update({ hours: e.target.value })}
            onBlur={form.touch("hours")}
            error={form.error("hours")}
            data-testid="daily-log-hours"
          />

          <Textarea
            id={IDS.tasksDone}
            label={t("dailyLog.tasksDone")}
            minRows={2}
            maxLength={FIELD_MAX}
            value={v.tasksDone}
            onChange={(e) => form.update({ tasksDone: e.target.value })}
            error={form.error("tasksDone")}
            data-testid="daily-log-tasks-done"
          />
          <Textarea
            id={IDS.wentWell}
            label={t("dailyLog.wentWell")}
            minRows={2}
            maxLength={FIELD_MAX}
            value={v.wentWell}
            onChange={(e) => form.update({ wentWell: e.target.value })}
            error={form.error("wentWell")}
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
            onChange={(e) => form.update({ problem: e.target.value })}
            error={form.error("problem")}
            data-testid="daily-log-problem"
          />

          <VStack gap="space-8">
            <Checkbox
              checked={v.wantsContact}
              onChange={(e) => form.update({ wantsContact: e.target.checked })}
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
                onChange={(e) => form.update({ contactMessage: e.target.value })}
                error={form.error("contactMessage")}
                data-testid="daily-log-contact-message"
              />
            )}
          </VStack>

          {form.submitError && (
            <Alert variant="error" data-testid="daily-log-error">
              {form.submitError}
            </Alert>
          )}

          <HStack gap="space-16">
            <Button type="submit" loading={form.submitting} data-testid="daily-log-save">
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
