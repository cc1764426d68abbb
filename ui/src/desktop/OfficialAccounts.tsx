import { useEffect, useState } from "react";
import type { Broadcast, OfficialAccount } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { followers } from "../shared/format";
import { errorText, ipc, mediaUrl } from "./ipc";
import { ArticleCards, Reader } from "./Subscriptions";
import { formatDateTime, useT } from "../shared/i18n";

/** The accounts I follow, and finding new ones by name or Xin ID; follow and unfollow. */
export function OfficialAccounts({ onMessage }: { onMessage: (account: string) => void }) {
  const t = useT();
  const [query, setQuery] = useState("");
  const [accounts, setAccounts] = useState<OfficialAccount[] | null>(null);
  const [error, setError] = useState("");
  const [profile, setProfile] = useState<OfficialAccount | null>(null);
  const search = (q: string) => ipc.officialAccounts(q.trim() || null).then(setAccounts, (e) => setError(errorText(e)));
  useEffect(() => {
    void search("");
  }, []);
  const toggle = (a: OfficialAccount) =>
    ipc.followOfficial(a.id, !a.following).then(
      (next) => setAccounts((all) => all?.map((x) => (x.id === next.id ? next : x)) ?? null),
      (e) => setError(errorText(e)),
    );
  if (profile) return <Profile account={profile} onBack={() => setProfile(null)} />;
  return (
    <div className="official" data-testid="official-pane">
      <h2>{t("Official accounts")}</h2>
      <form
        className="official-search"
        onSubmit={(e) => {
          e.preventDefault();
          void search(query);
        }}
      >
        <input placeholder={t("Find an account by name or Xin ID")} value={query} onChange={(e) => setQuery(e.target.value)} data-testid="official-search" />
        <button className="secondary-button">{t("Search")}</button>
      </form>
      {error && <p className="error-text">{error}</p>}
      {accounts?.length === 0 && <p className="list-empty">{query.trim() ? t("No account matches.") : t("You follow no accounts yet.")}</p>}
      {accounts?.map((a) => (
        <div key={a.id} className="official-row" data-testid="official-account" data-name={a.name}>
          <Avatar user={{ display_name: a.name, avatar_hue: a.avatar_hue }} picture={a.avatar && mediaUrl(a.avatar)} size={44} />
          <div className="official-text">
            <button className="link-button official-name" onClick={() => setProfile(a)} data-testid="official-profile-open">
              {a.name}
            </button>
            <small>
              {a.kind === "subscription" ? t("Subscription") : t("Service")} · {followers(a.followers)}
            </small>
            {a.intro && <span>{a.intro}</span>}
          </div>
          {a.following && (
            <button className="primary-button small" onClick={() => onMessage(a.id)} data-testid="official-message">
              {t("Message")}
            </button>
          )}
          <button className={a.following ? "secondary-button" : "primary-button small"} onClick={() => void toggle(a)} data-testid="official-follow">
            {a.following ? t("Unfollow") : t("Follow")}
          </button>
        </div>
      ))}
    </div>
  );
}

/** An account's profile: its introduction and every article it broadcast, newest first. */
function Profile({ account, onBack }: { account: OfficialAccount; onBack: () => void }) {
  const t = useT();
  const [history, setHistory] = useState<Broadcast[] | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    ipc.officialHistory(account.id).then((h) => setHistory(h.broadcasts), (e) => setError(errorText(e)));
  }, [account.id]);
  if (open) return <Reader id={open} onBack={() => setOpen(null)} backLabel={account.name} />;
  return (
    <div className="official official-profile" data-testid="official-profile">
      <button className="link-button" onClick={onBack}>
        ‹ {t("Official accounts")}
      </button>
      <div className="official-row">
        <Avatar user={{ display_name: account.name, avatar_hue: account.avatar_hue }} picture={account.avatar && mediaUrl(account.avatar)} size={56} />
        <div className="official-text">
          <b>{account.name}</b>
          <small>
            @{account.handle} · {account.kind === "subscription" ? t("Subscription") : t("Service")} · {followers(account.followers)}
          </small>
          {account.intro && <span>{account.intro}</span>}
        </div>
      </div>
      <h3>{t("Articles")}</h3>
      {error && <p className="error-text">{error}</p>}
      {history?.length === 0 && <p className="list-empty">{t("No articles yet.")}</p>}
      {history?.map((b) => (
        <div key={b.id} className="broadcast in-profile">
          <div className="muted-label">{formatDateTime(b.sent_at, { dateStyle: "medium" })}</div>
          <ArticleCards articles={b.articles} onOpen={setOpen} />
        </div>
      ))}
    </div>
  );
}
