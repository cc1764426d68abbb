import { describe, expect, it } from "vitest";
import { relativeTime, spacedCode } from "./format";

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
});

describe("spacedCode", () => {
  it("spaces the digits", () => {
    expect(spacedCode("07")).toBe("0 7");
  });
});
