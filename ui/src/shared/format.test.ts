import { describe, expect, it } from "vitest";
import { setLanguage } from "./i18n";
import { followers, formatBytes, parseYuan, relativeTime, spacedCode, timeLeft, voiceLength, yuan } from "./format";

describe("relativeTime", () => {
  const now = new Date(2026, 10, 21, 15, 30).getTime();
  it("says just now under a minute", () => {
    expect(relativeTime(now - 20_000, now)).toBe("just now");
  });
  it("counts minutes under an hour", () => {
    expect(relativeTime(now - 5 * 60_000, now)).toBe("5 min ago");
  });
  it("shows the clock time earlier today", () => {
    expect(relativeTime(new Date(2026, 10, 21, 9, 5).getTime(), now)).toBe("09:05");
  });
  it("says Yesterday", () => {
    expect(relativeTime(new Date(2026, 10, 20, 23, 0).getTime(), now)).toBe("Yesterday");
  });
  it("shows month/day further back", () => {
    expect(relativeTime(new Date(2026, 2, 3).getTime(), now)).toBe("3/3");
  });
  it("speaks the reader's language", () => {
    setLanguage("zh-CN");
    expect(relativeTime(now - 20_000, now)).toBe("刚刚");
    expect(relativeTime(now - 5 * 60_000, now)).toBe("5分钟前");
    expect(relativeTime(new Date(2026, 10, 20, 23, 0).getTime(), now)).toBe("昨天");
    expect(relativeTime(new Date(2026, 2, 3).getTime(), now)).toBe("3月3日");
    setLanguage(null);
  });
});

describe("spacedCode", () => {
  it("spaces the digits", () => {
    expect(spacedCode("07")).toBe("0 7");
  });
});

describe("formatBytes", () => {
  it("keeps small sizes in bytes", () => expect(formatBytes(812)).toBe("812 B"));
  it("shows one decimal under ten", () => expect(formatBytes(1.4 * 1024 * 1024)).toBe("1.4 MB"));
  it("rounds bigger numbers", () => expect(formatBytes(200 * 1024 * 1024)).toBe("200 MB"));
  it("reaches gigabytes", () => expect(formatBytes(4 * 1024 ** 3)).toBe("4.0 GB"));
});

describe("timeLeft", () => {
  it("is empty while the speed is unknown", () => expect(timeLeft(1000, 0)).toBe(""));
  it("counts seconds", () => expect(timeLeft(3_000_000, 1_000_000)).toBe("3 s left"));
  it("counts minutes", () => expect(timeLeft(240_000_000, 1_000_000)).toBe("4 min left"));
  it("counts hours and minutes", () => expect(timeLeft(3_700_000_000, 1_000_000)).toBe("1 h 2 min left"));
  it("says it in Chinese", () => {
    setLanguage("zh-CN");
    const said = [timeLeft(3_000_000, 1_000_000), timeLeft(240_000_000, 1_000_000), timeLeft(3_700_000_000, 1_000_000)];
    setLanguage(null);
    expect(said).toEqual(["剩余 3 秒", "剩余 4 分钟", "剩余 1 小时 2 分钟"]);
  });
});

describe("voiceLength", () => {
  it("uses seconds under a minute", () => expect(voiceLength(6_600)).toBe('7"'));
  it("uses minutes and seconds above", () => expect(voiceLength(65_000)).toBe("1'05\""));
});

describe("money", () => {
  it("shows fen as yuan with two decimals", () => {
    expect(yuan(1230)).toBe("¥12.30");
    expect(yuan(5)).toBe("¥0.05");
    expect(yuan(-128800)).toBe("-¥1,288.00");
  });
  it("reads what people type, and refuses what is not an amount", () => {
    expect(parseYuan("12")).toBe(1200);
    expect(parseYuan("12.3")).toBe(1230);
    expect(parseYuan(" 0.05 ")).toBe(5);
    for (const bad of ["", "0", "0.00", "1.234", "-1", "1e3", "abc", "12,5", "99999999"]) expect(parseYuan(bad)).toBeNull();
  });
});

describe("followers", () => {
  it("counts in English", () => {
    expect(followers(0)).toBe("0 followers");
    expect(followers(1)).toBe("1 follower");
    expect(followers(2)).toBe("2 followers");
  });
});
