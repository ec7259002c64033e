// A command's error in the UI's language: the Rust side sends a code and its parameters
// (`CommandError.kind`, `.params`), never a sentence the UI shows.
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { toCommandError } from "./api";
import { codeLabel } from "./codes";
import { formatDate } from "./format";
import { currentLanguage, type Language } from "./i18n";

type Params = Record<string, string | undefined>;
/** `t` with a key made at run time (the typed `t` only takes keys it can see). */
type LooseT = (key: string | string[], options?: Record<string, unknown>) => unknown;

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

function loose(t: TFunction): LooseT {
  return t as unknown as LooseT;
}

function has(t: TFunction, key: string): boolean {
  return loose(t)(key, { defaultValue: "" }) !== "";
}

function capitalise(text: string): string {
  return text.charAt(0).toLocaleUpperCase() + text.slice(1);
}

/** The parameters as the sentence shows them: codes as labels, days as dates. */
function shown(t: TFunction, params: Params, language: Language): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    out[name] = ISO_DAY.test(value) ? formatDate(value, language) : value;
  }
  const field = params.field;
  if (field) {
    out.field = codeLabel(t, "inputField", field);
    out.Field = capitalise(out.field);
  }
  if (params.rule) out.rule = codeLabel(t, "inconsistency", params.rule);
  if (params.from) out.from = codeLabel(t, "status", params.from);
  if (params.to) out.to = codeLabel(t, "status", params.to);
  return out;
}

/**
 * The sentence for an error's code: a rule broken by the input is worded by the rule's own code
 * (`validation`), a wording for one field (`out_of_range_end_date`) goes before the general one,
 * and a code this version does not know is named as "something unexpected" with its message.
 */
export function errorText(t: TFunction, error: unknown, language: Language = currentLanguage()): string {
  const e = toCommandError(error);
  const code = e.kind === "invalid_input" && e.params.validation ? e.params.validation : e.kind;
  const values = shown(t, e.params, language);
  const keys = [`errors.${code}`];
  if (e.params.field) keys.unshift(`errors.${code}_${e.params.field}`);
  const key = keys.find((k) => has(t, k));
  if (!key) return String(loose(t)("errors.unexpected", { message: e.message }));
  return String(loose(t)(key, values));
}

/** `errorText` with the current language's `t`. */
export function useErrorText(): (error: unknown) => string {
  const { t } = useTranslation();
  return (error: unknown) => errorText(t, error);
}
