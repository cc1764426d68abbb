import { useEffect, useState } from "react";
import { createPortal } from "react-dom";
import type { ChatMessage, Transfer } from "../bindings";
import { clockLength, formatBytes } from "../shared/format";
import { errorText, ipc, mediaUrl } from "./ipc";
import { TransferBar } from "./MediaBubble";
import { useT } from "../shared/i18n";

/** Longest side of a video's picture in the chat, in CSS pixels. */
const VIDEO_SIDE = 240;

/** A video in the chat: its first frame, length and size. Click plays it — a received one is
 *  downloaded first (with progress on the picture), as WeChat does. */
export function VideoBubble({ item, transfer, onError }: { item: ChatMessage; transfer?: Transfer; onError: (e: string) => void }) {
  const t = useT();
  const c = item.message.content;
  const [wanted, setWanted] = useState(false);
  const [playing, setPlaying] = useState<string | null>(null);
  const local = transfer && (transfer.direction === "up" || transfer.state === "done") ? transfer : undefined;
  useEffect(() => {
    if (wanted && local) {
      setWanted(false);
      setPlaying(local.id);
    }
  }, [wanted, local]);
  if (c.type !== "video") return null;
  const scale = Math.min(1, VIDEO_SIDE / Math.max(c.width, c.height));
  const w = Math.max(80, Math.round(c.width * scale));
  const h = Math.max(60, Math.round(c.height * scale));
  const running = transfer && transfer.state !== "done" && transfer.state !== "cancelled" && transfer.direction === "down";
  const play = () => {
    if (local) setPlaying(local.id);
    else if (item.state === "sent") {
      setWanted(true);
      if (!running) ipc.downloadFile(item.message.id).catch((e) => onError(errorText(e)));
    }
  };
  return (
    <>
      <div className="video" style={{ width: w, height: h }} data-testid="video" onClick={play} role="button" aria-label={t("Play video, {{length}}", { length: clockLength(c.duration_ms) })}>
        {c.thumbnail?.hash && <img src={mediaUrl(c.thumbnail.hash)} alt="" width={w} height={h} draggable={false} />}
        {!running && <span className="video-play" aria-hidden />}
        <span className="video-meta">
          {formatBytes(c.blob.size)}
          <span>{clockLength(c.duration_ms)}</span>
        </span>
        {running && (
          <div onClick={(e) => e.stopPropagation()}>
            <TransferBar t={transfer} compact onError={onError} />
          </div>
        )}
      </div>
      {/* Above the whole window, not inside the scrolling message list. */}
      {playing && createPortal(<VideoPlayer transfer={playing} onClose={() => setPlaying(null)} onError={onError} />, document.body)}
    </>
  );
}

/** The player: the video streams from the app's loopback server; Esc or a click outside closes. */
function VideoPlayer({ transfer, onClose, onError }: { transfer: string; onClose: () => void; onError: (e: string) => void }) {
  const t = useT();
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    ipc.videoUrl(transfer).then(setSrc, (e) => {
      onError(errorText(e));
      onClose();
    });
    const key = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    window.addEventListener("keydown", key);
    return () => window.removeEventListener("keydown", key);
  }, [transfer]);
  const fail = (e: unknown) => onError(errorText(e));
  return (
    <div className="viewer" role="dialog" aria-label={t("Video")} data-testid="video-player" onClick={onClose}>
      {src && <video src={src} controls autoPlay onClick={(e) => e.stopPropagation()} data-testid="video-element" />}
      <div className="viewer-bar" onClick={(e) => e.stopPropagation()}>
        <button onClick={() => ipc.openTransfer(transfer).catch(fail)}>{t("Open")}</button>
        <button onClick={() => ipc.showTransfer(transfer).catch(fail)}>{t("Show in folder")}</button>
        <button aria-label={t("Close")} onClick={onClose}>
          ✕
        </button>
      </div>
    </div>
  );
}
