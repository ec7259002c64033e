import { BodyShort, HStack, LinkCard, Tag } from "@navikt/ds-react";
import { useTranslation } from "react-i18next";
import type { PlacementSummary } from "../../bindings/PlacementSummary";
import { codeLabel, statusColor } from "../../codes";
import { formatDate } from "../../format";
import { currentLanguage } from "../../i18n";
import { href } from "../../hooks/useRoute";

/** One placement in the list: who, where, when, and what waits (requests, overdue actions). */
export function PlacementCard({ placement: p }: { placement: PlacementSummary }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  const period = p.endDate
    ? t("period.range", { start: formatDate(p.startDate, language), end: formatDate(p.endDate, language) })
    : t("period.from", { start: formatDate(p.startDate, language) });

  return (
    <LinkCard data-testid="placement-row" data-placement-id={p.id}>
      <LinkCard.Title as="h2">
        <LinkCard.Anchor href={href({ name: "placement", id: p.id })} data-testid="placement-link">
          {p.candidateName}
        </LinkCard.Anchor>
      </LinkCard.Title>
      <LinkCard.Description>
        <BodyShort>
          {p.employerName} · {codeLabel(t, "measure", p.measure)}
        </BodyShort>
        <dl className="facts card-facts">
          <div>
            <dt>{t("list.period")}</dt>
            <dd>{period}</dd>
          </div>
          <div>
            <dt>{t("list.nextVisit")}</dt>
            <dd data-testid="placement-next-visit">
              {p.nextVisit ? formatDate(p.nextVisit, language) : t("list.noNextVisit")}
            </dd>
          </div>
          <div>
            <dt>{t("list.lastLog")}</dt>
            <dd data-testid="placement-last-log">
              {p.lastObservation ? formatDate(p.lastObservation, language) : t("list.noLog")}
            </dd>
          </div>
        </dl>
      </LinkCard.Description>
      <LinkCard.Footer>
        <HStack gap="space-8" wrap>
          <Tag size="small" variant="moderate" data-color={statusColor(p.status)} data-testid="placement-status">
            {codeLabel(t, "status", p.status)}
          </Tag>
          {p.openRequests > 0 && (
            <Tag size="small" variant="strong" data-color="warning" data-testid="placement-open-requests">
              {t("list.openRequests", { count: p.openRequests })}
            </Tag>
          )}
          {p.overdueActions > 0 && (
            <Tag size="small" variant="strong" data-color="danger" data-testid="placement-overdue-actions">
              {t("list.overdueActions", { count: p.overdueActions })}
            </Tag>
          )}
        </HStack>
      </LinkCard.Footer>
    </LinkCard>
  );
}
