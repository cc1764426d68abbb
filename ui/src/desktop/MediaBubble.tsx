import { localError } from "../shared/errors";
import { useEffect, useMemo, useRef, useState } from "react";
import { thumbHashToDataURL } from "thumbhash";
import type { CallKind, ChatMessage, Transfer } from "../bindings";
import { formatBytes, timeLeft, voiceLength } from "../shared/format";
import { callLine } from "../shared/contentLine";
import { Icon } from "../shared/icons";
import { useT } from "../shared/i18n";
import { Reader } from "./Subscriptions";
import { errorText, ipc, mediaUrl } from "./ipc";
import { HistoryCard } from "./HistoryCard";
import { RedEnvelopeCard } from "./RedEnvelopeCard";
import { TransferCard } from "./TransferCard";
import { VideoBubble } from "./VideoMessage";

/** Longest side of a photo in the chat, in CSS pixels. */
const PHOTO_SIDE = 240;

function placeholderUrl(b64: string): string | undefined {
  if (!b64) return undefined;
  try {
    return thumbHashToDataURL(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

/** A photo, file, voice or video message's body (text bubbles are drawn by the conversation). */
export function MediaBubble({ item, me, names, live, onOpenImage, onCallBack, onError }: { item: ChatMessage; me: string; names: Map<string, string>; live?: Transfer; onOpenImage: () => void; onCallBack?: (kind: CallKind) => void; onError: (e: string) => void }) {
  const t = useT();
  const c = item.message.content;
  const transfer = live ?? item.transfer ?? undefined;
  switch (c.type) {
    case "image": {
      const scale = Math.min(1, PHOTO_SIDE / Math.max(c.width || PHOTO_SIDE, c.height || PHOTO_SIDE));
      const w = Math.max(60, Math.round((c.width || PHOTO_SIDE) * scale));
      const h = Math.max(60, Math.round((c.height || PHOTO_SIDE) * scale));
      const src = c.thumbnail?.hash ? mediaUrl(c.thumbnail.hash) : undefined;
      return (
        <div className="photo" style={{ width: w, height: h, backgroundImage: placeholderUrl(c.placeholder) ? `url(${placeholderUrl(c.placeholder)})` : undefined }} data-testid="photo">
          {src && <img src={src} alt={t("Photo")} width={w} height={h} onClick={onOpenImage} draggable={false} />}
          {transfer && transfer.state !== "done" && <TransferBar t={transfer} compact onError={onError} />}
        </div>
      );
    }
    case "file":
      return <FileCard item={item} name={c.name} size={c.blob.size} transfer={transfer} onError={onError} />;
    case "voice":
      return <Voice message={item.message.id} hash={c.blob.hash} duration={c.duration_ms} mine={item.message.sender_id === me} />;
    case "video":
      return <VideoBubble item={item} transfer={transfer} onError={onError} />;
    case "transfer":
      return <TransferCard item={item} me={me} onError={onError} />;
    case "red_envelope":
      return <RedEnvelopeCard item={item} me={me} names={names} onError={onError} />;
    case "article":
      return <ArticleBubble articleId={c.article_id} title={c.title} cover={c.cover} account={c.account_name} />;
    case "history":
      return <HistoryCard c={c} />;
    case "call":
      return (
        // Clicking a call's line calls back, the same kind of call.
        <button className="call-line" data-testid="call-line" data-outcome={c.outcome} onClick={() => onCallBack?.(c.kind)} disabled={!onCallBack} title={t("Call back")}>
          <Icon name={c.kind === "video" ? "videocall" : "call"} size={18} />
          {callLine(c)}
        </button>
      );
    case "mini_program":
      return <MiniProgramBubble id={c.mini_program_id} name={c.name} publisher={c.publisher} onError={onError} />;
    default:
      return <span className="unsupported">{t("This message needs a newer Xin.")}</span>;
  }
}

/** A shared mini-program: its name and publisher; opens it in its own window. */
function MiniProgramBubble({ id, name, publisher, onError }: { id: string; name: string; publisher: string; onError: (e: string) => void }) {
  const t = useT();
  return (
    <button className="mini-bubble" onClick={() => ipc.openMiniProgram(id).catch((e) => onError(errorText(e)))} data-testid="mini-program-bubble" data-name={name}>
      <span className="mini-bubble-top">
        <Icon name="miniprograms" size={18} />
        <small>{publisher}</small>
      </span>
      <b>{name}</b>
      <small className="mini-bubble-kind">{t("Mini Program")}</small>
    </button>
  );
}

/** A shared article: its cover, title and account; opens in the reader. */
function ArticleBubble({ articleId, title, cover, account }: { articleId: string; title: string; cover: string | null; account: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button className="article-bubble" onClick={() => setOpen(true)} data-testid="article-bubble" data-title={title}>
        <span className="article-bubble-top">
          <b>{title}</b>
          {cover && <img src={mediaUrl(cover)} alt="" />}
        </span>
        <small>{account}</small>
      </button>
      {open && (
        <div className="modal-backdrop" onClick={() => setOpen(false)}>
          <div className="reader-modal" onClick={(e) => e.stopPropagation()}>
            <Reader id={articleId} onBack={() => setOpen(false)} backLabel="Close" />
          </div>
        </div>
      )}
    </>
  );
}

const extensionColours: Record<string, string> = { pdf: "#e5533d", doc: "#3b7be8", docx: "#3b7be8", xls: "#2f9e5b", xlsx: "#2f9e5b", ppt: "#e8873b", pptx: "#e8873b", zip: "#8d6fd1", rar: "#8d6fd1" };

function FileCard({ item, name, size, transfer, onError }: { item: ChatMessage; name: string; size: number; transfer?: Transfer; onError: (e: string) => void }) {
  const t = useT();
  const ext = name.includes(".") ? name.split(".").pop()!.toLowerCase() : "";
  const fail = (e: unknown) => onError(errorText(e));
  const running = transfer && transfer.state !== "done" && transfer.state !== "cancelled";
  const downloaded = transfer?.direction === "down" && transfer.state === "done";
  const mine = transfer?.direction === "up";
  return (
    <div className="file-card" data-testid="file-card" data-name={name}>
      <div className="file-top">
        <div className="file-text">
          <div className="file-name" title={name}>
            {name}
          </div>
          <div className="file-size">{formatBytes(size)}</div>
        </div>
        <div className="file-icon" style={{ background: extensionColours[ext] ?? "#8a8f99" }}>
          {(ext || "file").slice(0, 4).toUpperCase()}
        </div>
      </div>
      {running ? (
        <TransferBar t={transfer} onError={onError} />
      ) : (
        <div className="file-actions">
          {!mine && !downloaded && item.state === "sent" && (
            <button onClick={() => ipc.downloadFile(item.message.id).catch(fail)} data-testid="file-download">
              {t("Download")}
            </button>
          )}
          {(downloaded || mine) && (
            <>
              <button onClick={() => ipc.openTransfer(transfer!.id).catch(fail)}>{t("Open")}</button>
              <button onClick={() => ipc.showTransfer(transfer!.id).catch(fail)}>{t("Show in folder")}</button>
            </>
          )}
          {downloaded && <span className="file-saved">{t("Saved")}</span>}
        </div>
      )}
    </div>
  );
}

/** Progress, speed and time left, with pause/resume and cancel. */
export function TransferBar({ t: tf, compact, onError }: { t: Transfer; compact?: boolean; onError: (e: string) => void }) {
  const t = useT();
  const pct = tf.size > 0 ? Math.min(100, (tf.done / tf.size) * 100) : 0;
  const fail = (e: unknown) => onError(errorText(e));
  const paused = tf.state === "paused" || tf.state === "failed";
  const status =
    tf.state === "preparing" ? t("Preparing…") : tf.state === "paused" ? t("Paused") : tf.state === "failed" ? (tf.error ? localError(tf.error.code, tf.error.message) : t("Failed")) : tf.state === "queued" ? t("Waiting…") : `${formatBytes(tf.speed)}/s · ${timeLeft(tf.size - tf.done, tf.speed) || "…"}`;
  return (
    <div className={compact ? "transfer-bar compact" : "transfer-bar"} data-testid="transfer-bar" data-state={tf.state}>
      <div className="transfer-track">
        <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(pct)}>
          <div style={{ width: `${pct}%` }} />
        </div>
        <span className="transfer-buttons">
          {paused ? (
            <button aria-label={t("Resume")} title={t("Resume")} onClick={() => ipc.resumeTransfer(tf.id).catch(fail)}>
              ▶
            </button>
          ) : (
            <button aria-label={t("Pause")} title={t("Pause")} onClick={() => ipc.pauseTransfer(tf.id).catch(fail)}>
              ❚❚
            </button>
          )}
          <button aria-label={t("Cancel")} title={t("Cancel")} onClick={() => ipc.cancelTransfer(tf.id).catch(fail)}>
            ✕
          </button>
        </span>
      </div>
      {/* How far on the left, how fast and how long on the right, so neither pushes the other out of a narrow bubble. */}
      <div className="transfer-line">
        <span className="transfer-done">{compact ? `${Math.round(pct)}%` : `${formatBytes(tf.done)} / ${formatBytes(tf.size)}`}</span>
        {!compact && (
          <span className="transfer-status" title={status}>
            {status}
          </span>
        )}
      </div>
    </div>
  );
}

/** A voice message: tap to play; someone else's has a red dot until played once. */
function Voice({ message, hash, duration, mine }: { message: string; hash: string; duration: number; mine: boolean }) {
  const t = useT();
  const audio = useRef<HTMLAudioElement>(null);
  const [playing, setPlaying] = useState(false);
  // Per message: the same recording forwarded elsewhere is unplayed there.
  const key = `xin.played.${message}`;
  const [played, setPlayed] = useState(() => mine || localStorage.getItem(key) === "1");
  const width = useMemo(() => Math.min(220, 70 + (duration / 60000) * 150), [duration]);
  useEffect(() => {
    const a = audio.current;
    if (!a) return;
    const end = () => setPlaying(false);
    a.addEventListener("ended", end);
    return () => a.removeEventListener("ended", end);
  }, []);
  const toggle = async () => {
    const a = audio.current;
    if (!a) return;
    if (playing) {
      a.pause();
      setPlaying(false);
      return;
    }
    // WebKitGTK cannot stream media from the app's own scheme: play from a blob URL instead
    // (a voice message is at most a few hundred KB).
    if (!a.src) {
      const bytes = await ipc.mediaBytes(hash).catch(() => null);
      if (!bytes) return;
      a.src = URL.createObjectURL(new Blob([bytes]));
    }
    a.currentTime = 0;
    a.play().then(() => setPlaying(true), () => setPlaying(false));
    localStorage.setItem(key, "1");
    setPlayed(true);
  };
  return (
    <button className={playing ? "voice playing" : "voice"} style={{ width }} onClick={toggle} data-testid="voice" data-playing={playing}>
      <span className="voice-waves">)))</span>
      <span>{voiceLength(duration)}</span>
      {!played && <span className="unplayed" aria-label={t("Not played")} />}
      <audio ref={audio} preload="none" />
    </button>
  );
}
