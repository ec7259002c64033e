import { Alert, BodyLong, BodyShort, Heading, VStack } from "@navikt/ds-react";
import { useTranslation } from "react-i18next";
import type { FieldConflict } from "../../bindings/FieldConflict";
import { fieldPathLabel } from "../../codes";

/** Fields two devices changed at the same time: every value automerge holds, none lost. */
export function Conflicts({ conflicts }: { conflicts: FieldConflict[] }) {
  const { t } = useTranslation();
  return (
    <Alert variant="warning" data-testid="overview-conflicts">
      <VStack gap="space-12">
        <Heading level="2" size="small">
          {t("overview.conflicts")}
        </Heading>
        <BodyLong>{t("overview.conflictsIntro")}</BodyLong>
        <ul className="plain-list">
          {conflicts.map((c) => (
            <li key={c.path.join("/")} data-testid="conflict">
              <BodyShort weight="semibold" title={c.path.join("/")}>
                {fieldPathLabel(t, c.path)}
              </BodyShort>
              <ul>
                {c.values.map((value, i) => (
                  <li key={i}>
                    <BodyShort className="pre-line">
                      <span className="visually-hidden">{t("overview.conflictValue", { n: i + 1 })}: </span>
                      {value}
                    </BodyShort>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      </VStack>
    </Alert>
  );
}
