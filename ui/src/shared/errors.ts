import { i18n } from "./i18n";

/** Codes whose message says which field or file broke which rule. The server words its own in
 *  the reader's language (`Accept-Language`); the desktop engine's are English sentences the
 *  catalogue holds, like the UI's own strings. */
export const WORDED_BY_SERVER = ["invalid_request", "invalid_package"];

/** The app's own failures (a file, the keyring, the cache): the catalogue says what went wrong
 *  and the detail (a path, the system's own words) follows it. */
const WITH_DETAIL = ["file", "vault", "cache", "protocol"];

/** An error as the reader reads it: the server's words in English; in another language, the
 *  catalogue's line for its stable code, or for a rule its words. */
export function localError(code: string | undefined, message: string): string {
  if (!code) return message;
  if (WORDED_BY_SERVER.includes(code)) return i18n.t(message, { defaultValue: message });
  const key = `code:${code}`;
  if (WITH_DETAIL.includes(code)) return i18n.exists(key) ? `${i18n.t(key)}（${message}）` : message;
  return i18n.t(key, { defaultValue: message });
}
