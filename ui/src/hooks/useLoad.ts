import { useCallback, useEffect, useState } from "react";
import { toCommandError, type CommandFailure } from "../api";

interface Result<T> {
  source: () => Promise<T>;
  refresh: unknown;
  nonce: number;
  data?: T;
  error?: CommandFailure;
}

export interface Loaded<T> {
  /** The last data loaded; kept while a reload runs so the screen does not flicker. */
  data: T | undefined;
  error: CommandFailure | undefined;
  /** True until the current `load` (or a `reload`) has answered. */
  loading: boolean;
  reload: () => void;
}

/**
 * Runs `load` (memoise it with useCallback), and again whenever it or `refresh` changes (pass the
 * last sync time to pick up what other devices wrote) or `reload` is called.
 */
export function useLoad<T>(load: () => Promise<T>, refresh: unknown = null): Loaded<T> {
  const [nonce, setNonce] = useState(0);
  const [result, setResult] = useState<Result<T> | null>(null);

  useEffect(() => {
    let active = true;
    load().then(
      (data) => {
        if (active) setResult({ source: load, refresh, nonce, data });
      },
      (error: unknown) => {
        if (active) setResult((prev) => ({
            source: load,
            refresh,
            nonce,
            data: prev?.data,
            error: toCommandError(error),
          }));
      },
    );
    return () => {
      active = false;
    };
  }, [load, refresh, nonce]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const current =
    result !== null && result.source === load && result.refresh === refresh && result.nonce === nonce;
  return {
    data: result?.data,
    error: current ? result.error : undefined,
    loading: !current,
    reload,
  };
}
