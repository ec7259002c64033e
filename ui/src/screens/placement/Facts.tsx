import { PencilIcon } from "@navikt/aksel-icons";
import { BodyShort, Box, Button, Detail, Select, VStack } from "@navikt/ds-react";
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { Overview } from "../../bindings/Overview";
import type { Role } from "../../bindings/Role";
import { setResponseTime } from "../../api";
import { RESPONSE_WORKING_DAYS_MAX, RESPONSE_WORKING_DAYS_MIN } from "../../bindings/rules";
import { codeLabel } from "../../codes";
import { useErrorText } from "../../errorText";
import { formatDate, formatNumber } from "../../format";
import { currentLanguage } from "../../i18n";
import { href } from "../../hooks/useRoute";

/**
 * The placement's facts: employer, measure, period, hours, adviser, the agreed response time
 * for contact requests (the adviser sets it here), and how it ended.
 */
export function Facts({
  overview: o,
  role,
  onChanged,
}: {
  overview: Overview;
  role: Role | null;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const language = currentLanguage();
  const f = o.facts;
  const period = f.endDate
    ? t("period.range", { start: formatDate(f.startDate, language), end: formatDate(f.endDate, language) })
    : t("period.from", { start: formatDate(f.startDate, language) });
  const rows: Array<[string, ReactNode, string]> = [
    [
      t("overview.employer"),
      <>
        {f.employerName}
        <Detail as="span" textColor="subtle">
          {" "}
          ({t("overview.orgNumber")} {f.employerOrg})
        </Detail>
      </>,
      "overview-employer",
    ],
    [t("overview.measure"), codeLabel(t, "measure", f.measure), "overview-measure"],
    [t("overview.period"), period, "overview-period"],
    [t("overview.hoursPerWeek"), formatNumber(f.hoursPerWeek, language), "overview-hours"],
    [t("overview.adviser"), f.adviserName, "overview-adviser"],
    [
      t("overview.responseTime"),
      role === "adviser" ? (
        <ResponseTime placementId={o.id} days={f.responseWorkingDays} onChanged={onChanged} />
      ) : (
        t("overview.workingDays", { count: f.responseWorkingDays })
      ),
      "overview-response-time",
    ],
  ];
  if (f.closedOn) {
    const label = f.status === "cancelled" ? t("overview.cancelledOn") : t("overview.closedOn");
    rows.push([label, formatDate(f.closedOn, language), "overview-closed-on"]);
  }
  if (f.closedReason) {
    rows.push([t("overview.closedReason"), codeLabel(t, "closeReason", f.closedReason), "overview-closed-reason"]);
  }
  if (role === "employer" && f.employerAccessEnds) {
    rows.push([t("overview.accessEnds"), formatDate(f.employerAccessEnds, language), "overview-access-ends"]);
  }
  return (
    <Box padding="space-16" background="raised" borderRadius="12" borderWidth="1" borderColor="neutral-subtle">
      <VStack gap="space-8" align="start">
        <dl className="facts" aria-label={t("overview.facts")}>
          {rows.map(([label, value, testId]) => (
            <div key={testId}>
              <dt>{label}</dt>
              <dd data-testid={testId}>{value}</dd>
            </div>
          ))}
        </dl>
        {role === "adviser" && (
          <Button
            as="a"
            href={href({ name: "editPlacement", id: o.id })}
            size="small"
            variant="tertiary"
            icon={<PencilIcon aria-hidden />}
            data-testid="edit-placement"
          >
            {t("editPlacement.open")}
          </Button>
        )}
      </VStack>
    </Box>
  );
}

/** The adviser's choice of how many working days NAV has to answer a contact request. */
function ResponseTime({ placementId, days, onChanged }: { placementId: string; days: number; onChanged: () => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [error, setError] = useState<string | null>(null);
  const choices: number[] = [];
  for (let d = RESPONSE_WORKING_DAYS_MIN; d <= RESPONSE_WORKING_DAYS_MAX; d++) choices.push(d);

  async function change(next: number) {
    setError(null);
    try {
      await setResponseTime(placementId, next);
      onChanged();
    } catch (e) {
      setError(t("overview.responseTimeFailed", { message: errorText(e) }));
    }
  }

  return (
    <VStack gap="space-4">
      <Select
        label={t("overview.responseTime")}
        hideLabel
        size="small"
        value={days}
        onChange={(e) => void change(Number(e.target.value))}
        data-testid="response-time"
      >
        {choices.map((d) => (
          <option key={d} value={d}>
            {t("overview.workingDays", { count: d })}
          </option>
        ))}
      </Select>
      {error && (
        <BodyShort size="small" role="alert">
          {error}
        </BodyShort>
      )}
    </VStack>
  );
}
