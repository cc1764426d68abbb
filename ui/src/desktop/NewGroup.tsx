import { useEffect, useState } from "react";
import type { Contact } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { errorText, ipc } from "./ipc";
import { AddFriend } from "./Contacts";
import { useT } from "../shared/i18n";

/** The "+" dialog: start a group from contacts, or add a friend. */
export function PlusDialog({ contacts, onClose, onOpen }: { contacts: Contact[]; onClose: () => void; onOpen: (conversation: string) => void }) {
  const t = useT();
  const [tab, setTab] = useState<"group" | "friend">("group");
  const [picked, setPicked] = useState<string[]>([]);
  const [title, setTitle] = useState("");
  const [error, setError] = useState("");
  useEffect(() => {
    const esc = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    window.addEventListener("keydown", esc);
    return () => window.removeEventListener("keydown", esc);
  }, [onClose]);
  const create = async () => {
    try {
      const names = contacts.filter((c) => picked.includes(c.user.id)).map((c) => c.remark ?? c.user.display_name);
      const c = await ipc.createGroup(title.trim() || names.slice(0, 3).join(", "), picked);
      onOpen(c.id);
      onClose();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal" role="dialog" aria-label={t("New")} onClick={(e) => e.stopPropagation()}>
        <div className="modal-tabs">
          <button className={tab === "group" ? "active" : ""} onClick={() => setTab("group")}>
            {t("New group")}
          </button>
          <button className={tab === "friend" ? "active" : ""} onClick={() => setTab("friend")} data-testid="plus-add-friend">
            {t("Add friend")}
          </button>
        </div>
        {tab === "friend" ? (
          <AddFriend />
        ) : (
          <>
            <input className="modal-input" placeholder={t("Group name (optional)")} value={title} onChange={(e) => setTitle(e.target.value)} maxLength={40} aria-label={t("Group name")} />
            <div className="pick-list">
              {contacts.length === 0 && <p className="muted-label">{t("Add friends first.")}</p>}
              {contacts.map((c) => (
                <label key={c.user.id} className="pick-row">
                  <input type="checkbox" checked={picked.includes(c.user.id)} onChange={(e) => setPicked(e.target.checked ? [...picked, c.user.id] : picked.filter((p) => p !== c.user.id))} />
                  <Avatar user={c.user} size={32} />
                  {c.remark ?? c.user.display_name}
                </label>
              ))}
            </div>
            {error && <p className="error-line">{error}</p>}
            <div className="modal-actions">
              <button className="secondary-button" onClick={onClose}>
                {t("Cancel")}
              </button>
              <button className="primary-button small" disabled={picked.length === 0} onClick={create}>
                {t("Create")}
              </button>
            </div>
          </>
        )}
      </div>
    </div>
  );
}
