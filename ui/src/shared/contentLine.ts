import type { Content } from "../bindings";
import { systemLine } from "./systemLine";

/** A message's content as one line (quotes, menus, forwarded cards): its words, or its kind. */
export function contentLine(c: Content): string {
  switch (c.type) {
    case "text":
      return c.text;
    case "system":
      return systemLine(c);
    case "image":
      return "[Photo]";
    case "file":
      return `[File] ${c.name}`;
    case "voice":
      return "[Voice]";
    case "video":
      return "[Video]";
    case "article":
      return `[Article] ${c.title}`;
    case "mini_program":
      return `[Mini Program] ${c.name}`;
    case "history":
      return `[Chat history] ${c.title}`;
    default:
      return "[Unsupported message]";
  }
}
