import { BodyLong, BodyShort, Detail, Loader, ReadMore, VStack } from "@navikt/ds-react";
import type { TFunction } from "i18next";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { recordHistory } from "../../api";
import type { HistoryEntry } from "../../bindings/HistoryEntry";
import { codeLabel } from "../../codes";
import { useErrorText } from "../../errorText";
import { formatDate } from "../../format";
import { currentLanguage } from "../../i18n";

/** One change in words: "Per Verksmester endret notatet" (or "Endret notatet" with no name). */
export function historyLine(t: TFunction, e: HistoryEntry): string {
  // A change from a newer version of the app, whose kind this one has no words for.
  // (i18next reads a dot as a level of keys: "note.edit" is looked up as "note_edit".)
  const key = e.change.replace(".", "_");
  const label = codeLabel(t, "change", key);
  const what = label && label !== key ? label : t("history.unknownChange");
  return e.by ? t("history.by", { name: e.by, what }) : t("history.anonymous", { what });
}

/**
 * "Endringer": who changed a record and when, from the document's own history, loaded when the
 * user opens it. A note shows its text after each change, so an earlier wording is never lost.
 */
export function RecordHistory({ placementId, recordId }: { placementId: string; recordId: string }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [entries, setEntries] = useState<HistoryEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  function open(isOpen: boolean) {
    if (!isOpen) return;
    setError(null);
    recordHistory(placementId, recordId)
      .then((h) => setEntries(h.entries))
      .catch((e: unknown) => setError(t("history.failed", { message: errorText(e) })));
  }

  const language = currentLanguage();
  return (
    <ReadMore header={t("history.heading")} size="small" onOpenChange={open} data-testid="record-history">
      {error && <BodyShort size="small" role="alert">{error}</BodyShort>}
      {!entries && !error && <Loader size="small" title={t("history.loading")} />}
      {entries && (
        <ol className="plain-list" data-testid="history-entries">
          {entries.map((e, i) => (
            <li key={i} data-testid="history-entry" data-change={e.change}>
              <VStack gap="space-2">
                <Detail textColor="subtle">
                  <time dateTime={e.at}>{formatDate(e.at, language)}</time>
                </Detail>
                <BodyShort size="small">{historyLine(t, e)}</BodyShort>
                {e.text !== null && (
                  <BodyLong size="small" className="pre-line" data-testid="history-text">
                    {e.text}
                  </BodyLong>
                )}
              </VStack>
            </li>
          ))}
        </ol>
      )}
    </ReadMore>
  );
}
