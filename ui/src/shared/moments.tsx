import { i18n } from "./i18n";
import type { MomentComment, MomentNotice, MomentUser, Post, PostPage } from "../bindings";

/** "Bob: text", or "Alice replied to Bob: text" — a comment as both apps show it. */
export function CommentText({ c }: { c: MomentComment }) {
  return (
    <>
      <b>{c.author.display_name}</b>
      {c.reply_to && (
        <>
          {" replied to "}
          <b>{c.reply_to.display_name}</b>
        </>
      )}
      : {c.text}
    </>
  );
}

/** "♥ Alice, Bob" */
export function likesLine(likes: MomentUser[]): string {
  return `♥ ${likes.map((l) => l.display_name).join(", ")}`;
}

/** A fresh first page over what is shown: the page is the whole truth down to its last post
 *  (posts gone from it were deleted or hidden); older posts already loaded stay below it. */
export function mergeFirstPage(first: PostPage, shown: Post[] | null): Post[] {
  const last = first.posts[first.posts.length - 1];
  if (!first.next || !last) return first.posts;
  return [...first.posts, ...(shown ?? []).filter((p) => p.id < last.id)];
}

/** What a notice says: "♥", the comment, or the reply. */
export function noticeLine(n: MomentNotice): string {
  switch (n.kind) {
    case "like":
      return "♥";
    case "comment":
      return n.text;
    case "reply":
      return i18n.t("Replied to you: {{text}}", { text: n.text });
  }
}
