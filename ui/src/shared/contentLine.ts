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
    default:
      return t("[Unsupported message]");
  }
}
