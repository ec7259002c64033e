import { Textarea } from "@navikt/ds-react";
import { useTranslation } from "react-i18next";
import { FormSection } from "../../components/FormSection";
import type { Form } from "../../hooks/useForm";
import { RatingGroup } from "./RatingGroup";
import { FIELD_MAX, IDS, type VisitDraft } from "./visitDraft";

/** How it goes: attendance since the last visit, the tasks, and both sides' ratings. */
export function CheckInSection({ form }: { form: Form<VisitDraft> }) {
  const { t } = useTranslation();
  const v = form.values;
  return (
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
        onChange={(e) => form.update({ attendance: e.target.value })}
        error={form.error("attendance")}
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
        onChange={(e) => form.update({ taskProgress: e.target.value })}
        error={form.error("taskProgress")}
        data-testid="visit-task-progress"
      />
      <RatingGroup form={form} field="employerRating" testId="visit-employer-rating" />
      <RatingGroup form={form} field="candidateRating" testId="visit-candidate-rating" />
    </FormSection>
  );
}
