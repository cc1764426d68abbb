import type { Contact, Conversation, Message, UserProfile } from "../bindings";

/** What to call someone: my remark for them, else their name. */
export function nameOf(user: UserProfile, contacts: Contact[] = []): string {
  return contacts.find((c) => c.user.id === user.id)?.remark ?? user.display_name;
}

/** A–Z bucket for the contacts index ("#" for anything else). */
export function indexLetter(name: string): string {
  const c = [...name.trim()][0]?.toUpperCase() ?? "#";
  return /[A-Z]/.test(c) ? c : "#";
}

/** Contacts grouped under A–Z, each group sorted by name. */
export function groupByLetter(contacts: Contact[]): [string, Contact[]][] {
  const groups = new Map<string, Contact[]>();
  for (const c of contacts) {
    const key = indexLetter(c.remark ?? c.user.display_name);
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const letters = [...groups.keys()].sort((a, b) => (a === "#" ? 1 : b === "#" ? -1 : a.localeCompare(b)));
  return letters.map((l) => [l, (groups.get(l) ?? []).sort((a, b) => (a.remark ?? a.user.display_name).localeCompare(b.remark ?? b.user.display_name))]);
}

/** Whether to print a time line before `m`: the first message, or more than 5 minutes later. */
export function needsTimeLine(prev: Message | undefined, m: Message): boolean {
  return !prev || m.created_at - prev.created_at > 5 * 60_000;
}

export function memberCount(c: Conversation): string {
  return c.kind === "group" ? ` (${c.members.length})` : "";
}

/** Recall is offered for one's own messages within 2 minutes. */
export function canRecall(m: Message, me: string, now = Date.now()): boolean {
  return m.sender_id === me && !m.recalled && m.content.type === "text" && now - m.created_at < 120_000;
}
