import { Page } from "@navikt/ds-react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { AppState } from "../bindings/AppState";
import { AppHeader } from "./AppHeader";

/** Skip link, the header landmark and the main landmark around every screen. */
export function Layout({
  app,
  onLock,
  onLockAfter,
  children,
}: {
  app: AppState | null;
  onLock?: () => void;
  onLockAfter?: (minutes: number) => void;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <Page>
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          // The hash is the router's: move focus without touching it.
          e.preventDefault();
          document.getElementById("main")?.focus();
        }}
      >
        {t("app.skipToContent")}
      </a>
      <AppHeader app={app} onLock={onLock} onLockAfter={onLockAfter} />
      <Page.Block as="main" id="main" tabIndex={-1} width="lg" gutters className="app-main">
        {children}
      </Page.Block>
    </Page>
  );
}
