import QRCode from "qrcode";
import { useCallback, useEffect, useRef, useState } from "react";
import type { Article, ArticleList, AutoReplies, Broadcast, Developer, FollowerList, Menu, MenuAction, MenuItem, MiniProgram, MiniProgramList, OfficialMenu, OfficialQr, SceneCounts, DeviceInfo, Inbox, OfficialChat, OfficialMessage, OfficialAccount, OfficialAccountList, OfficialKind, TicketCreated, TicketPhase, TicketState } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { followers } from "../shared/format";
import { api, authed, blobUrl, errorMessage, onSessionEnd, request, store, stored } from "../mobile/api";
import { uploadBlob } from "../mobile/upload";
import { editorHtml } from "./editorHtml";
import { Followers } from "./Followers";
import { MiniPrograms } from "./MiniPrograms";
import { Profile } from "./Profile";
import { formatDateTime, useT } from "../shared/i18n";
import { LanguageSelect } from "../shared/LanguageSelect";

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

/** The editor: a rich text area (bold, heading, list, link, picture) and its preview. */
function Writer({ account, onSaved }: { account: OfficialAccount; onSaved: () => void }) {
  const t = useT();
  const [title, setTitle] = useState("");
  const [author, setAuthor] = useState(stored()?.user.display_name ?? "");
  const [digest, setDigest] = useState("");
  const [cover, setCover] = useState<{ hash: string; url: string } | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const body = useRef<HTMLDivElement>(null);
  const picture = useRef<HTMLInputElement>(null);
  const upload = async (f: File) => ({ hash: (await uploadBlob(f, f.name, () => {})).hash, url: URL.createObjectURL(f) });
  const command = (name: string, value?: string) => {
    body.current?.focus();
    document.execCommand(name, false, value);
  };
  const save = () => {
    setBusy(true);
    setError("");
    authed<Article>("POST", `/official-accounts/${account.id}/articles`, { title, author, digest, cover: cover?.hash, body_html: editorHtml(body.current?.innerHTML ?? "") }).then(onSaved, (e) => {
      setBusy(false);
      setError(errorMessage(e));
    });
  };
  return (
    <div className="writer" data-testid="writer">
      <input className="writer-title" placeholder={t("Title")} value={title} onChange={(e) => setTitle(e.target.value)} maxLength={64} data-testid="writer-title" />
      <div className="writer-meta">
        <input placeholder={t("Author")} value={author} onChange={(e) => setAuthor(e.target.value)} maxLength={30} />
        <input placeholder={t("Digest (shown on the card)")} value={digest} onChange={(e) => setDigest(e.target.value)} maxLength={120} data-testid="writer-digest" />
        <label className="file-button">
          {cover ? <img src={cover.url} alt={t("Cover")} /> : t("Cover picture")}
          <input type="file" accept="image/*" hidden onChange={(e) => e.target.files?.[0] && upload(e.target.files[0]).then(setCover, (err) => setError(errorMessage(err)))} data-testid="writer-cover" />
        </label>
      </div>
      <div className="writer-tools">
        <button onClick={() => command("bold")} aria-label={t("Bold")}>
          <b>B</b>
        </button>
        <button onClick={() => command("italic")} aria-label={t("Italic")}>
          <i>I</i>
        </button>
        <button onClick={() => command("formatBlock", "h2")} aria-label={t("Heading")}>
          H
        </button>
        <button onClick={() => command("insertUnorderedList")} aria-label={t("List")}>
          •
        </button>
        <button
          onClick={() => {
            const url = window.prompt("Link to (https://…)");
            if (url) command("createLink", url);
          }}
          aria-label={t("Link")}
        >
          🔗
        </button>
        <button onClick={() => picture.current?.click()} aria-label={t("Picture")} data-testid="writer-picture-button">
          🖼
        </button>
        <input
          ref={picture}
          type="file"
          accept="image/*"
          hidden
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (!f) return;
            upload(f).then(
              (p) => command("insertHTML", `<img src="${p.url}" data-blob="${p.hash}" alt="">`),
              (err) => setError(errorMessage(err)),
            );
          }}
          data-testid="writer-picture"
        />
        <span className="spacer" />
        <button onClick={() => setPreview(preview === null ? (body.current?.innerHTML ?? "") : null)} data-testid="writer-preview">
          {preview === null ? t("Preview") : t("Edit")}
        </button>
      </div>
      <div className="writer-body" ref={body} contentEditable suppressContentEditableWarning hidden={preview !== null} data-testid="writer-body" />
      {preview !== null && (
        <article className="article-preview" data-testid="writer-preview-pane">
          <h1>{title}</h1>
          <small>
            {author} · {account.name}
          </small>
          {cover && <img className="cover" src={cover.url} alt="" />}
          <div dangerouslySetInnerHTML={{ __html: preview }} />
        </article>
      )}
      {error && <p className="error" role="alert">{error}</p>}
      <button className="primary" disabled={busy || !title.trim()} onClick={save} data-testid="writer-save">
        {t("Save article")}
      </button>
    </div>
  );
}

/** Every article with its reads, likes and Wows; tick up to eight and broadcast them. */
function Articles({ account, articles, onSent }: { account: OfficialAccount; articles: Article[]; onSent: () => void }) {
  const t = useT();
  const [chosen, setChosen] = useState<string[]>([]);
  const [tag, setTag] = useState("");
  const [note, setNote] = useState("");
  const [error, setError] = useState("");
  const [open, setOpen] = useState<Article | null>(null);
  const [tags, setTags] = useState<string[]>([]);
  useEffect(() => {
    authed<FollowerList>("GET", `/official-accounts/${account.id}/followers`).then((l) => setTags(l.tags), () => setTags([]));
  }, [account.id]);
  const send = () => {
    setError("");
    setNote("");
    authed<Broadcast>("POST", `/official-accounts/${account.id}/broadcasts`, { articles: chosen, tag: tag.trim() || undefined }).then(
      (b) => {
        setNote(t("Sent to {{v0}}.", { v0: followers(b.delivered) }));
        setChosen([]);
        onSent();
      },
      (e) => setError(errorMessage(e)),
    );
  };
  return (
    <div className="articles">
      {articles.length === 0 && <p className="muted">{t("No articles yet: write one.")}</p>}
      <table>
        <tbody>
          {articles.map((a) => (
            <tr key={a.id} data-testid="console-article" data-title={a.title}>
              <td>
                <input type="checkbox" checked={chosen.includes(a.id)} disabled={!chosen.includes(a.id) && chosen.length >= 8} onChange={() => setChosen(chosen.includes(a.id) ? chosen.filter((x) => x !== a.id) : [...chosen, a.id])} aria-label={t("Choose {{v0}}", { v0: a.title })} />
              </td>
              <td>
                <button className="link" onClick={() => setOpen(a)}>
                  {a.title}
                </button>
              </td>
              <td className="num" data-testid="article-reads">{t("{{n}} reads", { n: a.reads })}</td>
              <td className="num">{a.likes} 👍</td>
              <td className="num">{a.wows} ✨</td>
            </tr>
          ))}
        </tbody>
      </table>
      {articles.length > 0 && (
        <div className="broadcast-bar">
          <select value={tag} onChange={(e) => setTag(e.target.value)} aria-label={t("Who receives it")} data-testid="broadcast-tag">
            <option value="">{t("All followers")}</option>
            {tags.map((tag) => (
              <option key={tag} value={tag}>
                {t("Followers tagged “{{tag}}”", { tag })}
              </option>
            ))}
          </select>
          <button className="primary" disabled={chosen.length === 0} onClick={send} data-testid="console-broadcast">
            {chosen.length ? t("Send {{n}} to followers", { n: chosen.length }) : t("Send to followers")}
          </button>
        </div>
      )}
      {note && <p className="note" role="status" data-testid="console-sent">{note}</p>}
      {error && <p className="error" role="alert" data-testid="console-error">{error}</p>}
      {open && (
        <div className="backdrop" onClick={() => setOpen(null)}>
          <article className="article-preview" onClick={(e) => e.stopPropagation()} data-testid="console-article-view">
            <h1>{open.title}</h1>
            <small>
              {open.author} · {open.account_name}
            </small>
            <div dangerouslySetInnerHTML={{ __html: open.body_html.replace(/src="xin-blob:([0-9a-f]{64})"/g, (_, h: string) => `src="${blobUrl(h)}"`) }} />
          </article>
        </div>
      )}
    </div>
  );
}

/** Followers' chats, newest first; the staff answer within 48 hours of a follower's message. */
function Messages({ account }: { account: OfficialAccount }) {
  const t = useT();
  const [inbox, setInbox] = useState<Inbox | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [chat, setChat] = useState<OfficialMessage[]>([]);
  const [text, setText] = useState("");
  const [error, setError] = useState("");
  const loadInbox = useCallback(() => authed<Inbox>("GET", `/official-accounts/${account.id}/inbox`).then(setInbox, (e) => setError(errorMessage(e))), [account.id]);
  const loadChat = useCallback(
    (user: string) => authed<OfficialChat>("GET", `/official-accounts/${account.id}/messages?user=${encodeURIComponent(user)}`).then((c) => setChat(c.messages), (e) => setError(errorMessage(e))),
    [account.id],
  );
  useEffect(() => {
    void loadInbox();
    const timer = window.setInterval(() => void loadInbox(), 5000);
    return () => window.clearInterval(timer);
  }, [loadInbox]);
  useEffect(() => {
    if (open) void loadChat(open);
  }, [open, loadChat]);
  const entry = inbox?.chats.find((c) => c.user.id === open);
  const reply = () =>
    authed<OfficialMessage>("POST", `/official-accounts/${account.id}/followers/${open}/messages`, { text }).then(
      () => {
        setText("");
        if (open) void loadChat(open);
        void loadInbox();
      },
      (e) => setError(errorMessage(e)),
    );
  return (
    <div className="messages">
      <div className="inbox">
        {inbox?.chats.length === 0 && <p className="muted">{t("No messages from followers yet.")}</p>}
        {inbox?.chats.map((c) => (
          <button key={c.user.id} className={open === c.user.id ? "inbox-row on" : "inbox-row"} onClick={() => setOpen(c.user.id)} data-testid="inbox-row" data-name={c.user.display_name}>
            <Avatar user={c.user} size={32} />
            <span>
              <b>{c.user.display_name}</b>
              <small>{c.last.text}</small>
            </span>
          </button>
        ))}
      </div>
      {open && entry && (
        <div className="thread" data-testid="inbox-thread">
          {chat.map((m) => (
            <div key={m.id} className={m.from_account ? "line ours" : "line"}>
              {m.text}
            </div>
          ))}
          {entry.can_reply ? (
            <form
              className="thread-reply"
              onSubmit={(e) => {
                e.preventDefault();
                if (text.trim()) void reply();
              }}
            >
              <input value={text} onChange={(e) => setText(e.target.value)} placeholder={t("Answer {{v0}}", { v0: entry.user.display_name })} maxLength={2000} data-testid="inbox-reply" />
              <button className="primary">{t("Send")}</button>
            </form>
          ) : (
            <p className="muted" data-testid="inbox-closed">
              {t("You can answer within 48 hours of their last message.")}
            </p>
          )}
        </div>
      )}
      {error && <p className="error" role="alert">{error}</p>}
    </div>
  );
}

/** The account's automatic answers: a welcome, keywords (one per line, "keyword = reply"), and
 *  a default. */
function Replies({ account }: { account: OfficialAccount }) {
  const t = useT();
  const [welcome, setWelcome] = useState("");
  const [keywords, setKeywords] = useState("");
  const [fallback, setFallback] = useState("");
  const [note, setNote] = useState("");
  const [error, setError] = useState("");
  // The form shows once the saved answers are in, so nothing typed is overwritten by them.
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    authed<AutoReplies>("GET", `/official-accounts/${account.id}/auto-replies`).then((r) => {
      setLoaded(true);
      setWelcome(r.on_follow ?? "");
      setFallback(r.default ?? "");
      setKeywords(r.keywords.map((k) => `${k.keyword} = ${k.reply}`).join("\n"));
    }, (e) => setError(errorMessage(e)));
  }, [account.id]);
  const save = () => {
    setNote("");
    setError("");
    const parsed = keywords
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => {
        const at = l.indexOf("=");
        return at < 0 ? { keyword: l, reply: "" } : { keyword: l.slice(0, at).trim(), reply: l.slice(at + 1).trim() };
      });
    authed<void>("PUT", `/official-accounts/${account.id}/auto-replies`, { on_follow: welcome || null, keywords: parsed, default: fallback || null }).then(
      () => setNote(t("Saved.")),
      (e) => setError(errorMessage(e)),
    );
  };
  if (!loaded) return error ? <p className="error">{error}</p> : <p className="muted">{t("Loading…")}</p>;
  return (
    <div className="console-form replies">
      <label>
        {t("Welcome, sent to each new follower")}
        <textarea value={welcome} onChange={(e) => setWelcome(e.target.value)} rows={2} data-testid="replies-welcome" />
      </label>
      <label>
        {t("Keywords: one per line, as keyword = reply")}
        <textarea value={keywords} onChange={(e) => setKeywords(e.target.value)} rows={4} placeholder={t("hours = Open 7 am to 7 pm")} data-testid="replies-keywords" />
      </label>
      <label>
        {t("Default reply, when no keyword matches")}
        <textarea value={fallback} onChange={(e) => setFallback(e.target.value)} rows={2} data-testid="replies-default" />
      </label>
      {note && <p className="note">{note}</p>}
      {error && <p className="error" role="alert">{error}</p>}
      <button className="primary" onClick={save} data-testid="replies-save">
        {t("Save")}
      </button>
    </div>
  );
}

/** Developer mode: the webhook followers' messages and events are posted to, and the secret
 *  that signs them and buys API access tokens. */
function DeveloperMode({ account }: { account: OfficialAccount }) {
  const t = useT();
  const [dev, setDev] = useState<Developer | null>(null);
  const [url, setUrl] = useState("");
  const [shown, setShown] = useState(false);
  const [note, setNote] = useState("");
  const [error, setError] = useState("");
  useEffect(() => {
    authed<Developer>("GET", `/official-accounts/${account.id}/developer`).then((d) => {
      setDev(d);
      setUrl(d.webhook_url ?? "");
    }, (e) => setError(errorMessage(e)));
  }, [account.id]);
  if (!dev) return error ? <p className="error">{error}</p> : <p className="muted">{t("Loading…")}</p>;
  const save = () => {
    setNote("");
    setError("");
    authed<Developer>("PUT", `/official-accounts/${account.id}/developer`, { webhook_url: url.trim() || null }).then(
      (d) => {
        setDev(d);
        setNote(d.webhook_url ? t("Saved: deliveries go to this address.") : t("Saved: developer mode is off."));
      },
      (e) => setError(errorMessage(e)),
    );
  };
  return (
    <div className="console-form developer">
      <label>
        {t("Webhook address (followers' messages, menu taps, follows and unfollows are posted here)")}
        <input value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://your-server.example/xin" data-testid="developer-url" />
      </label>
      <label>
        {t("Secret (signs each delivery: HMAC-SHA256 over timestamp, nonce and body; trade it for a 2-hour token at /api/v1/official-tokens)")}
        <span className="secret">
          <code data-testid="developer-secret">{dev ? (shown ? dev.secret : "•".repeat(24)) : ""}</code>
          <button type="button" onClick={() => setShown(!shown)}>
            {shown ? t("Hide") : t("Show")}
          </button>
        </span>
      </label>
      <p className="muted">
        {t("Account id:")} <code>{account.id}</code> · {t("The API is described at")} <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>
      </p>
      {note && <p className="note">{note}</p>}
      {error && <p className="error" role="alert">{error}</p>}
      <button className="primary" onClick={save} data-testid="developer-save">
        {t("Save")}
      </button>
    </div>
  );
}

/** Codes to follow the account by: each may carry a scene (where it was shown) and expire;
 *  followers are counted by scene. */
function QrCodes({ account }: { account: OfficialAccount }) {
  const t = useT();
  const [scene, setScene] = useState("");
  const [expires, setExpires] = useState("604800");
  const [made, setMade] = useState<{ qr: OfficialQr; image: string } | null>(null);
  const [counts, setCounts] = useState<SceneCounts | null>(null);
  const [error, setError] = useState("");
  const load = useCallback(() => authed<SceneCounts>("GET", `/official-accounts/${account.id}/scenes`).then(setCounts, (e) => setError(errorMessage(e))), [account.id]);
  useEffect(() => {
    void load();
    const timer = window.setInterval(() => void load(), 3000);
    return () => window.clearInterval(timer);
  }, [load]);
  const make = async () => {
    setError("");
    try {
      const qr = await authed<OfficialQr>("POST", `/official-accounts/${account.id}/qr-codes`, { scene: scene.trim() || undefined, expires_in: expires ? Number(expires) : undefined });
      setMade({ qr, image: await QRCode.toDataURL(qr.url, { margin: 2, width: 220 }) });
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <div className="qr-codes">
      <div className="console-form">
        <label>
          {t("Scene (where the code will be shown: a poster, a shop window…)")}
          <input value={scene} onChange={(e) => setScene(e.target.value)} maxLength={64} placeholder="poster-7" data-testid="qr-scene" />
        </label>
        <label>
          {t("Works for")}
          <select value={expires} onChange={(e) => setExpires(e.target.value)}>
            <option value="3600">{t("An hour")}</option>
            <option value="604800">{t("A week")}</option>
            <option value="2592000">{t("30 days")}</option>
            <option value="">{t("Ever")}</option>
          </select>
        </label>
        <button className="primary" onClick={() => void make()} data-testid="qr-make">
          {t("Make a code")}
        </button>
        {error && <p className="error" role="alert">{error}</p>}
      </div>
      {made && (
        <div className="qr-made" data-testid="qr-made" data-url={made.qr.url}>
          <img src={made.image} alt={t("QR code to follow")} />
          <code>{made.qr.url}</code>
          <small>{made.qr.expires_at ? t("Works until {{v0}}", { v0: formatDateTime(made.qr.expires_at, { dateStyle: "medium", timeStyle: "short" }) }) : t("Works for ever")}</small>
        </div>
      )}
      <table className="scenes">
        <tbody>
          {counts?.scenes.map((c) => (
            <tr key={c.scene ?? ""} data-testid="scene-row" data-scene={c.scene ?? ""}>
              <td>{c.scene ?? t("No code")}</td>
              <td className="num">{followers(c.followers)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The menu under the account's chat: up to 3 menus of up to 5 items, each answering a
 *  keyword, opening one of the account's articles or mini programs, or opening a web page. */
function MenuEditor({ account, articles }: { account: OfficialAccount; articles: Article[] }) {
  const t = useT();
  const [menus, setMenus] = useState<Menu[] | null>(null);
  const [programs, setPrograms] = useState<MiniProgram[]>([]);
  const [note, setNote] = useState("");
  const [error, setError] = useState("");
  useEffect(() => {
    authed<OfficialMenu>("GET", `/official-accounts/${account.id}/menu`).then((m) => setMenus(m.menus), (e) => setError(errorMessage(e)));
    authed<MiniProgramList>("GET", `/official-accounts/${account.id}/mini-programs`).then((l) => setPrograms(l.mini_programs), () => {});
  }, [account.id]);
  if (!menus) return error ? <p className="error">{error}</p> : <p className="muted">{t("Loading…")}</p>;
  const setMenu = (i: number, m: Menu) => setMenus(menus.map((x, j) => (j === i ? m : x)));
  const setItem = (i: number, k: number, item: MenuItem) => setMenu(i, { ...menus[i]!, items: menus[i]!.items.map((x, j) => (j === k ? item : x)) });
  const blank = (type: MenuAction["type"]): MenuAction =>
    type === "keyword" ? { type, keyword: "" } : type === "link" ? { type, url: "https://" } : type === "mini_program" ? { type, mini_program_id: programs[0]?.id ?? "" } : { type: "article", article_id: articles[0]?.id ?? "" };
  const save = () => {
    setNote("");
    setError("");
    authed<void>("PUT", `/official-accounts/${account.id}/menu`, { menus }).then(() => setNote(t("Saved: followers see it under the chat.")), (e) => setError(errorMessage(e)));
  };
  return (
    <div className="menu-editor" data-testid="menu-editor">
      {menus.map((m, i) => (
        <div key={i} className="menu-block">
          <div className="menu-head">
            <input value={m.name} onChange={(e) => setMenu(i, { ...m, name: e.target.value })} maxLength={16} placeholder={t("Menu name")} aria-label={t("Menu name")} data-testid="menu-name" />
            <button onClick={() => setMenus(menus.filter((_, j) => j !== i))}>{t("Remove")}</button>
          </div>
          {m.items.map((item, k) => (
            <div key={k} className="menu-item">
              <input value={item.name} onChange={(e) => setItem(i, k, { ...item, name: e.target.value })} maxLength={16} placeholder={t("Item")} aria-label={t("Item name")} data-testid="menu-item-name" />
              <select value={item.action.type} onChange={(e) => setItem(i, k, { ...item, action: blank(e.target.value as MenuAction["type"]) })} aria-label={t("Does")} data-testid="menu-item-type">
                <option value="keyword">{t("Answers a keyword")}</option>
                <option value="article" disabled={articles.length === 0}>
                  {t("Opens an article")}
                </option>
                <option value="link">{t("Opens a web page")}</option>
                <option value="mini_program" disabled={programs.length === 0}>
                  {t("Opens a mini program")}
                </option>
              </select>
              {item.action.type === "keyword" && (
                <input value={item.action.keyword} onChange={(e) => setItem(i, k, { ...item, action: { type: "keyword", keyword: e.target.value } })} maxLength={30} placeholder={t("keyword")} aria-label={t("Keyword")} data-testid="menu-item-keyword" />
              )}
              {item.action.type === "link" && <input value={item.action.url} onChange={(e) => setItem(i, k, { ...item, action: { type: "link", url: e.target.value } })} aria-label={t("Address")} />}
              {item.action.type === "mini_program" && (
                <select value={item.action.mini_program_id} onChange={(e) => setItem(i, k, { ...item, action: { type: "mini_program", mini_program_id: e.target.value } })} aria-label={t("Mini program")}>
                  {programs.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
                </select>
              )}
              {item.action.type === "article" && (
                <select value={item.action.article_id} onChange={(e) => setItem(i, k, { ...item, action: { type: "article", article_id: e.target.value } })} aria-label={t("Article")}>
                  {articles.map((a) => (
                    <option key={a.id} value={a.id}>
                      {a.title}
                    </option>
                  ))}
                </select>
              )}
              <button onClick={() => setMenu(i, { ...m, items: m.items.filter((_, j) => j !== k) })} aria-label={t("Remove item")}>
                ✕
              </button>
            </div>
          ))}
          {m.items.length < 5 && (
            <button className="link" onClick={() => setMenu(i, { ...m, items: [...m.items, { name: "", action: blank("keyword") }] })} data-testid="menu-add-item">
              + {t("Item")}
            </button>
          )}
        </div>
      ))}
      {menus.length < 3 && (
        <button className="new-account" onClick={() => setMenus([...menus, { name: "", items: [{ name: "", action: blank("keyword") }] }])} data-testid="menu-add">
          + {t("Menu")}
        </button>
      )}
      {note && <p className="note">{note}</p>}
      {error && <p className="error" role="alert">{error}</p>}
      <button className="primary" onClick={save} data-testid="menu-save">
        {t("Save menu")}
      </button>
    </div>
  );
}
