import i18n from "i18next";
import { initReactI18next, useTranslation } from "react-i18next";
import zh from "../locales/zh-CN.json";

/** The languages Xin speaks. English strings are the keys; a language without a string falls
 *  back to English. */
export const LANGUAGES = [
  { code: "en", name: "English" },
  { code: "zh-CN", name: "简体中文" },
] as const;
export type Language = (typeof LANGUAGES)[number]["code"];

const STORED = "xin-language";

/** The user's choice, or null to follow the system. */
export function chosenLanguage(): Language | null {
  const v = typeof localStorage === "undefined" ? null : localStorage.getItem(STORED);
  return LANGUAGES.some((l) => l.code === v) ? (v as Language) : null;
}

/** What the system asks for: Chinese for any zh locale, else English. The desktop app says what
 *  its system's locale is (`__XIN_SYSTEM_LOCALE__`); a browser says it in `navigator`. */
export function systemLanguage(): Language {
  const told = typeof window === "undefined" ? undefined : (window as { __XIN_SYSTEM_LOCALE__?: string }).__XIN_SYSTEM_LOCALE__;
  const wanted = told ? [told] : typeof navigator === "undefined" ? [] : [...(navigator.languages ?? []), navigator.language];
  return wanted.some((l) => l?.toLowerCase().startsWith("zh")) ? "zh-CN" : "en";
}

void i18n.use(initReactI18next).init({
  resources: { en: { translation: {} }, "zh-CN": { translation: zh } },
  lng: chosenLanguage() ?? systemLanguage(),
  fallbackLng: "en",
  keySeparator: false,
  nsSeparator: false,
  interpolation: { escapeValue: false },
  initAsync: false,
});
const markPage = () => {
  if (typeof document !== "undefined") document.documentElement.lang = i18n.language;
};
markPage();

/** Switches the language (null: follow the system) and remembers it. */
export function setLanguage(lang: Language | null) {
  if (typeof localStorage !== "undefined") {
    if (lang) localStorage.setItem(STORED, lang);
    else localStorage.removeItem(STORED);
  }
  void i18n.changeLanguage(lang ?? systemLanguage());
  markPage();
}

/** `t` for a component; re-renders when the language changes. */
export function useT() {
  return useTranslation().t;
}

/** Dates and times in the current language's way. */
export function formatDateTime(ms: number, options: Intl.DateTimeFormatOptions): string {
  return new Intl.DateTimeFormat(i18n.language, options).format(ms);
}

export { i18n };
