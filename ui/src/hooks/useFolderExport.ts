// Writing something the user takes away (an access copy, a report) into a folder they choose,
// with its progress shown when it takes more than a moment, and a way to stop it.
import { Channel } from "@tauri-apps/api/core";
import { open } from "@tauri-apps/plugin-dialog";
import { useRef, useState } from "react";
import { cancelExport, toCommandError, type ExportJob } from "../api";
import type { ExportProgress } from "../bindings/ExportProgress";
import { useErrorText } from "../errorText";

/** How long an export runs before its progress and «Avbryt» show (shorter ones just finish). */
export const PROGRESS_AFTER_MS = 400;

export interface FolderExport {
  busy: boolean;
  /** How far it has come, once it has taken more than a moment (`PROGRESS_AFTER_MS`). */
  progress: ExportProgress | null;
  /** Where the last export was written. */
  written: string | null;
  /** The user stopped the last export; nothing was written. */
  cancelled: boolean;
  /** What went wrong, worded in the user's language by `failed`. */
  error: string | null;
  /** Asks for a folder (`title` in the system's dialog), then writes there with `write`. */
  run: (title: string, write: (into: string, job: ExportJob) => Promise<string>) => Promise<void>;
  /** Stops the export under way: it leaves nothing behind. */
  cancel: () => void;
}

/**
 * The folder dialog (Tauri's dialog plugin; the window's capability grants it alone), then the
 * export. Cancelled in the dialog: nothing is written and nothing is said. `failed` words an error.
 */
export function useFolderExport(failed: (message: string) => string): FolderExport {
  const errorText = useErrorText();
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<ExportProgress | null>(null);
  const [written, setWritten] = useState<string | null>(null);
  const [cancelled, setCancelled] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const job = useRef<string | null>(null);

  async function run(title: string, write: (into: string, job: ExportJob) => Promise<string>) {
    setError(null);
    setWritten(null);
    setCancelled(false);
    const into = await open({ directory: true, multiple: false, title }).catch(() => null);
    if (typeof into !== "string") return;
    const id = crypto.randomUUID();
    job.current = id;
    let latest: ExportProgress = { stage: "reading", percent: 0 };
    let shown = false;
    const onProgress = new Channel<ExportProgress>();
    onProgress.onmessage = (p) => {
      latest = p;
      if (shown) setProgress(p);
    };
    const slow = setTimeout(() => {
      shown = true;
      setProgress(latest);
    }, PROGRESS_AFTER_MS);
    setBusy(true);
    try {
      setWritten(await write(into, { id, onProgress }));
    } catch (e) {
      if (toCommandError(e).kind === "cancelled") setCancelled(true);
      else setError(failed(errorText(e)));
    } finally {
      clearTimeout(slow);
      job.current = null;
      setProgress(null);
      setBusy(false);
    }
  }

  function cancel() {
    if (job.current) void cancelExport(job.current).catch(() => undefined);
  }

  return { busy, progress, written, cancelled, error, run, cancel };
}
