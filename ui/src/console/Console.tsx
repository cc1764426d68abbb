import QRCode from "qrcode";
import { useCallback, useEffect, useState } from "react";
import type { Article, ArticleList, DeviceInfo, OfficialAccount, OfficialAccountList, OfficialKind, TicketCreated, TicketPhase, TicketState } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { followers } from "../shared/format";
import { api, authed, blobUrl, errorMessage, onSessionEnd, request, store, stored } from "../mobile/api";
import { Followers } from "./Followers";
import { MiniPrograms } from "./MiniPrograms";
import { Profile } from "./Profile";
import { useT } from "../shared/i18n";
import { LanguageSelect } from "../shared/LanguageSelect";
import { Articles, Writer } from "./Articles";
import { DeveloperMode, QrCodes } from "./Developer";
import { MenuEditor } from "./MenuEditor";
import { Messages, Replies } from "./Messages";

function consoleDevice(): DeviceInfo {
  const browser = /Firefox\//.test(navigator.userAgent) ? "Firefox" : /Chrome\//.test(navigator.userAgent) ? "Chrome" : "Browser";
  return { name: `Xin Console (${browser})`, kind: "desktop", os: "Web", app_version: "0.1.0" };
}

/** The official accounts' console: sign in by scanning a QR with Xin on the phone, then
 *  create accounts, write and preview articles, broadcast them, and watch followers and reads. */
export function Console() {
  const [signedIn, setSignedIn] = useState(() => stored() !== null);
  useEffect(() => onSessionEnd(() => setSignedIn(false)), []);
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  return (
    <Dashboard
      onSignOut={() => {
        void api.signOut().then(() => setSignedIn(false));
      }}
    />
  );
}

/** A login QR like the desktop's: the phone scans it and picks the number shown here. */
function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const t = useT();
  const [qr, setQr] = useState("");
  const [url, setUrl] = useState("");
  const [state, setState] = useState<TicketState | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    let alive = true;
    (async () => {
      while (alive) {
        const t = await request<TicketCreated>("POST", "/login-tickets", { device: consoleDevice() });
        setUrl(t.qr_url);
        setQr(await QRCode.toDataURL(t.qr_url, { margin: 2, width: 240 }));
        setState(null);
        let known: TicketPhase = "pending";
        for (;;) {
          const s: TicketState = await request<TicketState>("POST", `/login-tickets/${encodeURIComponent(t.ticket_id)}/wait`, { poll_secret: t.poll_secret, known });
          if (!alive) return;
          setState(s);
          known = s.phase;
          if (s.phase === "confirmed") {
            store(s.session);
            onSignedIn();
            return;
          }
          if (s.phase === "declined" || s.phase === "expired") break;
        }
      }
    })().catch((e) => alive && setError(errorMessage(e)));
    return () => {
      alive = false;
    };
  }, [onSignedIn]);
  return (
    <div className="console-signin" data-testid="console-signin">
      <h1>{t("Xin Console")}</h1>
      <p>{t("Publish articles to the people who follow your official accounts.")}</p>
      {state?.phase === "scanned" ? (
        <div className="signin-scanned" data-testid="console-scanned">
          <Avatar user={state.user} size={56} />
          <p>
            {t("{{name}}, tap this number on your phone:", { name: state.user.display_name })}{" "}
            <b data-testid="console-code" data-code={state.code}>
              {state.code}
            </b>
          </p>
        </div>
      ) : (
        qr && <img className="signin-qr" src={qr} alt={t("Sign-in QR code")} data-testid="console-qr" data-url={url} />
      )}
      <p className="muted">{t("Scan with Xin on your phone: Scan → this code.")}</p>
      {error && <p className="error">{error}</p>}
    </div>
  );
}

function Dashboard({ onSignOut }: { onSignOut: () => void }) {
  const t = useT();
  const me = stored()?.user;
  const [accounts, setAccounts] = useState<OfficialAccount[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const load = useCallback(
    () =>
      authed<OfficialAccountList>("GET", "/official-accounts").then((l) => {
        const mine = l.accounts.filter((a) => a.mine);
        setAccounts(mine);
        setSelected((s) => s ?? mine[0]?.id ?? null);
        if (mine.length === 0) setCreating(true);
      }),
    [],
  );
  useEffect(() => {
    void load();
  }, [load]);
  const account = accounts.find((a) => a.id === selected);
  return (
    <div className="console">
      <header className="console-bar">
        <b>{t("Xin Console")}</b>
        <span className="spacer" />
        <LanguageSelect testid="console-language" />
        {me && <span data-testid="console-me">{me.display_name}</span>}
        <button onClick={onSignOut}>{t("Sign out")}</button>
      </header>
      <div className="console-main">
        <nav className="console-accounts">
          <h3>{t("Your accounts")}</h3>
          {accounts.map((a) => (
            <button key={a.id} className={a.id === selected ? "account-row on" : "account-row"} onClick={() => { setSelected(a.id); setCreating(false); }} data-testid="console-account" data-name={a.name}>
              <Avatar user={{ display_name: a.name, avatar_hue: a.avatar_hue }} picture={a.avatar && blobUrl(a.avatar)} size={32} />
              <span>
                {a.name}
                <small>{a.kind === "subscription" ? t("Subscription") : t("Service")} · {followers(a.followers)}</small>
              </span>
            </button>
          ))}
          <button className="new-account" onClick={() => setCreating(true)} data-testid="console-new-account">
            {t("+ New account")}
          </button>
        </nav>
        <main className="console-pane">
          {creating ? (
            <NewAccount
              onCreated={(a) => {
                setCreating(false);
                setSelected(a.id);
                void load();
              }}
            />
          ) : account ? (
            <AccountDesk key={account.id} account={account} onChanged={() => void load()} />
          ) : null}
        </main>
      </div>
    </div>
  );
}

function NewAccount({ onCreated }: { onCreated: (a: OfficialAccount) => void }) {
  const t = useT();
  const [handle, setHandle] = useState("");
  const [name, setName] = useState("");
  const [intro, setIntro] = useState("");
  const [kind, setKind] = useState<OfficialKind>("subscription");
  const [error, setError] = useState("");
  return (
    <form
      className="console-form"
      onSubmit={(e) => {
        e.preventDefault();
        authed<OfficialAccount>("POST", "/official-accounts", { handle, name, intro, kind }).then(onCreated, (err) => setError(errorMessage(err)));
      }}
      data-testid="console-create"
    >
      <h2>{t("New official account")}</h2>
      <label>
        {t("Name")}
        <input value={name} onChange={(e) => setName(e.target.value)} maxLength={30} data-testid="account-name" />
      </label>
      <label>
        {t("Xin ID")}
        <input value={handle} onChange={(e) => setHandle(e.target.value)} placeholder={t("letters, digits, _")} data-testid="account-handle" />
      </label>
      <label>
        {t("Introduction")}
        <input value={intro} onChange={(e) => setIntro(e.target.value)} maxLength={120} data-testid="account-intro" />
      </label>
      <label>
        {t("Type")}
        <select value={kind} onChange={(e) => setKind(e.target.value as OfficialKind)} data-testid="account-kind">
          <option value="subscription">{t("Subscription: one broadcast a day, in Subscriptions")}</option>
          <option value="service">{t("Service: four a month per follower, its own chat")}</option>
        </select>
      </label>
      {error && <p className="error" role="alert">{error}</p>}
      <button className="primary" disabled={!name.trim() || !handle.trim()} data-testid="account-create">
        {t("Create")}
      </button>
    </form>
  );
}

const TABS = [
  ["articles", "Articles"],
  ["write", "Write"],
  ["messages", "Messages"],
  ["followers", "Followers"],
  ["replies", "Auto-replies"],
  ["menu", "Menu"],
  ["qr", "QR codes"],
  ["profile", "Profile"],
  ["mini-programs", "Mini programs"],
  ["developer", "Developer"],
] as const;
type Tab = (typeof TABS)[number][0];

function AccountDesk({ account, onChanged }: { account: OfficialAccount; onChanged: () => void }) {
  const t = useT();
  const [tab, setTab] = useState<Tab>("articles");
  const [articles, setArticles] = useState<Article[]>([]);
  const load = useCallback(() => authed<ArticleList>("GET", `/official-accounts/${account.id}/articles`).then((l) => setArticles(l.articles)), [account.id]);
  useEffect(() => {
    void load();
  }, [load]);
  const body = () => {
    switch (tab) {
      case "menu":
        return <MenuEditor account={account} articles={articles} />;
      case "qr":
        return <QrCodes account={account} />;
      case "developer":
        return <DeveloperMode account={account} />;
      case "mini-programs":
        return <MiniPrograms account={account} />;
      case "messages":
        return <Messages account={account} />;
      case "followers":
        return <Followers account={account} />;
      case "replies":
        return <Replies account={account} />;
      case "profile":
        return <Profile key={account.id} account={account} onSaved={onChanged} />;
      case "write":
        return (
          <Writer
            account={account}
            onSaved={() => {
              setTab("articles");
              void load();
            }}
          />
        );
      case "articles":
        return (
          <Articles
            account={account}
            articles={articles}
            onSent={() => {
              void load();
              onChanged();
            }}
          />
        );
    }
  };
  return (
    <div className="desk">
      <div className="desk-head">
        <Avatar user={{ display_name: account.name, avatar_hue: account.avatar_hue }} picture={account.avatar && blobUrl(account.avatar)} size={48} />
        <div>
          <h2>{account.name}</h2>
          <small>
            @{account.handle} · {account.kind === "subscription" ? t("Subscription account") : t("Service account")} · <span data-testid="desk-followers">{followers(account.followers)}</span>
          </small>
        </div>
      </div>
      <div className="tabs">
        {TABS.map(([id, label]) => (
          <button key={id} className={tab === id ? "on" : ""} onClick={() => setTab(id)} data-testid={`tab-${id}`}>
            {t(label)}
          </button>
        ))}
      </div>
      {body()}
    </div>
  );
}
