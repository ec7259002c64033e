import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import enJson from "./en.json";
import nb from "./nb.json";

/** Every key of nb.json must exist in en.json: the compiler checks it here. */
const en: typeof nb = enJson;

export const LANGUAGES = ["nb", "en"] as const;
export type Language = (typeof LANGUAGES)[number];

const STORAGE_KEY = "folgesvenn.language";

function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

function storedLanguage(): Language {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return isLanguage(value) ? value : "nb";
  } catch {
    return "nb";
  }
}

export function currentLanguage(): Language {
  return isLanguage(i18n.resolvedLanguage) ? i18n.resolvedLanguage : "nb";
}

/** Switches the UI language, remembers it and keeps `<html lang>` in step. */
export async function setLanguage(language: Language): Promise<void> {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Storage may be unavailable; the choice then lasts until the app closes.
  }
  await i18n.changeLanguage(language);
}

i18n.on("languageChanged", (language) => {
  document.documentElement.lang = isLanguage(language) ? language : "nb";
});

void i18n.use(initReactI18next).init({
  resources: { nb: { translation: nb }, en: { translation: en } },
  lng: storedLanguage(),
  fallbackLng: "nb",
  supportedLngs: [...LANGUAGES],
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});

export default i18n;
