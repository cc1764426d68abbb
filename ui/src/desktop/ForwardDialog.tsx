import { useEffect, useState } from "react";
import type { ChatSummary } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { hueOf } from "./ChatList";
import { errorText, ipc } from "./ipc";
import { useT } from "../shared/i18n";

/** Choose one or more chats to forward to; sends when confirmed. */
export function ForwardDialog({ from, messages, merged, onClose, onSent }: { from: string; messages: string[]; merged: boolean; onClose: () => void; onSent: () => void }) {
  const t = useT();
  const [chats, setChats] = useState<ChatSummary[]>([]);
  const [picked, setPicked] = useState<string[]>([]);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    ipc.chats().then(setChats, () => setChats([]));
  }, []);
  const send = () => {
    setBusy(true);
    ipc.forward(from, messages, picked, merged).then(onSent, (e) => {
      setBusy(false);
      setError(errorText(e));
    });
  };
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal" role="dialog" aria-label={t("Forward")} onClick={(e) => e.stopPropagation()} data-testid="forward-dialog">
        <h3>{merged ? t("Merge and forward {{v0}} messages to", { v0: messages.length }) : messages.length > 1 ? t("Forward {{v0}} messages to", { v0: messages.length }) : t("Forward to")}</h3>
        <div className="pick-list">
          {chats.map((c) => (
            <label key={c.conversation.id} className="pick-row" data-testid="forward-chat" data-title={c.conversation.title}>
              <input type="checkbox" checked={picked.includes(c.conversation.id)} onChange={(e) => setPicked(e.target.checked ? [...picked, c.conversation.id] : picked.filter((p) => p !== c.conversation.id))} />
              <Avatar user={{ display_name: c.conversation.title, avatar_hue: hueOf(c.conversation.id) }} size={32} />
              {c.conversation.title}
            </label>
          ))}
        </div>
        {error && <p className="error-line">{error}</p>}
        <div className="modal-actions">
          <button className="secondary-button" onClick={onClose}>
            {t("Cancel")}
          </button>
          <button className="primary-button small" disabled={picked.length === 0 || busy} onClick={send} data-testid="forward-send">
            {picked.length > 1 ? t("Send to {{n}} chats", { n: picked.length }) : t("Send")}
          </button>
        </div>
      </div>
    </div>
  );
}
