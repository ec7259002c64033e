import { useTranslation } from "react-i18next";
import { DateField } from "../../components/DateField";
import { FormSection } from "../../components/FormSection";
import type { Form } from "../../hooks/useForm";
import { IDS, type VisitDraft } from "./visitDraft";

/** When the adviser comes next. */
export function NextVisitSection({ form }: { form: Form<VisitDraft> }) {
  const { t } = useTranslation();
  return (
    <FormSection id="visit-next-section" title={t("visit.nextSection")}>
      <DateField
        key={form.resetKey}
        id={IDS.nextVisit}
        label={
          <>
            {t("visit.nextVisit")} ({t("app.optional")})
          </>
        }
        value={form.values.nextVisit}
        onChange={form.dateChange("nextVisit")}
        onBlur={form.touch("nextVisit")}
        error={form.error("nextVisit")}
        testId="visit-next"
      />
    </FormSection>
  );
}
