import { useTranslation } from "react-i18next";
import { toCommandError } from "../../api";

/** The error kinds of the lifecycle commands that have their own sentence in the UI. */
const KNOWN_ERRORS = [
  "in_future",
  "before_placement_start",
  "status_transition",
  "reopen_too_late",
  "unknown_choice",
  "invalid_date",
  "out_of_range",
] as const;
type KnownError = (typeof KNOWN_ERRORS)[number];

function isKnownError(kind: string): kind is KnownError {
  return (KNOWN_ERRORS as readonly string[]).includes(kind);
}

/** A command's error as a sentence: the UI's own for the kinds it knows, else the Rust side's. */
export function useFailureText() {
  const { t } = useTranslation();
  return (error: unknown): string => {
    const e = toCommandError(error);
    return isKnownError(e.kind) ? t(`errors.${e.kind}`) : t("lifecycle.failed", { message: e.message });
  };
}
