// Form drafts: every change is saved as the user types and read back when the form opens again,
// so a crash or a closed window never loses a half-written entry. Cleared after a successful
// save. Drafts go to the encrypted store through `saveDraft`, never to localStorage (which the
// webview keeps in plain text on disk). Forms shown before a store exists (first run) keep
// their draft in memory only (`persist: false`). Secrets (passphrases) are never written: name
// them in `secret`, and they stay in memory only, whatever `persist` says.
import { useCallback, useEffect, useRef, useState } from "react";
import { clearDraft, loadDraft, saveDraft } from "../api";

const PREFIX = "draft.";
/** Typing pauses this long before a draft is written. */
const SAVE_AFTER_MS = 250;

/** What a draft holds: flat fields (a list goes in as JSON text). */
export type DraftFields = Record<string, string | number | boolean>;

export function draftKey(form: string, scope = "new"): string {
  return `${PREFIX}${form}.${scope}`;
}

/** The saved draft, keeping only the fields `initial` has, with the same types, and no secret. */
export function parseDraft<T extends DraftFields>(
  text: string | null,
  initial: T,
  secret: readonly string[] = [],
): T | null {
  if (!text) return null;
  try {
    const saved: unknown = JSON.parse(text);
    if (typeof saved !== "object" || saved === null) return null;
    const merged: DraftFields = { ...initial };
    for (const [field, value] of Object.entries(saved as Record<string, unknown>)) {
      if (field in initial && !secret.includes(field) && typeof value === typeof initial[field]) {
        merged[field] = value as string | number | boolean;
      }
    }
    return merged as T;
  } catch {
    return null;
  }
}

export interface Draft<T> {
  value: T;
  /** The form opened with a saved draft. */
  restored: boolean;
  update: (patch: Partial<T>) => void;
  /** Forget the draft and start from `initial` again (after saving, or on "clear"). */
  clear: () => void;
}

/** The draft's text as saved: every field but the secret ones. */
export function draftText(value: DraftFields, secret: readonly string[] = []): string {
  return JSON.stringify(Object.fromEntries(Object.entries(value).filter(([field]) => !secret.includes(field))));
}

export interface DraftOptions {
  /** Save to the encrypted store (default). False: memory only, for forms before a store exists. */
  persist?: boolean;
  /** Fields that are never saved nor restored (passphrases). Read once. */
  secret?: readonly string[];
}

/** Form state that survives a crash. Give the component a React `key` per draft key. */
export function useDraft<T extends DraftFields>(
  key: string,
  initial: T,
  { persist = true, secret = [] }: DraftOptions = {},
): Draft<T> {
  // Read once, like useState's initial value.
  const [start] = useState(initial);
  const [secretFields] = useState(secret);
  const [state, setState] = useState({ value: initial, restored: false, dirty: false });
  const typed = useRef(false);

  // Restore a saved draft, unless the user has started typing meanwhile.
  useEffect(() => {
    if (!persist) return;
    let live = true;
    loadDraft(key)
      .then((text) => {
        const saved = parseDraft(text, start, secretFields);
        if (live && saved && !typed.current) {
          setState({ value: saved, restored: true, dirty: false });
        }
      })
      .catch(() => {
        // No draft to restore (e.g. the device is locked): the form starts empty.
      });
    return () => {
      live = false;
    };
  }, [key, start, persist, secretFields]);

  useEffect(() => {
    if (!persist || !state.dirty) return;
    const timer = setTimeout(() => {
      saveDraft(key, draftText(state.value, secretFields)).catch(() => {
        // The form still works; only the draft is not kept.
      });
    }, SAVE_AFTER_MS);
    return () => clearTimeout(timer);
  }, [key, state, persist, secretFields]);

  const update = useCallback((patch: Partial<T>) => {
    typed.current = true;
    setState((s) => ({ ...s, value: { ...s.value, ...patch }, dirty: true }));
  }, []);

  const clear = useCallback(() => {
    if (persist) {
      clearDraft(key).catch(() => {
        // Nothing more to do.
      });
    }
    typed.current = false;
    setState({ value: start, restored: false, dirty: false });
  }, [key, start, persist]);

  return { value: state.value, restored: state.restored, update, clear };
}

/**
 * Calls `setOpen(true)` if a draft is waiting under `key` (after a crash, or a closed window), so
 * the form it belongs to opens again at once. Pass a state setter (stable).
 */
export function useOpenIfDraft(key: string, setOpen: (open: boolean) => void): void {
  useEffect(() => {
    let live = true;
    loadDraft(key)
      .then((text) => {
        if (live && text !== null) setOpen(true);
      })
      .catch(() => {
        // No draft: the form stays closed.
      });
    return () => {
      live = false;
    };
  }, [key, setOpen]);
}
