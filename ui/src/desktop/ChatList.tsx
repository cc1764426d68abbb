import { Fragment, useState } from "react";
import type { Broadcast, ChatSummary } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { relativeTime } from "../shared/format";

/** The chat list: pinned first, then by last activity; unread badges grey when muted. */
export function ChatList({ chats, me, selected, onSelect, onPlus, latest }: { chats: ChatSummary[]; me: string; selected: string | null; onSelect: (id: string) => void; onPlus: () => void; latest?: Broadcast | null }) {
  const [query, setQuery] = useState("");
  const q = query.trim().toLowerCase();
  const shown = q ? chats.filter((c) => c.conversation.title.toLowerCase().includes(q)) : chats;
  return (
    <aside className="list-pane">
      <div className="list-search">
        <input placeholder="Search" aria-label="Search chats" value={query} onChange={(e) => setQuery(e.target.value)} />
        <button className="plus" aria-label="New group or add friend" title="New group / Add friend" onClick={onPlus} data-testid="chats-plus">
          +
        </button>
      </div>
      <div className="list-scroll" role="list" data-testid="chat-list">
        {shown.length === 0 && <p className="list-empty">{q ? "No matching chats" : "No chats yet"}</p>}
        {shown.map((c, i) => {
          const conv = c.conversation;
          const cls = ["chat-row", conv.pinned ? "pinned" : "", selected === conv.id ? "selected" : ""].join(" ");
          // "Subscriptions" sits among the chats by the time of its newest broadcast.
          const subscriptionsHere = latest && !q && !conv.pinned && (c.last_activity ?? 0) < latest.sent_at && shown.slice(0, i).every((x) => x.conversation.pinned || (x.last_activity ?? 0) >= latest.sent_at);
          return (
            <Fragment key={conv.id}>
            {subscriptionsHere && <SubscriptionsRow latest={latest} selected={selected === SUBSCRIPTIONS} onSelect={() => onSelect(SUBSCRIPTIONS)} />}
            <button className={cls} role="listitem" onClick={() => onSelect(conv.id)} data-testid="chat-row" data-title={conv.title} data-unread={conv.unread} data-preview={c.preview}>
              <span className="chat-avatar">
                <Avatar user={conv.kind === "direct" ? { display_name: conv.title, avatar_hue: conv.members.find((m) => m.user.id !== me)?.user.avatar_hue ?? hueOf(conv.id) } : { display_name: conv.title, avatar_hue: hueOf(conv.id) }} size={40} />
                {conv.unread > 0 && <span className={conv.muted ? "badge muted" : "badge"}>{conv.muted ? "" : conv.unread > 99 ? "99+" : conv.unread}</span>}
              </span>
              <span className="chat-text">
                <span className="chat-top">
                  <span className="chat-title">{conv.title}</span>
                  <span className="chat-time">{c.last_activity ? relativeTime(c.last_activity) : ""}</span>
                </span>
                <span className="chat-preview">
                  {c.draft ? (
                    <>
                      <span className="draft">[Draft]</span> {c.draft}
                    </>
                  ) : (
                    c.preview
                  )}
                  {conv.muted && <span className="muted-icon" aria-label="Muted"> 🔕</span>}
                </span>
              </span>
            </button>
            </Fragment>
          );
        })}
        {latest && !q && !shown.some((c) => !c.conversation.pinned && (c.last_activity ?? 0) < latest.sent_at) && <SubscriptionsRow latest={latest} selected={selected === SUBSCRIPTIONS} onSelect={() => onSelect(SUBSCRIPTIONS)} />}
      </div>
    </aside>
  );
}

/** A stable colour per conversation. */
export function hueOf(id: string): number {
  let h = 0;
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return h;
}

/** The chat list's id for the "Subscriptions" entry. */
export const SUBSCRIPTIONS = "subscriptions";

/** One row for every subscription account: the newest broadcast's account and title. */
function SubscriptionsRow({ latest, selected, onSelect }: { latest: Broadcast; selected: boolean; onSelect: () => void }) {
  return (
    <button className={selected ? "chat-row selected" : "chat-row"} role="listitem" onClick={onSelect} data-testid="subscriptions-row">
      <span className="chat-avatar subscriptions-icon" aria-hidden="true">
        📰
      </span>
      <span className="chat-text">
        <span className="chat-top">
          <span className="chat-title">Subscriptions</span>
          <span className="chat-time">{relativeTime(latest.sent_at)}</span>
        </span>
        <span className="chat-preview">
          {latest.account_name}: {latest.articles[0]?.title}
        </span>
      </span>
    </button>
  );
}
