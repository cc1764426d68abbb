import type { Member } from "../bindings";

/** The "@query" being typed at the caret, if any: where it starts and what follows the @. */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const m = /(^|\s)@([^\s@]*)$/.exec(before);
  if (!m) return null;
  return { start: caret - m[2]!.length - 1, query: m[2]! };
}

/** Members matching the query (name starts with it, any case), plus "all" for owners/admins. */
export function mentionChoices(members: Member[], me: string, query: string, canAll: boolean): { id: string; name: string }[] {
  const q = query.toLowerCase();
  const people = members
    .filter((m) => m.user.id !== me && m.user.display_name.toLowerCase().startsWith(q))
    .map((m) => ({ id: m.user.id, name: m.user.display_name }));
  return canAll && "all".startsWith(q) ? [{ id: "all", name: "all" }, ...people] : people;
}

/** Replaces the "@query" with "@Name " and returns the new text and caret. */
export function insertMention(text: string, start: number, caret: number, name: string): { text: string; caret: number } {
  const insert = `@${name} `;
  return { text: text.slice(0, start) + insert + text.slice(caret), caret: start + insert.length };
}
