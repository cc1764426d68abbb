import { useVirtualizer } from "@tanstack/react-virtual";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import type { CallKind, ChatMessage, Contact, ExportProgress, Conversation as Conv, Transfer, UserProfile } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { Icon } from "../shared/icons";
import { insertMention, mentionChoices, mentionQuery } from "../shared/mentions";
import { canRecall, memberCount, needsTimeLine } from "../shared/names";
import { contentLine } from "../shared/contentLine";
import { EmojiPicker } from "./EmojiPicker";
import { ForwardDialog } from "./ForwardDialog";
import { ImageViewer, messagePhotos } from "./ImageViewer";
import { RedEnvelopeDialog, SendMoneyDialog } from "./Wallet";
import { errorText, ipc, onCoreEvent } from "./ipc";
import { MediaBubble } from "./MediaBubble";
import { VoiceRecorder, waveform } from "../shared/voice";
import { voiceLength } from "../shared/format";
import { formatDateTime, useT } from "../shared/i18n";
import { systemLine } from "../shared/systemLine";

type Menu = { x: number; y: number; m: ChatMessage };

/** One conversation: header, virtualised history, composer. */
export function Conversation({ conv, me, draft, contacts, focus = null }: { conv: Conv; me: UserProfile; draft: string; contacts: Contact[]; focus?: { id: string; seq: number } | null }) {
  const t = useT();
  // The message opened from search, flashed once it is on screen.
  const [flash, setFlash] = useState<string | null>(null);
  // Multi-select: the chosen messages (ids), and where they are being forwarded.
  const [selected, setSelected] = useState<string[] | null>(null);
  const [forwarding, setForwarding] = useState<{ ids: string[]; merged: boolean } | null>(null);
  const [items, setItems] = useState<ChatMessage[]>([]);
  const [atBottom, setAtBottom] = useState(true);
  const [newCount, setNewCount] = useState(0);
  const [menu, setMenu] = useState<Menu | null>(null);
  const [quote, setQuote] = useState<ChatMessage | null>(null);
  const [drawer, setDrawer] = useState(false);
  const [error, setError] = useState("");
  const [live, setLive] = useState<Record<string, Transfer>>({});
  const [viewer, setViewer] = useState<number | null>(null);
  const [dropping, setDropping] = useState(false);
  const scroller = useRef<HTMLDivElement>(null);
  const loadingOlder = useRef(false);
  const allLoaded = useRef(false);

  const virtual = useVirtualizer({ count: items.length, getScrollElement: () => scroller.current, estimateSize: () => 64, overscan: 12 });

  const reload = useCallback(async () => {
    const latest = await ipc.messages(conv.id, null);
    setItems((old) => {
      // Keep older pages already loaded, replace the newest page.
      const firstSeq = latest.find((m) => m.state === "sent")?.message.seq;
      const keep = firstSeq ? old.filter((m) => m.state === "sent" && m.message.seq < firstSeq) : [];
      const next = [...keep, ...latest];
      const added = next.length - old.length;
      if (added > 0 && !atBottomRef.current) setNewCount((n) => n + added);
      return next;
    });
  }, [conv.id]);

  const atBottomRef = useRef(true);
  atBottomRef.current = atBottom;

  useEffect(() => {
    setItems([]);
    setNewCount(0);
    landed.current = false;
    unreadAtOpen.current = conv.unread;
    allLoaded.current = false;
    if (focus) {
      landed.current = true;
      setAtBottom(false);
      void reveal(focus);
    } else reload();
    ipc.markRead(conv.id).catch(() => {});
    const unlisten = onCoreEvent((e) => {
      if (e.type === "messages_changed" && e.conversation_id === conv.id) {
        reload();
        if (atBottomRef.current) ipc.markRead(conv.id).catch(() => {});
      }
      if (e.type === "transfer" && e.transfer.conversation_id === conv.id) setLive((l) => ({ ...l, [e.transfer.id]: e.transfer }));
    });
    // Files dragged from the file manager onto this chat are sent to it.
    const unlistenDrop = getCurrentWebview().onDragDropEvent((e) => {
      if (e.payload.type === "over" || e.payload.type === "enter") setDropping(true);
      else if (e.payload.type === "leave") setDropping(false);
      else if (e.payload.type === "drop") {
        setDropping(false);
        if (e.payload.paths.length > 0) ipc.sendDropped(conv.id).catch((err) => setError(errorText(err)));
      }
    });
    return () => {
      unlisten.then((f) => f());
      unlistenDrop.then((f) => f());
    };
  }, [conv.id, reload]);

  // Loads pages back from the newest until the message is in, then centres and flashes it.
  async function reveal(target: { id: string; seq: number }) {
    let loaded = await ipc.messages(conv.id, null);
    for (let page = 0; page < 200 && !loaded.some((m) => m.message.id === target.id); page++) {
      const oldest = loaded.find((m) => m.state === "sent")?.message.seq;
      if (!oldest || oldest <= target.seq - 1 || oldest <= 1) break;
      const older = await ipc.messages(conv.id, oldest);
      if (older.length === 0) break;
      loaded = [...older, ...loaded];
    }
    setItems(loaded);
    const index = loaded.findIndex((m) => m.message.id === target.id);
    if (index >= 0) {
      requestAnimationFrame(() => virtual.scrollToIndex(index, { align: "center" }));
      setFlash(target.id);
      window.setTimeout(() => setFlash(null), 2500);
    }
  }

  const photos = items.filter((i) => i.message.content.type === "image" && i.state === "sent" && !i.message.recalled).map((i) => i.message);

  // Open at the first unread message when there are more unread than fit, else at the bottom;
  // then stay at the bottom while new messages arrive.
  const unreadAtOpen = useRef(conv.unread);
  const landed = useRef(false);
  useLayoutEffect(() => {
    if (items.length === 0) return;
    if (!landed.current) {
      landed.current = true;
      const first = items.length - unreadAtOpen.current;
      if (unreadAtOpen.current > 8 && first > 0) {
        virtual.scrollToIndex(first, { align: "start" });
        setAtBottom(false);
        return;
      }
    }
    if (atBottomRef.current) virtual.scrollToIndex(items.length - 1, { align: "end" });
  }, [items.length, virtual]);

  const onScroll = async () => {
    const el = scroller.current;
    if (!el) return;
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    setAtBottom(bottom);
    if (bottom) {
      setNewCount(0);
      ipc.markRead(conv.id).catch(() => {});
    }
    if (el.scrollTop < 200 && !loadingOlder.current && !allLoaded.current) {
      const oldest = items.find((m) => m.state === "sent");
      if (!oldest || oldest.message.seq <= 1) return;
      loadingOlder.current = true;
      const older = await ipc.messages(conv.id, oldest.message.seq).catch(() => []);
      if (older.length === 0) allLoaded.current = true;
      const before = el.scrollHeight;
      setItems((cur) => [...older.filter((o) => !cur.some((c) => c.message.id === o.message.id)), ...cur]);
      // Keep the reader's place: no jump when older messages arrive above.
      requestAnimationFrame(() => {
        el.scrollTop += el.scrollHeight - before;
        loadingOlder.current = false;
      });
    }
  };

  // My remark for someone wins over their own name, here as everywhere.
  const names = new Map(conv.members.map((m) => [m.user.id, m.user.display_name]));
  const nameOf = (id: string) => {
    const user = conv.members.find((m) => m.user.id === id)?.user ?? { display_name: "?", avatar_hue: 0 };
    const remark = contacts.find((c) => c.user.id === id)?.remark;
    return remark ? { ...user, display_name: remark } : user;
  };
  const isGroup = conv.kind === "group";
  // A 1:1 chat's other person: the one a call rings.
  const peerId = conv.kind === "direct" ? conv.members.find((m) => m.user.id !== me.id)?.user.id : undefined;
  const call = (kind: CallKind) => {
    if (peerId) ipc.startCall(peerId, kind).catch((e) => setError(errorText(e)));
  };

  return (
    <section className="content-pane conversation" data-testid="conversation" data-id={conv.id}>
      <header className="content-header">
        <h1 data-testid="conversation-title">
          {conv.kind === "self_note" ? t("File Transfer") : conv.title}
          {memberCount(conv)}
        </h1>
        <button className="icon-button" aria-label={t("Chat info")} title={t("Chat info")} onClick={() => setDrawer(!drawer)}>
          ···
        </button>
      </header>
      <div className="messages" ref={scroller} onScroll={onScroll} data-testid="messages" onClick={() => setMenu(null)}>
        <div style={{ height: virtual.getTotalSize(), position: "relative" }}>
          {virtual.getVirtualItems().map((row) => {
            const item = items[row.index];
            if (!item) return null;
            const m = item.message;
            const mine = m.sender_id === me.id;
            const prev = items[row.index - 1]?.message;
            return (
              <div key={m.client_id} data-index={row.index} ref={virtual.measureElement} className="message-row" style={{ position: "absolute", top: 0, left: 0, right: 0, transform: `translateY(${row.start}px)` }}>
                {needsTimeLine(prev, m) && <div className="time-line">{formatDateTime(m.created_at, { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" })}</div>}
                {m.content.type === "system" ? (
                  <div className="system-line" data-testid="system-line">{systemLine(m.content)}</div>
                ) : m.recalled ? (
                  <div className="system-line">{mine ? t("You recalled a message") : t("{{name}} recalled a message", { name: nameOf(m.sender_id).display_name })}</div>
                ) : (
                  <div
                    className={[mine ? "bubble-row mine" : "bubble-row", flash === m.id ? "flash" : "", selected ? "selecting" : ""].join(" ")}
                    data-testid="message"
                    data-id={m.id}
                    data-state={item.state}
                    data-text={m.content.type === "text" ? m.content.text : ""}
                    onClickCapture={(e) => {
                      if (!selected || item.state !== "sent") return;
                      e.stopPropagation();
                      e.preventDefault();
                      setSelected(selected.includes(m.id) ? selected.filter((x) => x !== m.id) : [...selected, m.id]);
                    }}
                  >
                    {selected && item.state === "sent" && <span className={selected.includes(m.id) ? "select-dot on" : "select-dot"} data-testid="select-dot" aria-label={selected.includes(m.id) ? t("Selected") : t("Not selected")} />}
                    <Avatar user={mine ? me : nameOf(m.sender_id)} size={36} />
                    <div className="bubble-col">
                      {isGroup && !mine && <div className="sender">{nameOf(m.sender_id).display_name}</div>}
                      <div
                        className={m.content.type === "text" ? "bubble" : "bubble media"}
                        onContextMenu={(e) => {
                          e.preventDefault();
                          setMenu({ x: e.clientX, y: e.clientY, m: item });
                        }}
                      >
                        {m.reply_to && <Quote items={items} id={m.reply_to} />}
                        {m.content.type === "text" ? (
                          m.content.text
                        ) : (
                          <MediaBubble item={item} me={me.id} names={names} live={live[m.client_id] ?? live[m.id]} onOpenImage={() => setViewer(photos.findIndex((p) => p.id === m.id))} onCallBack={peerId ? call : undefined} onError={setError} />
                        )}
                      </div>
                    </div>
                    {item.state === "pending" && <span className="spinner" aria-label={t("Sending")} />}
                    {item.state === "failed" && (
                      <button className="failed" aria-label={t("Not sent. Click to retry.")} title={t("Not sent. Click to retry.")} onClick={() => ipc.retrySend(conv.id, m.client_id)}>
                        !
                      </button>
                    )}
                  </div>
                )}
              </div>
            );
          })}
        </div>
      </div>
      {newCount > 0 && !atBottom && (
        <button className="new-pill" onClick={() => virtual.scrollToIndex(items.length - 1, { align: "end" })}>
          ↓ {t("{{n}} new", { n: newCount })}
        </button>
      )}
      {menu && (
        <ContextMenu
          menu={menu}
          me={me.id}
          onClose={() => setMenu(null)}
          onQuote={() => setQuote(menu.m)}
          onRecall={() => ipc.recall(conv.id, menu.m.message.id).catch((e) => setError(errorText(e)))}
          onDelete={() => ipc.deleteForMe(conv.id, menu.m.message.id).catch((e) => setError(errorText(e)))}
          onForward={() => setForwarding({ ids: [menu.m.message.id], merged: false })}
          onSelect={() => setSelected([menu.m.message.id])}
        />
      )}
      {error && (
        <p className="error-line composer-error" role="alert" onClick={() => setError("")}>
          {error}
        </p>
      )}
      {selected ? (
        <div className="select-bar" data-testid="select-bar">
          <span>{t("{{n}} selected", { n: selected.length })}</span>
          <button className="secondary-button" disabled={selected.length === 0} onClick={() => setForwarding({ ids: selected, merged: false })} data-testid="forward-each">
            {t("Forward one by one")}
          </button>
          <button className="secondary-button" disabled={selected.length === 0} onClick={() => setForwarding({ ids: selected, merged: true })} data-testid="forward-merged">
            {t("Merge and forward")}
          </button>
          <button
            className="secondary-button danger"
            disabled={selected.length === 0}
            onClick={() =>
              ipc.deleteMessages(conv.id, selected).then(
                () => setSelected(null),
                (e) => setError(errorText(e)),
              )
            }
            data-testid="delete-selected"
          >
            {t("Delete")}
          </button>
          <button className="link-button" onClick={() => setSelected(null)}>
            {t("Cancel")}
          </button>
        </div>
      ) : (
        <Composer key={conv.id} conv={conv} me={me} draft={draft} quote={quote} clearQuote={() => setQuote(null)} onSent={() => setAtBottom(true)} onCall={peerId ? call : undefined} disabled={!conv.active} />
      )}
      {forwarding && (
        <ForwardDialog
          from={conv.id}
          messages={items.filter((i) => forwarding.ids.includes(i.message.id)).map((i) => i.message.id)}
          merged={forwarding.merged}
          onClose={() => setForwarding(null)}
          onSent={() => {
            setForwarding(null);
            setSelected(null);
          }}
        />
      )}
      {drawer && <InfoDrawer conv={conv} me={me} contacts={contacts} onClose={() => setDrawer(false)} />}
      {viewer !== null && viewer >= 0 && <ImageViewer photos={messagePhotos(photos)} start={viewer} onClose={() => setViewer(null)} />}
      {dropping && conv.active && (
        <div className="drop-zone" data-testid="drop-zone">
          {t("Send to {{name}}", { name: conv.title })}
        </div>
      )}
    </section>
  );
}

function Quote({ items, id }: { items: ChatMessage[]; id: string }) {
  const t = useT();
  const q = items.find((i) => i.message.id === id)?.message;
  const text = q ? contentLine(q.content) : "…";
  return <div className="quote">{q?.recalled ? t("Recalled message") : text}</div>;
}

function ContextMenu({ menu, me, onClose, onQuote, onRecall, onDelete, onForward, onSelect }: { menu: Menu; me: string; onClose: () => void; onQuote: () => void; onRecall: () => void; onDelete: () => void; onForward: () => void; onSelect: () => void }) {
  const t = useT();
  const m = menu.m.message;
  const text = m.content.type === "text" ? m.content.text : "";
  const act = (f: () => void) => () => {
    f();
    onClose();
  };
  return (
    <div className="context-menu" style={{ left: menu.x, top: menu.y }} role="menu">
      {m.content.type === "text" && (
        <button role="menuitem" onClick={act(() => navigator.clipboard?.writeText(text))}>
          {t("Copy")}
        </button>
      )}
      <button role="menuitem" onClick={act(onQuote)}>
        {t("Quote")}
      </button>
      {menu.m.state === "sent" && !["transfer", "red_envelope", "system"].includes(m.content.type) && (
        <button role="menuitem" onClick={act(onForward)} data-testid="menu-forward">
          {t("Forward")}
        </button>
      )}
      {menu.m.state === "sent" && (
        <button role="menuitem" onClick={act(onSelect)} data-testid="menu-select">
          {t("Select…")}
        </button>
      )}
      {canRecall(m, me) && menu.m.state === "sent" && (
        <button role="menuitem" onClick={act(onRecall)} data-testid="menu-recall">
          {t("Recall")}
        </button>
      )}
      {menu.m.state === "sent" && (
        <button role="menuitem" onClick={act(onDelete)}>
          {t("Delete")}
        </button>
      )}
    </div>
  );
}

/** Enter sends, Shift/Ctrl+Enter adds a line; the draft is kept per chat, across restarts;
 * "@" offers the group's members; the emoji button inserts at the caret. */
function Composer({ conv, me, draft, quote, clearQuote, onSent, onCall, disabled }: { conv: Conv; me: UserProfile; draft: string; quote: ChatMessage | null; clearQuote: () => void; onSent: () => void; onCall?: (kind: CallKind) => void; disabled: boolean }) {
  const t = useT();
  const [paying, setPaying] = useState(false);
  const [gifting, setGifting] = useState(false);
  const [text, setText] = useState(draft);
  const [caret, setCaret] = useState(draft.length);
  const [emoji, setEmoji] = useState(false);
  const [pick, setPick] = useState(0);
  const [recorder, setRecorder] = useState<VoiceRecorder | null>(null);
  const [recordError, setRecordError] = useState("");
  const saveTimer = useRef(0);
  const input = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    input.current?.focus();
  }, [conv.id, quote]);

  const myRole = conv.members.find((m) => m.user.id === me.id)?.role ?? "member";
  const mention = conv.kind === "group" ? mentionQuery(text, caret) : null;
  const choices = mention ? mentionChoices(conv.members, me.id, mention.query, myRole !== "member").slice(0, 8) : [];

  const change = (v: string, at: number) => {
    setText(v);
    setCaret(at);
    setPick(0);
    window.clearTimeout(saveTimer.current);
    saveTimer.current = window.setTimeout(() => ipc.setDraft(conv.id, v).catch(() => {}), 400);
  };

  const place = (at: number) =>
    requestAnimationFrame(() => {
      input.current?.focus();
      input.current?.setSelectionRange(at, at);
    });

  const choose = (name: string) => {
    if (!mention) return;
    const next = insertMention(text, mention.start, caret, name);
    change(next.text, next.caret);
    place(next.caret);
  };

  const addEmoji = (e: string) => {
    const next = text.slice(0, caret) + e + text.slice(caret);
    change(next, caret + e.length);
    place(caret + e.length);
  };

  const send = async () => {
    const typed = text.trim();
    if (!typed) return;
    window.clearTimeout(saveTimer.current);
    setText("");
    setCaret(0);
    const mentions = conv.members.filter((m) => m.user.id !== me.id && typed.includes(`@${m.user.display_name}`)).map((m) => m.user.id);
    const all = myRole !== "member" && /(^|\s)@all\b/.test(typed);
    await ipc.sendText(conv.id, typed, quote?.message.id ?? null, mentions, all);
    clearQuote();
    onSent();
  };

  // Click the mic to record, click again (or wait for 60 s) to send; Esc cancels.
  const finishVoice = async (r: VoiceRecorder) => {
    setRecorder(null);
    const { audio, ms } = await r.stop();
    const bytes = new Uint8Array(await audio.arrayBuffer());
    await ipc.sendVoice(bytes, { conversation: conv.id, duration_ms: ms, waveform: await waveform(audio) }).catch((e) => setRecordError(errorText(e)));
    onSent();
  };
  const toggleVoice = async () => {
    if (recorder) return finishVoice(recorder);
    setRecordError("");
    try {
      const r = await VoiceRecorder.start(() => finishVoice(r));
      setRecorder(r);
    } catch {
      setRecordError("No microphone is available for voice messages.");
    }
  };
  useEffect(() => {
    if (!recorder) return;
    const esc = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      recorder.cancel();
      setRecorder(null);
    };
    window.addEventListener("keydown", esc);
    return () => window.removeEventListener("keydown", esc);
  }, [recorder]);

  if (disabled) return <footer className="composer disabled">{t("You are no longer in this group.")}</footer>;
  return (
    <footer className="composer">
      <div className="composer-toolbar">
        <button className="tool" aria-label={t("Emoji")} title={t("Emoji")} onClick={() => setEmoji(!emoji)} data-testid="emoji-button">
          ☺
        </button>
        <button className="tool" aria-label={t("Send photos")} title={t("Send photos")} onClick={() => ipc.pickAndSend(conv.id, true).catch(() => {})} data-testid="attach-photo">
          <Icon name="photo" size={20} />
        </button>
        <button className="tool" aria-label={t("Send files")} title={t("Send files")} onClick={() => ipc.pickAndSend(conv.id, false).catch(() => {})} data-testid="attach-file">
          <Icon name="folder" size={20} />
        </button>
        <button className={recorder ? "tool recording" : "tool"} aria-label={recorder ? t("Send voice message") : t("Record a voice message")} title={recorder ? t("Click to send, Esc to cancel") : t("Voice message")} onClick={toggleVoice} data-testid="record-voice">
          <Icon name="mic" size={20} />
        </button>
        {conv.kind !== "self_note" && (
          <button className="tool red-tool" aria-label={t("Red envelope")} title={t("Red envelope")} onClick={() => setGifting(true)} data-testid="send-red-envelope">
            红
          </button>
        )}
        {conv.kind === "direct" && (
          <button className="tool money-tool" aria-label={t("Transfer")} title={t("Transfer")} onClick={() => setPaying(true)} data-testid="send-money">
            ¥
          </button>
        )}
        {onCall && (
          <span className="call-tools">
            <button className="tool" aria-label={t("Voice call")} title={t("Voice call")} onClick={() => onCall("voice")} data-testid="start-voice-call">
              <Icon name="call" size={20} />
            </button>
            <button className="tool" aria-label={t("Video call")} title={t("Video call")} onClick={() => onCall("video")} data-testid="start-video-call">
              <Icon name="videocall" size={20} />
            </button>
          </span>
        )}
        {recorder && <RecordingTimer recorder={recorder} />}
        {recordError && <span className="record-error">{recordError}</span>}
      </div>
      {paying && <SendMoneyDialog conversation={conv.id} onClose={() => setPaying(false)} />}
      {gifting && <RedEnvelopeDialog conversation={conv.id} group={conv.kind === "group"} onClose={() => setGifting(false)} />}
      {emoji && (
        <EmojiPicker
          onPick={(e) => {
            addEmoji(e);
            setEmoji(false);
          }}
          onClose={() => setEmoji(false)}
        />
      )}
      {choices.length > 0 && (
        <ul className="mention-list" role="listbox" aria-label={t("Mention someone")} data-testid="mention-list">
          {choices.map((c, i) => (
            <li key={c.id} role="option" aria-selected={i === pick} className={i === pick ? "active" : ""} onMouseDown={(e) => (e.preventDefault(), choose(c.name))}>
              @{c.name}
            </li>
          ))}
        </ul>
      )}
      {quote && (
        <div className="composer-quote">
          <span>{contentLine(quote.message.content)}</span>
          <button aria-label={t("Remove quote")} onClick={clearQuote}>
            ×
          </button>
        </div>
      )}
      <textarea
        ref={input}
        value={text}
        aria-label={t("Message")}
        data-testid="composer"
        onChange={(e) => change(e.target.value, e.target.selectionStart)}
        onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
        onPaste={(e) => {
          // A pasted screenshot or copied image is sent as a photo; pasted text stays text.
          const images = [...e.clipboardData.files].filter((f) => f.type.startsWith("image/"));
          if (images.length === 0) return;
          e.preventDefault();
          for (const f of images) f.arrayBuffer().then((b) => ipc.sendPasted(new Uint8Array(b), { conversation: conv.id, name: f.name || "Pasted image.png" }));
        }}
        onKeyDown={(e) => {
          if (choices.length > 0 && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
            e.preventDefault();
            setPick((p) => (p + (e.key === "ArrowDown" ? 1 : choices.length - 1)) % choices.length);
          } else if (choices.length > 0 && (e.key === "Enter" || e.key === "Tab")) {
            e.preventDefault();
            choose(choices[pick]!.name);
          } else if (e.key === "Enter" && !e.shiftKey && !e.ctrlKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            send();
          } else if (e.key === "Enter" && e.ctrlKey) {
            e.preventDefault();
            const next = text.slice(0, caret) + "\n" + text.slice(caret);
            change(next, caret + 1);
            place(caret + 1);
          }
        }}
      />
      <div className="composer-actions">
        <button className="send-button" onClick={send} disabled={!text.trim()} data-testid="send">
          {t("Send")}
        </button>
      </div>
    </footer>
  );
}

function RecordingTimer({ recorder }: { recorder: VoiceRecorder }) {
  const t = useT();
  const [, tick] = useState(0);
  useEffect(() => {
    const timer = window.setInterval(() => tick((n) => n + 1), 250);
    return () => window.clearInterval(timer);
  }, []);
  return (
    <span className="recording-timer" data-testid="recording">
      ● {t("Recording {{time}} — click the mic to send, Esc to cancel", { time: voiceLength(recorder.elapsed()) })}
    </span>
  );
}

function InfoDrawer({ conv, me, contacts, onClose }: { conv: Conv; me: UserProfile; contacts: Contact[]; onClose: () => void }) {
  const t = useT();
  const [error, setError] = useState("");
  const [title, setTitle] = useState(conv.title);
  const [announcement, setAnnouncement] = useState(conv.announcement);
  const [adding, setAdding] = useState(false);
  useEffect(() => {
    const esc = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    window.addEventListener("keydown", esc);
    return () => window.removeEventListener("keydown", esc);
  }, [onClose]);
  const myRole = conv.members.find((m) => m.user.id === me.id)?.role ?? "member";
  const manage = conv.kind === "group" && conv.active && myRole !== "member";
  const fail = (e: unknown) => setError(errorText(e));
  const outsiders = contacts.filter((c) => !conv.members.some((m) => m.user.id === c.user.id));
  return (
    <aside className="drawer" aria-label={t("Chat info")} data-testid="info-drawer">
      <div className="drawer-members">
        {conv.members.map((m) => (
          <div className="drawer-member" key={m.user.id}>
            <Avatar user={m.user} size={40} />
            <span>{m.user.display_name}</span>
            {m.role !== "member" && <span className="role">{m.role}</span>}
            {manage && m.user.id !== me.id && (myRole === "owner" || m.role === "member") && (
              <span className="member-actions">
                <button title={t("Remove {{v0}}", { v0: m.user.display_name })} aria-label={t("Remove {{v0}}", { v0: m.user.display_name })} onClick={() => ipc.removeMember(conv.id, m.user.id).catch(fail)}>
                  ×
                </button>
                {myRole === "owner" && (
                  <button title={t("Make {{v0}} the owner", { v0: m.user.display_name })} aria-label={t("Make {{v0}} the owner", { v0: m.user.display_name })} onClick={() => ipc.setRole(conv.id, m.user.id, "owner").catch(fail)}>
                    ♛
                  </button>
                )}
              </span>
            )}
          </div>
        ))}
        {manage && (
          <button className="drawer-add" aria-label={t("Add members")} onClick={() => setAdding(!adding)}>
            +
          </button>
        )}
      </div>
      {adding && (
        <div className="drawer-section">
          {outsiders.length === 0 && <p className="muted-label">{t("Every friend is already here.")}</p>}
          {outsiders.map((c) => (
            <button key={c.user.id} className="pick-row link-like" onClick={() => ipc.addMembers(conv.id, [c.user.id]).catch(fail)}>
              <Avatar user={c.user} size={28} /> {t("Add {{name}}", { name: c.remark ?? c.user.display_name })}
            </button>
          ))}
        </div>
      )}
      {conv.kind === "group" && (
        <div className="drawer-section">
          <div className="muted-label">{t("Group name")}</div>
          {manage ? <input className="modal-input" value={title} maxLength={40} onChange={(e) => setTitle(e.target.value)} onBlur={() => title.trim() && title !== conv.title && ipc.updateGroup(conv.id, title.trim(), null).catch(fail)} /> : <p>{conv.title}</p>}
          <div className="muted-label">{t("Announcement")}</div>
          {manage ? (
            <textarea className="modal-input" rows={3} value={announcement} maxLength={2000} onChange={(e) => setAnnouncement(e.target.value)} onBlur={() => announcement !== conv.announcement && ipc.updateGroup(conv.id, null, announcement).catch(fail)} />
          ) : (
            <p>{conv.announcement || t("None")}</p>
          )}
        </div>
      )}
      <label className="drawer-toggle">
        <input type="checkbox" checked={conv.pinned} onChange={(e) => ipc.setChatSettings(conv.id, e.target.checked, conv.muted).catch(fail)} /> {t("Pin to top")}
      </label>
      <label className="drawer-toggle">
        <input type="checkbox" checked={conv.muted} onChange={(e) => ipc.setChatSettings(conv.id, conv.pinned, e.target.checked).catch(fail)} /> {t("Mute notifications")}
      </label>
      <ExportChat conv={conv.id} />
      {error && <p className="error-line">{error}</p>}
      {conv.kind === "group" && conv.active && (
        <button className="danger-button" onClick={() => ipc.leaveGroup(conv.id).then(onClose, fail)}>
          {t("Leave group")}
        </button>
      )}
    </aside>
  );
}

/** "Export chat history": a folder in Downloads with the chat as a web page, as JSON, and its
 *  photos; progress while it is written. */
function ExportChat({ conv }: { conv: string }) {
  const t = useT();
  const [progress, setProgress] = useState<ExportProgress | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  useEffect(() => {
    const unlisten = onCoreEvent((e) => e.type === "export_progress" && e.progress.conversation_id === conv && setProgress(e.progress));
    return () => void unlisten.then((f) => f());
  }, [conv]);
  const start = () => {
    setBusy(true);
    setError("");
    setProgress(null);
    ipc.exportChat(conv).then(
      () => setBusy(false),
      (e) => {
        setBusy(false);
        setError(errorText(e));
      },
    );
  };
  return (
    <div className="drawer-section" data-testid="export-chat">
      <button className="link-button" disabled={busy} onClick={start} data-testid="export-chat-button">
        {t("Export chat history")}
      </button>
      {busy && progress && (
        <div className="export-progress" data-testid="export-progress">
          <progress value={progress.done} max={Math.max(progress.total, 1)} />
          <small>{progress.total ? t("{{done}} of {{total}} messages", { done: progress.done, total: progress.total }) : t("Fetching the history…")}</small>
        </div>
      )}
      {!busy && progress?.folder && (
        <p className="muted-label" data-testid="export-done" data-folder={progress.folder}>
          {t("Exported {{count}} messages to {{folder}}", { count: progress.total, folder: progress.folder })}
        </p>
      )}
      {error && <p className="error-line">{error}</p>}
    </div>
  );
}
