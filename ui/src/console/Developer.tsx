import QRCode from "qrcode";
import { useCallback, useEffect, useState } from "react";
import type { Developer, OfficialQr, SceneCounts, OfficialAccount } from "../bindings";
import { followers } from "../shared/format";
import { authed, errorMessage } from "../mobile/api";
import { formatDateTime, useT } from "../shared/i18n";

/** Developer mode: the webhook followers' messages and events are posted to, and the secret
 *  that signs them and buys API access tokens. */
export function DeveloperMode({ account }: { account: OfficialAccount }) {
  const t = useT();
  const [dev, setDev] = useState<Developer | null>(null);
  const [url, setUrl] = useState("");
  const [shown, setShown] = useState(false);
  const [note, setNote] = useState("");
  const [error, setError] = useState("");
  useEffect(() => {
    authed<Developer>("GET", `/official-accounts/${account.id}/developer`).then((d) => {
      setDev(d);
      setUrl(d.webhook_url ?? "");
    }, (e) => setError(errorMessage(e)));
  }, [account.id]);
  if (!dev) return error ? <p className="error">{error}</p> : <p className="muted">{t("Loading…")}</p>;
  const save = () => {
    setNote("");
    setError("");
    authed<Developer>("PUT", `/official-accounts/${account.id}/developer`, { webhook_url: url.trim() || null }).then(
      (d) => {
        setDev(d);
        setNote(d.webhook_url ? t("Saved: deliveries go to this address.") : t("Saved: developer mode is off."));
      },
      (e) => setError(errorMessage(e)),
    );
  };
  return (
    <div className="console-form developer">
      <label>
        {t("Webhook address (followers' messages, menu taps, follows and unfollows are posted here)")}
        <input value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://your-server.example/xin" data-testid="developer-url" />
      </label>
      <label>
        {t("Secret (signs each delivery: HMAC-SHA256 over timestamp, nonce and body; trade it for a 2-hour token at /api/v1/official-tokens)")}
        <span className="secret">
          <code data-testid="developer-secret">{dev ? (shown ? dev.secret : "•".repeat(24)) : ""}</code>
          <button type="button" onClick={() => setShown(!shown)}>
            {shown ? t("Hide") : t("Show")}
          </button>
        </span>
      </label>
      <p className="muted">
        {t("Account id:")} <code>{account.id}</code> · {t("The API is described at")} <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>
      </p>
      {note && <p className="note">{note}</p>}
      {error && <p className="error" role="alert">{error}</p>}
      <button className="primary" onClick={save} data-testid="developer-save">
        {t("Save")}
      </button>
    </div>
  );
}

/** Codes to follow the account by: each may carry a scene (where it was shown) and expire;
 *  followers are counted by scene. */
export function QrCodes({ account }: { account: OfficialAccount }) {
  const t = useT();
  const [scene, setScene] = useState("");
  const [expires, setExpires] = useState("604800");
  const [made, setMade] = useState<{ qr: OfficialQr; image: string } | null>(null);
  const [counts, setCounts] = useState<SceneCounts | null>(null);
  const [error, setError] = useState("");
  const load = useCallback(() => authed<SceneCounts>("GET", `/official-accounts/${account.id}/scenes`).then(setCounts, (e) => setError(errorMessage(e))), [account.id]);
  useEffect(() => {
    void load();
    const timer = window.setInterval(() => void load(), 3000);
    return () => window.clearInterval(timer);
  }, [load]);
  const make = async () => {
    setError("");
    try {
      const qr = await authed<OfficialQr>("POST", `/official-accounts/${account.id}/qr-codes`, { scene: scene.trim() || undefined, expires_in: expires ? Number(expires) : undefined });
      setMade({ qr, image: await QRCode.toDataURL(qr.url, { margin: 2, width: 220 }) });
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <div className="qr-codes">
      <div className="console-form">
        <label>
          {t("Scene (where the code will be shown: a poster, a shop window…)")}
          <input value={scene} onChange={(e) => setScene(e.target.value)} maxLength={64} placeholder="poster-7" data-testid="qr-scene" />
        </label>
        <label>
          {t("Works for")}
          <select value={expires} onChange={(e) => setExpires(e.target.value)}>
            <option value="3600">{t("An hour")}</option>
            <option value="604800">{t("A week")}</option>
            <option value="2592000">{t("30 days")}</option>
            <option value="">{t("Ever")}</option>
          </select>
        </label>
        <button className="primary" onClick={() => void make()} data-testid="qr-make">
          {t("Make a code")}
        </button>
        {error && <p className="error" role="alert">{error}</p>}
      </div>
      {made && (
        <div className="qr-made" data-testid="qr-made" data-url={made.qr.url}>
          <img src={made.image} alt={t("QR code to follow")} />
          <code>{made.qr.url}</code>
          <small>{made.qr.expires_at ? t("Works until {{v0}}", { v0: formatDateTime(made.qr.expires_at, { dateStyle: "medium", timeStyle: "short" }) }) : t("Works for ever")}</small>
        </div>
      )}
      <table className="scenes">
        <tbody>
          {counts?.scenes.map((c) => (
            <tr key={c.scene ?? ""} data-testid="scene-row" data-scene={c.scene ?? ""}>
              <td>{c.scene ?? t("No code")}</td>
              <td className="num">{followers(c.followers)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
