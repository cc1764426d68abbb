import { useState } from "react";
import { createPortal } from "react-dom";
import type { Content, HistoryItem } from "../bindings";
import { contentLine } from "../shared/contentLine";
import { mediaUrl } from "./ipc";
import { formatDateTime, useT } from "../shared/i18n";

type History = Extract<Content, { type: "history" }>;

/** A merged forward in a chat: its title and first lines; it opens into the messages. */
export function HistoryCard({ c }: { c: History }) {
  const t = useT();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button className="history-card" onClick={() => setOpen(true)} data-testid="history-card" data-title={c.title}>
        <b>{c.title}</b>
        {c.items.slice(0, 4).map((i, n) => (
          <span key={n} className="history-line">
            {i.sender_name}: {contentLine(i.content)}
          </span>
        ))}
        <small>{t("Chat history · {{n}} messages", { n: c.items.length })}</small>
      </button>
      {/* Out of the message row: its transform would trap a fixed overlay inside it. */}
      {open && createPortal(<HistoryViewer c={c} onClose={() => setOpen(false)} />, document.body)}
    </>
  );
}

function HistoryViewer({ c, onClose }: { c: History; onClose: () => void }) {
  const t = useT();
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal history-viewer" role="dialog" aria-label={c.title} onClick={(e) => e.stopPropagation()} data-testid="history-viewer">
        <h3>{c.title}</h3>
        <div className="history-items">
          {c.items.map((i: HistoryItem, n: number) => (
            <div key={n} className="history-item" data-testid="history-item">
              <div className="history-meta">
                <b>{i.sender_name}</b> <small>{formatDateTime(i.created_at, { dateStyle: "medium", timeStyle: "short" })}</small>
              </div>
              {i.content.type === "image" ? <img src={mediaUrl((i.content.thumbnail ?? i.content.blob).hash)} alt="" className="history-photo" /> : <div>{contentLine(i.content)}</div>}
            </div>
          ))}
        </div>
        <div className="modal-actions">
          <button className="secondary-button" onClick={onClose}>
            {t("Close")}
          </button>
        </div>
      </div>
    </div>
  );
}
