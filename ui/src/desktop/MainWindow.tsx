import { useCallback, useEffect, useRef, useState } from "react";
import type { MomentsBadge, UserProfile, XinLink } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { Icon } from "../shared/icons";
import { ChatList, type Found, officialChatId, SUBSCRIPTIONS } from "./ChatList";
import { OfficialChat } from "./OfficialChat";
import { Subscriptions } from "./Subscriptions";
import { Contacts } from "./Contacts";
import { Conversation } from "./Conversation";
import { ipc, onLinks } from "./ipc";
import { PlusDialog } from "./NewGroup";
import { Settings } from "./Settings";
import { Wallet } from "./Wallet";
import { MiniProgramAsks, MiniPrograms } from "./MiniPrograms";
import { Moments, useMomentsBadge } from "./Moments";
import { Transfers } from "./Transfers";
import { useCached } from "./useCore";
import { useT } from "../shared/i18n";

type Tab = "chats" | "contacts" | "moments" | "wallet" | "miniprograms" | "files" | "transfers" | "settings";

const tabs: { id: Tab; label: string }[] = [
  { id: "chats", label: "Chats" },
  { id: "contacts", label: "Contacts" },
  { id: "moments", label: "Moments" },
  { id: "wallet", label: "Wallet" },
  { id: "miniprograms", label: "Mini Programs" },
  { id: "files", label: "File Transfer" },
  { id: "transfers", label: "Transfers" },
];

/** Rail, list pane, content pane — the frame every signed-in screen lives in. */
export function MainWindow({ user, online }: { user: UserProfile; online: boolean }) {
  const t = useT();
  const [tab, setTab] = useState<Tab>("chats");
  const [open, setOpen] = useState<string | null>(null);
  const [plus, setPlus] = useState(false);
  const chats = useCached(ipc.chats, (e) => e.type === "chats_changed", []) ?? [];
  const contacts = useCached(ipc.contacts, (e) => e.type === "contacts_changed", []) ?? { contacts: [], requests: [] };
  const officialUnread = useCached(ipc.officialUnread, (e) => e.type === "subscriptions_changed", []) ?? [];
  const serviceUnread = (account: string) => officialUnread.filter((u) => u.account_id === account).reduce((n, u) => n + u.broadcasts + u.messages, 0);
  const unread = chats.filter((c) => !c.conversation.muted).reduce((n, c) => n + c.conversation.unread, 0) + officialUnread.filter((u) => u.kind !== "subscription").reduce((n, u) => n + u.broadcasts + u.messages, 0);
  const pendingRequests = contacts.requests.filter((r) => r.state === "pending" && r.to.id === user.id).length;
  const current = chats.find((c) => c.conversation.id === open);
  const moments = useMomentsBadge();
  const broadcasts = useCached(ipc.subscriptions, (e) => e.type === "subscriptions_changed", [])?.broadcasts ?? [];
  // Accounts I follow; read again on every official event and whenever the tab changes (the
  // Official accounts pane follows and unfollows).
  const officials = useCached(() => ipc.officialAccounts(null), (e) => e.type === "subscriptions_changed", [tab]) ?? [];
  const services = officials.filter((a) => a.following && a.kind === "service");
  const subscriptions = broadcasts.filter((b) => b.account_kind === "subscription");
  const serviceRows = services.map((account) => {
    const b = broadcasts.find((x) => x.account_id === account.id);
    const m = account.last_message;
    const row = m && (!b || m.created_at > b.sent_at) ? { time: m.created_at, preview: m.text } : { time: b?.sent_at ?? 0, preview: b?.articles[0]?.title ?? "Service account" };
    return { account, ...row, unread: serviceUnread(account.id) };
  });
  const openAccount = officials.find((a) => a.following && officialChatId(a.id) === open);
  const subscriptionsUnread = officialUnread.some((u) => u.kind === "subscription" && u.broadcasts > 0);
  // What is on screen is read: Subscriptions, or the open account's chat (again as more arrives).
  const showing = tab === "chats" ? (open === SUBSCRIPTIONS ? (subscriptionsUnread ? SUBSCRIPTIONS : null) : openAccount && serviceUnread(openAccount.id) > 0 ? openAccount.id : null) : null;
  useEffect(() => {
    if (showing) void ipc.markOfficialRead(showing === SUBSCRIPTIONS ? null : showing);
  }, [showing, officialUnread]);

  // A message opened from search: its chat, scrolled to it.
  const [focus, setFocus] = useState<{ id: string; seq: number } | null>(null);
  const openChat = (id: string) => {
    setOpen(id);
    setFocus(null);
    setTab("chats");
  };
  const found: Found = {
    contact: (c) => ipc.openDirect(c.user.id).then((conv) => openChat(conv.id), () => {}),
    message: (hit) => {
      setOpen(hit.message.conversation_id);
      setFocus({ id: hit.message.id, seq: hit.message.seq });
    },
    moments: () => setTab("moments"),
  };
  // Ctrl+F (⌘F) searches from anywhere.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "f") {
        e.preventDefault();
        setTab("chats");
        requestAnimationFrame(() => document.getElementById("chat-search")?.focus());
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  // `xin://` links: a card opens in Contacts (the friend's profile, or "Add friend"); a chat link
  // opens the chat when this account has it.
  // The card a link asked for, until Contacts shows it.
  const [card, setCard] = useState<string | null>(null);
  const [linkNote, setLinkNote] = useState("");
  const open_ = (link: XinLink) => {
    setLinkNote("");
    if (link.kind === "user") {
      setCard(link.handle);
      setTab("contacts");
    } else {
      // Asked afresh: on a cold start the list above may not be read yet.
      ipc.chats().then(
        (list) => (list.some((c) => c.conversation.id === link.conversation) ? openChat(link.conversation) : setLinkNote(t("That chat is not in this account."))),
        () => {},
      );
    }
  };
  useEffect(() => {
    if (!linkNote) return;
    const gone = setTimeout(() => setLinkNote(""), 4000);
    return () => clearTimeout(gone);
  }, [linkNote]);
  const cardShown = useCallback(() => setCard(null), []);
  const openLink = useRef(open_);
  openLink.current = open_;
  useEffect(() => {
    const take = () => void ipc.takeLinks().then((links) => links.forEach((l) => openLink.current(l)));
    take();
    const unlisten = onLinks(take);
    return () => {
      unlisten.then((f) => f());
    };
  }, []);
  const choose = (t: Tab) => {
    if (t === "files") {
      ipc.openFileTransfer().then((c) => openChat(c.id), () => setTab("files"));
      return;
    }
    setTab(t);
  };

  return (
    <div className="main" data-testid="main-window">
      <nav className="rail" aria-label={t("Sections")}>
        <div className="rail-me" title={`${user.display_name} (@${user.handle})`} data-testid="rail-me">
          <Avatar user={user} size={36} />
          <span className={online ? "dot online" : "dot"} aria-label={online ? t("Connected") : t("Connecting")} />
        </div>
        {tabs.map((tab_) => (
          <button key={tab_.id} className={tab === tab_.id ? "rail-item active" : "rail-item"} aria-label={t(tab_.label)} aria-current={tab === tab_.id} title={t(tab_.label)} data-testid={`rail-${tab_.id}`} onClick={() => choose(tab_.id)}>
            <Icon name={tab_.id} />
            {tab_.id === "chats" && unread > 0 && <span className="badge rail-badge" data-testid="unread-total">{unread > 99 ? "99+" : unread}</span>}
            {tab_.id === "contacts" && pendingRequests > 0 && <span className="badge rail-badge">{pendingRequests}</span>}
            {tab_.id === "moments" && moments && <MomentsRailBadge badge={moments} />}
          </button>
        ))}
        <div className="rail-spacer" />
        <button className={tab === "settings" ? "rail-item active" : "rail-item"} aria-label={t("Settings")} title={t("Settings")} data-testid="rail-settings" onClick={() => setTab("settings")}>
          <Icon name="settings" />
        </button>
      </nav>
      {tab === "chats" && (
        <>
          <ChatList chats={chats} me={user.id} selected={open} onSelect={openChat} onFound={found} onPlus={() => setPlus(true)} latest={subscriptions[0] ?? null} subscriptionsUnread={subscriptionsUnread} services={serviceRows} />
          {open === SUBSCRIPTIONS ? (
            <Subscriptions broadcasts={subscriptions} />
          ) : openAccount ? (
            <OfficialChat key={openAccount.id} account={openAccount} broadcasts={broadcasts.filter((b) => b.account_id === openAccount.id)} />
          ) : current ? <Conversation key={`${current.conversation.id}:${focus?.id ?? ""}`} focus={focus} conv={current.conversation} me={user} draft={current.draft} contacts={contacts.contacts} /> : <section className="content-pane empty-content" />}
        </>
      )}
      {tab === "contacts" && <Contacts view={contacts} me={user} onMessage={openChat} card={card} onCardShown={cardShown} />}
      {tab === "settings" && <Settings user={user} />}
      {tab === "transfers" && <Transfers />}
      {tab === "wallet" && <Wallet />}
      {tab === "moments" && <Moments me={user} contacts={contacts.contacts} />}
      {tab === "miniprograms" && <MiniPrograms />}
      {tab === "files" && <Placeholder tab={tab} />}
      <MiniProgramAsks />
      {linkNote && (
        <div className="link-note" role="status" data-testid="link-note" onClick={() => setLinkNote("")}>
          {linkNote}
        </div>
      )}
      {plus && <PlusDialog contacts={contacts.contacts} onClose={() => setPlus(false)} onOpen={openChat} />}
    </div>
  );
}

const empty: Record<"files", [string, string]> = {
  files: ["File Transfer", "Send files between your phone and this computer."],
};

function Placeholder({ tab }: { tab: "files" }) {
  const t = useT();
  const [title, body] = empty[tab];
  return (
    <>
      <aside className="list-pane">
        <p className="list-empty">{t(title)}</p>
      </aside>
      <section className="content-pane empty-content">
        <p>{t(body)}</p>
      </section>
    </>
  );
}

/** WeChat's Moments badge: the newest liker's or commenter's avatar with the count, or a dot
 *  when friends posted since I last looked. */
function MomentsRailBadge({ badge }: { badge: MomentsBadge }) {
  const t = useT();
  if (badge.unread > 0 && badge.newest) {
    return (
      <span className="rail-moments-badge" data-testid="moments-badge" data-count={badge.unread} title={t("{{n}} new: {{name}}", { n: badge.unread, name: badge.newest.display_name })}>
        <Avatar user={badge.newest} size={18} />
        <span className="badge">{badge.unread > 99 ? "99+" : badge.unread}</span>
      </span>
    );
  }
  return badge.new_post_by ? <span className="rail-dot" data-testid="moments-dot" title={t("{{name}} posted", { name: badge.new_post_by.display_name })} /> : null;
}
