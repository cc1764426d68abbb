import { i18n } from "./i18n";

/** Codes whose message the server words for the reader (`Accept-Language`), because only the
 *  message says which field broke which rule — or, for a package, which file is wrong. */
export const WORDED_BY_SERVER = ["invalid_request", "invalid_package"];

/** The app's own failures (a file, the keyring, the cache): the catalogue says what went wrong
 *  and the detail (a path, the system's own words) follows it. */
const WITH_DETAIL = ["file", "vault", "cache", "protocol"];

/** An error as the reader reads it: the server's words in English; in another language, the
 *  catalogue's line for its stable code (the server's words for a field's rule). */
export function localError(code: string | undefined, message: string): string {
  if (!code || WORDED_BY_SERVER.includes(code)) return message;
  const key = `code:${code}`;
  if (WITH_DETAIL.includes(code)) return i18n.exists(key) ? `${i18n.t(key)}（${message}）` : message;
  return i18n.t(key, { defaultValue: message });
}
