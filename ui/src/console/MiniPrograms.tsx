import { useCallback, useEffect, useState } from "react";
import type { MiniProgram, MiniProgramList, OfficialAccount } from "../bindings";
import { authed, authedFetch, errorMessage } from "../mobile/api";
import { formatBytes, relativeTime } from "../shared/format";
import { useT } from "../shared/i18n";

/** The account's mini-programs: publish a package (a zip with app.json), see what is live.
 *  The server checks the package and signs it; each upload is a new version. */
export function MiniPrograms({ account }: { account: OfficialAccount }) {
  const t = useT();
  const [list, setList] = useState<MiniProgram[] | null>(null);
  const [error, setError] = useState("");
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const path = `/official-accounts/${account.id}/mini-programs`;
  const load = useCallback(() => authed<MiniProgramList>("GET", path).then((l) => setList(l.mini_programs), (e) => setError(errorMessage(e))), [path]);
  useEffect(() => {
    void load();
  }, [load]);
  const upload = async (file: File) => {
    setBusy(true);
    setError("");
    setNote("");
    try {
      const resp = await authedFetch(path, { method: "POST", headers: { "content-type": "application/zip" }, body: file });
      const mp = (await resp.json()) as MiniProgram;
      setNote(t("Published {{v0}} {{v1}}.", { v0: mp.name, v1: mp.release.version }));
      await load();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="mini-programs" data-testid="console-mini-programs">
      <p className="muted">
        {t("A mini-program is a zip with app.json at its root (id, name, icon, version, pages, permissions, domains) and its HTML, JS and CSS: at most 4 MiB for the main package, 32 MiB in all. Its backend exchanges login codes and creates orders with this account's access token (Developer tab); paid orders arrive at the webhook as order_paid.")}
      </p>
      <label className="button">
        {busy ? t("Publishing…") : t("Upload a package…")}
        <input type="file" accept=".zip,application/zip" hidden disabled={busy} onChange={(e) => e.target.files?.[0] && void upload(e.target.files[0])} data-testid="mini-program-upload" />
      </label>
      {note && <p className="ok" data-testid="mini-program-published">{note}</p>}
      {error && <p className="error" data-testid="mini-program-error">{error}</p>}
      {list?.length === 0 && <p className="muted">{t("No mini-programs yet.")}</p>}
      <table>
        <tbody>
          {list?.map((m) => (
            <tr key={m.id} data-testid="console-mini-program" data-name={m.name}>
              <td>
                <img src={m.icon} alt="" width={36} height={36} className="mini-icon" />
              </td>
              <td>
                <strong>{m.name}</strong> <small className="muted">{m.app_id}</small>
                <br />
                <small className="muted">{m.description}</small>
              </td>
              <td>
                v{m.release.version} · {formatBytes(m.release.size)}
                <br />
                <small className="muted">{t("published {{when}}", { when: relativeTime(m.release.published_at) })}</small>
              </td>
              <td>
                <small className="muted">{m.domains.join(", ") || t("no domains")}</small>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
