import { Alert, BodyShort, Box, Button, Heading, Loader, Provider, VStack } from "@navikt/ds-react";
import { en as akselEn, nb as akselNb } from "@navikt/ds-react/locales";
import { lazy, Suspense, useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { appState, toCommandError, type CommandFailure } from "./api";
import type { AppState } from "./bindings/AppState";
import { Layout } from "./components/Layout";
import { useErrorText } from "./errorText";
import { PageTitle } from "./components/PageTitle";
import { currentLanguage } from "./i18n";
import { Unlock } from "./screens/Unlock";

const loadUnlocked = () => import("./Unlocked");
const UnlockedApp = lazy(loadUnlocked);
// Shown once in a device's life.
const FirstRun = lazy(() => import("./screens/FirstRun").then((m) => ({ default: m.FirstRun })));

type Boot =
  | { phase: "loading" }
  | { phase: "failed"; error: CommandFailure }
  | { phase: "ready"; app: AppState };

export function App() {
  // Also re-renders everything when the language changes.
  const { t } = useTranslation();
  const [boot, setBoot] = useState<Boot>({ phase: "loading" });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let active = true;
    appState().then(
      (app) => {
        if (active) setBoot({ phase: "ready", app });
      },
      (error: unknown) => {
        if (active) setBoot({ phase: "failed", error: toCommandError(error) });
      },
    );
    return () => {
      active = false;
    };
  }, [attempt]);

  const ready = useCallback((app: AppState) => setBoot({ phase: "ready", app }), []);
  // Fetched as soon as the first screen is up, so unlocking does not wait for it.
  useEffect(() => {
    void loadUnlocked();
  }, []);
  const app = boot.phase === "ready" ? boot.app : null;

  return (
    <Provider locale={currentLanguage() === "en" ? akselEn : akselNb}>
      {app?.unlocked ? (
        <Suspense
          fallback={
            <Layout app={app}>
              <Box paddingBlock="space-48">
                <Loader size="2xlarge" title={t("app.loading")} />
              </Box>
            </Layout>
          }
        >
          <UnlockedApp app={app} onApp={ready} />
        </Suspense>
      ) : (
        <Layout app={app}>
          {boot.phase === "loading" ? (
            <Box paddingBlock="space-48">
              <Loader size="2xlarge" title={t("app.loading")} />
            </Box>
          ) : boot.phase === "failed" ? (
            <StartFailed
              error={boot.error}
              onRetry={() => {
                setBoot({ phase: "loading" });
                setAttempt((n) => n + 1);
              }}
            />
          ) : !boot.app.initialized ? (
            <Suspense fallback={<Loader size="2xlarge" title={t("app.loading")} />}>
              <FirstRun onDone={ready} />
            </Suspense>
          ) : (
            <Unlock app={boot.app} onDone={ready} />
          )}
        </Layout>
      )}
    </Provider>
  );
}

function StartFailed({ error, onRetry }: { error: CommandFailure; onRetry: () => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  return (
    <VStack gap="space-16" paddingBlock="space-32" className="form-narrow">
      <PageTitle>{t("app.startFailed")}</PageTitle>
      <Alert variant="error" data-testid="start-error">
        <VStack gap="space-8">
          <Heading level="2" size="xsmall">
            {errorText(error)}
          </Heading>
          <BodyShort>{t("app.errorCode", { code: error.kind })}</BodyShort>
        </VStack>
      </Alert>
      <div>
        <Button onClick={onRetry}>{t("app.retry")}</Button>
      </div>
    </VStack>
  );
}
