/**
 * A picture's size read from its header, before anything is decoded: a decompression bomb
 * (a few bytes that claim billions of pixels) is refused without ever being drawn.
 * PNG, GIF, JPEG and WebP; null when the header says nothing we can read.
 */
export function imageSize(head: Uint8Array): { width: number; height: number } | null {
  const b = head;
  const at = (o: number) => b[o] ?? 0;
  const be16 = (o: number) => (at(o) << 8) | at(o + 1);
  const le16 = (o: number) => at(o) | (at(o + 1) << 8);
  const be32 = (o: number) => ((at(o) << 24) >>> 0) + (at(o + 1) << 16) + (at(o + 2) << 8) + at(o + 3);
  const ascii = (o: number, s: string) => [...s].every((c, i) => at(o + i) === c.charCodeAt(0));
  if (b.length >= 24 && at(0) === 0x89 && ascii(1, "PNG") && ascii(12, "IHDR")) return { width: be32(16), height: be32(20) };
  if (b.length >= 10 && ascii(0, "GIF8")) return { width: le16(6), height: le16(8) };
  if (b.length >= 30 && ascii(0, "RIFF") && ascii(8, "WEBP")) {
    if (ascii(12, "VP8X")) return { width: 1 + (at(24) | (at(25) << 8) | (at(26) << 16)), height: 1 + (at(27) | (at(28) << 8) | (at(29) << 16)) };
    if (ascii(12, "VP8L")) {
      const bits = at(21) | (at(22) << 8) | (at(23) << 16) | (at(24) << 24);
      return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff) };
    }
    if (ascii(12, "VP8 ")) return { width: le16(26) & 0x3fff, height: le16(28) & 0x3fff };
    return null;
  }
  if (b.length >= 4 && at(0) === 0xff && at(1) === 0xd8) {
    // JPEG: walk the segments to the first start-of-frame.
    let o = 2;
    while (o + 9 < b.length) {
      if (at(o) !== 0xff) return null;
      const marker = at(o + 1);
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        o += 2;
        continue;
      }
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return { width: be16(o + 7), height: be16(o + 5) };
      o += 2 + be16(o + 2);
    }
  }
  return null;
}
