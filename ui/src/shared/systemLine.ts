import type { Content, Named } from "../bindings";
import { i18n } from "./i18n";

type SystemContent = Extract<Content, { type: "system" }>;

/** A system line in the reader's language, from what happened; the server's English words
 *  when the line predates events. */
export function systemLine(c: SystemContent): string {
  const e = c.event;
  if (!e) return c.text;
  const t = i18n.t.bind(i18n);
  const list = (people: Named[]) => people.map((p) => p.name).join(t(", "));
  switch (e.kind) {
    case "group_created":
      return t("{{by}} created the group with {{with}}", { by: e.by.name, with: list(e.with) });
    case "renamed":
      return t('{{by}} renamed the group to "{{title}}"', { by: e.by.name, title: e.title });
    case "announcement_updated":
      return t("{{by}} updated the announcement", { by: e.by.name });
    case "members_added":
      return t("{{by}} added {{users}}", { by: e.by.name, users: list(e.users) });
    case "left":
      return t("{{user}} left the group", { user: e.user.name });
    case "removed":
      return t("{{by}} removed {{user}}", { by: e.by.name, user: e.user.name });
    case "role_changed":
      return e.role === "owner"
        ? t("{{user}} is now the group owner", { user: e.user.name })
        : e.role === "admin"
          ? t("{{user}} is now an admin", { user: e.user.name })
          : t("{{user}} is no longer an admin", { user: e.user.name });
    default:
      return c.text;
  }
}
