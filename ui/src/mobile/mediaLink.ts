import { blake3 } from "@noble/hashes/blake3.js";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import type { MediaKey } from "../bindings";

/**
 * Signed links to files (`xin_proto::media_link`): an `<img>` or `<video>` cannot send the access
 * token in a header, and a token in an address would leak through history, caches, shares and
 * proxies' logs. A link opens one file for an hour or two (the realtime socket: within a minute),
 * and never once this session signs out.
 */

/** The end of the next whole hour: the same file keeps one address, and the browser's cache,
 * for an hour, and a link is always good for at least one more. */
export function linkExpiry(nowSecs: number): number {
  return (Math.floor(nowSecs / 3600) + 2) * 3600;
}

/** The `link` parameter for `resource` (a file's hash, or "realtime" for the socket), signed
 * with the session's key. */
export function mediaLink(media: MediaKey, resource: string, expires: number): string {
  const signature = blake3(utf8ToBytes(`${resource}.${expires}`), { key: hexToBytes(media.key) });
  return `${media.session}.${expires}.${bytesToHex(signature)}`;
}

/** How far the server's clock is ahead of this one, in seconds, learnt from its answers'
 * `Date`: a phone whose clock is off must still ask for a time the server accepts. */
let skewSecs = 0;

export function learnServerTime(resp: Response) {
  const date = Date.parse(resp.headers.get("date") ?? "");
  if (Number.isFinite(date)) skewSecs = Math.round((date - Date.now()) / 1000);
}

export function serverNowSecs(): number {
  return Math.floor(Date.now() / 1000) + skewSecs;
}
