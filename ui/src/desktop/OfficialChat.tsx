import { useCallback, useEffect, useState } from "react";
import type { Broadcast, MenuItem, OfficialAccount, OfficialChat as Chat } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { relativeTime } from "../shared/format";
import { errorText, ipc, mediaUrl, onCoreEvent } from "./ipc";
import { ArticleCards, Reader } from "./Subscriptions";
import { useT } from "../shared/i18n";

/** A chat with an official account: its broadcasts and messages in time order, a box to write
 *  to it, and its menu bar at the bottom (keywords answered by the account, articles, links). */
export function OfficialChat({ account, broadcasts }: { account: OfficialAccount; broadcasts: Broadcast[] }) {
  const t = useT();
  const [chat, setChat] = useState<Chat | null>(null);
  const [text, setText] = useState("");
  // The open menu, by name: a reload of the chat keeps it open.
  const [open, setOpen] = useState<string | null>(null);
  const [article, setArticle] = useState<string | null>(null);
  const [error, setError] = useState("");
  const load = useCallback(() => ipc.officialChat(account.id).then(setChat, (e) => setError(errorText(e))), [account.id]);
  useEffect(() => {
    void load();
    const unlisten = onCoreEvent((e) => e.type === "subscriptions_changed" && void load());
    return () => {
      unlisten.then((f) => f());
    };
  }, [load]);
  const send = (t: string, fromMenu: boolean) =>
    ipc.messageOfficial(account.id, t, fromMenu).then(() => {
      if (!fromMenu) setText("");
      void load();
    }, (e) => setError(errorText(e)));
  const tap = (item: MenuItem) => {
    setOpen(null);
    const a = item.action;
    if (a.type === "keyword") void send(a.keyword, true);
    else if (a.type === "article") setArticle(a.article_id);
    else if (a.type === "mini_program") ipc.openMiniProgram(a.mini_program_id).catch((e) => setError(errorText(e)));
    else ipc.openLink(a.url).catch((e) => setError(errorText(e)));
  };
  if (article) return <Reader id={article} onBack={() => setArticle(null)} backLabel={account.name} />;
  const items = [
    ...(chat?.messages ?? []).map((m) => ({ at: m.created_at, key: m.id, node: <Bubble key={m.id} mine={!m.from_account} account={account} text={m.text} /> })),
    ...broadcasts.map((b) => ({ at: b.sent_at, key: b.id, node: <BroadcastCard key={b.id} b={b} onOpen={setArticle} /> })),
  ].sort((x, y) => x.at - y.at);
  const menus = chat?.menu.menus ?? [];
  return (
    <section className="content-pane official-chat" data-testid="official-chat">
      <header className="content-header">
        <h1>{account.name}</h1>
      </header>
      <div className="official-messages">
        {items.map((i) => i.node)}
        {error && <p className="error-text">{error}</p>}
      </div>
      <form
        className="official-compose"
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) void send(text.trim(), false);
        }}
      >
        <input value={text} onChange={(e) => setText(e.target.value)} placeholder={t("Message {{v0}}", { v0: account.name })} maxLength={2000} data-testid="official-input" />
        <button className="primary-button small" disabled={!text.trim()}>
          {t("Send")}
        </button>
      </form>
      {menus.length > 0 && (
        <nav className="official-menu" data-testid="official-menu">
          {menus.map((m) => (
            <div key={m.name} className="official-menu-slot">
              {open === m.name && (
                <div className="official-menu-items" role="menu">
                  {m.items.map((item) => (
                    <button key={item.name} role="menuitem" onClick={() => tap(item)} data-testid="official-menu-item">
                      {item.name}
                    </button>
                  ))}
                </div>
              )}
              <button className={open === m.name ? "on" : ""} onClick={() => setOpen(open === m.name ? null : m.name)} data-testid="official-menu-button">
                ≡ {m.name}
              </button>
            </div>
          ))}
        </nav>
      )}
    </section>
  );
}

function Bubble({ mine, account, text }: { mine: boolean; account: OfficialAccount; text: string }) {
  return (
    <div className={mine ? "official-bubble mine" : "official-bubble"} data-testid="official-message" data-mine={mine ? "" : undefined}>
      {!mine && <Avatar user={{ display_name: account.name, avatar_hue: account.avatar_hue }} picture={account.avatar && mediaUrl(account.avatar)} size={32} />}
      <span>{text}</span>
    </div>
  );
}

function BroadcastCard({ b, onOpen }: { b: Broadcast; onOpen: (id: string) => void }) {
  return (
    <div className="broadcast in-chat">
      <div className="muted-label">{relativeTime(b.sent_at)}</div>
      <ArticleCards articles={b.articles} onOpen={onOpen} />
    </div>
  );
}
