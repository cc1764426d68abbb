import { describe, expect, it } from "vitest";
import type { Contact, Message } from "../bindings";
import { canRecall, groupByLetter, indexLetter, needsTimeLine, nameOf } from "./names";

const contact = (id: string, name: string, remark: string | null = null): Contact => ({
  user: { id, handle: id, display_name: name, avatar_hue: 1 },
  remark,
  since: 0,
  tags: [],
  blocked: false,
});
const msg = (created_at: number, sender_id = "a"): Message => ({
  id: String(created_at), conversation_id: "c", seq: 1, sender_id, client_id: "x",
  content: { type: "text", text: "hi", mentions: [], mention_all: false }, reply_to: null, recalled: false, created_at,
});

describe("names", () => {
  it("prefers my remark", () => {
    const c = [contact("b", "Bob", "Bobby")];
    expect(nameOf(c[0]!.user, c)).toBe("Bobby");
    expect(nameOf(contact("z", "Zoe").user, c)).toBe("Zoe");
  });
  it("indexes A–Z with # for the rest", () => {
    expect(indexLetter("alice")).toBe("A");
    expect(indexLetter("王小明")).toBe("#");
  });
  it("groups contacts by letter, # last", () => {
    const groups = groupByLetter([contact("1", "bob"), contact("2", "王"), contact("3", "Anna"), contact("4", "x", "Ben")]);
    expect(groups.map(([l, cs]) => [l, cs.map((c) => c.remark ?? c.user.display_name)])).toEqual([
      ["A", ["Anna"]],
      ["B", ["Ben", "bob"]],
      ["#", ["王"]],
    ]);
  });
  it("prints a time line after 5 quiet minutes", () => {
    expect(needsTimeLine(undefined, msg(0))).toBe(true);
    expect(needsTimeLine(msg(0), msg(60_000))).toBe(false);
    expect(needsTimeLine(msg(0), msg(5 * 60_000 + 1))).toBe(true);
  });
  it("allows recall of my own message within 2 minutes", () => {
    expect(canRecall(msg(1000, "me"), "me", 1000 + 119_000)).toBe(true);
    expect(canRecall(msg(1000, "me"), "me", 1000 + 121_000)).toBe(false);
    expect(canRecall(msg(1000, "bob"), "me", 2000)).toBe(false);
  });
});
