import { describe, expect, it } from "vitest";
import type { Member } from "../bindings";
import { insertMention, mentionChoices, mentionQuery } from "./mentions";

const member = (id: string, name: string): Member => ({ user: { id, handle: id, display_name: name, avatar_hue: 0 }, role: "member" });
const members = [member("me", "Alice"), member("b", "Bob"), member("c", "Bella"), member("d", "Carol")];

describe("mentions", () => {
  it("finds the @query at the caret", () => {
    expect(mentionQuery("hi @be", 6)).toEqual({ start: 3, query: "be" });
    expect(mentionQuery("@", 1)).toEqual({ start: 0, query: "" });
    expect(mentionQuery("mail a@b", 8)).toBeNull();
    expect(mentionQuery("hi @bob there", 13)).toBeNull();
  });
  it("offers matching members but not me, and @all only to owners/admins", () => {
    expect(mentionChoices(members, "me", "b", false).map((c) => c.name)).toEqual(["Bob", "Bella"]);
    expect(mentionChoices(members, "me", "", true).map((c) => c.name)).toEqual(["all", "Bob", "Bella", "Carol"]);
    expect(mentionChoices(members, "me", "a", false)).toEqual([]);
  });
  it("inserts the chosen name", () => {
    expect(insertMention("hi @be and", 3, 6, "Bella")).toEqual({ text: "hi @Bella  and", caret: 10 });
  });
});
