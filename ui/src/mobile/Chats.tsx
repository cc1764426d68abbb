import { useEffect, useRef, useState } from "react";
import type { CallKind, Content, Conversation, Message, OfficialAccount, OfficialAccountList } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { Icon } from "../shared/icons";
import { formatBytes, voiceLength } from "../shared/format";
import { api, authed, blobUrl, freshLink, stored, uuidv7, errorMessage } from "./api";
import { AccountAvatar } from "./OfficialAccounts";
import { PhoneRedEnvelope, PhoneTransfer } from "./Money";
import { go } from "./router";
import { prepareAndUpload } from "./upload";
import { VoiceRecorder } from "../shared/voice";
import { callLine, contentLine } from "../shared/contentLine";
import { startCall } from "./Call";
import { voiceContent } from "./voice";
import { useT } from "../shared/i18n";
import { systemLine } from "../shared/systemLine";

/** Opens "File Transfer", the chat with one's own computer. */
export function openFileTransfer() {
  api.fileTransfer().then((c) => go(`/c/${c.id}`), () => {});
}

/** Chats, newest first, refreshed by the realtime link (`tick`). */
export function ChatsList({ tick }: { tick: number }) {
  const t = useT();
  const [chats, setChats] = useState<Conversation[] | null>(null);
  const [services, setServices] = useState<OfficialAccount[]>([]);
  useEffect(() => {
    api.conversations().then((l) => setChats(l.conversations.sort((a, b) => b.last_seq - a.last_seq || Number(b.pinned) - Number(a.pinned))), () => setChats([]));
    authed<OfficialAccountList>("GET", "/official-accounts").then((l) => setServices(l.accounts.filter((a) => a.following && a.kind === "service")), () => {});
  }, [tick]);
  if (chats === null) return <p className="empty">{t("Loading…")}</p>;
  return (
    <section className="card list" data-testid="phone-chats">
      <button className="row chat" onClick={openFileTransfer} data-testid="phone-file-transfer">
        <span className="chat-avatar file-transfer-avatar">
          <Icon name="files" size={26} />
        </span>
        <span className="device-text">
          <span className="device-name">{t("File Transfer")}</span>
          <span className="muted">{t("Send to computer")}</span>
        </span>
      </button>
      <button className="row chat" onClick={() => go("/subscriptions")} data-testid="phone-subscriptions-row">
        <span className="chat-avatar subscriptions-avatar">📰</span>
        <span className="device-text">
          <span className="device-name">{t("Subscriptions")}</span>
          <span className="muted">{t("Articles from accounts you follow")}</span>
        </span>
      </button>
      {services.map((a) => (
        <button key={a.id} className="row chat" onClick={() => go(`/oc/${a.id}`)} data-testid="phone-service-row" data-title={a.name}>
          <AccountAvatar a={a} size={44} />
          <span className="device-text">
            <span className="device-name">{a.name}</span>
            <span className="muted">{a.last_message?.text ?? a.intro}</span>
          </span>
        </button>
      ))}
      {chats.length === 0 && <p className="empty">{t("No chats yet. Tap Scan to log in to Xin on your computer.")}</p>}
      {chats.filter((c) => c.kind !== "self_note").map((c) => (
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
  const t = useT();
  const me = stored()?.user.id;
  const [conv, setConv] = useState<Conversation | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [text, setText] = useState("");
  const [error, setError] = useState("");
  const [sending, setSending] = useState<{ id: string; name: string; progress: number }[]>([]);
  const [viewing, setViewing] = useState<string | null>(null);
  const [voiceMode, setVoiceMode] = useState(false);
  const [recording, setRecording] = useState<VoiceRecorder | null>(null);
  const picker = useRef<HTMLInputElement>(null);
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
      (e) => setError(errorMessage(e)),
    );
  }, [id, tick]);
  useEffect(() => {
    end.current?.scrollIntoView();
  }, [messages.length]);

  const send = async () => {
    const typed = text.trim();
    if (!typed) return;
    setText("");
    try {
      const m = await api.send(id, typed);
      setMessages((ms) => (ms.some((x) => x.id === m.id) ? ms : [...ms, m]));
    } catch (e) {
      setText(typed);
      setError(errorMessage(e));
    }
  };

  const sendFiles = async (files: File[]) => {
    for (const file of files) await deliver(file.name, (progress) => prepareAndUpload(file, progress));
  };
  const conversationId = id;

  const deliver = async (label: string, make: (progress: (p: number) => void) => Promise<Content>) => {
    const client = uuidv7();
    setSending((s) => [...s, { id: client, name: label, progress: 0 }]);
    try {
      const content = await make((p) => setSending((s) => s.map((x) => (x.id === client ? { ...x, progress: p } : x))));
      const m = await api.sendContent(conversationId, client, content);
      setMessages((ms) => (ms.some((x) => x.id === m.id) ? ms : [...ms, m]));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSending((s) => s.filter((x) => x.id !== client));
    }
  };

  // Hold to talk: recording starts on press, is sent on release (if longer than a blink).
  const pressed = useRef(false);
  const startVoice = async () => {
    pressed.current = true;
    try {
      const r = await VoiceRecorder.start(() => stopVoice(r));
      // Released while the microphone was still opening: nothing to send.
      if (!pressed.current) return r.cancel();
      setRecording(r);
    } catch {
      setError(t("Xin needs the microphone for voice messages."));
    }
  };
  const stopVoice = async (r: VoiceRecorder | null = recording) => {
    pressed.current = false;
    if (!r) return;
    setRecording(null);
    if (r.elapsed() < 600) {
      r.cancel();
      setError(t("Hold a little longer to record."));
      return;
    }
    const { audio, ms } = await r.stop();
    deliver(t("Voice message"), (progress) => voiceContent(audio, ms, progress));
  };

  const name = (uid: string) => conv?.members.find((m) => m.user.id === uid)?.user ?? { display_name: "?", avatar_hue: 0 };
  // The other person of a 1:1 chat: whom its call buttons ring.
  const other = conv?.kind === "direct" ? conv.members.find((m) => m.user.id !== me)?.user.id : undefined;
  const callBack = other ? (kind: CallKind) => startCall(other, kind).catch((e) => setError(errorMessage(e))) : undefined;
  return (
    <div className="app">
      <header className="bar">
        <button className="back" onClick={() => go("/")} aria-label={t("Back")}>
          <Icon name="back" />
        </button>
        {conv?.title ?? ""}
        {other && (
          <span className="bar-actions">
            <button onClick={() => callBack?.("voice")} aria-label={t("Voice call")} data-testid="phone-voice-call">
              <Icon name="call" size={22} />
            </button>
            <button onClick={() => callBack?.("video")} aria-label={t("Video call")} data-testid="phone-video-call">
              <Icon name="videocall" size={22} />
            </button>
          </span>
        )}
      </header>
      <main className="page chat-page" data-testid="phone-chat">
        {messages.map((m) =>
          m.content.type === "system" || m.recalled ? (
            <div key={m.id} className="system">
              {m.recalled ? t("{{name}} recalled a message", { name: name(m.sender_id).display_name }) : m.content.type === "system" ? systemLine(m.content) : ""}
            </div>
          ) : (
            <div key={m.id} className={m.sender_id === me ? "bubble-row mine" : "bubble-row"} data-testid="phone-message" data-text={m.content.type === "text" ? m.content.text : ""}>
              <Avatar user={name(m.sender_id)} size={36} />
              {m.content.type === "text" ? <div className="bubble">{m.content.text}</div> : <PhoneMedia m={m} onView={setViewing} onCallBack={callBack} />}
            </div>
          ),
        )}
        {sending.map((s) => (
          <div key={s.id} className="bubble-row mine" data-testid="phone-sending">
            <div className="bubble sending">
              {s.name} · {Math.round(s.progress * 100)}%
              <div className="progress">
                <div style={{ width: `${s.progress * 100}%` }} />
              </div>
            </div>
          </div>
        ))}
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
        <button type="button" className="attach" aria-label={t("Send photos or files")} onClick={() => picker.current?.click()} data-testid="phone-attach">
          +
        </button>
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          data-testid="phone-file-input"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = "";
            sendFiles(files);
          }}
        />
        <button type="button" className="attach" aria-label={voiceMode ? t("Keyboard") : t("Voice message")} onClick={() => setVoiceMode(!voiceMode)} data-testid="phone-voice-mode">
          <Icon name={voiceMode ? "keyboard" : "mic"} size={20} />
        </button>
        {voiceMode ? (
          <button
            type="button"
            className={recording ? "hold-to-talk recording" : "hold-to-talk"}
            onPointerDown={(e) => {
              e.currentTarget.setPointerCapture(e.pointerId);
              startVoice();
            }}
            onPointerUp={() => stopVoice()}
            onPointerCancel={() => {
              pressed.current = false;
              recording?.cancel();
              setRecording(null);
            }}
            data-testid="phone-hold-to-talk"
          >
            {recording ? t("Release to send") : t("Hold to talk")}
          </button>
        ) : (
          <>
            <input value={text} onChange={(e) => setText(e.target.value)} aria-label={t("Message")} data-testid="phone-composer" enterKeyHint="send" />
            <button type="submit" disabled={!text.trim()} data-testid="phone-send">
              {t("Send")}
            </button>
          </>
        )}
      </form>
      {viewing && (
        <div className="phone-viewer" onClick={() => setViewing(null)} data-testid="phone-viewer">
          <img src={blobUrl(viewing)} alt={t("Photo")} />
        </div>
      )}
    </div>
  );
}

function play(audio: HTMLAudioElement | null, hash: string) {
  if (!audio) return;
  freshLink(audio, hash);
  audio.play().catch(() => {});
}

/** A photo, file or voice message on the phone. */
export function PhoneMedia({ m, onView, onCallBack }: { m: Message; onView: (hash: string) => void; onCallBack?: (kind: CallKind) => void }) {
  const t = useT();
  const c = m.content;
  if (c.type === "image") {
    const scale = Math.min(1, 200 / Math.max(c.width, c.height));
    return (
      <img className="phone-photo" src={blobUrl(c.thumbnail?.hash ?? c.blob.hash)} width={Math.round(c.width * scale)} height={Math.round(c.height * scale)} alt={t("Photo")} onClick={() => onView(c.blob.hash)} data-testid="phone-photo" />
    );
  }
  if (c.type === "file")
    return (
      <a className="bubble phone-file" href={blobUrl(c.blob.hash)} download={c.name} onClick={(e) => freshLink(e.currentTarget, c.blob.hash)} data-testid="phone-file" data-name={c.name}>
        <span className="phone-file-name">{c.name}</span>
        <span className="muted">{formatBytes(c.blob.size)} · {t("Download")}</span>
      </a>
    );
  if (c.type === "transfer") return <PhoneTransfer m={m} />;
  if (c.type === "call")
    return (
      // Tapping a call's line calls back, the same kind of call.
      <button className="bubble phone-call-line" onClick={() => onCallBack?.(c.kind)} data-testid="phone-call-line" data-outcome={c.outcome}>
        <Icon name={c.kind === "video" ? "videocall" : "call"} size={16} /> {callLine(c)}
      </button>
    );
  if (c.type === "red_envelope") return <PhoneRedEnvelope m={m} />;
  if (c.type === "article")
    return (
      <div className="bubble phone-article" data-testid="phone-article">
        <b>{c.title}</b>
        <span className="muted">{c.account_name}</span>
      </div>
    );
  if (c.type === "mini_program")
    return (
      <button className="bubble phone-article phone-mini-card" onClick={() => go(`/mp/${c.mini_program_id}`)} data-testid="phone-mini-program-card">
        <b>{c.name}</b>
        <span className="muted">{c.publisher} · {t("Mini Program")}</span>
      </button>
    );
  if (c.type === "history")
    return (
      <details className="bubble phone-history" data-testid="phone-history">
        <summary>
          <b>{c.title}</b>
          <span className="muted small">{t("Chat history · {{n}} messages", { n: c.items.length })}</span>
        </summary>
        {c.items.map((i, n) => (
          <p key={n}>
            <b>{i.sender_name}:</b> {contentLine(i.content)}
          </p>
        ))}
      </details>
    );
  if (c.type === "video") {
    const scale = Math.min(1, 220 / Math.max(c.width, c.height));
    return (
      <video
        className="phone-video"
        controls
        playsInline
        preload="none"
        poster={c.thumbnail ? blobUrl(c.thumbnail.hash) : undefined}
        src={blobUrl(c.blob.hash)}
        onError={(e) => freshLink(e.currentTarget, c.blob.hash) && e.currentTarget.play().catch(() => {})}
        width={Math.round(c.width * scale)}
        height={Math.round(c.height * scale)}
        data-testid="phone-video"
      />
    );
  }
  if (c.type === "voice")
    return (
      <button className="bubble phone-voice" style={{ width: Math.min(220, 80 + (c.duration_ms / 60000) * 140) }} onClick={(e) => play(e.currentTarget.querySelector("audio"), c.blob.hash)} data-testid="phone-voice">
        ))) {voiceLength(c.duration_ms)}
        <audio src={blobUrl(c.blob.hash)} preload="none" />
      </button>
    );
  return <div className="bubble muted">{t("This message needs a newer Xin.")}</div>;
}
