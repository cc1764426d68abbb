import { describe, expect, it } from "vitest";
import { setLanguage } from "./i18n";
import { systemLine } from "./systemLine";

const ann = { id: "a", name: "Ann" };
const bob = { id: "b", name: "Bob" };
const cat = { id: "c", name: "Cat" };

describe("system lines", () => {
  it("are written in the reader's language from what happened", () => {
    const added = { type: "system" as const, text: "Ann added Bob, Cat", event: { kind: "members_added" as const, by: ann, users: [bob, cat] } };
    setLanguage("en");
    expect(systemLine(added)).toBe("Ann added Bob, Cat");
    setLanguage("zh-CN");
    expect(systemLine(added)).toBe("Ann邀请Bob、Cat加入了群聊");
    expect(systemLine({ type: "system", text: "", event: { kind: "role_changed", user: bob, role: "owner" } })).toBe("Bob已成为新群主");
    setLanguage(null);
  });

  it("fall back to the server's words for lines from before events", () => {
    setLanguage("zh-CN");
    expect(systemLine({ type: "system", text: "Ann created the group with Bob" })).toBe("Ann created the group with Bob");
    setLanguage(null);
  });
});
