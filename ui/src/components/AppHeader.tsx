import { GlobeIcon, PadlockLockedIcon } from "@navikt/aksel-icons";
import { ActionMenu, InternalHeader, Search, Spacer } from "@navikt/ds-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { AppState } from "../bindings/AppState";
import { LOCK_AFTER_MAX_MINUTES, LOCK_AFTER_MIN_MINUTES } from "../bindings/rules";
import { codeLabel } from "../codes";
import { navigate } from "../hooks/useRoute";
import { currentLanguage, setLanguage } from "../i18n";
import { SyncIndicator } from "./SyncIndicator";

/** The idle times the menu offers, within the app core's range. */
const LOCK_CHOICES = [1, 5, 10, 15, 30, 60].filter((m) => m >= LOCK_AFTER_MIN_MINUTES && m <= LOCK_AFTER_MAX_MINUTES);

/**
 * The banner: app name, search across every placement (desktop; on a phone the list has its
 * own), sync status (once unlocked), language, and the user's menu: who is signed in, "lock
 * now", and how long the app may go unused before it locks itself.
 */
export function AppHeader({
  app,
  onLock,
  onLockAfter,
}: {
  app: AppState | null;
  onLock?: () => void;
  onLockAfter?: (minutes: number) => void;
}) {
  const { t } = useTranslation();
  const unlocked = app?.unlocked ?? false;
  const other = currentLanguage() === "nb" ? "en" : "nb";
  const [query, setQuery] = useState("");

  return (
    <InternalHeader className="app-header">
      {unlocked ? (
        <InternalHeader.Title href="#/" className="app-header__title" data-testid="header-home">
          {t("app.name")}
        </InternalHeader.Title>
      ) : (
        <InternalHeader.Title as="span" className="app-header__title">
          {t("app.name")}
        </InternalHeader.Title>
      )}
      {unlocked && (
        <form
          role="search"
          className="app-header__search"
          onSubmit={(e) => {
            e.preventDefault();
            const q = query.trim();
            if (!q) return;
            navigate({ name: "list", query: q });
            setQuery("");
          }}
        >
          <Search
            label={t("search.headerLabel")}
            variant="simple"
            size="small"
            value={query}
            onChange={setQuery}
            onClear={() => setQuery("")}
            clearButtonLabel={t("search.clear")}
            autoComplete="off"
            data-testid="header-search"
          />
        </form>
      )}
      <Spacer />
      {unlocked && <SyncIndicator />}
      <InternalHeader.Button
        onClick={() => void setLanguage(other)}
        aria-label={t("language.switchLabel")}
        data-testid="language-switch"
      >
        <GlobeIcon aria-hidden fontSize="1.25rem" />
        <span lang={other}>{t("language.switchTo")}</span>
      </InternalHeader.Button>
      {unlocked && app?.userName && (
        <ActionMenu>
          <ActionMenu.Trigger>
            <InternalHeader.UserButton
              className="app-header__user"
              name={app.userName}
              description={codeLabel(t, "role", app.role)}
              data-testid="header-user"
            />
          </ActionMenu.Trigger>
          <ActionMenu.Content align="end">
            <ActionMenu.Item icon={<PadlockLockedIcon />} onSelect={onLock} data-testid="lock-now">
              {t("lock.now")}
            </ActionMenu.Item>
            <ActionMenu.Divider />
            <ActionMenu.RadioGroup
              label={t("lock.after")}
              value={String(app.lockAfterMinutes)}
              onValueChange={(value) => onLockAfter?.(Number(value))}
            >
              {LOCK_CHOICES.map((minutes) => (
                <ActionMenu.RadioItem key={minutes} value={String(minutes)} data-testid={`lock-after-${minutes}`}>
                  {t("lock.minutes", { count: minutes })}
                </ActionMenu.RadioItem>
              ))}
            </ActionMenu.RadioGroup>
          </ActionMenu.Content>
        </ActionMenu>
      )}
    </InternalHeader>
  );
}
