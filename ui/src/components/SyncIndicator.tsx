import {
  ArrowsCirclepathIcon,
  CheckmarkCircleIcon,
  CloudSlashIcon,
  XMarkOctagonIcon,
} from "@navikt/aksel-icons";
import { BodyShort, Button, Detail, Tag } from "@navikt/ds-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { formatDate, formatTime, isSameDay } from "../format";
import { useErrorText } from "../errorText";
import { currentLanguage } from "../i18n";
import { useSync } from "../sync";

/** Always visible in the header: where sync stands, what waits, and "Synkroniser nå". */
export function SyncIndicator() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const language = currentLanguage();
  const { status, error, requestSync } = useSync();
  const [busy, setBusy] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);

  const state = error ? "error" : (status?.state.state ?? "idle");
  let text: string;
  if (error) {
    text = t("sync.error", { message: errorText(error) });
  } else if (!status) {
    text = t("app.loading");
  } else {
    switch (status.state.state) {
      case "syncing":
        text = t("sync.syncing");
        break;
      case "offline":
        text = t("sync.offline");
        break;
      case "error":
        text = t("sync.error", { message: errorText(status.state) });
        break;
      default:
        text = syncedText();
    }
  }

  function syncedText(): string {
    const last = status?.lastSuccessMs;
    if (last == null) return t("sync.never");
    const time = formatTime(last, language);
    return isSameDay(last, Date.now())
      ? t("sync.idle", { time })
      : t("sync.idleDate", { date: formatDate(new Date(last).toISOString(), language), time });
  }

  async function onSyncNow() {
    setBusy(true);
    setStartError(null);
    try {
      await requestSync();
    } catch (e) {
      setStartError(t("sync.nowFailed", { message: errorText(e) }));
    } finally {
      setBusy(false);
    }
  }

  const icon =
    state === "offline" ? (
      <CloudSlashIcon aria-hidden />
    ) : state === "error" ? (
      <XMarkOctagonIcon aria-hidden />
    ) : state === "syncing" ? (
      <ArrowsCirclepathIcon aria-hidden />
    ) : (
      <CheckmarkCircleIcon aria-hidden />
    );

  // Announce only what needs attention, not every routine sync every few seconds.
  const announce = state === "offline" || state === "error" ? text : "";
  const pending = status?.pending ?? 0;
  const quarantined = status?.quarantined ?? 0;
  // Offline, the HTTP client's own account (English, technical) stays in the sync log for support;
  // the user reads what it means for their notes.
  const reason = status?.state.state === "offline" ? t("errors.offline") : undefined;

  return (
    <section
      className="sync-indicator"
      aria-label={t("sync.region")}
      data-testid="sync-indicator"
      data-state={state}
    >
      <span className="sync-indicator__icon">{icon}</span>
      <div className="sync-indicator__text">
        <BodyShort size="small" weight="semibold" data-testid="sync-state" title={reason}>
          {text}
        </BodyShort>
        {pending > 0 && (
          <Detail data-testid="sync-pending">{t("sync.pending", { count: pending })}</Detail>
        )}
        {startError && (
          <Detail data-testid="sync-now-error" className="sync-indicator__error">
            {startError}
          </Detail>
        )}
      </div>
      {quarantined > 0 && (
        <Tag
          size="small"
          variant="moderate"
          data-color="warning"
          data-testid="sync-quarantined"
          title={t("sync.quarantinedHelp")}
        >
          {t("sync.quarantined", { count: quarantined })}
        </Tag>
      )}
      <Button
        size="small"
        variant="tertiary-neutral"
        icon={<ArrowsCirclepathIcon aria-hidden />}
        loading={busy}
        onClick={onSyncNow}
        data-testid="sync-now"
      >
        {t("sync.now")}
      </Button>
      <span className="visually-hidden" role="status">
        {announce}
      </span>
    </section>
  );
}
