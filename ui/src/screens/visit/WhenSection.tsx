import { HStack, Select, TextField } from "@navikt/ds-react";
import { useTranslation } from "react-i18next";
import { VISIT_KINDS } from "../../codes";
import { DateField } from "../../components/DateField";
import { FormSection } from "../../components/FormSection";
import type { Form } from "../../hooks/useForm";
import { IDS, type VisitDraft } from "./visitDraft";

/** When the visit was, how, where and who took part. */
export function WhenSection({ form }: { form: Form<VisitDraft> }) {
  const { t } = useTranslation();
  const v = form.values;
  return (
    <FormSection id="visit-when" title={t("visit.whenSection")}>
      <HStack gap="space-16" align="start" wrap>
        <DateField
          key={form.resetKey}
          id={IDS.date}
          label={t("visit.date")}
          value={v.date}
          onChange={form.dateChange("date")}
          onBlur={form.touch("date")}
          error={form.error("date")}
          testId="visit-date"
        />
        <TextField
          id={IDS.time}
          type="time"
          label={t("visit.time")}
          value={v.time}
          onChange={(e) => form.update({ time: e.target.value })}
          onBlur={form.touch("time")}
          error={form.error("time")}
          data-testid="visit-time"
        />
      </HStack>
      <Select
        id={IDS.kind}
        label={t("visit.kind")}
        value={v.kind}
        onChange={(e) => form.update({ kind: e.target.value })}
        error={form.error("kind")}
        data-testid="visit-kind"
      >
        {VISIT_KINDS.map((kind) => (
          <option key={kind} value={kind}>
            {t(`visitKind.${kind}`)}
          </option>
        ))}
      </Select>
      <TextField
        id={IDS.place}
        label={
          <>
            {t("visit.place")} ({t("app.optional")})
          </>
        }
        autoComplete="off"
        value={v.place}
        onChange={(e) => form.update({ place: e.target.value })}
        onBlur={form.touch("place")}
        error={form.error("place")}
        data-testid="visit-place"
      />
      <TextField
        id={IDS.attendees}
        label={
          <>
            {t("visit.attendees")} ({t("app.optional")})
          </>
        }
        description={t("visit.attendeesDescription")}
        autoComplete="off"
        value={v.attendees}
        onChange={(e) => form.update({ attendees: e.target.value })}
        onBlur={form.touch("attendees")}
        error={form.error("attendees")}
        data-testid="visit-attendees"
      />
    </FormSection>
  );
}
