import { Box, Detail } from "@navikt/ds-react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { Overview } from "../../bindings/Overview";
import type { Role } from "../../bindings/Role";
import { codeLabel } from "../../codes";
import { formatDate, formatNumber } from "../../format";
import { currentLanguage } from "../../i18n";

/** The placement's facts: employer, measure, period, hours, adviser, and how it ended. */
export function Facts({ overview: o, role }: { overview: Overview; role: Role | null }) {
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
      <dl className="facts" aria-label={t("overview.facts")}>
        {rows.map(([label, value, testId]) => (
          <div key={testId}>
            <dt>{label}</dt>
            <dd data-testid={testId}>{value}</dd>
          </div>
        ))}
      </dl>
    </Box>
  );
}
