import { GlobeIcon } from "@navikt/aksel-icons";
import { InternalHeader, Spacer } from "@navikt/ds-react";
import { useTranslation } from "react-i18next";
import type { AppState } from "../bindings/AppState";
import { codeLabel } from "../codes";
import { currentLanguage, setLanguage } from "../i18n";
import { SyncIndicator } from "./SyncIndicator";

/** The banner: app name, sync status (once unlocked), language, who is signed in. */
export function AppHeader({ app }: { app: AppState | null }) {
  const { t } = useTranslation();
  const unlocked = app?.unlocked ?? false;
  const other = currentLanguage() === "nb" ? "en" : "nb";

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
        <InternalHeader.User
          className="app-header__user"
          name={app.userName}
          description={codeLabel(t, "role", app.role)}
          data-testid="header-user"
        />
      )}
    </InternalHeader>
  );
}
