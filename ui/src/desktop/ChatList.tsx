import { Fragment, useState } from "react";
import type { Broadcast, ChatSummary, Contact, MessageHit, OfficialAccount } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { relativeTime } from "../shared/format";
import { mediaUrl } from "./ipc";
import { SearchResults } from "./SearchResults";
import { useT } from "../shared/i18n";
import { systemLine } from "../shared/systemLine";

/** The chat list: pinned first, then by last activity; unread badges grey when muted. */
export function ChatList({ chats, me, selected, onSelect, onPlus, onFound, latest, subscriptionsUnread = false, services = [] }: { chats: ChatSummary[]; me: string; selected: string | null; onSelect: (id: string) => void; onPlus: () => void; onFound?: Found; latest?: Broadcast | null; subscriptionsUnread?: boolean; services?: ServiceRow[] }) {
  const t = useT();
  const [query, setQuery] = useState("");
  const searching = query.trim() !== "";
  // Official accounts sit among the chats by time: "Subscriptions" (one row for every
  // subscription account) and each service account I follow.
  const extras: { id: string; time: number; row: React.ReactNode }[] = [
        ...(latest ? [{ id: SUBSCRIPTIONS, time: latest.sent_at, row: <SubscriptionsRow latest={latest} unread={subscriptionsUnread} selected={selected === SUBSCRIPTIONS} onSelect={() => onSelect(SUBSCRIPTIONS)} /> }] : []),
        ...services.map((s) => ({ id: s.account.id, time: s.time, row: <ServiceAccountRow service={s} selected={selected === officialChatId(s.account.id)} onSelect={() => onSelect(officialChatId(s.account.id))} /> })),
      ];
  const pinned = chats.filter((c) => c.conversation.pinned);
  const rest: ({ chat: ChatSummary } | { extra: (typeof extras)[number] })[] = [
    ...chats.filter((c) => !c.conversation.pinned).map((chat) => ({ chat, time: chat.last_activity })),
    ...extras.map((extra) => ({ extra, time: extra.time })),
  ].sort((a, b) => b.time - a.time);
  return (
    <aside className="list-pane">
      <div className="list-search">
        <input id="chat-search" placeholder={t("Search")} aria-label={t("Search")} value={query} onChange={(e) => setQuery(e.target.value)} onKeyDown={(e) => e.key === "Escape" && setQuery("")} data-testid="search-input" />
        <button className="plus" aria-label={t("New group or add friend")} title={t("New group / Add friend")} onClick={onPlus} data-testid="chats-plus">
          +
        </button>
      </div>
      {searching && onFound ? (
        <div className="list-scroll">
          <SearchResults
            q={query}
            onContact={(c) => (setQuery(""), onFound.contact(c))}
            onChat={(c) => (setQuery(""), onSelect(c.id))}
            onMessage={(hit) => (setQuery(""), onFound.message(hit))}
            onPost={() => (setQuery(""), onFound.moments())}
            onArticle={() => (setQuery(""), onSelect(SUBSCRIPTIONS))}
          />
        </div>
      ) : (
      <div className="list-scroll" role="list" data-testid="chat-list">
        {chats.length === 0 && extras.length === 0 && <p className="list-empty">{t("No chats yet")}</p>}
        {[...pinned.map((chat) => ({ chat })), ...rest].map((e) =>
          "chat" in e ? <ChatRow key={e.chat.conversation.id} c={e.chat} me={me} selected={selected === e.chat.conversation.id} onSelect={onSelect} /> : <Fragment key={e.extra.id}>{e.extra.row}</Fragment>,
        )}
      </div>
      )}
    </aside>
  );
}

function ChatRow({ c, me, selected, onSelect }: { c: ChatSummary; me: string; selected: boolean; onSelect: (id: string) => void }) {
  const t = useT();
  const conv = c.conversation;
  const title = conv.kind === "self_note" ? t("File Transfer") : conv.title;
  const cls = ["chat-row", conv.pinned ? "pinned" : "", selected ? "selected" : ""].join(" ");
  return (
    <button className={cls} role="listitem" onClick={() => onSelect(conv.id)} data-testid="chat-row" data-title={conv.title} data-unread={conv.unread} data-preview={c.preview}>
      <span className="chat-avatar">
        <Avatar user={conv.kind === "direct" ? { display_name: title, avatar_hue: conv.members.find((m) => m.user.id !== me)?.user.avatar_hue ?? hueOf(conv.id) } : { display_name: title, avatar_hue: hueOf(conv.id) }} size={40} />
        {conv.unread > 0 && <span className={conv.muted ? "badge muted" : "badge"}>{conv.muted ? "" : conv.unread > 99 ? "99+" : conv.unread}</span>}
      </span>
      <span className="chat-text">
        <span className="chat-top">
          <span className="chat-title">{title}</span>
          <span className="chat-time">{c.last_activity ? relativeTime(c.last_activity) : ""}</span>
        </span>
        <span className="chat-preview">
          {c.draft ? (
            <>
              <span className="draft">{t("[Draft]")}</span> {c.draft}
            </>
          ) : c.preview_event ? (
            systemLine({ type: "system", text: c.preview, event: c.preview_event })
          ) : (
            c.preview
          )}
          {conv.muted && <span className="muted-icon" aria-label={t("Muted")}> 🔕</span>}
        </span>
      </span>
    </button>
  );
}

/** Where a search result leads: a contact's chat, or a message in its chat. */
export type Found = { contact: (c: Contact) => void; message: (hit: MessageHit) => void; moments: () => void };

/** A service account I follow, as a chat: its newest message or broadcast. */
export type ServiceRow = { account: OfficialAccount; time: number; preview: string; unread: number };

/** The chat list's id for an official account's chat. */
export function officialChatId(account: string): string {
  return `official:${account}`;
}

function ServiceAccountRow({ service, selected, onSelect }: { service: ServiceRow; selected: boolean; onSelect: () => void }) {
  const a = service.account;
  return (
    <button className={selected ? "chat-row selected" : "chat-row"} role="listitem" onClick={onSelect} data-testid="service-row" data-title={a.name} data-unread={service.unread}>
      <span className="chat-avatar">
        <Avatar user={{ display_name: a.name, avatar_hue: a.avatar_hue }} picture={a.avatar && mediaUrl(a.avatar)} size={40} />
        {service.unread > 0 && <span className="badge">{service.unread > 99 ? "99+" : service.unread}</span>}
      </span>
      <span className="chat-text">
        <span className="chat-top">
          <span className="chat-title">{a.name}</span>
          <span className="chat-time">{service.time ? relativeTime(service.time) : ""}</span>
        </span>
        <span className="chat-preview">{service.preview}</span>
      </span>
    </button>
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
function SubscriptionsRow({ latest, unread, selected, onSelect }: { latest: Broadcast; unread: boolean; selected: boolean; onSelect: () => void }) {
  const t = useT();
  return (
    <button className={selected ? "chat-row selected" : "chat-row"} role="listitem" onClick={onSelect} data-testid="subscriptions-row" data-unread={unread}>
      <span className="chat-avatar">
        <span className="subscriptions-icon" aria-hidden="true">
          📰
        </span>
        {unread && <span className="badge dot" aria-label={t("New articles")} />}
      </span>
      <span className="chat-text">
        <span className="chat-top">
          <span className="chat-title">{t("Subscriptions")}</span>
          <span className="chat-time">{relativeTime(latest.sent_at)}</span>
        </span>
        <span className="chat-preview">
          {latest.account_name}: {latest.articles[0]?.title}
        </span>
      </span>
    </button>
  );
}
