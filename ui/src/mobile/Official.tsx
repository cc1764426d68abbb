import { useEffect, useState } from "react";
import type { OfficialAccount, ScannedOfficialQr } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { followers } from "../shared/format";
import { Icon } from "../shared/icons";
import { authed, errorMessage } from "./api";
import { go } from "./router";

/** Where a scanned account code lands: the account, and Follow (through the code, so its
 *  scene is reported to the account). */
export function FollowByCode({ code }: { code: string }) {
  const [scanned, setScanned] = useState<ScannedOfficialQr | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    authed<ScannedOfficialQr>("GET", `/official-qr/${encodeURIComponent(code)}`).then(setScanned, (e) => setError(errorMessage(e)));
  }, [code]);
  const follow = (a: OfficialAccount) =>
    authed<OfficialAccount>("PUT", `/official-accounts/${a.id}/follow`, { code }).then(
      (next) => setScanned((s) => s && { ...s, account: next }),
      (e) => setError(errorMessage(e)),
    );
  const a = scanned?.account;
  return (
    <div className="app">
      <header className="bar">
        <button className="back" onClick={() => go("/")} aria-label="Back">
          <Icon name="back" />
        </button>
        Official account
      </header>
      <main className="page confirm" data-testid="follow-by-code">
        {error && (
          <p className="pay-error" role="alert">
            {error}
          </p>
        )}
        {a && (
          <>
            <Avatar user={{ display_name: a.name, avatar_hue: a.avatar_hue }} size={72} />
            <h2>{a.name}</h2>
            <p className="muted">
              {a.kind === "subscription" ? "Subscription account" : "Service account"} · {followers(a.followers)}
            </p>
            {a.intro && <p>{a.intro}</p>}
            {a.following ? (
              <p className="muted" role="status" data-testid="follow-done">
                You follow {a.name}.
              </p>
            ) : (
              <button className="primary" onClick={() => void follow(a)} data-testid="follow-account">
                Follow
              </button>
            )}
          </>
        )}
      </main>
    </div>
  );
}
