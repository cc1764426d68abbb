import { describe, expect, it } from "vitest";
import type { Post } from "../bindings";
import { setLanguage } from "./i18n";
import { likesLine, mergeFirstPage, noticeLine } from "./moments";

const u = (display_name: string) => ({ id: display_name, display_name, avatar_hue: 0 });

describe("likesLine", () => {
  it("names everyone who liked, in order", () => {
    expect(likesLine([u("Alice"), u("Bob")])).toBe("♥ Alice, Bob");
    expect(likesLine([u("Carol")])).toBe("♥ Carol");
  });
});

describe("mergeFirstPage", () => {
  const post = (id: string): Post => ({ id, author: u("Alice"), text: id, images: [], link: null, visibility: null, created_at: 0, likes: [], comments: [] });
  const ids = (ps: Post[]) => ps.map((p) => p.id);

  it("keeps older pages below a fresh first page, and drops posts the page no longer has", () => {
    const shown = ["09", "08", "07", "06", "05", "04"].map(post);
    // 08 was deleted; 10 is new; the page reaches down to 06.
    const merged = mergeFirstPage({ posts: ["10", "09", "07", "06"].map(post), next: "06" }, shown);
    expect(ids(merged)).toEqual(["10", "09", "07", "06", "05", "04"]);
  });

  it("a last page is the whole feed", () => {
    expect(ids(mergeFirstPage({ posts: [post("02")], next: null }, [post("02"), post("01")]))).toEqual(["02"]);
  });
});

describe("noticeLine", () => {
  it("says what happened", () => {
    const n = (kind: "like" | "comment" | "reply", text: string) => ({ post_id: "p", kind, from: u("Bob"), text, at: 0 });
    expect(noticeLine(n("like", ""))).toBe("♥");
    expect(noticeLine(n("comment", "Nice"))).toBe("Nice");
    expect(noticeLine(n("reply", "Yes"))).toBe("Replied to you: Yes");
    setLanguage("zh-CN");
    const zh = noticeLine(n("reply", "好"));
    setLanguage(null);
    expect(zh).toBe("回复了你：好");
  });
});
