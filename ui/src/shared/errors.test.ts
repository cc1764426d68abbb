import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import zh from "../locales/zh-CN.json";
import { WORDED_BY_SERVER, localError } from "./errors";
import { setLanguage } from "./i18n";

describe("errors", () => {
  it("are the server's words in English, the catalogue's by code in Chinese", () => {
    setLanguage("en");
    expect(localError("wrong_pin", "That PIN is not right.")).toBe("That PIN is not right.");
    setLanguage("zh-CN");
    expect(localError("wrong_pin", "That PIN is not right.")).toBe("支付密码错误。");
    // A field's rule is worded by the server in the reader's language: it stays as sent.
    expect(localError("invalid_request", "title：1–40 个字符")).toBe("title：1–40 个字符");
    // The desktop engine's own rules are English sentences the catalogue holds.
    expect(localError("invalid_request", "Type a message first.")).toBe("请先输入消息。");
    expect(localError(undefined, "Something")).toBe("Something");
    // The app's own failures keep their detail after the Chinese line.
    expect(localError("file", "Could not read /tmp/a.png: No such file")).toBe("文件操作失败（Could not read /tmp/a.png: No such file）");
    setLanguage("en");
    expect(localError("file", "Could not read /tmp/a.png: No such file")).toBe("Could not read /tmp/a.png: No such file");
    setLanguage(null);
  });

  it("has Chinese for every code the server can answer", () => {
    const bindings = readFileSync(new URL("../bindings.ts", import.meta.url), "utf8");
    const union = /export type ErrorCode = ([^;]*);/.exec(bindings)?.[1] ?? "";
    const codes = [...union.matchAll(/"([a-z_]+)"/g)].map((m) => m[1] ?? "");
    expect(codes.length).toBeGreaterThan(50);
    const missing = codes.filter((c) => !WORDED_BY_SERVER.includes(c) && !(`code:${c}` in zh));
    expect(missing).toEqual([]);
  });
});
