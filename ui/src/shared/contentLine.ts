import type { Content } from "../bindings";
import { i18n } from "./i18n";
import { systemLine } from "./systemLine";

/** A message's content as one line (quotes, menus, forwarded cards): its words, or its kind, in
 *  the reader's language. */
export function contentLine(c: Content): string {
  const t = i18n.t.bind(i18n);
  switch (c.type) {
    case "text":
      return c.text;
    case "system":
      return systemLine(c);
    case "image":
      return t("[Photo]");
    case "file":
      return t("[File] {{name}}", { name: c.name });
    case "voice":
      return t("[Voice]");
    case "video":
      return t("[Video]");
    case "article":
      return t("[Article] {{title}}", { title: c.title });
    case "mini_program":
      return t("[Mini Program] {{name}}", { name: c.name });
    case "history":
      return t("[Chat history] {{title}}", { title: c.title });
    case "call":
      return c.kind === "video" ? t("[Video call]") : t("[Voice call]");
    default:
      return t("[Unsupported message]");
  }
}

type CallContent = Extract<Content, { type: "call" }>;

/** What a call's line in the chat says: "Call duration 01:23", "Declined", … */
export function callLine(c: CallContent): string {
  const t = i18n.t.bind(i18n);
  switch (c.outcome) {
    case "completed": {
      const m = Math.floor(c.duration_secs / 60);
      const s = c.duration_secs % 60;
      const d = `${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
      return t("Call duration {{duration}}", { duration: d });
    }
    case "cancelled":
      return t("Cancelled");
    case "declined":
      return t("Declined");
    case "no_answer":
      return t("No answer");
    case "busy":
      return t("Busy");
    case "failed":
      switch (c.failure) {
        case "signed_out":
          return t("Call ended: a device signed out");
        case "media":
          return t("Call failed: no microphone or camera");
        default:
          return t("Call failed: could not connect");
      }
  }
}
