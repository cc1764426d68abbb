import { useEffect, useState } from "react";
import type { Contact, Conversation, MessageHit, SearchResults as Results } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { contentLine } from "../shared/contentLine";
import { relativeTime } from "../shared/format";
import { hueOf } from "./ChatList";
import { errorText, ipc } from "./ipc";
import { useT } from "../shared/i18n";

/** The text with every case-insensitive occurrence of `q` marked. */
export function Highlight({ text, q }: { text: string; q: string }) {
  const needle = q.trim().toLowerCase();
  if (!needle) return <>{text}</>;
  const parts: React.ReactNode[] = [];
  const lower = text.toLowerCase();
  let at = 0;
  for (let i = lower.indexOf(needle); i >= 0; i = lower.indexOf(needle, i + needle.length)) {
    if (i > at) parts.push(text.slice(at, i));
    parts.push(<mark key={i}>{text.slice(i, i + needle.length)}</mark>);
    at = i + needle.length;
  }
  parts.push(text.slice(at));
  return <>{parts}</>;
}

/** A message's words around the first match, so the match shows in one line. */
function snippet(m: MessageHit["message"], q: string): string {
  const c = m.content;
  const text = c.type === "transfer" || c.type === "red_envelope" ? c.note : c.type === "video" ? `[Video] ${c.name}` : contentLine(c);
  const i = text.toLowerCase().indexOf(q.trim().toLowerCase());
  return i > 12 ? `…${text.slice(i - 10)}` : text;
}

/** Search results in the list pane, by kind: contacts, chats, messages (newest first). */
export function SearchResults({ q, onContact, onChat, onMessage, onPost, onArticle }: { q: string; onContact: (c: Contact) => void; onChat: (c: Conversation) => void; onMessage: (hit: MessageHit) => void; onPost: () => void; onArticle: () => void }) {
  const t = useT();
  const [found, setFound] = useState<Results | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    let live = true;
    // Typing is fast and the cache answers in well under a frame: search on every key.
    ipc.search(q).then(
      (r) => live && (setFound(r), setError("")),
      (e) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [q]);
  if (error) return <p className="list-empty">{error}</p>;
  if (!found) return null;
  const none = found.contacts.length + found.chats.length + found.messages.length + found.posts.length + found.articles.length === 0;
  return (
    <div className="search-results" data-testid="search-results">
      {none && <p className="list-empty">{t("No results for “{{q}}”", { q: q.trim() })}</p>}
      {found.contacts.length > 0 && <h3 className="search-group">{t("Contacts")}</h3>}
      {found.contacts.map((c) => (
        <button key={c.user.id} className="chat-row" onClick={() => onContact(c)} data-testid="search-contact" data-name={c.user.display_name}>
          <Avatar user={c.user} size={36} />
          <span className="chat-text">
            <span className="chat-title">
              <Highlight text={c.remark ?? c.user.display_name} q={q} />
            </span>
            <span className="chat-preview">@{c.user.handle}</span>
          </span>
        </button>
      ))}
      {found.chats.length > 0 && <h3 className="search-group">{t("Chats")}</h3>}
      {found.chats.map((c) => (
        <button key={c.id} className="chat-row" onClick={() => onChat(c)} data-testid="search-chat" data-title={c.title}>
          <Avatar user={{ display_name: c.title, avatar_hue: hueOf(c.id) }} size={36} />
          <span className="chat-text">
            <span className="chat-title">
              <Highlight text={c.title} q={q} />
            </span>
          </span>
        </button>
      ))}
      {found.messages.length > 0 && <h3 className="search-group">{t("Messages")}</h3>}
      {found.messages.map((hit) => (
        <button key={hit.message.id} className="chat-row" onClick={() => onMessage(hit)} data-testid="search-message" data-chat={hit.conversation_title}>
          <Avatar user={{ display_name: hit.conversation_title || "?", avatar_hue: hueOf(hit.message.conversation_id) }} size={36} />
          <span className="chat-text">
            <span className="chat-top">
              <span className="chat-title">{hit.conversation_title}</span>
              <span className="chat-time">{relativeTime(hit.message.created_at)}</span>
            </span>
            <span className="chat-preview">
              <Highlight text={snippet(hit.message, q)} q={q} />
            </span>
          </span>
        </button>
      ))}
      {found.posts.length > 0 && <h3 className="search-group">{t("Moments")}</h3>}
      {found.posts.map((p) => (
        <button key={p.id} className="chat-row" onClick={onPost} data-testid="search-post">
          <Avatar user={p.author} size={36} />
          <span className="chat-text">
            <span className="chat-top">
              <span className="chat-title">{p.author.display_name}</span>
              <span className="chat-time">{relativeTime(p.created_at)}</span>
            </span>
            <span className="chat-preview">
              <Highlight text={p.text || p.link?.title || ""} q={q} />
            </span>
          </span>
        </button>
      ))}
      {found.articles.length > 0 && <h3 className="search-group">{t("Articles")}</h3>}
      {found.articles.map((a) => (
        <button key={a.article.id} className="chat-row" onClick={onArticle} data-testid="search-article">
          <span className="chat-avatar subscriptions-icon" aria-hidden="true">
            📰
          </span>
          <span className="chat-text">
            <span className="chat-title">
              <Highlight text={a.article.title} q={q} />
            </span>
            <span className="chat-preview">{a.account_name}</span>
          </span>
        </button>
      ))}
    </div>
  );
}
