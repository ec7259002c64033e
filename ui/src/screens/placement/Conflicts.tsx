import { Alert, BodyLong, BodyShort, Box, Button, Heading, HStack, VStack } from "@navikt/ds-react";
import type { TFunction } from "i18next";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { settleConflict } from "../../api";
import type { ConflictValue } from "../../bindings/ConflictValue";
import type { FieldConflict } from "../../bindings/FieldConflict";
import { codeLabel, fieldPathLabel, type CodeList } from "../../codes";
import { useErrorText } from "../../errorText";
import { formatDate } from "../../format";
import { currentLanguage } from "../../i18n";

/** Which code list a field's value comes from, by its collection and name (the rest are text). */
const VALUE_LISTS: Record<string, CodeList> = {
  "placement/status": "status",
  "placement/measure": "measure",
  "actions/status": "actionStatus",
  "actions/owner": "actionOwner",
  "training_plan/status": "taskStatus",
  "observations/attendance": "attendance",
  "visits/kind": "visitKind",
  "goals/category": "goalCategory",
};

/** A conflicting value as the screen shows it: a choice by its label, a day as a date. */
export function conflictValueLabel(t: TFunction, path: string[], value: string): string {
  const collection = path[0] ?? "";
  const field = path[path.length - 1] ?? "";
  const list = VALUE_LISTS[`${collection}/${field}`];
  if (list) return codeLabel(t, list, value);
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return formatDate(value, currentLanguage());
  return value;
}

function writtenBy(t: TFunction, v: ConflictValue): string {
  const at = v.at ? formatDate(v.at, currentLanguage()) : null;
  if (v.by && at) return t("overview.conflictBy", { name: v.by, at });
  if (v.by) return t("overview.conflictByName", { name: v.by });
  if (at) return t("overview.conflictAt", { at });
  return "";
}

/**
 * Fields two devices changed at the same time: every value automerge holds, none lost, each
 * with who wrote it and when. Whoever may write the field picks one; the pick syncs like an edit.
 */
export function Conflicts({
  placementId,
  conflicts,
  onSettled,
}: {
  placementId: string;
  conflicts: FieldConflict[];
  onSettled: () => void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function pick(c: FieldConflict, value: string) {
    setBusy(c.path.join("/"));
    setError(null);
    try {
      await settleConflict(placementId, { path: c.path, private: c.private, value });
      onSettled();
    } catch (e) {
      setError(t("overview.conflictFailed", { message: errorText(e) }));
    } finally {
      setBusy(null);
    }
  }

  return (
    <Alert variant="warning" data-testid="overview-conflicts">
      <VStack gap="space-12">
        <Heading level="2" size="small">
          {t("overview.conflicts")}
        </Heading>
        <BodyLong>{t("overview.conflictsIntro")}</BodyLong>
        {error && (
          <BodyShort role="alert" data-testid="conflict-error">
            {error}
          </BodyShort>
        )}
        <ul className="plain-list">
          {conflicts.map((c) => {
            const key = c.path.join("/");
            return (
              <li key={`${String(c.private)}:${key}`} data-testid="conflict" data-path={key}>
                <VStack gap="space-8">
                  <BodyShort weight="semibold" title={key}>
                    {fieldPathLabel(t, c.path)}
                  </BodyShort>
                  <ul className="plain-list">
                    {c.values.map((v, i) => (
                      <li key={i} data-testid="conflict-value" data-value={v.value}>
                        <Box padding="space-8" background="raised" borderRadius="8">
                          <HStack gap="space-12" justify="space-between" align="center" wrap>
                            <VStack gap="space-2">
                              <BodyShort className="pre-line">
                                <span className="visually-hidden">{t("overview.conflictValue", { n: i + 1 })}: </span>
                                {conflictValueLabel(t, c.path, v.value)}
                              </BodyShort>
                              <BodyShort size="small" textColor="subtle" data-testid="conflict-written-by">
                                {writtenBy(t, v)}
                              </BodyShort>
                            </VStack>
                            {c.maySettle && (
                              <Button
                                type="button"
                                size="small"
                                variant="secondary"
                                loading={busy === key}
                                disabled={busy !== null && busy !== key}
                                onClick={() => void pick(c, v.value)}
                                aria-label={t("overview.conflictPickLabel", {
                                  value: conflictValueLabel(t, c.path, v.value),
                                  field: fieldPathLabel(t, c.path),
                                })}
                                data-testid="conflict-pick"
                              >
                                {t("overview.conflictPick")}
                              </Button>
                            )}
                          </HStack>
                        </Box>
                      </li>
                    ))}
                  </ul>
                </VStack>
              </li>
            );
          })}
        </ul>
      </VStack>
    </Alert>
  );
}
