// The one form mechanism: every form's values (a draft, see useDraft), what its inputs report
// beyond their value (a date field's "not a date"), its validation messages and when they show,
// the error summary's list, and the submit with its busy state and failure message.
//
// When a message shows: once the user has left a field with something in it (`touch`), or after
// a submit. Empty fields wait for the submit. A submit with errors shows them all and either
// lets the error summary take focus (long forms) or focuses the first wrong field (short ones).
import { useCallback, useState, type FormEvent } from "react";
import { toCommandError, type CommandFailure } from "../api";
import { useErrorText } from "../errorText";
import type { FieldError } from "../components/FormErrorSummary";
import { useDraft, type DraftFields } from "./useDraft";

/** What an input reports beyond its value (a date field's `DateProblem`); null: nothing. */
export type Problems = Partial<Record<string, string | null>>;

/**
 * Validation messages by field name; undefined: the field is fine. The error summary lists them
 * in the order they were added, so add them in screen order.
 */
export type FieldErrors = Partial<Record<string, string>>;

export interface FormOptions<T extends DraftFields> {
  initial: T;
  /** Keep the values as a draft under this key (`draftKey(...)`). Without it: memory only. */
  draftKey?: string;
  /** False: the draft stays in memory (forms shown before a store exists). */
  persist?: boolean;
  /** Fields never written to a draft (passphrases). */
  secret?: readonly (keyof T & string)[];
  /** The input id of a field, where it is not the field name itself (for the summary's links). */
  ids?: Partial<Record<string, string>>;
  /** Every message that applies now; runs on every render. */
  validate: (values: T, problems: Problems) => FieldErrors;
  /** After a submit with errors: "summary" (a FormErrorSummary takes focus) or "field". */
  onInvalid?: "summary" | "field";
  /** The message for a failed save; null when the form shows that failure itself. */
  failureMessage?: (error: CommandFailure) => string | null;
}

export interface Form<T extends DraftFields> {
  values: T;
  update: (patch: Partial<T>) => void;
  /** The form opened with a saved draft. */
  restored: boolean;
  /**
   * Changes when the values are replaced (a draft restored, a draft thrown away): give it as
   * `key` to inputs that read their value only when they mount (DateField).
   */
  resetKey: string;
  problems: Problems;
  setProblem: (name: string, problem: string | null) => void;
  /** A DateField's onChange for a field of the values. */
  dateChange: (name: keyof T & string) => (value: string, problem: string | null) => void;
  /** Everything wrong now, shown or not. */
  errors: FieldErrors;
  /** The message to show beside a field now, if any. */
  error: (name: string) => string | undefined;
  /** An onBlur handler: from now on the field's message shows (if it has text). */
  touch: (name: string) => (e: { currentTarget: { value: string } }) => void;
  /** What FormErrorSummary lists. */
  summary: FieldError[];
  /** Submits so far (0 again after `clear`); FormErrorSummary shows and takes focus after one. */
  attempt: number;
  submitting: boolean;
  submitError: string | null;
  /** A form's onSubmit: validates, then saves with `save` unless something is wrong. */
  handleSubmit: (save: (values: T) => Promise<void>) => (e: FormEvent) => Promise<void>;
  /** Runs a save without validating (a second button): busy state, failure, clear on success. */
  run: (save: () => Promise<void>) => Promise<void>;
  /** Back to the initial values, no draft, nothing touched (after a save, or "discard draft"). */
  clear: () => void;
}

export function useForm<T extends DraftFields>({
  initial,
  draftKey,
  persist = true,
  secret,
  ids = {},
  validate,
  onInvalid = "summary",
  failureMessage,
}: FormOptions<T>): Form<T> {
  const errorText = useErrorText();
  const draft = useDraft(draftKey ?? "", initial, { persist: draftKey !== undefined && persist, secret });
  const [problems, setProblems] = useState<Problems>({});
  const [touched, setTouched] = useState<Partial<Record<string, boolean>>>({});
  const [attempt, setAttempt] = useState(0);
  const [generation, setGeneration] = useState(0);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<string | null>(null);

  const { update, clear: clearDraft } = draft;
  const values = draft.value;
  const errors = validate(values, problems);
  const summary: FieldError[] = Object.entries(errors).flatMap(([name, message]) =>
    message ? [{ id: ids[name] ?? name, message }] : [],
  );

  const setProblem = useCallback((name: string, problem: string | null) => {
    setProblems((p) => ({ ...p, [name]: problem }));
  }, []);

  const clear = useCallback(() => {
    clearDraft();
    setProblems({});
    setTouched({});
    setAttempt(0);
    setGeneration((n) => n + 1);
  }, [clearDraft]);

  async function run(save: () => Promise<void>) {
    setSubmitting(true);
    try {
      await save();
      clear();
    } catch (error) {
      const failure = toCommandError(error);
      setSubmitError(failureMessage ? failureMessage(failure) : errorText(failure));
    } finally {
      setSubmitting(false);
    }
  }

  return {
    values,
    update,
    restored: draft.restored,
    resetKey: `${generation}:${draft.restored}`,
    problems,
    setProblem,
    dateChange: (name) => (value, problem) => {
      update({ [name]: value } as Partial<T>);
      setProblem(name, problem);
    },
    errors,
    error: (name) => (attempt > 0 || touched[name] ? errors[name] : undefined),
    touch: (name) => (e) => {
      if (e.currentTarget.value.trim()) setTouched((s) => ({ ...s, [name]: true }));
    },
    summary,
    attempt,
    submitting,
    submitError,
    handleSubmit: (save) => async (e) => {
      e.preventDefault();
      setAttempt((n) => n + 1);
      setSubmitError(null);
      const first = summary[0];
      if (first) {
        if (onInvalid === "field") document.getElementById(first.id)?.focus();
        return;
      }
      await run(() => save(values));
    },
    run,
    clear,
  };
}
