import { useState } from "react";
import { createPortal } from "react-dom";
import type { Content, HistoryItem } from "../bindings";
import { mediaUrl } from "./ipc";

type History = Extract<Content, { type: "history" }>;

/** One line for a forwarded message. */
export function itemLine(c: Content): string {
  switch (c.type) {
    case "text":
      return c.text;
    case "image":
      return "[Photo]";
    case "file":
      return `[File] ${c.name}`;
    case "voice":
      return "[Voice]";
    case "video":
      return "[Video]";
    case "article":
      return `[Article] ${c.title}`;
    default:
      return "[Message]";
  }
}

/** A merged forward in a chat: its title and first lines; it opens into the messages. */
export function HistoryCard({ c }: { c: History }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button className="history-card" onClick={() => setOpen(true)} data-testid="history-card" data-title={c.title}>
        <b>{c.title}</b>
        {c.items.slice(0, 4).map((i, n) => (
          <span key={n} className="history-line">
            {i.sender_name}: {itemLine(i.content)}
          </span>
        ))}
        <small>Chat history · {c.items.length} messages</small>
      </button>
      {/* Out of the message row: its transform would trap a fixed overlay inside it. */}
      {open && createPortal(<HistoryViewer c={c} onClose={() => setOpen(false)} />, document.body)}
    </>
  );
}

function HistoryViewer({ c, onClose }: { c: History; onClose: () => void }) {
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal history-viewer" role="dialog" aria-label={c.title} onClick={(e) => e.stopPropagation()} data-testid="history-viewer">
        <h3>{c.title}</h3>
        <div className="history-items">
          {c.items.map((i: HistoryItem, n: number) => (
            <div key={n} className="history-item" data-testid="history-item">
              <div className="history-meta">
                <b>{i.sender_name}</b> <small>{new Date(i.created_at).toLocaleString()}</small>
              </div>
              {i.content.type === "image" ? <img src={mediaUrl((i.content.thumbnail ?? i.content.blob).hash)} alt="" className="history-photo" /> : <div>{itemLine(i.content)}</div>}
            </div>
          ))}
        </div>
        <div className="modal-actions">
          <button className="secondary-button" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
