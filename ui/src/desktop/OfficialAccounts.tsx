import { useEffect, useState } from "react";
import type { OfficialAccount } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { followers } from "../shared/format";
import { errorText, ipc } from "./ipc";

/** The accounts I follow, and finding new ones by name or Xin ID; follow and unfollow. */
export function OfficialAccounts({ onMessage }: { onMessage: (account: string) => void }) {
  const [query, setQuery] = useState("");
  const [accounts, setAccounts] = useState<OfficialAccount[] | null>(null);
  const [error, setError] = useState("");
  const search = (q: string) => ipc.officialAccounts(q.trim() || null).then(setAccounts, (e) => setError(errorText(e)));
  useEffect(() => {
    void search("");
  }, []);
  const toggle = (a: OfficialAccount) =>
    ipc.followOfficial(a.id, !a.following).then(
      (next) => setAccounts((all) => all?.map((x) => (x.id === next.id ? next : x)) ?? null),
      (e) => setError(errorText(e)),
    );
  return (
    <div className="official" data-testid="official-pane">
      <h2>Official accounts</h2>
      <form
        className="official-search"
        onSubmit={(e) => {
          e.preventDefault();
          void search(query);
        }}
      >
        <input placeholder="Find an account by name or Xin ID" value={query} onChange={(e) => setQuery(e.target.value)} data-testid="official-search" />
        <button className="secondary-button">Search</button>
      </form>
      {error && <p className="error-text">{error}</p>}
      {accounts?.length === 0 && <p className="list-empty">{query.trim() ? "No account matches." : "You follow no accounts yet."}</p>}
      {accounts?.map((a) => (
        <div key={a.id} className="official-row" data-testid="official-account" data-name={a.name}>
          <Avatar user={{ display_name: a.name, avatar_hue: a.avatar_hue }} size={44} />
          <div className="official-text">
            <b>{a.name}</b>
            <small>
              {a.kind === "subscription" ? "Subscription" : "Service"} · {followers(a.followers)}
            </small>
            {a.intro && <span>{a.intro}</span>}
          </div>
          {a.following && (
            <button className="primary-button small" onClick={() => onMessage(a.id)} data-testid="official-message">
              Message
            </button>
          )}
          <button className={a.following ? "secondary-button" : "primary-button small"} onClick={() => void toggle(a)} data-testid="official-follow">
            {a.following ? "Unfollow" : "Follow"}
          </button>
        </div>
      ))}
    </div>
  );
}
