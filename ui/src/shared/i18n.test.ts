import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import zh from "../locales/zh-CN.json";
import { formatDateTime, i18n, setLanguage } from "./i18n";

/** Every `t("…")` literal in the UI's sources. */
function keysUsed(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...keysUsed(path));
    else if (/\.tsx?$/.test(name) && !name.endsWith(".test.ts")) {
      for (const m of readFileSync(path, "utf8").matchAll(/\bt\("((?:[^"\\]|\\.)*)"/g)) out.push(JSON.parse(`"${m[1]!}"`) as string);
    }
  }
  return out;
}

describe("languages", () => {
  it("has a Chinese string for every string the UI translates", () => {
    const used = [...new Set(keysUsed(join(__dirname, "..")))];
    expect(used.length).toBeGreaterThan(50);
    const missing = used.filter((k) => !(k in zh));
    expect(missing).toEqual([]);
  });

  it("switches language, interpolates, and formats dates for the language", () => {
    setLanguage("zh-CN");
    expect(i18n.t("Trying again in {{n}} s.", { n: 5 })).toBe("5 秒后重试。");
    expect(formatDateTime(Date.UTC(2026, 10, 23, 12), { month: "long", day: "numeric", timeZone: "UTC" })).toBe("11月23日");
    setLanguage("en");
    expect(i18n.t("Trying again in {{n}} s.", { n: 5 })).toBe("Trying again in 5 s.");
    expect(formatDateTime(Date.UTC(2026, 10, 23, 12), { month: "long", day: "numeric", timeZone: "UTC" })).toBe("November 23");
    setLanguage(null);
  });
});
