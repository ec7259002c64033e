import { Alert, BodyLong, BodyShort, Button, HStack, VStack } from "@navikt/ds-react";
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { recordVisit } from "../../api";
import type { Overview } from "../../bindings/Overview";
import type { VisitRecord } from "../../bindings/VisitRecord";
import { DraftRestored } from "../../components/DraftRestored";
import { FormErrorSummary } from "../../components/FormErrorSummary";
import { PageTitle } from "../../components/PageTitle";
import { useForm } from "../../hooks/useForm";
import { href, navigate } from "../../hooks/useRoute";
import { ActionsSection } from "./ActionsSection";
import { CheckInSection } from "./CheckInSection";
import { NextVisitSection } from "./NextVisitSection";
import { SummarySection } from "./SummarySection";
import { IDS, initialVisit, toVisitInput, validateVisit, visitDraftKey, type VisitDraft } from "./visitDraft";
import { WhenSection } from "./WhenSection";

/** The visit form: when and who, how it goes, the summary, agreed actions, the next visit. */
export function VisitForm({
  overview: o,
  original,
  back,
}: {
  overview: Overview;
  /** The visit this form corrects (a correction is a new, linked entry). */
  original?: VisitRecord;
  back: ReactNode;
}) {
  const { t } = useTranslation();
  const placementId = o.id;
  const corrects = original?.id;
  // Worked out once, like useState's initial value: the form opens at "now".
  const [initial] = useState<VisitDraft>(() => initialVisit(original, new Date()));
  const form = useForm<VisitDraft>({
    draftKey: visitDraftKey(placementId, corrects),
    initial,
    ids: IDS,
    validate: (v, problems) => validateVisit(t, v, problems),
  });

  const submit = form.handleSubmit(async (v) => {
    await recordVisit(placementId, toVisitInput(v, corrects));
    navigate({ name: "placement", id: placementId }, { replace: true });
  });

  return (
    <VStack gap="space-24" paddingBlock="space-32" className="form-narrow">
      {back}
      <form onSubmit={submit} noValidate data-testid="visit-form">
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
          {form.restored && <DraftRestored onDiscard={form.clear} />}
          <FormErrorSummary errors={form.summary} attempt={form.attempt} />

          <WhenSection form={form} />
          <CheckInSection form={form} />
          <SummarySection form={form} />
          <ActionsSection form={form} />
          <NextVisitSection form={form} />

          {form.submitError && (
            <Alert variant="error" data-testid="visit-error">
              {form.submitError}
            </Alert>
          )}

          <HStack gap="space-16" wrap>
            <Button type="submit" loading={form.submitting} data-testid="visit-submit">
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
