import { useState } from "react";
import { chosenLanguage, type Language, LANGUAGES, setLanguage, useT } from "./i18n";

/** Same as the system, or English, or 简体中文 (each named in itself); remembered. */
export function LanguageSelect({ testid = "setting-language" }: { testid?: string }) {
  const t = useT();
  const [lang, setLang] = useState<Language | "system">(chosenLanguage() ?? "system");
  const choose = (v: string) => {
    const next = LANGUAGES.find((l) => l.code === v)?.code ?? null;
    setLang(next ?? "system");
    setLanguage(next);
  };
  return (
    <select value={lang} onChange={(e) => choose(e.target.value)} data-testid={testid} aria-label={t("Language")}>
      <option value="system">{t("Same as the system")}</option>
      {LANGUAGES.map((l) => (
        <option key={l.code} value={l.code}>
          {l.name}
        </option>
      ))}
    </select>
  );
}
