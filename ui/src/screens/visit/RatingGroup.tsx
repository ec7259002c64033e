import { HStack, Radio, RadioGroup } from "@navikt/ds-react";
import { useTranslation } from "react-i18next";
import type { Form } from "../../hooks/useForm";
import { RATINGS, type VisitDraft } from "./visitDraft";

/** The rating radio for "not asked" (the draft keeps ""). */
const NO_RATING = "none";

/** How the employer or the candidate rates the placement, 1 to 5, or not asked. */
export function RatingGroup({
  form,
  field,
  testId,
}: {
  form: Form<VisitDraft>;
  field: "employerRating" | "candidateRating";
  testId: string;
}) {
  const { t } = useTranslation();
  return (
    <RadioGroup
      legend={t(field === "employerRating" ? "visit.employerRating" : "visit.candidateRating")}
      description={t("visit.ratingDescription")}
      value={form.values[field] || NO_RATING}
      onChange={(value: string) => form.update({ [field]: value === NO_RATING ? "" : value })}
      data-testid={testId}
    >
      <HStack gap="space-4 space-12" wrap>
        {[NO_RATING, ...RATINGS].map((value) => (
          <Radio key={value} value={value} id={`${testId}-${value}`} data-testid={`${testId}-${value}`}>
            {value === NO_RATING ? t("visit.ratingNone") : value}
          </Radio>
        ))}
      </HStack>
    </RadioGroup>
  );
}
