import { useCallback, useEffect, useState } from "react";
import type { BroadcastList, Conversation, MenuItem, OfficialAccount, OfficialAccountList, OfficialChat } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { followers } from "../shared/format";
import { Icon } from "../shared/icons";
import { api, authed, blobUrl, errorMessage, uuidv7 } from "./api";
import { Page } from "./Page";
import { go } from "./router";
import { useT } from "../shared/i18n";

/** An account's picture, or its initial. */
export function AccountAvatar({ a, size }: { a: Pick<OfficialAccount, "name" | "avatar_hue" | "avatar">; size: number }) {
  return <Avatar user={{ display_name: a.name, avatar_hue: a.avatar_hue }} picture={a.avatar && blobUrl(a.avatar)} size={size} />;
}

/** Official accounts: the ones I follow, or those whose name or Xin ID matches a search. */
export function OfficialAccountsPage() {
  const t = useT();
  const [query, setQuery] = useState("");
  const [accounts, setAccounts] = useState<OfficialAccount[] | null>(null);
  const [error, setError] = useState("");
  const load = (q: string) => {
    const path = q.trim() ? `/official-accounts?q=${encodeURIComponent(q.trim())}` : "/official-accounts";
    authed<OfficialAccountList>("GET", path).then((l) => setAccounts(q.trim() ? l.accounts : l.accounts.filter((a) => a.following)), (e) => setError(errorMessage(e)));
  };
  useEffect(() => load(""), []);
  return (
    <Page title={t("Official accounts")} back={() => go("/contacts")} testid="phone-official-accounts">
      <form
        className="card search"
        onSubmit={(e) => {
          e.preventDefault();
          load(query);
        }}
      >
        <input value={query} onChange={(e) => setQuery(e.target.value)} placeholder={t("Search accounts by name or Xin ID")} aria-label={t("Search official accounts")} data-testid="phone-official-search" />
      </form>
      {error && <p className="pay-error">{error}</p>}
      {accounts?.length === 0 && <p className="empty">{query.trim() ? t("No account by that name.") : t("You follow no accounts yet. Search, or scan an account's QR code.")}</p>}
      {accounts && accounts.length > 0 && (
        <section className="card list">
          {accounts.map((a) => (
            <button key={a.id} className="row chat" onClick={() => go(`/account/${a.id}`)} data-testid="phone-official-row" data-name={a.name}>
              <AccountAvatar a={a} size={40} />
              <span className="device-text">
                <span className="device-name">{a.name}</span>
                <span className="muted">{a.intro || (a.kind === "subscription" ? t("Subscription account") : t("Service account"))}</span>
              </span>
            </button>
          ))}
        </section>
      )}
    </Page>
  );
}

/** An account's profile: introduction, follow or unfollow, message it, its articles. */
export function AccountPage({ id }: { id: string }) {
  const t = useT();
  const [account, setAccount] = useState<OfficialAccount | null>(null);
  const [history, setHistory] = useState<BroadcastList | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    authed<OfficialAccount>("GET", `/official-accounts/${id}`).then(setAccount, (e) => setError(errorMessage(e)));
    authed<BroadcastList>("GET", `/official-accounts/${id}/broadcasts`).then(setHistory, () => {});
  }, [id]);
  const follow = (on: boolean) =>
    authed<OfficialAccount>(on ? "PUT" : "DELETE", `/official-accounts/${id}/follow`, on ? {} : undefined).then(setAccount, (e) => setError(errorMessage(e)));
  const a = account;
  return (
    <Page title={a?.name ?? t("Official account")} back={() => history_back()} testid="phone-account">
      {error && <p className="pay-error">{error}</p>}
      {a && (
        <>
          <section className="card account-head">
            <AccountAvatar a={a} size={64} />
            <div>
              <h2>{a.name}</h2>
              <p className="muted">
                {a.kind === "subscription" ? t("Subscription account") : t("Service account")} · {followers(a.followers)}
              </p>
            </div>
          </section>
          {a.intro && <p className="card account-intro">{a.intro}</p>}
          <div className="account-actions">
            {a.following ? (
              <>
                <button className="primary" onClick={() => go(`/oc/${a.id}`)} data-testid="phone-account-message">
                  {t("Message")}
                </button>
                <button className="plain-button" onClick={() => void follow(false)} data-testid="phone-unfollow">
                  {t("Unfollow")}
                </button>
              </>
            ) : (
              <button className="primary" onClick={() => void follow(true)} data-testid="phone-follow">
                {t("Follow")}
              </button>
            )}
          </div>
          <h3 className="section-title">{t("Articles")}</h3>
          {history?.broadcasts.length === 0 && <p className="empty">{t("No articles yet.")}</p>}
          {history?.broadcasts.flatMap((b) => b.articles).map((art) => (
            <button key={art.id} className="card phone-article-card" onClick={() => go(`/article/${art.id}`)} data-testid="phone-history-article" data-title={art.title}>
              {art.cover && <img src={blobUrl(art.cover)} alt="" />}
              <span>{art.title}</span>
            </button>
          ))}
        </>
      )}
    </Page>
  );
}

function history_back() {
  if (history.length > 1) history.back();
  else go("/official");
}

/** My chat with an account: its answers and staff replies, a box to write, its menu. */
export function AccountChatPage({ id, tick }: { id: string; tick: number }) {
  const t = useT();
  const [account, setAccount] = useState<OfficialAccount | null>(null);
  const [chat, setChat] = useState<OfficialChat | null>(null);
  const [text, setText] = useState("");
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState("");
  const load = useCallback(() => authed<OfficialChat>("GET", `/official-accounts/${id}/messages`).then(setChat, (e) => setError(errorMessage(e))), [id]);
  useEffect(() => {
    authed<OfficialAccount>("GET", `/official-accounts/${id}`).then(setAccount, (e) => setError(errorMessage(e)));
  }, [id]);
  useEffect(() => {
    void load();
  }, [load, tick]);
  const send = (t: string, from_menu: boolean) =>
    authed("POST", `/official-accounts/${id}/messages`, { text: t, from_menu }).then(
      () => {
        if (!from_menu) setText("");
        void load();
      },
      (e) => setError(errorMessage(e)),
    );
  const tap = (item: MenuItem) => {
    setOpen(null);
    const act = item.action;
    if (act.type === "keyword") void send(act.keyword, true);
    else if (act.type === "article") go(`/article/${act.article_id}`);
    else if (act.type === "mini_program") go(`/mp/${act.mini_program_id}`);
    else window.open(act.url, "_blank", "noopener");
  };
  const menus = chat?.menu.menus ?? [];
  return (
    <div className="app">
      <header className="bar">
        <button className="back" onClick={() => go("/")} aria-label={t("Back")}>
          <Icon name="back" />
        </button>
        <button className="bar-link" onClick={() => go(`/account/${id}`)}>
          {account?.name ?? ""}
        </button>
      </header>
      <main className="page chat-page" data-testid="phone-account-chat">
        {chat?.messages.map((m) => (
          <div key={m.id} className={m.from_account ? "bubble-row" : "bubble-row mine"} data-testid="phone-account-message-line" data-mine={m.from_account ? undefined : ""}>
            {m.from_account && account && <AccountAvatar a={account} size={32} />}
            <div className="bubble">{m.text}</div>
          </div>
        ))}
        {error && <p className="pay-error">{error}</p>}
      </main>
      {menus.length > 0 && (
        <nav className="phone-official-menu" data-testid="phone-official-menu">
          {menus.map((m) => (
            <div key={m.name} className="slot">
              {open === m.name && (
                <div className="items" role="menu">
                  {m.items.map((item) => (
                    <button key={item.name} role="menuitem" onClick={() => tap(item)} data-testid="phone-official-menu-item">
                      {item.name}
                    </button>
                  ))}
                </div>
              )}
              <button className={open === m.name ? "on" : ""} onClick={() => setOpen(open === m.name ? null : m.name)} data-testid="phone-official-menu-button">
                ≡ {m.name}
              </button>
            </div>
          ))}
        </nav>
      )}
      <form
        className="phone-composer"
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) void send(text.trim(), false);
        }}
      >
        <input value={text} onChange={(e) => setText(e.target.value)} placeholder={account ? t("Message {{v0}}", { v0: account.name }) : t("Message")} maxLength={2000} data-testid="phone-account-input" />
        <button disabled={!text.trim()}>
          {t("Send")}
        </button>
      </form>
    </div>
  );
}

/** Sends an article into one of my chats as a card (the server fills it from the article). */
export function ShareArticle({ article, onDone }: { article: { id: string; title: string; cover: string | null; account_name: string }; onDone: (note: string) => void }) {
  const t = useT();
  const [chats, setChats] = useState<Conversation[] | null>(null);
  useEffect(() => {
    api.conversations().then((l) => setChats(l.conversations.filter((c) => c.kind !== "self_note")), () => setChats([]));
  }, []);
  const share = (c: Conversation) =>
    api.sendContent(c.id, uuidv7(), { type: "article", article_id: article.id, title: article.title, cover: article.cover, account_name: article.account_name }).then(
      () => onDone(t("Sent to {{v0}}.", { v0: c.title })),
      (e) => onDone(errorMessage(e)),
    );
  return (
    <div className="sheet-backdrop" onClick={() => onDone("")}>
      <section className="sheet" onClick={(e) => e.stopPropagation()} data-testid="phone-share-sheet">
        <h3>{t("Send to chat")}</h3>
        {chats?.length === 0 && <p className="empty">{t("No chats yet.")}</p>}
        {chats?.map((c) => (
          <button key={c.id} className="row chat" onClick={() => void share(c)} data-testid="phone-share-chat" data-title={c.title}>
            <span className="device-name">{c.title}</span>
          </button>
        ))}
      </section>
    </div>
  );
}
