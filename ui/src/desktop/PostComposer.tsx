import { useState } from "react";
import type { Contact, LinkCard, Visibility } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { nameOf } from "../shared/names";
import { errorText, ipc, mediaUrl } from "./ipc";
import { useT } from "../shared/i18n";

const audiences: { value: Visibility; label: string }[] = [
  { value: "all", label: "All friends" },
  { value: "private", label: "Only me" },
  { value: "only", label: "Only chosen friends" },
  { value: "except", label: "Hide from chosen friends" },
];

/** A new post: words, up to nine photos or a link (its card read by this computer), and who
 *  may see it, down to chosen friends and tags. */
export function PostComposer({ contacts, onClose, onPosted }: { contacts: Contact[]; onClose: () => void; onPosted: () => void }) {
  const t = useT();
  const [text, setText] = useState("");
  const [images, setImages] = useState<string[]>([]);
  const [linking, setLinking] = useState(false);
  const [url, setUrl] = useState("");
  const [link, setLink] = useState<LinkCard | null>(null);
  const [visibility, setVisibility] = useState<Visibility>("all");
  const [users, setUsers] = useState<string[]>([]);
  const [tags, setTags] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const fail = (e: unknown) => {
    setBusy(false);
    setError(errorText(e));
  };
  const add = () => {
    setBusy(true);
    ipc.pickPostImages().then((h) => {
      setImages([...images, ...h].slice(0, 9));
      setBusy(false);
    }, fail);
  };
  const preview = () => {
    setBusy(true);
    setError("");
    ipc.linkPreview(url.trim()).then((card) => {
      setLink(card);
      setBusy(false);
    }, fail);
  };
  const choosing = visibility === "only" || visibility === "except";
  const chosen = users.length + tags.length > 0;
  const ready = (text.trim() || images.length > 0 || link) && (!choosing || chosen);
  const post = () => {
    setBusy(true);
    ipc.createPost({ text: text.trim(), images, link, visibility, users: choosing ? users : [], tags: choosing ? tags : [] }).then(onPosted, fail);
  };
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal post-composer" role="dialog" aria-label={t("New post")} onClick={(e) => e.stopPropagation()} data-testid="moments-composer">
        <h3>{t("New post")}</h3>
        <textarea className="modal-input" autoFocus rows={4} maxLength={2000} placeholder={t("What's on your mind?")} value={text} onChange={(e) => setText(e.target.value)} data-testid="composer-text" />
        {link ? (
          <div className="link-card composer-link" data-testid="composer-link-card">
            {link.image ? <img src={mediaUrl(link.image)} alt="" /> : <span className="link-card-icon">🔗</span>}
            <span className="link-card-text">
              <b>{link.title}</b>
              {link.description && <small>{link.description}</small>}
            </span>
            <button className="icon-button" aria-label={t("Remove link")} onClick={() => setLink(null)}>
              ✕
            </button>
          </div>
        ) : linking ? (
          <form
            className="composer-link-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (url.trim()) preview();
            }}
          >
            <input className="modal-input" autoFocus placeholder="https://…" value={url} onChange={(e) => setUrl(e.target.value)} aria-label={t("Link")} data-testid="composer-link" />
            <button className="secondary-button small" disabled={busy || !url.trim()} data-testid="composer-link-preview">
              {t("Preview")}
            </button>
          </form>
        ) : (
          <div className="moment-images">
            {images.map((h) => (
              <img key={h} src={mediaUrl(h)} alt="" title={t("Click to remove")} onClick={() => setImages(images.filter((x) => x !== h))} />
            ))}
            {images.length < 9 && (
              <button className="composer-add" onClick={add} disabled={busy} aria-label={t("Add photos")}>
                +
              </button>
            )}
          </div>
        )}
        {!link && !linking && images.length === 0 && (
          <button className="link-button composer-share-link" onClick={() => setLinking(true)} data-testid="composer-share-link">
            {t("Share a link instead")}
          </button>
        )}
        <select className="modal-input" value={visibility} onChange={(e) => setVisibility(e.target.value as Visibility)} aria-label={t("Who can see it")} data-testid="composer-visibility">
          {audiences.map((a) => (
            <option key={a.value} value={a.value}>
              {a.label}
            </option>
          ))}
        </select>
        {choosing && <AudiencePicker contacts={contacts} users={users} tags={tags} onUsers={setUsers} onTags={setTags} />}
        {error && <p className="error-text">{error}</p>}
        <div className="modal-actions">
          <button type="button" onClick={onClose}>
            {t("Cancel")}
          </button>
          <button className="primary-button small" disabled={busy || !ready} onClick={post} data-testid="composer-post">
            {t("Post")}
          </button>
        </div>
      </div>
    </div>
  );
}

/** Tags (each stands for everyone I gave it) and friends, ticked. */
function AudiencePicker({ contacts, users, tags, onUsers, onTags }: { contacts: Contact[]; users: string[]; tags: string[]; onUsers: (u: string[]) => void; onTags: (t: string[]) => void }) {
  const allTags = [...new Set(contacts.flatMap((c) => c.tags))].sort();
  const toggle = (list: string[], item: string) => (list.includes(item) ? list.filter((x) => x !== item) : [...list, item]);
  const sorted = [...contacts].sort((a, b) => nameOf(a.user, contacts).localeCompare(nameOf(b.user, contacts)));
  return (
    <div className="audience" data-testid="audience">
      {allTags.length > 0 && (
        <div className="audience-tags">
          {allTags.map((t) => (
            <button key={t} className={tags.includes(t) ? "tag-chip on" : "tag-chip"} aria-pressed={tags.includes(t)} onClick={() => onTags(toggle(tags, t))} data-testid="audience-tag">
              {t}
            </button>
          ))}
        </div>
      )}
      <div className="audience-friends">
        {sorted.map((c) => (
          <label key={c.user.id} className="audience-friend" data-testid="audience-friend" data-name={nameOf(c.user, contacts)}>
            <input type="checkbox" checked={users.includes(c.user.id)} onChange={() => onUsers(toggle(users, c.user.id))} />
            <Avatar user={c.user} size={24} />
            {nameOf(c.user, contacts)}
          </label>
        ))}
      </div>
    </div>
  );
}
