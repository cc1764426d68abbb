import { useCallback, useEffect, useState } from "react";
import type { AutoReplies, Inbox, OfficialChat, OfficialMessage, OfficialAccount } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { authed, errorMessage } from "../mobile/api";
import { useT } from "../shared/i18n";

/** Followers' chats, newest first; the staff answer within 48 hours of a follower's message. */
export function Messages({ account }: { account: OfficialAccount }) {
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
export function Replies({ account }: { account: OfficialAccount }) {
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
