import { Box, Textarea, VStack } from "@navikt/ds-react";
import { useTranslation } from "react-i18next";
import { FormSection } from "../../components/FormSection";
import { NavOnlyTag } from "../../components/NavOnlyTag";
import type { Form } from "../../hooks/useForm";
import { IDS, LONG_MAX, type VisitDraft } from "./visitDraft";

/** The summary both sides see, and the adviser's own note, marked as NAV's only. */
export function SummarySection({ form }: { form: Form<VisitDraft> }) {
  const { t } = useTranslation();
  const v = form.values;
  return (
    <FormSection id="visit-summary-section" title={t("visit.summarySection")}>
      <Textarea
        id={IDS.summary}
        label={t("visit.summary")}
        description={t("visit.summaryDescription")}
        minRows={4}
        maxLength={LONG_MAX}
        value={v.summary}
        onChange={(e) => form.update({ summary: e.target.value })}
        error={form.error("summary")}
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
            onChange={(e) => form.update({ adviserNote: e.target.value })}
            error={form.error("adviserNote")}
            data-testid="visit-adviser-note"
          />
        </VStack>
      </Box>
    </FormSection>
  );
}
