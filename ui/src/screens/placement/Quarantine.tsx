import { Alert, BodyLong, BodyShort, Detail, Heading, HStack, Tag, VStack } from "@navikt/ds-react";
import { useTranslation } from "react-i18next";
import type { QuarantineLine } from "../../bindings/QuarantineLine";
import { codeLabel } from "../../codes";
import { eventText } from "../../errorText";
import { formatDate } from "../../format";
import { currentLanguage } from "../../i18n";

/** What this device received for the placement but could not open or apply. */
export function Quarantine({ items }: { items: QuarantineLine[] }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  return (
    <Alert variant="warning" data-testid="quarantine-list">
      <VStack gap="space-8">
        <Heading level="3" size="xsmall">
          {t("syncLog.quarantineHeading")}
        </Heading>
        <BodyLong size="small">{t("syncLog.quarantineIntro")}</BodyLong>
        <ul className="plain-list">
          {items.map((q, i) => (
            <li key={`${q.receivedAt}:${i}`} data-testid="quarantine-item" data-document={q.document}>
              <VStack gap="space-0">
                <HStack gap="space-8" align="center" wrap>
                  <Tag size="xsmall" variant="outline" data-color="neutral">
                    {codeLabel(t, "syncDocument", q.document)}
                  </Tag>
                  <Detail>{t("syncLog.receivedAt", { date: formatDate(q.receivedAt, language) })}</Detail>
                </HStack>
                <BodyShort size="small" className="pre-line">
                  {eventText(t, q, language)}
                </BodyShort>
              </VStack>
            </li>
          ))}
        </ul>
      </VStack>
    </Alert>
  );
}
