import { Alert, BodyLong, Box, Button, Heading, HStack, Select, VStack } from "@navikt/ds-react";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { closePlacement } from "../../api";
import { CLOSE_REASONS, codeLabel } from "../../codes";
import { EMPLOYER_ACCESS_DAYS } from "../../bindings/rules";
import { DateField } from "../../components/DateField";
import { formatDate, todayIso } from "../../format";
import { currentLanguage } from "../../i18n";
import { useForm, type FieldErrors } from "../../hooks/useForm";
import { useErrorText } from "../../errorText";

/** How a placement is closed: ended (it ran its course) or cancelled (it stopped early, or never began). */
export type CloseKind = "ended" | "cancelled";

const IDS = {
  date: "lifecycle-date",
  reason: "lifecycle-reason",
} as const;

interface Props {
  kind: CloseKind;
  placementId: string;
  /** `YYYY-MM-DD`: a placement cannot end before it started (cancelling it can). */
  startDate: string;
  onSaved: () => void;
  onCancel: () => void;
}

/** The day and the reason for ending or cancelling; the employer keeps access 12 weeks after that day. */
export function CloseForm({ kind, placementId, startDate, onSaved, onCancel }: Props) {
  const { t } = useTranslation();
  const language = currentLanguage();
  const failureText = useErrorText();
  const [today] = useState(todayIso);
  const formHeading = useRef<HTMLHeadingElement>(null);
  const mustFollowStart = kind === "ended";
  const beforeStart = t("lifecycle.errors.beforeStart", { start: formatDate(startDate, language) });
  // Two fields, no draft: a submit with errors focuses the first wrong one, its message beside it.
  const form = useForm({
    initial: { date: today, reason: "" },
    ids: IDS,
    onInvalid: "field",
    validate: ({ date, reason }, problems) => {
      const errors: FieldErrors = {};
      const dateProblem = problems.date;
      if (dateProblem === "after") errors.date = t("lifecycle.errors.future");
      else if (dateProblem === "before") errors.date = beforeStart;
      else if (dateProblem || !date) errors.date = t("lifecycle.errors.date");
      else if (date > today) errors.date = t("lifecycle.errors.future");
      else if (mustFollowStart && date < startDate) errors.date = beforeStart;
      if (!(CLOSE_REASONS as readonly string[]).includes(reason)) errors.reason = t("lifecycle.errors.reason");
      return errors;
    },
    failureMessage: failureText,
  });
  const { date, reason } = form.values;

  // Opened by a button: move focus into the form.
  useEffect(() => {
    formHeading.current?.focus();
  }, []);

  const submit = form.handleSubmit(async () => {
    await closePlacement(placementId, { status: kind, on: date, reason });
    onSaved();
  });

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
            onChange={form.dateChange("date")}
            error={form.error("date")}
            testId="lifecycle-date"
          />
          <Select
            id={IDS.reason}
            label={t("lifecycle.reason")}
            description={t("lifecycle.reasonDescription")}
            size="small"
            value={reason}
            onChange={(e) => form.update({ reason: e.target.value })}
            error={form.error("reason")}
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
            <BodyLong size="small">{t("lifecycle.accessHint", { weeks: EMPLOYER_ACCESS_DAYS / 7 })}</BodyLong>
          </Alert>
          {form.submitError && (
            <Alert variant="error" size="small" role="alert" data-testid="lifecycle-form-error">
              {form.submitError}
            </Alert>
          )}
          <HStack gap="space-8" wrap>
            <Button type="submit" size="small" loading={form.submitting} data-testid="lifecycle-save">
              {t("lifecycle.save")}
            </Button>
            <Button
              type="button"
              size="small"
              variant="tertiary"
              disabled={form.submitting}
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
