import { useEffect, useRef, useState } from "react";
import type { Conversation, Message } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { Icon } from "../shared/icons";
import { api, ApiError, stored } from "./api";
import { go } from "./router";

/** Chats, newest first, refreshed by the realtime link (`tick`). */
export function ChatsList({ tick }: { tick: number }) {
  const [chats, setChats] = useState<Conversation[] | null>(null);
  useEffect(() => {
    api.conversations().then((l) => setChats(l.conversations.sort((a, b) => b.last_seq - a.last_seq || Number(b.pinned) - Number(a.pinned))), () => setChats([]));
  }, [tick]);
  if (chats === null) return <p className="empty">Loading…</p>;
  return (
    <section className="card list" data-testid="phone-chats">
      {chats.length === 0 && <p className="empty">No chats yet. Tap Scan to log in to Xin on your computer.</p>}
      {chats.map((c) => (
        <button key={c.id} className="row chat" onClick={() => go(`/c/${c.id}`)} data-testid="phone-chat-row" data-title={c.title}>
          <span className="chat-avatar">
            <Avatar user={{ display_name: c.title, avatar_hue: hue(c.id) }} size={44} />
            {c.unread > 0 && <span className={c.muted ? "badge muted" : "badge"}>{c.muted ? "" : c.unread}</span>}
          </span>
          <span className="device-text">
            <span className="device-name">{c.title}</span>
          </span>
        </button>
      ))}
    </section>
  );
}

function hue(id: string): number {
  let h = 0;
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return h;
}

/** One chat: history and a composer. */
export function ChatView({ id, tick }: { id: string; tick: number }) {
  const me = stored()?.user.id;
  const [conv, setConv] = useState<Conversation | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [text, setText] = useState("");
  const [error, setError] = useState("");
  const end = useRef<HTMLDivElement>(null);

  useEffect(() => {
    api.conversations().then((l) => setConv(l.conversations.find((c) => c.id === id) ?? null), () => {});
    api.history(id).then(
      (p) => {
        const ms = [...p.messages].reverse();
        setMessages(ms);
        const last = ms[ms.length - 1];
        if (last) api.markRead(id, last.seq).catch(() => {});
      },
      (e) => setError(e instanceof ApiError ? e.message : String(e)),
    );
  }, [id, tick]);
  useEffect(() => {
    end.current?.scrollIntoView();
  }, [messages.length]);

  const send = async () => {
    const t = text.trim();
    if (!t) return;
    setText("");
    try {
      const m = await api.send(id, t);
      setMessages((ms) => (ms.some((x) => x.id === m.id) ? ms : [...ms, m]));
    } catch (e) {
      setText(t);
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };

  const name = (uid: string) => conv?.members.find((m) => m.user.id === uid)?.user ?? { display_name: "?", avatar_hue: 0 };
  return (
    <div className="app">
      <header className="bar">
        <button className="back" onClick={() => go("/")} aria-label="Back">
          <Icon name="back" />
        </button>
        {conv?.title ?? ""}
      </header>
      <main className="page chat-page" data-testid="phone-chat">
        {messages.map((m) =>
          m.content.type === "system" || m.recalled ? (
            <div key={m.id} className="system">
              {m.recalled ? `${name(m.sender_id).display_name} recalled a message` : m.content.type === "system" ? m.content.text : ""}
            </div>
          ) : (
            <div key={m.id} className={m.sender_id === me ? "bubble-row mine" : "bubble-row"} data-testid="phone-message" data-text={m.content.type === "text" ? m.content.text : ""}>
              <Avatar user={name(m.sender_id)} size={36} />
              <div className="bubble">{m.content.type === "text" && m.content.text}</div>
            </div>
          ),
        )}
        <div ref={end} />
        {error && <p className="form-error">{error}</p>}
      </main>
      <form
        className="phone-composer"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <input value={text} onChange={(e) => setText(e.target.value)} aria-label="Message" data-testid="phone-composer" enterKeyHint="send" />
        <button type="submit" disabled={!text.trim()} data-testid="phone-send">
          Send
        </button>
      </form>
    </div>
  );
}
