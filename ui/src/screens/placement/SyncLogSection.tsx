import { BodyShort, Box, Detail, ExpansionCard, HStack, Loader, Tag, VStack } from "@navikt/ds-react";
import { useCallback } from "react";
import { useTranslation } from "react-i18next";
import { placementSyncLog } from "../../api";
import { codeLabel } from "../../codes";
import { eventText } from "../../errorText";
import { LoadError } from "../../components/LoadError";
import { formatDate } from "../../format";
import { currentLanguage } from "../../i18n";
import { useLoad } from "../../hooks/useLoad";
import { Quarantine } from "./Quarantine";

/**
 * What sync did for this placement, and what it received but could not apply. The log is read
 * with the overview (and again when the card opens): quarantined records are shown at once,
 * above the collapsed log, never hidden behind it.
 */
export function SyncLogSection({ placementId, refresh }: { placementId: string; refresh: unknown }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  const load = useCallback(() => placementSyncLog(placementId), [placementId]);
  const log = useLoad(load, refresh);
  const lines = log.data ? [...log.data.lines].reverse() : [];
  const quarantined = log.data?.quarantined ?? [];

  return (
    <ExpansionCard
      aria-labelledby="sync-log-heading"
      size="small"
      onToggle={(open) => {
        if (open) log.reload();
      }}
      data-testid="sync-log"
    >
      <ExpansionCard.Header>
        <ExpansionCard.Title as="h2" size="small" id="sync-log-heading">
          {t("syncLog.heading")}
        </ExpansionCard.Title>
        <ExpansionCard.Description>{t("syncLog.description")}</ExpansionCard.Description>
      </ExpansionCard.Header>
      {quarantined.length > 0 && (
        <Box paddingInline="space-16" paddingBlock="space-0 space-16">
          <Quarantine items={quarantined} />
        </Box>
      )}
      <ExpansionCard.Content>
        <VStack gap="space-12">
          {log.error && <LoadError error={log.error} onRetry={log.reload} />}
          {!log.data ? (
            !log.error && <Loader size="medium" title={t("app.loading")} />
          ) : lines.length === 0 ? (
            <BodyShort textColor="subtle" data-testid="sync-log-empty">
              {t("syncLog.empty")}
            </BodyShort>
          ) : (
            <ol className="plain-list sync-log-lines">
              {lines.map((line, i) => (
                <li key={`${line.at}:${i}`} data-testid="sync-log-line" data-document={line.document}>
                  <HStack gap="space-4 space-8" align="center" wrap>
                    <Detail as="time" dateTime={line.at} textColor="subtle">
                      {formatDate(line.at, language)}
                    </Detail>
                    <Tag
                      size="xsmall"
                      variant="moderate"
                      data-color={line.document === "private" ? "warning" : "neutral"}
                    >
                      {codeLabel(t, "syncDocument", line.document)}
                    </Tag>
                    <BodyShort size="small" className="pre-line">
                      {eventText(t, line, language)}
                    </BodyShort>
                  </HStack>
                </li>
              ))}
            </ol>
          )}
        </VStack>
      </ExpansionCard.Content>
    </ExpansionCard>
  );
}
