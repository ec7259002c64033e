// Dates, times and numbers as people read them, in the chosen language.
import type { Language } from "./i18n";

const LOCALES: Record<Language, string> = { nb: "nb-NO", en: "en-GB" };

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

// Each formatter is made once per language and kept: making one loads its locale's rules, and
// a screen formats a date on every row (the timeline of a three-year placement, the list).
const FORMATS = {
  day: { dateStyle: "medium" },
  moment: { dateStyle: "medium", timeStyle: "short" },
  dayThisYear: { day: "numeric", month: "short" },
  time: { hour: "2-digit", minute: "2-digit" },
} satisfies Record<string, Intl.DateTimeFormatOptions>;
const formatters = new Map<string, Intl.DateTimeFormat>();

function dateFormat(language: Language, kind: keyof typeof FORMATS): Intl.DateTimeFormat {
  const key = `${language}:${kind}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(LOCALES[language], FORMATS[kind]);
    formatters.set(key, format);
  }
  return format;
}

const numberFormats = new Map<Language, Intl.NumberFormat>();

/** `YYYY-MM-DD` as a local date (no time zone shift), or undefined. */
export function parseIsoDate(value: string | null | undefined): Date | undefined {
  const m = value ? DATE_ONLY.exec(value) : null;
  if (!m) return undefined;
  const date = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date rolls 2026-02-30 over to March and 2026-13-01 to the next year: refuse both.
  return date.getMonth() === Number(m[2]) - 1 && date.getDate() === Number(m[3]) ? date : undefined;
}

export function toIsoDate(date: Date): string {
  const y = String(date.getFullYear()).padStart(4, "0");
  const m = String(date.getMonth() + 1).padStart(2, "0");
  const d = String(date.getDate()).padStart(2, "0");
  return `${y}-${m}-${d}`;
}

export function todayIso(): string {
  return toIsoDate(new Date());
}

export function isoDaysFromToday(days: number): string {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return toIsoDate(d);
}

/** A day (`2026-11-27`) or a moment (RFC 3339) for display; anything else as it is. */
export function formatDate(value: string | null | undefined, language: Language): string {
  if (!value) return "";
  const day = parseIsoDate(value);
  if (day) {
    return dateFormat(language, "day").format(day);
  }
  const moment = new Date(value);
  if (Number.isNaN(moment.getTime())) return value;
  return dateFormat(language, "moment").format(moment);
}

/** A day in few characters: "12. des." this year, "12. des. 2027" another year. */
export function formatShortDate(value: string | null | undefined, language: Language): string {
  const day = parseIsoDate(value);
  if (!day) return formatDate(value, language);
  const thisYear = day.getFullYear() === new Date().getFullYear();
  return dateFormat(language, thisYear ? "dayThisYear" : "day").format(day);
}

/** `HH:MM` of a moment in milliseconds since the epoch. */
export function formatTime(ms: number, language: Language): string {
  return dateFormat(language, "time").format(new Date(ms));
}

export function isSameDay(ms: number, other: number): boolean {
  return toIsoDate(new Date(ms)) === toIsoDate(new Date(other));
}

export function formatNumber(value: number, language: Language): string {
  let format = numberFormats.get(language);
  if (!format) {
    format = new Intl.NumberFormat(LOCALES[language], { maximumFractionDigits: 2 });
    numberFormats.set(language, format);
  }
  return format.format(value);
}

/** "7,5", "7.5" or " 8 " as a number; NaN when it is not one. */
export function parseDecimal(value: string): number {
  const text = value.trim().replace(",", ".");
  if (!/^\d+(\.\d+)?$/.test(text)) return Number.NaN;
  return Number(text);
}

/** A number as the user would type it in the current language. */
export function decimalInput(value: number, language: Language): string {
  const text = String(Math.round(value * 100) / 100);
  return language === "nb" ? text.replace(".", ",") : text;
}

/** Norwegian organisation number: nine digits (spaces allowed), modulus-11 check digit. */
export function isValidOrgNumber(value: string): boolean {
  if (!/^[\d ]+$/.test(value)) return false;
  const digits = value.replace(/ /g, "").split("").map(Number);
  if (digits.length !== 9) return false;
  const weights = [3, 2, 7, 6, 5, 4, 3, 2];
  const sum = weights.reduce((acc, w, i) => acc + w * (digits[i] ?? 0), 0);
  const rest = 11 - (sum % 11);
  const check = rest === 11 ? 0 : rest;
  return check !== 10 && check === digits[8];
}

/** Length in characters as the Rust side counts them (code points, not UTF-16 units). */
export function charCount(value: string): number {
  return Array.from(value).length;
}
