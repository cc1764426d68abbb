import { useEffect, useState } from "react";
import type { ContactList, UserProfile } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { api, stored, errorMessage } from "./api";
import { go } from "./router";
import { Icon } from "../shared/icons";
import { useT } from "../shared/i18n";

/** Friends, requests to answer, and adding someone by Xin ID or phone. */
export function ContactsPage({ tick }: { tick: number }) {
  const t = useT();
  const me = stored()?.user.id;
  const [list, setList] = useState<ContactList | null>(null);
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<UserProfile[]>([]);
  const [note, setNote] = useState("");
  const load = () => api.contacts().then(setList, () => {});
  useEffect(() => {
    void load();
  }, [tick]);
  const fail = (e: unknown) => setNote(errorMessage(e));
  const pending = list?.requests.filter((r) => r.state === "pending" && r.to.id === me) ?? [];
  return (
    <>
      <form
        className="card search"
        onSubmit={(e) => {
          e.preventDefault();
          api.search(query).then((r) => {
            setFound(r.users);
            setNote(r.users.length ? "" : t("No one has that Xin ID or phone number."));
          }, fail);
        }}
      >
        <input value={query} onChange={(e) => setQuery(e.target.value)} placeholder={t("Add friend: Xin ID or phone")} aria-label={t("Xin ID or phone")} data-testid="phone-add-query" />
      </form>
      {found.map((u) => (
        <section className="card list" key={u.id}>
          <div className="row">
            <Avatar user={u} size={40} />
            <span className="device-text">{u.display_name}</span>
            <button className="small-button primary" onClick={() => api.addFriend(u.id, "").then(() => setNote(t("Request sent.")), fail)} data-testid="phone-add-send">
              {t("Add")}
            </button>
          </div>
        </section>
      ))}
      {note && <p className="muted small center">{note}</p>}
      {pending.length > 0 && (
        <section className="card list" data-testid="phone-requests">
          {pending.map((r) => (
            <div className="row" key={r.id}>
              <Avatar user={r.from} size={40} />
              <span className="device-text">
                <span className="device-name">{r.from.display_name}</span>
                <span className="muted small">{r.greeting || t("wants to be your friend")}</span>
              </span>
              <button className="small-button primary" onClick={() => api.answer(r.id, true).then(load, fail)} data-testid="phone-accept">
                {t("Accept")}
              </button>
            </div>
          ))}
        </section>
      )}
      <section className="card list">
        <button className="row chat" onClick={() => go("/official")} data-testid="phone-official-entry">
          <span className="chat-avatar official-entry-avatar">
            <Icon name="contacts" size={24} />
          </span>
          <span className="device-text">{t("Official accounts")}</span>
        </button>
        <button className="row chat" onClick={() => go("/mini-programs")} data-testid="phone-mini-programs-entry">
          <span className="chat-avatar official-entry-avatar mini-entry-avatar">
            <Icon name="miniprograms" size={24} />
          </span>
          <span className="device-text">{t("Mini Programs")}</span>
        </button>
      </section>
      <section className="card list" data-testid="phone-contacts">
        {list?.contacts.length === 0 && <p className="empty">{t("No contacts yet.")}</p>}
        {list?.contacts.map((c) => (
          <button className="row" key={c.user.id} onClick={() => api.openDirect(c.user.id).then((conv) => go(`/c/${conv.id}`), fail)}>
            <Avatar user={c.user} size={40} />
            <span className="device-text">{c.remark ?? c.user.display_name}</span>
          </button>
        ))}
      </section>
    </>
  );
}

/** Where a scanned friend card lands: who it is, and "Add friend" with a greeting. */
export function AddByCard({ handle }: { handle: string }) {
  const t = useT();
  const [user, setUser] = useState<UserProfile | null | undefined>(undefined);
  const [greeting, setGreeting] = useState("");
  const [note, setNote] = useState("");
  useEffect(() => {
    api.search(handle).then((r) => setUser(r.users[0] ?? null), () => setUser(null));
  }, [handle]);
  return (
    <div className="app">
      <header className="bar">
        <button className="back" onClick={() => go("/contacts")} aria-label={t("Back")}>
          <Icon name="back" />
        </button>
        {t("Add friend")}
      </header>
      <main className="page confirm" data-testid="add-by-card">
        {user === undefined && <p className="empty">{t("Looking up {{handle}}…", { handle })}</p>}
        {user === null && <p className="empty">{t("No one has the Xin ID {{handle}}.", { handle })}</p>}
        {user && (
          <>
            <Avatar user={user} size={72} />
            <h2>{user.display_name}</h2>
            <p className="muted">{t("Xin ID: {{handle}}", { handle: user.handle })}</p>
            <form
              onSubmit={(e) => {
                e.preventDefault();
                api.addFriend(user.id, greeting.trim()).then(
                  () => setNote(t("Friend request sent.")),
                  (err) => setNote(errorMessage(err)),
                );
              }}
            >
              <div className="card search">
                <input value={greeting} onChange={(e) => setGreeting(e.target.value)} placeholder={t("Say hello (optional)")} maxLength={100} aria-label={t("Greeting")} />
              </div>
              <button className="primary" type="submit" data-testid="card-add">
                {t("Add friend")}
              </button>
            </form>
            {note && (
              <p className="muted" role="status">
                {note}
              </p>
            )}
          </>
        )}
      </main>
    </div>
  );
}
