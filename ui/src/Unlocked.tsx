import { Alert, Link, VStack } from "@navikt/ds-react";
import { useCallback, useState } from "react";
import { useTranslation } from "react-i18next";
import { lockDevice, setLockAfter } from "./api";
import type { AppState } from "./bindings/AppState";
import { Layout } from "./components/Layout";
import { PageTitle } from "./components/PageTitle";
import { useErrorText } from "./errorText";
import { useIdleLock } from "./hooks/useIdleLock";
import { useReminders } from "./hooks/useReminders";
import { href, parseRoute, useHash } from "./hooks/useRoute";
import { EditPlacement } from "./screens/EditPlacement";
import { JoinPlacement } from "./screens/JoinPlacement";
import { NewDevice } from "./screens/NewDevice";
import { NewPlacement } from "./screens/NewPlacement";
import { PlacementList } from "./screens/list/PlacementList";
import { PlacementOverview } from "./screens/placement/PlacementOverview";
import { RecordVisit } from "./screens/visit/RecordVisit";
import { SyncProvider, useSyncRevision } from "./sync";

// The screens of an unlocked app, in a chunk of their own: the first screen (unlock, or first
// run) is painted before this is parsed. `App` fetches it while the user types the passphrase.

/**
 * The app while it is open: the screens, and the lock (the user's "lock now", or the idle timer):
 * locking closes the store on the Rust side, and the screens, with what they hold, unmount.
 */
export default function UnlockedApp({ app, onApp }: { app: AppState; onApp: (state: AppState) => void }) {
  return (
    <SyncProvider>
      <Unlocked app={app} onApp={onApp} />
    </SyncProvider>
  );
}

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
      // The employer's device, and the adviser's own new device (a device pairing or one
      // placement's own-device codes).
      return <JoinPlacement role={app.role} />;
    case "newDevice":
      return app.role === "adviser" ? <NewDevice /> : <NotFound />;
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
