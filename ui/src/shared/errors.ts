import { i18n } from "./i18n";

/** An error as the reader reads it: the server's words in English; in another language, the
 *  catalogue's line for its stable code when it has one (field-by-field rules stay as sent). */
export function localError(code: string | undefined, message: string): string {
  if (!code) return message;
  return i18n.t(`code:${code}`, { defaultValue: message });
}
