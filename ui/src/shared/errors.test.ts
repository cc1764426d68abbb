import { describe, expect, it } from "vitest";
import { localError } from "./errors";
import { setLanguage } from "./i18n";

describe("errors", () => {
  it("are the server's words in English, the catalogue's by code in Chinese", () => {
    setLanguage("en");
    expect(localError("wrong_pin", "That PIN is not right.")).toBe("That PIN is not right.");
    setLanguage("zh-CN");
    expect(localError("wrong_pin", "That PIN is not right.")).toBe("支付密码错误。");
    // A field's rule has no line of its own: it stays as the server wrote it.
    expect(localError("invalid_request", "title: 1–40 characters")).toBe("title: 1–40 characters");
    expect(localError(undefined, "Something")).toBe("Something");
    setLanguage(null);
  });
});
