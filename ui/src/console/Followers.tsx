import { useCallback, useEffect, useState } from "react";
import type { Follower, FollowerList, OfficialAccount } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { authed, errorMessage } from "../mobile/api";
import { formatDateTime, useT } from "../shared/i18n";

/** The account's followers, newest first, with the QR scene they came through and their tags;
 *  tags aim broadcasts ("Only followers tagged…" in Articles). */
export function Followers({ account }: { account: OfficialAccount }) {
  const t = useT();
  const [list, setList] = useState<FollowerList | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState("");
  const path = `/official-accounts/${account.id}/followers`;
  const load = useCallback(() => authed<FollowerList>("GET", path).then(setList, (e) => setError(errorMessage(e))), [path]);
  useEffect(() => {
    void load();
  }, [load]);
  const more = () =>
    list?.next != null &&
    authed<FollowerList>("GET", `${path}?before=${list.next}`).then(
      (page) => setList({ followers: [...list.followers, ...page.followers], tags: page.tags, next: page.next }),
      (e) => setError(errorMessage(e)),
    );
  const save = (f: Follower, tags: string[]) =>
    authed<void>("PUT", `${path}/${f.user.id}/tags`, { tags }).then(
      () => {
        setEditing(null);
        void load();
      },
      (e) => setError(errorMessage(e)),
    );
  return (
    <div className="followers" data-testid="console-followers">
      {list?.followers.length === 0 && <p className="muted">{t("No followers yet: share the account's QR code.")}</p>}
      <table>
        <tbody>
          {list?.followers.map((f) => (
            <tr key={f.user.id} data-testid="follower-row" data-name={f.user.display_name}>
              <td>
                <div className="who">
                <Avatar user={f.user} size={28} />
                <span>
                  <b>{f.user.display_name}</b>
                  <small>
                    @{f.user.handle} · {t("since {{date}}", { date: formatDateTime(f.since, { dateStyle: "medium" }) })}
                    {f.scene && ` · ${t("via “{{scene}}”", { scene: f.scene })}`}
                  </small>
                </span>
                </div>
              </td>
              <td>
                <div className="tags-cell">
                {editing === f.user.id ? (
                  <TagEditor follower={f} known={list.tags} onSave={(tags) => void save(f, tags)} onCancel={() => setEditing(null)} />
                ) : (
                  <>
                    {f.tags.map((t) => (
                      <span key={t} className="chip" data-testid="follower-tag">
                        {t}
                      </span>
                    ))}
                    <button className="link" onClick={() => setEditing(f.user.id)} data-testid="follower-edit-tags">
                      {f.tags.length ? t("Edit tags") : t("Add tags")}
                    </button>
                  </>
                )}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list?.next != null && (
        <button className="link" onClick={() => void more()}>
          {t("More followers")}
        </button>
      )}
      {error && <p className="error" role="alert">{error}</p>}
    </div>
  );
}

/** Tags as comma-separated text, with the account's other tags one click away. */
function TagEditor({ follower, known, onSave, onCancel }: { follower: Follower; known: string[]; onSave: (tags: string[]) => void; onCancel: () => void }) {
  const t = useT();
  const [text, setText] = useState(follower.tags.join(", "));
  const tags = [...new Set(text.split(/[,，]/).map((t) => t.trim()).filter(Boolean))];
  const offered = known.filter((t) => !tags.includes(t));
  return (
    <form
      className="tag-editor"
      onSubmit={(e) => {
        e.preventDefault();
        onSave(tags);
      }}
    >
      <input value={text} onChange={(e) => setText(e.target.value)} placeholder={t("Regulars, Oat milk")} autoFocus aria-label={t("Tags for {{v0}}", { v0: follower.user.display_name })} data-testid="follower-tags-input" />
      {offered.map((t) => (
        <button type="button" key={t} className="chip add" onClick={() => setText([...tags, t].join(", "))}>
          + {t}
        </button>
      ))}
      <button className="primary" data-testid="follower-tags-save">
        {t("Save")}
      </button>
      <button type="button" className="link" onClick={onCancel}>
        {t("Cancel")}
      </button>
    </form>
  );
}
