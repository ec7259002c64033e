// Errors and sync-log lines in the UI's language: the Rust side sends a code and its parameters
// (`CommandError.kind`, `.params`; `SyncLogLine`, `QuarantineLine`), never a sentence the UI shows.
import type { TFunction } from "i18next";
import { useCallback } from "react";
import { useTranslation } from "react-i18next";
import { CommandFailure, toCommandError } from "./api";
import { EMPLOYER_ACCESS_DAYS, LOG_EVENTS } from "./bindings/rules";
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
  if (params.member && !params.name) out.name = String(loose(t)("syncLog.unknownDevice"));
  if (out.name) out.Name = capitalise(out.name);
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
  const values = { ...shown(t, e.params, language), weeks: String(EMPLOYER_ACCESS_DAYS / 7) };
  const keys = [`errors.${code}`];
  if (e.params.field) keys.unshift(`errors.${code}_${e.params.field}`);
  const key = keys.find((k) => has(t, k));
  if (!key) return String(loose(t)("errors.unexpected", { message: e.message }));
  return String(loose(t)(key, values));
}

/** `errorText` with the current language's `t`. */
export function useErrorText(): (error: unknown) => string {
  const { t } = useTranslation();
  // Stable while the language is: callers put it in their own callbacks' dependencies.
  return useCallback((error: unknown) => errorText(t, error), [t]);
}

/** A coded line: what happened (`kind`) and the values it names. */
export interface Coded {
  kind: string;
  params: Record<string, string | undefined>;
}

function isLogEvent(code: string): boolean {
  return (LOG_EVENTS as readonly string[]).includes(code);
}

/** A code inside a line (its `reason` or `error`), with the line's other parameters. */
function inner(t: TFunction, code: string, params: Params, language: Language): string {
  const rest: Params = { ...params, reason: undefined, error: code === params.error ? undefined : params.error };
  if (isLogEvent(code)) return eventText(t, { kind: code, params: rest }, language);
  return errorText(t, new CommandFailure({ kind: code, message: code, params: rest }), language);
}

/**
 * A line of the sync log or a quarantine reason as a sentence. A line caused by another names its
 * cause's code as `reason` (a log event) or `error` (an error's kind), worded inside it.
 */
export function eventText(t: TFunction, line: Coded, language: Language = currentLanguage()): string {
  if (!isLogEvent(line.kind)) {
    return errorText(t, new CommandFailure({ kind: line.kind, message: line.kind, params: line.params }), language);
  }
  const values = shown(t, line.params, language);
  if (line.params.reason) values.reason = inner(t, line.params.reason, line.params, language);
  if (line.params.error) values.error = inner(t, line.params.error, { ...line.params, reason: undefined }, language);
  return String(loose(t)(`syncEvent.${line.kind}`, values));
}
