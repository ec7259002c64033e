import { ArrowLeftIcon } from "@navikt/aksel-icons";
import {
  Alert,
  BodyLong,
  Button,
  Heading,
  HStack,
  Link,
  Select,
  TextField,
  VStack,
} from "@navikt/ds-react";
import { useState, type FormEvent, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { createPlacement, toCommandError } from "../api";
import { MEASURES } from "../codes";
import { DateField, type DateProblem } from "../components/DateField";
import { FormErrorSummary, type FieldError } from "../components/FormErrorSummary";
import { PageTitle } from "../components/PageTitle";
import { charCount, isValidOrgNumber, parseDecimal, todayIso } from "../format";
import { draftKey, useDraft } from "../hooks/useDraft";
import { href, navigate } from "../hooks/useRoute";

const SHORT_MAX = 200;

const IDS = {
  candidateName: "placement-candidate-name",
  employerName: "placement-employer-name",
  employerOrgNumber: "placement-employer-org-number",
  workplaceAddress: "placement-workplace-address",
  measure: "placement-measure",
  startDate: "placement-start-date",
  endDate: "placement-end-date",
  hoursPerWeek: "placement-hours-per-week",
} as const;

type Field = keyof typeof IDS;

/** The adviser opens a placement (oppfølgingsløp). */
export function NewPlacement() {
  const { t } = useTranslation();
  const draft = useDraft(draftKey("new-placement"), {
    candidateName: "",
    employerName: "",
    employerOrgNumber: "",
    workplaceAddress: "",
    measure: "",
    startDate: todayIso(),
    endDate: "",
    hoursPerWeek: "",
  });
  // Bumped to remount the date fields when the draft is thrown away.
  const [formKey, setFormKey] = useState(0);
  const [dateProblems, setDateProblems] = useState<{ startDate: DateProblem; endDate: DateProblem }>({
    startDate: null,
    endDate: null,
  });
  const [touched, setTouched] = useState<Partial<Record<Field, boolean>>>({});
  const [attempt, setAttempt] = useState(0);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<string | null>(null);

  const v = draft.value;
  const hours = parseDecimal(v.hoursPerWeek);
  const tooLong = t("newPlacement.errors.tooLong", { max: SHORT_MAX });

  const errors: Partial<Record<Field, string>> = {};
  if (!v.candidateName.trim()) errors.candidateName = t("newPlacement.errors.candidateName");
  else if (charCount(v.candidateName) > SHORT_MAX) errors.candidateName = tooLong;
  if (!v.employerName.trim()) errors.employerName = t("newPlacement.errors.employerName");
  else if (charCount(v.employerName) > SHORT_MAX) errors.employerName = tooLong;
  if (!isValidOrgNumber(v.employerOrgNumber.trim())) errors.employerOrgNumber = t("newPlacement.errors.orgNumber");
  if (charCount(v.workplaceAddress) > SHORT_MAX) errors.workplaceAddress = tooLong;
  if (!(MEASURES as readonly string[]).includes(v.measure)) errors.measure = t("newPlacement.errors.measure");
  if (dateProblems.startDate) errors.startDate = t("newPlacement.errors.date");
  else if (!v.startDate) errors.startDate = t("newPlacement.errors.startDate");
  if (dateProblems.endDate) errors.endDate = t("newPlacement.errors.date");
  else if (v.endDate && v.startDate && v.endDate < v.startDate)
    errors.endDate = t("newPlacement.errors.endBeforeStart");
  if (!(hours >= 0.5 && hours <= 60)) errors.hoursPerWeek = t("newPlacement.errors.hours");

  const shown = (field: Field) => (attempt > 0 || touched[field] ? errors[field] : undefined);
  // On leaving a field, flag what is wrong with what was typed; empty fields wait for the submit.
  const touch = (field: Field) => (e: { currentTarget: { value: string } }) => {
    if (e.currentTarget.value.trim()) setTouched((s) => ({ ...s, [field]: true }));
  };
  const summary: FieldError[] = (Object.keys(IDS) as Field[])
    .filter((f) => errors[f])
    .map((f) => ({ id: IDS[f], message: errors[f] ?? "" }));

  function onDate(field: "startDate" | "endDate") {
    return (value: string, problem: DateProblem) => {
      draft.update({ [field]: value });
      setDateProblems((p) => ({ ...p, [field]: problem }));
    };
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setAttempt((n) => n + 1);
    setSubmitError(null);
    if (summary.length > 0) return;
    setSubmitting(true);
    try {
      const id = await createPlacement({
        candidateName: v.candidateName.trim(),
        employerName: v.employerName.trim(),
        employerOrgNumber: v.employerOrgNumber.replace(/\s/g, ""),
        workplaceAddress: v.workplaceAddress.trim(),
        measure: v.measure,
        startDate: v.startDate,
        endDate: v.endDate || null,
        hoursPerWeek: hours,
      });
      draft.clear();
      navigate({ name: "placement", id }, { replace: true });
    } catch (error) {
      setSubmitError(toCommandError(error).message);
      setSubmitting(false);
    }
  }

  function discard() {
    draft.clear();
    setDateProblems({ startDate: null, endDate: null });
    setTouched({});
    setAttempt(0);
    setFormKey((k) => k + 1);
  }

  return (
    <VStack gap="space-24" paddingBlock="space-32" className="form-narrow">
      <Link href={href({ name: "list" })} data-testid="back-to-list">
        <ArrowLeftIcon aria-hidden />
        {t("overview.back")}
      </Link>
      <form onSubmit={submit} noValidate data-testid="new-placement-form" key={formKey}>
        <VStack gap="space-24">
          <PageTitle>{t("newPlacement.heading")}</PageTitle>
          <BodyLong>{t("newPlacement.intro")}</BodyLong>
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

          <FormSection id="candidateSection" title={t("newPlacement.candidateSection")}>
            <TextField
              id={IDS.candidateName}
              label={t("newPlacement.candidateName")}
              description={t("newPlacement.candidateNameDescription")}
              autoComplete="off"
              value={v.candidateName}
              onChange={(e) => draft.update({ candidateName: e.target.value })}
              onBlur={touch("candidateName")}
              error={shown("candidateName")}
              data-testid="new-placement-candidate-name"
            />
          </FormSection>

          <FormSection id="employerSection" title={t("newPlacement.employerSection")}>
            <TextField
              id={IDS.employerName}
              label={t("newPlacement.employerName")}
              autoComplete="organization"
              value={v.employerName}
              onChange={(e) => draft.update({ employerName: e.target.value })}
              onBlur={touch("employerName")}
              error={shown("employerName")}
              data-testid="new-placement-employer-name"
            />
            <TextField
              id={IDS.employerOrgNumber}
              label={t("newPlacement.employerOrgNumber")}
              description={t("newPlacement.employerOrgNumberDescription")}
              inputMode="numeric"
              autoComplete="off"
              htmlSize={12}
              value={v.employerOrgNumber}
              onChange={(e) => draft.update({ employerOrgNumber: e.target.value })}
              onBlur={touch("employerOrgNumber")}
              error={shown("employerOrgNumber")}
              data-testid="new-placement-org-number"
            />
            <TextField
              id={IDS.workplaceAddress}
              label={
                <>
                  {t("newPlacement.workplaceAddress")} ({t("app.optional")})
                </>
              }
              autoComplete="street-address"
              value={v.workplaceAddress}
              onChange={(e) => draft.update({ workplaceAddress: e.target.value })}
              onBlur={touch("workplaceAddress")}
              error={shown("workplaceAddress")}
              data-testid="new-placement-workplace-address"
            />
          </FormSection>

          <FormSection id="measureSection" title={t("newPlacement.measureSection")}>
            <Select
              id={IDS.measure}
              label={t("newPlacement.measure")}
              value={v.measure}
              onChange={(e) => draft.update({ measure: e.target.value })}
              onBlur={touch("measure")}
              error={shown("measure")}
              data-testid="new-placement-measure"
            >
              <option value="">{t("newPlacement.measureChoose")}</option>
              {MEASURES.map((m) => (
                <option key={m} value={m}>
                  {t(`measure.${m}`)}
                </option>
              ))}
            </Select>
            <HStack gap="space-16" align="start" wrap>
              <DateField
                id={IDS.startDate}
                label={t("newPlacement.startDate")}
                value={v.startDate}
                onChange={onDate("startDate")}
                onBlur={touch("startDate")}
                error={shown("startDate")}
                testId="new-placement-start-date"
              />
              <DateField
                id={IDS.endDate}
                label={
                  <>
                    {t("newPlacement.endDate")} ({t("app.optional")})
                  </>
                }
                value={v.endDate}
                onChange={onDate("endDate")}
                onBlur={touch("endDate")}
                error={shown("endDate")}
                testId="new-placement-end-date"
              />
            </HStack>
            <TextField
              id={IDS.hoursPerWeek}
              label={t("newPlacement.hoursPerWeek")}
              description={t("newPlacement.hoursPerWeekDescription")}
              inputMode="decimal"
              autoComplete="off"
              htmlSize={6}
              value={v.hoursPerWeek}
              onChange={(e) => draft.update({ hoursPerWeek: e.target.value })}
              onBlur={touch("hoursPerWeek")}
              error={shown("hoursPerWeek")}
              data-testid="new-placement-hours"
            />
          </FormSection>

          {submitError && (
            <Alert variant="error" data-testid="new-placement-error">
              {submitError}
            </Alert>
          )}

          <HStack gap="space-16">
            <Button type="submit" loading={submitting} data-testid="new-placement-submit">
              {t("newPlacement.submit")}
            </Button>
            <Button as="a" variant="secondary" href={href({ name: "list" })} data-testid="new-placement-cancel">
              {t("app.cancel")}
            </Button>
          </HStack>
        </VStack>
      </form>
    </VStack>
  );
}

/** A titled group of fields (h2), so the form reads in three short steps. */
function FormSection({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <VStack as="section" gap="space-16" aria-labelledby={`${id}-heading`}>
      <Heading level="2" size="small" id={`${id}-heading`}>
        {title}
      </Heading>
      {children}
    </VStack>
  );
}
