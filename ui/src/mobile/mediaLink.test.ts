import { describe, expect, it } from "vitest";
import { linkExpiry, mediaLink } from "./mediaLink";

const HASH = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262";
const SESSION = "0193a1b2-0000-7000-8000-000000000001";

describe("signed links to files", () => {
  it("signs exactly as the server checks (the vector in xin_proto::media_link)", () => {
    const link = mediaLink({ session: SESSION, key: "07".repeat(32) }, HASH, 1_790_000_000);
    expect(link).toBe(`${SESSION}.1790000000.28832b5ffe30af2bdca3b38a85eedbe7b38b9ab955a90668bb2847925c955583`);
  });

  it("a link made in another file or with another key differs", () => {
    const media = { session: SESSION, key: "07".repeat(32) };
    const base = mediaLink(media, HASH, 1_790_000_000);
    expect(mediaLink(media, HASH.replace("a", "b"), 1_790_000_000)).not.toBe(base);
    expect(mediaLink({ ...media, key: "08".repeat(32) }, HASH, 1_790_000_000)).not.toBe(base);
  });

  it("expires at the end of the next whole hour: between one and two hours away, the same for an hour", () => {
    const hour = 1_790_000_000 - (1_790_000_000 % 3600);
    expect(linkExpiry(hour)).toBe(hour + 7200);
    expect(linkExpiry(hour + 3599)).toBe(hour + 7200);
    expect(linkExpiry(hour + 3600)).toBe(hour + 10800);
  });
});
