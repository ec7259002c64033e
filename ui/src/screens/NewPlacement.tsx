import { ArrowLeftIcon } from "@navikt/aksel-icons";
import {
  Alert,
  BodyLong,
  Button,
  HStack,
  Link,
  Select,
  TextField,
  VStack,
} from "@navikt/ds-react";
import { useTranslation } from "react-i18next";
import { createPlacement, editRecord } from "../api";
import type { NewPlacementInput } from "../bindings/NewPlacementInput";
import { MEASURES } from "../codes";
import { DateField } from "../components/DateField";
import { DraftRestored } from "../components/DraftRestored";
import { FormErrorSummary } from "../components/FormErrorSummary";
import { FormSection } from "../components/FormSection";
import { PageTitle } from "../components/PageTitle";
import { charCount, isValidOrgNumber, parseDecimal, todayIso } from "../format";
import { draftKey } from "../hooks/useDraft";
import { useForm, type FieldErrors } from "../hooks/useForm";
import { href, navigate } from "../hooks/useRoute";
import { SHORT_MAX } from "../bindings/rules";


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

/** The adviser opens a placement (oppfølgingsløp). */
export function NewPlacement() {
  return <PlacementForm />;
}

/**
 * The placement's facts in one form: a new placement, or (with `editing`) the facts of one that
 * exists, starting from the document's values. An edit writes only what changed, keeps its own
 * draft, and returns to the overview.
 */
export function PlacementForm({ editing }: { editing?: { id: string; values: NewPlacementInput } }) {
  const { t } = useTranslation();
  const tooLong = t("newPlacement.errors.tooLong", { max: SHORT_MAX });
  const start = editing?.values;
  const form = useForm({
    draftKey: editing ? draftKey("edit-placement", editing.id) : draftKey("new-placement"),
    initial: {
      candidateName: start?.candidateName ?? "",
      employerName: start?.employerName ?? "",
      employerOrgNumber: start?.employerOrgNumber ?? "",
      workplaceAddress: start?.workplaceAddress ?? "",
      measure: start?.measure ?? "",
      startDate: start?.startDate ?? todayIso(),
      endDate: start?.endDate ?? "",
      hoursPerWeek: start ? String(start.hoursPerWeek).replace(".", ",") : "",
    },
    ids: IDS,
    validate: (v, problems) => {
      const errors: FieldErrors = {};
      if (!v.candidateName.trim()) errors.candidateName = t("newPlacement.errors.candidateName");
      else if (charCount(v.candidateName) > SHORT_MAX) errors.candidateName = tooLong;
      if (!v.employerName.trim()) errors.employerName = t("newPlacement.errors.employerName");
      else if (charCount(v.employerName) > SHORT_MAX) errors.employerName = tooLong;
      if (!isValidOrgNumber(v.employerOrgNumber.trim())) errors.employerOrgNumber = t("newPlacement.errors.orgNumber");
      if (charCount(v.workplaceAddress) > SHORT_MAX) errors.workplaceAddress = tooLong;
      if (!(MEASURES as readonly string[]).includes(v.measure)) errors.measure = t("newPlacement.errors.measure");
      if (problems.startDate) errors.startDate = t("newPlacement.errors.date");
      else if (!v.startDate) errors.startDate = t("newPlacement.errors.startDate");
      if (problems.endDate) errors.endDate = t("newPlacement.errors.date");
      else if (v.endDate && v.startDate && v.endDate < v.startDate)
        errors.endDate = t("newPlacement.errors.endBeforeStart");
      const hours = parseDecimal(v.hoursPerWeek);
      if (!(hours >= 0.5 && hours <= 60)) errors.hoursPerWeek = t("newPlacement.errors.hours");
      return errors;
    },
  });
  const v = form.values;

  const submit = form.handleSubmit(async () => {
    const input: NewPlacementInput = {
      candidateName: v.candidateName.trim(),
      employerName: v.employerName.trim(),
      employerOrgNumber: v.employerOrgNumber.replace(/\s/g, ""),
      workplaceAddress: v.workplaceAddress.trim(),
      measure: v.measure,
      startDate: v.startDate,
      endDate: v.endDate || null,
      hoursPerWeek: parseDecimal(v.hoursPerWeek),
    };
    if (editing) {
      await editRecord(editing.id, null, { kind: "placement", ...input });
      navigate({ name: "placement", id: editing.id }, { replace: true });
    } else {
      const id = await createPlacement(input);
      navigate({ name: "placement", id }, { replace: true });
    }
  });
  const back = editing ? href({ name: "placement", id: editing.id }) : href({ name: "list" });

  return (
    <VStack gap="space-24" paddingBlock="space-32" className="form-narrow">
      <Link href={back} data-testid={editing ? "back-to-overview" : "back-to-list"}>
        <ArrowLeftIcon aria-hidden />
        {editing ? t("editPlacement.back") : t("overview.back")}
      </Link>
      <form onSubmit={submit} noValidate data-testid="new-placement-form">
        <VStack gap="space-24">
          <PageTitle>{editing ? t("editPlacement.heading") : t("newPlacement.heading")}</PageTitle>
          <BodyLong>{editing ? t("editPlacement.intro") : t("newPlacement.intro")}</BodyLong>
          {form.restored && <DraftRestored onDiscard={form.clear} />}
          <FormErrorSummary errors={form.summary} attempt={form.attempt} />

          <FormSection id="candidateSection" title={t("newPlacement.candidateSection")}>
            <TextField
              id={IDS.candidateName}
              label={t("newPlacement.candidateName")}
              description={t("newPlacement.candidateNameDescription")}
              autoComplete="off"
              value={v.candidateName}
              onChange={(e) => form.update({ candidateName: e.target.value })}
              onBlur={form.touch("candidateName")}
              error={form.error("candidateName")}
              data-testid="new-placement-candidate-name"
            />
          </FormSection>

          <FormSection id="employerSection" title={t("newPlacement.employerSection")}>
            <TextField
              id={IDS.employerName}
              label={t("newPlacement.employerName")}
              autoComplete="organization"
              value={v.employerName}
              onChange={(e) => form.update({ employerName: e.target.value })}
              onBlur={form.touch("employerName")}
              error={form.error("employerName")}
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
              onChange={(e) => form.update({ employerOrgNumber: e.target.value })}
              onBlur={form.touch("employerOrgNumber")}
              error={form.error("employerOrgNumber")}
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
              onChange={(e) => form.update({ workplaceAddress: e.target.value })}
              onBlur={form.touch("workplaceAddress")}
              error={form.error("workplaceAddress")}
              data-testid="new-placement-workplace-address"
            />
          </FormSection>

          <FormSection id="measureSection" title={t("newPlacement.measureSection")}>
            <Select
              id={IDS.measure}
              label={t("newPlacement.measure")}
              value={v.measure}
              onChange={(e) => form.update({ measure: e.target.value })}
              onBlur={form.touch("measure")}
              error={form.error("measure")}
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
                key={`start:${form.resetKey}`}
                id={IDS.startDate}
                label={t("newPlacement.startDate")}
                value={v.startDate}
                onChange={form.dateChange("startDate")}
                onBlur={form.touch("startDate")}
                error={form.error("startDate")}
                testId="new-placement-start-date"
              />
              <DateField
                key={`end:${form.resetKey}`}
                id={IDS.endDate}
                label={
                  <>
                    {t("newPlacement.endDate")} ({t("app.optional")})
                  </>
                }
                value={v.endDate}
                onChange={form.dateChange("endDate")}
                onBlur={form.touch("endDate")}
                error={form.error("endDate")}
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
              onChange={(e) => form.update({ hoursPerWeek: e.target.value })}
              onBlur={form.touch("hoursPerWeek")}
              error={form.error("hoursPerWeek")}
              data-testid="new-placement-hours"
            />
          </FormSection>

          {form.submitError && (
            <Alert variant="error" data-testid="new-placement-error">
              {form.submitError}
            </Alert>
          )}

          <HStack gap="space-16">
            <Button type="submit" loading={form.submitting} data-testid="new-placement-submit">
              {editing ? t("app.saveChanges") : t("newPlacement.submit")}
            </Button>
            <Button as="a" variant="secondary" href={back} data-testid="new-placement-cancel">
              {t("app.cancel")}
            </Button>
          </HStack>
        </VStack>
      </form>
    </VStack>
  );
}
