import { useState } from "react";
import { useErrorText } from "../errorText";

/**
 * Asks for a pairing code (the employer's, the adviser's own device's, a new device's): the
 * result, whether it is being made, and a failure worded by `failed` around the error's own
 * sentence. `start` resolves with the result, or `null` when it failed.
 */
export function useCodeRequest<T>(make: () => Promise<T>, failed: (message: string) => string) {
  const errorText = useErrorText();
  const [result, setResult] = useState<T | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function start(): Promise<T | null> {
    setBusy(true);
    setError(null);
    try {
      const made = await make();
      setResult(made);
      return made;
    } catch (e) {
      setError(failed(errorText(e)));
      return null;
    } finally {
      setBusy(false);
    }
  }

  return { result, busy, error, start };
}
