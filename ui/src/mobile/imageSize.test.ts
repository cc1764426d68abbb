import { describe, expect, it } from "vitest";
import { imageSize } from "./imageSize";

const bytes = (...parts: (number[] | string)[]) => Uint8Array.from(parts.flatMap((p) => (typeof p === "string" ? [...p].map((c) => c.charCodeAt(0)) : p)));
const be32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

describe("imageSize reads a picture's size from its header alone", () => {
  it("sees a PNG bomb's claimed 100 000 × 100 000 pixels without decoding it", () => {
    const png = bytes([0x89], "PNG\r\n\x1a\n", be32(13), "IHDR", be32(100_000), be32(100_000), [8, 6, 0, 0, 0]);
    expect(imageSize(png)).toEqual({ width: 100_000, height: 100_000 });
  });
  it("reads GIF and WebP (VP8X) sizes", () => {
    expect(imageSize(bytes("GIF89a", [0x20, 0x03, 0x58, 0x02]))).toEqual({ width: 800, height: 600 });
    const vp8x = bytes("RIFF", [0, 0, 0, 0], "WEBPVP8X", [10, 0, 0, 0, 0, 0, 0, 0], [0x3f, 0x1f, 0x00], [0xff, 0x0f, 0x00]);
    expect(imageSize(vp8x)).toEqual({ width: 8000, height: 4096 });
  });
  it("walks a JPEG's segments to its frame header", () => {
    const app0 = [0xff, 0xe0, 0, 16, ...new Array(14).fill(0)];
    const sof0 = [0xff, 0xc0, 0, 17, 8, 0x0b, 0xb8, 0x0f, 0xa0, 3, ...new Array(9).fill(0)];
    expect(imageSize(Uint8Array.from([0xff, 0xd8, ...app0, ...sof0]))).toEqual({ width: 4000, height: 3000 });
  });
  it("answers null for what is not a picture", () => {
    expect(imageSize(bytes("%PDF-1.7 hello world, not a picture"))).toBeNull();
  });
});
