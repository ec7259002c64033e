// The sync status, shared by the header indicator and the screens.
//
// Screens reload their data when `useSyncRevision()` changes: whenever sync has applied records
// from another device (the status's `applied` count grew), after a sync the user asked for
// ("Synkroniser nå") has completed. Not after every background round that brought nothing: each
// reload is an audit-logged read of the candidate's record. `useLoad` keeps the old data on
// screen meanwhile, so nothing flickers.
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { onSyncStatus, syncNow, syncStatus, toCommandError, type CommandFailure } from "./api";
import type { SyncStatus } from "./bindings/SyncStatus";

interface SyncValue {
  status: SyncStatus | null;
  /** Reading the status failed (shown in the indicator). */
  error: CommandFailure | null;
  /** Bumped when a sync the user asked for has completed. */
  version: number;
  /** Bumped whenever sync has applied records from another device. */
  revision: number;
  /** "Synkroniser nå": asks the Rust side to sync; screens reload once it has succeeded. */
  requestSync: () => Promise<void>;
}

const SyncContext = createContext<SyncValue>({
  status: null,
  error: null,
  version: 0,
  revision: 0,
  requestSync: () => Promise.resolve(),
});

export function SyncProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [error, setError] = useState<CommandFailure | null>(null);
  const [version, setVersion] = useState(0);
  const [revision, setRevision] = useState(0);
  // What sync had brought in when last seen, to notice when it brings more.
  const received = useRef<number | null>(null);
  // When the user asked for a sync: the first success after it refreshes the screens.
  const requestedAt = useRef<number | null>(null);

  useEffect(() => {
    let active = true;
    const stops: Array<() => void> = [];
    const keep = (stop: () => void) => {
      if (active) stops.push(stop);
      else stop();
    };

    onSyncStatus((next) => {
      if (!active) return;
      setStatus(next);
      setError(null);
      if (next.applied !== received.current) {
        received.current = next.applied;
        setRevision((r) => r + 1);
      }
      const asked = requestedAt.current;
      if (asked !== null && next.lastSuccessMs !== null && next.lastSuccessMs >= asked) {
        requestedAt.current = null;
        setVersion((v) => v + 1);
      }
    }).then(keep, (e: unknown) => {
      if (active) setError(toCommandError(e));
    });

    syncStatus().then(
      // An event that arrived first is newer than this answer.
      (first) => {
        if (!active) return;
        setStatus((s) => s ?? first);
        // What the screens are loading now already includes what this sync brought.
        received.current ??= first.applied;
      },
      (e: unknown) => {
        if (active) setError(toCommandError(e));
      },
    );

    return () => {
      active = false;
      for (const stop of stops) {
        try {
          stop();
        } catch {
          // The window is going away.
        }
      }
    };
  }, []);

  const requestSync = useCallback(async () => {
    requestedAt.current = Date.now();
    await syncNow();
  }, []);

  return <SyncContext value={{ status, error, version, revision, requestSync }}>{children}</SyncContext>;
}

export function useSync(): SyncValue {
  return useContext(SyncContext);
}

/** A key that changes when the screen should reload its data. */
export function useDataVersion(): number {
  return useSync().version;
}

/**
 * A number that changes whenever sync may have brought in data (records from another device
 * applied, a sync the user asked for): pass it to `useLoad` as `refresh`.
 */
export function useSyncRevision(): number {
  const { version, revision } = useSync();
  // Both only ever grow, so their sum changes whenever either does.
  return version + revision;
}
