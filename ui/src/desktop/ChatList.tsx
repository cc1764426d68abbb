import { useState } from "react";
import type { ChatSummary } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { relativeTime } from "../shared/format";

/** The chat list: pinned first, then by last activity; unread badges grey when muted. */
export function ChatList({ chats, me, selected, onSelect, onPlus }: { chats: ChatSummary[]; me: string; selected: string | null; onSelect: (id: string) => void; onPlus: () => void }) {
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
        {shown.map((c) => {
          const conv = c.conversation;
          const cls = ["chat-row", conv.pinned ? "pinned" : "", selected === conv.id ? "selected" : ""].join(" ");
          return (
            <button key={conv.id} className={cls} role="listitem" onClick={() => onSelect(conv.id)} data-testid="chat-row" data-title={conv.title} data-unread={conv.unread} data-preview={c.preview}>
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
          );
        })}
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
