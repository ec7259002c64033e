import { Alert, BodyShort, Box, Button, Heading, Link, Loader, Provider, VStack } from "@navikt/ds-react";
import { en as akselEn, nb as akselNb } from "@navikt/ds-react/locales";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { appState, lockDevice, setLockAfter, toCommandError, type CommandFailure } from "./api";
import type { AppState } from "./bindings/AppState";
import { Layout } from "./components/Layout";
import { useErrorText } from "./errorText";
import { PageTitle } from "./components/PageTitle";
import { currentLanguage } from "./i18n";
import { useIdleLock } from "./hooks/useIdleLock";
import { useReminders } from "./hooks/useReminders";
import { href, parseRoute, useHash } from "./hooks/useRoute";
import { FirstRun } from "./screens/FirstRun";
import { JoinPlacement } from "./screens/JoinPlacement";
import { EditPlacement } from "./screens/EditPlacement";
import { NewPlacement } from "./screens/NewPlacement";
import { PlacementList } from "./screens/list/PlacementList";
import { PlacementOverview } from "./screens/placement/PlacementOverview";
import { RecordVisit } from "./screens/visit/RecordVisit";
import { Unlock } from "./screens/Unlock";
import { SyncProvider, useSyncRevision } from "./sync";

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
  const app = boot.phase === "ready" ? boot.app : null;

  return (
    <Provider locale={currentLanguage() === "en" ? akselEn : akselNb}>
      {app?.unlocked ? (
        <SyncProvider>
          <Unlocked app={app} onApp={ready} />
        </SyncProvider>
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
            <FirstRun onDone={ready} />
          ) : (
            <Unlock app={boot.app} onDone={ready} />
          )}
        </Layout>
      )}
    </Provider>
  );
}

/**
 * The app while it is open: the screens, and the lock (the user's "lock now", or the idle timer):
 * locking closes the store on the Rust side, and the screens, with what they hold, unmount.
 */
function Unlocked({ app, onApp }: { app: AppState; onApp: (state: AppState) => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [failure, setFailure] = useState<string | null>(null);
  const run = useCallback(
    (command: () => Promise<AppState>) => {
      setFailure(null);
      command().then(onApp, (e: unknown) => setFailure(t("lock.failed", { message: errorText(e) })));
    },
    [onApp, t, errorText],
  );
  const lock = useCallback(() => run(lockDevice), [run]);
  useIdleLock(app.lockAfterMs, lock);
  useReminders(app.role, useSyncRevision());
  return (
    <Layout app={app} onLock={lock} onLockAfter={(minutes) => run(() => setLockAfter(minutes))}>
      {failure && (
        <Alert variant="error" data-testid="lock-error" >
          {failure}
        </Alert>
      )}
      <Screens app={app} />
    </Layout>
  );
}

function Screens({ app }: { app: AppState }) {
  const route = parseRoute(useHash());
  switch (route.name) {
    case "list":
      return <PlacementList key={route.query ?? ""} role={app.role} initialQuery={route.query} />;
    case "new":
      return app.role === "adviser" ? <NewPlacement /> : <NotFound />;
    case "placement":
      return <PlacementOverview key={route.id} id={route.id} record={route.record} role={app.role} />;
    case "editPlacement":
      return app.role === "adviser" ? <EditPlacement key={route.id} id={route.id} /> : <NotFound />;
    case "visit":
      return app.role === "adviser" ? <RecordVisit key={route.id} placementId={route.id} /> : <NotFound />;
    case "correctVisit":
      return app.role === "adviser" ? (
        <RecordVisit key={`${route.id}:${route.visitId}`} placementId={route.id} corrects={route.visitId} />
      ) : (
        <NotFound />
      );
    case "join":
      return app.role === "employer" ? <JoinPlacement /> : <NotFound />;
    default:
      return <NotFound />;
  }
}

function NotFound() {
  const { t } = useTranslation();
  return (
    <VStack gap="space-16" paddingBlock="space-32">
      <PageTitle>{t("app.notFound")}</PageTitle>
      <Link href={href({ name: "list" })}>{t("app.toList")}</Link>
    </VStack>
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
