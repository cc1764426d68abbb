import { useEffect, useState } from "react";
import type { Message } from "../bindings";
import { errorText, ipc, mediaUrl } from "./ipc";
import { useT } from "../shared/i18n";

/** A photo the viewer shows: its blob and when it was taken (names the saved file). */
export type ViewerPhoto = { hash: string; at: number };

/** The photos of a chat's messages, for the viewer. */
export function messagePhotos(messages: Message[]): ViewerPhoto[] {
  return messages.flatMap((m) => (m.content.type === "image" ? [{ hash: m.content.blob.hash, at: m.created_at }] : []));
}

/** Full-size photos (a chat's, or a post's): zoom (wheel, +/−), previous/next (arrows), Esc
 *  closes, Save. */
export function ImageViewer({ photos, start, onClose }: { photos: ViewerPhoto[]; start: number; onClose: () => void }) {
  const t = useT();
  const [index, setIndex] = useState(start);
  const [zoom, setZoom] = useState(1);
  const [note, setNote] = useState("");
  const photo = photos[index];
  const go = (d: number) => {
    setIndex((i) => Math.min(photos.length - 1, Math.max(0, i + d)));
    setZoom(1);
    setNote("");
  };
  useEffect(() => {
    const key = (e: KeyboardEvent) => {
      if (e.key === "Escape") onClose();
      else if (e.key === "ArrowLeft") go(-1);
      else if (e.key === "ArrowRight") go(1);
      else if (e.key === "+" || e.key === "=") setZoom((z) => Math.min(8, z * 1.25));
      else if (e.key === "-") setZoom((z) => Math.max(0.25, z / 1.25));
    };
    window.addEventListener("keydown", key);
    return () => window.removeEventListener("keydown", key);
  });
  if (!photo) return null;
  const save = () =>
    ipc.saveMedia(photo.hash, `Xin ${new Date(photo.at).toISOString().slice(0, 19).replace(/:/g, "-")}`).then(
      (path) => setNote(t("Saved to {{v0}}", { v0: path })),
      (e) => setNote(errorText(e)),
    );
  return (
    <div className="viewer" role="dialog" aria-label={t("Photo")} data-testid="image-viewer" onClick={onClose} onWheel={(e) => setZoom((z) => Math.min(8, Math.max(0.25, z * (e.deltaY < 0 ? 1.1 : 1 / 1.1))))}>
      <img src={mediaUrl(photo.hash)} alt={t("Photo")} style={{ transform: `scale(${zoom})` }} onClick={(e) => e.stopPropagation()} draggable={false} />
      <div className="viewer-bar" onClick={(e) => e.stopPropagation()}>
        <button aria-label={t("Previous photo")} disabled={index === 0} onClick={() => go(-1)}>
          ‹
        </button>
        <span>
          {index + 1} / {photos.length}
        </span>
        <button aria-label={t("Next photo")} disabled={index === photos.length - 1} onClick={() => go(1)}>
          ›
        </button>
        <button aria-label={t("Zoom out")} onClick={() => setZoom((z) => Math.max(0.25, z / 1.25))}>
          −
        </button>
        <span>{Math.round(zoom * 100)}%</span>
        <button aria-label={t("Zoom in")} onClick={() => setZoom((z) => Math.min(8, z * 1.25))}>
          +
        </button>
        <button onClick={save}>{t("Save")}</button>
        <button aria-label={t("Close")} onClick={onClose}>
          ✕
        </button>
      </div>
      {note && <div className="viewer-note">{note}</div>}
    </div>
  );
}
