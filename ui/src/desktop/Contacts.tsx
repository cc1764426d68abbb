import { useEffect, useState } from "react";
import type { Contact, ContactsView, PersonMoments, UserProfile } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { groupByLetter } from "../shared/names";
import { errorText, ipc, mediaUrl } from "./ipc";
import { Album } from "./Moments";
import { OfficialAccounts } from "./OfficialAccounts";
import { officialChatId } from "./ChatList";
import { useT } from "../shared/i18n";

/** "new" may come with a Xin ID to look up (an `xin://user/…` link for someone not yet a friend). */
type Selection = { kind: "new"; lookup?: string } | { kind: "official" } | { kind: "contact"; id: string } | null;

/** Contacts: "New friends" with pending requests, an A–Z list, and a profile pane. */
export function Contacts({ view, me, onMessage, card, onCardShown }: { view: ContactsView; me: UserProfile; onMessage: (conversation: string) => void; card?: string | null; onCardShown?: () => void }) {
  const t = useT();
  const [sel, setSel] = useState<Selection>(null);
  // A card link: a friend's profile, or "Add friend" with their Xin ID looked up. The list is
  // read afresh: on a cold start the one passed in may not be loaded yet.
  useEffect(() => {
    if (!card) return;
    onCardShown?.();
    ipc.contacts().then(
      (now) => {
        const friend = now.contacts.find((c) => c.user.handle === card);
        setSel(friend ? { kind: "contact", id: friend.user.id } : { kind: "new", lookup: card });
      },
      () => setSel({ kind: "new", lookup: card }),
    );
  }, [card, onCardShown]);
  const pending = view.requests.filter((r) => r.state === "pending" && r.to.id === me.id);
  const groups = groupByLetter(view.contacts);
  const selected = sel?.kind === "contact" ? view.contacts.find((c) => c.user.id === sel.id) : undefined;
  return (
    <>
      <aside className="list-pane">
        <div className="list-search">
          <input placeholder={t("Search")} aria-label={t("Search contacts")} />
        </div>
        <div className="list-scroll" data-testid="contact-list">
          <button className={sel?.kind === "new" ? "chat-row selected" : "chat-row"} onClick={() => setSel({ kind: "new" })} data-testid="new-friends">
            <span className="chat-avatar new-friends-icon">＋</span>
            <span className="chat-text">
              <span className="chat-title">{t("New friends")}</span>
            </span>
            {pending.length > 0 && <span className="badge inline">{pending.length}</span>}
          </button>
          <button className={sel?.kind === "official" ? "chat-row selected" : "chat-row"} onClick={() => setSel({ kind: "official" })} data-testid="official-accounts">
            <span className="chat-avatar new-friends-icon official-icon">📰</span>
            <span className="chat-text">
              <span className="chat-title">{t("Official accounts")}</span>
            </span>
          </button>
          {groups.map(([letter, contacts]) => (
            <div key={letter}>
              <div className="letter" id={`letter-${letter}`}>
                {letter}
              </div>
              {contacts.map((c) => (
                <button key={c.user.id} className={selected?.user.id === c.user.id ? "chat-row slim selected" : "chat-row slim"} onClick={() => setSel({ kind: "contact", id: c.user.id })} data-testid="contact-row">
                  <Avatar user={c.user} size={36} />
                  <span className="chat-title">{c.remark ?? c.user.display_name}</span>
                </button>
              ))}
            </div>
          ))}
        </div>
        <nav className="az-index" aria-label="A–Z">
          {groups.map(([l]) => (
            <a key={l} href={`#letter-${l}`}>
              {l}
            </a>
          ))}
        </nav>
      </aside>
      <section className="content-pane">
        {sel?.kind === "new" && <NewFriends key={sel.lookup ?? ""} view={view} me={me} lookup={sel.lookup} />}
        {sel?.kind === "official" && <OfficialAccounts onMessage={(account) => onMessage(officialChatId(account))} />}
        {selected && <Profile key={selected.user.id} contact={selected} me={me} allTags={[...new Set(view.contacts.flatMap((c) => c.tags))].sort()} onMessage={onMessage} />}
        {!sel && <div className="empty-content">{t("Select a contact")}</div>}
      </section>
    </>
  );
}

function NewFriends({ view, me, lookup }: { view: ContactsView; me: UserProfile; lookup?: string }) {
  const t = useT();
  const [error, setError] = useState("");
  return (
    <>
      <header className="content-header">
        <h1>{t("New friends")}</h1>
      </header>
      <div className="content-scroll">
        <AddFriend lookup={lookup} />
        {error && <p className="error-line">{error}</p>}
        <ul className="device-list">
          {view.requests.length === 0 && <li className="device-row muted-label">{t("No friend requests")}</li>}
          {view.requests.map((r) => {
            const incoming = r.to.id === me.id;
            const who = incoming ? r.from : r.to;
            return (
              <li className="device-row" key={r.id} data-testid="friend-request">
                <Avatar user={who} size={40} />
                <div className="device-text">
                  <div className="device-name">{who.display_name}</div>
                  <div className="device-meta">{r.greeting || (incoming ? t("wants to be your friend") : t("request sent"))}</div>
                </div>
                {incoming && r.state === "pending" ? (
                  <>
                    <button className="secondary-button" onClick={() => ipc.answerFriendRequest(r.id, false).catch((e) => setError(errorText(e)))}>
                      {t("Decline")}
                    </button>
                    <button className="primary-button small" onClick={() => ipc.answerFriendRequest(r.id, true).catch((e) => setError(errorText(e)))} data-testid="accept-request">
                      {t("Accept")}
                    </button>
                  </>
                ) : (
                  <span className="muted-label">{r.state === "accepted" ? t("Added") : r.state === "declined" ? t("Declined") : t("Waiting")}</span>
                )}
              </li>
            );
          })}
        </ul>
      </div>
    </>
  );
}

/** Find people by Xin ID or phone number and send a request with a greeting; `lookup` is searched
 *  at once (a card link's Xin ID). */
export function AddFriend({ lookup }: { lookup?: string } = {}) {
  const t = useT();
  const [query, setQuery] = useState(lookup ?? "");
  const [found, setFound] = useState<UserProfile[] | null>(null);
  const [greeting, setGreeting] = useState("");
  const [note, setNote] = useState("");
  useEffect(() => {
    if (lookup) void search(lookup);
    // Once, for the link that opened this pane (it is keyed by the Xin ID).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const search = async (q = query) => {
    setNote("");
    try {
      const users = await ipc.searchUsers(q);
      setFound(users);
      if (users.length === 0) setNote(t("No one has that Xin ID or phone number."));
    } catch (e) {
      setNote(errorText(e));
    }
  };
  return (
    <div className="add-friend">
      <form
        className="add-friend-search"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <input value={query} onChange={(e) => setQuery(e.target.value)} placeholder={t("Xin ID or phone number")} aria-label={t("Xin ID or phone number")} data-testid="add-friend-query" />
        <button className="secondary-button" type="submit">
          {t("Search")}
        </button>
      </form>
      {found?.map((u) => (
        <div className="device-row" key={u.id}>
          <Avatar user={u} size={40} />
          <div className="device-text">
            <div className="device-name">{u.display_name}</div>
            <input className="greeting" value={greeting} onChange={(e) => setGreeting(e.target.value)} placeholder={t("Say hello (optional)")} maxLength={100} aria-label={t("Greeting")} />
          </div>
          <button
            className="primary-button small"
            data-testid="add-friend-send"
            onClick={() =>
              ipc.sendFriendRequest(u.id, greeting).then(
                () => setNote(t("Request sent.")),
                (e) => setNote(errorText(e)),
              )
            }
          >
            {t("Add")}
          </button>
        </div>
      ))}
      {note && (
        <p className="muted-label" role="status">
          {note}
        </p>
      )}
    </div>
  );
}

function Profile({ contact, me, allTags, onMessage }: { contact: Contact; me: UserProfile; allTags: string[]; onMessage: (conversation: string) => void }) {
  const t = useT();
  const [remark, setRemark] = useState(contact.remark ?? "");
  const [error, setError] = useState("");
  const [album, setAlbum] = useState(false);
  return (
    <div className="profile" data-testid="profile">
      <div className="profile-head">
        <Avatar user={contact.user} size={64} />
        <div>
          <div className="profile-name">{contact.remark ?? contact.user.display_name}</div>
          <div className="muted-label">{t("Name: {{name}}", { name: contact.user.display_name })}</div>
          <div className="muted-label">{t("Xin ID: {{handle}}", { handle: contact.user.handle })}</div>
        </div>
      </div>
      <label className="profile-field">
        {t("Remark")}
        <input value={remark} onChange={(e) => setRemark(e.target.value)} onBlur={() => remark !== (contact.remark ?? "") && ipc.setRemark(contact.user.id, remark).catch((e) => setError(errorText(e)))} maxLength={32} />
      </label>
      <ContactTags contact={contact} allTags={allTags} onError={setError} />
      <AlbumRow user={contact.user.id} onOpen={() => setAlbum(true)} />
      <PersonMomentsRules user={contact.user.id} onError={setError} />
      {error && <p className="error-line">{error}</p>}
      <div className="profile-actions">
        <button className="primary-button" data-testid="profile-message" onClick={() => ipc.openDirect(contact.user.id).then((c) => onMessage(c.id), (e) => setError(errorText(e)))}>
          {t("Message")}
        </button>
        <button className="secondary-button" data-testid="profile-voice-call" onClick={() => ipc.startCall(contact.user.id, "voice").catch((e) => setError(errorText(e)))}>
          {t("Voice call")}
        </button>
        <button className="secondary-button" data-testid="profile-video-call" onClick={() => ipc.startCall(contact.user.id, "video").catch((e) => setError(errorText(e)))}>
          {t("Video call")}
        </button>
        <button className="secondary-button" onClick={() => ipc.deleteContact(contact.user.id).catch((e) => setError(errorText(e)))}>
          {t("Delete")}
        </button>
        <button className="secondary-button" onClick={() => ipc.setBlocked(contact.user.id, !contact.blocked).catch((e) => setError(errorText(e)))} data-testid="profile-block" data-blocked={contact.blocked}>
          {contact.blocked ? t("Unblock") : t("Block")}
        </button>
      </div>
      {album && <Album user={contact.user} me={me} onClose={() => setAlbum(false)} />}
    </div>
  );
}

/** The tags I give a contact: chips, edited as a comma-separated line (known tags suggested). */
function ContactTags({ contact, allTags, onError }: { contact: Contact; allTags: string[]; onError: (e: string) => void }) {
  const t = useT();
  const [editing, setEditing] = useState(false);
  const [line, setLine] = useState(contact.tags.join(", "));
  const save = () => {
    setEditing(false);
    const tags = [...new Set(line.split(/[,，]/).map((t) => t.trim()).filter(Boolean))];
    if (tags.join(",") !== contact.tags.join(",")) ipc.setContactTags(contact.user.id, tags).catch((e) => onError(errorText(e)));
  };
  return (
    <div className="profile-tags" data-testid="profile-tags">
      <span className="muted-label">{t("Tags")}</span>
      {editing ? (
        <>
          <input
            className="modal-input"
            autoFocus
            list="known-tags"
            value={line}
            placeholder={t("Family, Climbing")}
            onChange={(e) => setLine(e.target.value)}
            onBlur={save}
            onKeyDown={(e) => e.key === "Enter" && save()}
            aria-label={t("Tags, separated by commas")}
            data-testid="profile-tags-input"
          />
          <datalist id="known-tags">
            {allTags.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </>
      ) : (
        <>
          {contact.tags.map((t) => (
            <span key={t} className="tag-chip" data-testid="profile-tag">
              {t}
            </span>
          ))}
          <button className="link-button" onClick={() => setEditing(true)} data-testid="profile-tags-edit">
            {contact.tags.length ? t("Edit") : t("Add tags")}
          </button>
        </>
      )}
    </div>
  );
}

/** "Moments" with their newest pictures; opens their album. */
function AlbumRow({ user, onOpen }: { user: string; onOpen: () => void }) {
  const t = useT();
  const [pictures, setPictures] = useState<string[]>([]);
  useEffect(() => {
    ipc.album(user, null).then((p) => setPictures(p.posts.flatMap((x) => x.images).slice(0, 4)), () => setPictures([]));
  }, [user]);
  return (
    <button className="profile-album" onClick={onOpen} data-testid="profile-album">
      <span className="album-label">{t("Moments")}</span>
      {pictures.map((h) => (
        <img key={h} src={mediaUrl(h)} alt="" />
      ))}
      <span className="muted-label">›</span>
    </button>
  );
}


/** "Don't let them see my Moments" and "Hide their Moments", as in WeChat's profile settings. */
function PersonMomentsRules({ user, onError }: { user: string; onError: (e: string) => void }) {
  const t = useT();
  const [rules, setRules] = useState<PersonMoments | null>(null);
  useEffect(() => {
    ipc.personMoments(user).then(setRules, () => setRules(null));
  }, [user]);
  if (!rules) return null;
  const save = (next: PersonMoments) => {
    setRules(next);
    ipc.setPersonMoments(user, next).catch((e) => {
      setRules(rules);
      onError(errorText(e));
    });
  };
  return (
    <div className="profile-moments">
      <label className="setting-row">
        <input type="checkbox" checked={rules.hide_mine} onChange={(e) => save({ ...rules, hide_mine: e.target.checked })} data-testid="profile-hide-mine" />
        {t("Don't let them see my Moments")}
      </label>
      <label className="setting-row">
        <input type="checkbox" checked={rules.hide_theirs} onChange={(e) => save({ ...rules, hide_theirs: e.target.checked })} data-testid="profile-hide-theirs" />
        {t("Hide their Moments")}
      </label>
    </div>
  );
}
