// Writing something the user takes away (an access copy, a report) into a folder they choose.
import { open } from "@tauri-apps/plugin-dialog";
import { useState } from "react";
import { useErrorText } from "../errorText";

export interface FolderExport {
  busy: boolean;
  /** Where the last export was written. */
  written: string | null;
  /** What went wrong, worded in the user's language by `failed`. */
  error: string | null;
  /** Asks for a folder (`title` in the system's dialog), then writes there with `write`. */
  run: (title: string, write: (into: string) => Promise<string>) => Promise<void>;
}

/**
 * The folder dialog (Tauri's dialog plugin; the window's capability grants it alone), then the
 * export. Cancelled in the dialog: nothing is written and nothing is said. `failed` words an error.
 */
export function useFolderExport(failed: (message: string) => string): FolderExport {
  const errorText = useErrorText();
  const [busy, setBusy] = useState(false);
  const [written, setWritten] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function run(title: string, write: (into: string) => Promise<string>) {
    setError(null);
    setWritten(null);
    const into = await open({ directory: true, multiple: false, title }).catch(() => null);
    if (typeof into !== "string") return;
    setBusy(true);
    try {
      setWritten(await write(into));
    } catch (e) {
      setError(failed(errorText(e)));
    } finally {
      setBusy(false);
    }
  }

  return { busy, written, error, run };
}
