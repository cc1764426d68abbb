import { useCallback, useEffect, useState } from "react";
import type { AlbumWindow, AppSettings, Device, FriendCard, UserProfile } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { relativeTime } from "../shared/format";
import { Icon } from "../shared/icons";
import { CallDevicesSetting } from "./CallDevicesSetting";
import { errorText, ipc, onCoreEvent } from "./ipc";
import { LanguageSelect } from "../shared/LanguageSelect";
import { useT } from "../shared/i18n";

/** Settings: the account, and Devices with sign-out. */
export function Settings({ user }: { user: UserProfile }) {
  const t = useT();
  const [devices, setDevices] = useState<Device[]>([]);
  const [error, setError] = useState("");
  const [prefs, setPrefs] = useState<AppSettings | null>(null);
  const [card, setCard] = useState<FriendCard | null>(null);
  const [saved, setSaved] = useState("");
  useEffect(() => {
    ipc.settings().then(setPrefs, () => {});
  }, []);
  const savePrefs = (next: AppSettings) => {
    setPrefs(next);
    ipc.setSettings(next).catch((e) => setError(errorText(e)));
  };

  const load = useCallback(() => {
    // Cache first, so the list shows at once; then whatever the server says, which a late
    // answer from the cache must not replace.
    let fresh = false;
    ipc.cachedDevices().then((d) => fresh || setDevices(d), () => {});
    ipc.devices().then(
      (d) => {
        fresh = true;
        setDevices(d);
      },
      (e) => setError(errorText(e)),
    );
  }, []);

  useEffect(() => {
    load();
    const unlisten = onCoreEvent((e) => {
      if (e.type === "devices_changed") ipc.cachedDevices().then(setDevices, () => {});
    });
    return () => {
      unlisten.then((f) => f());
    };
  }, [load]);

  const remove = async (d: Device) => {
    setError("");
    try {
      await ipc.removeDevice(d.id);
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <>
      <aside className="list-pane">
        <div className="settings-me">
          <Avatar user={user} size={48} />
          <div>
            <div className="settings-name">{user.display_name}</div>
            <div className="settings-handle">{t("Xin ID: {{id}}", { id: user.handle })}</div>
          </div>
        </div>
        <button className="list-row active">{t("Devices, QR code, notifications")}</button>
      </aside>
      <section className="content-pane">
        <header className="content-header">
          <h1>{t("Settings")}</h1>
        </header>
        <div className="content-scroll">
          {error && (
            <p className="error-line" role="alert">
              {error}
            </p>
          )}
          <ul className="device-list" data-testid="device-list">
            {devices.map((d) => (
              <li key={d.id} className="device-row" data-testid="device-row" data-current={d.current}>
                <div className="device-kind">
                  <Icon name={d.kind === "phone" ? "phone" : "laptop"} size={26} />
                </div>
                <div className="device-text">
                  <div className="device-name">
                    {d.name} {d.current && <span className="tag">{t("This computer")}</span>}
                  </div>
                  <div className="device-meta">
                    {d.os} · Xin {d.app_version} · {d.ip} · {d.signed_in ? t("active {{when}}", { when: relativeTime(d.last_active_at) }) : t("signed out")}
                  </div>
                </div>
                {!d.current && (
                  <button className="secondary-button" onClick={() => remove(d)}>
                    {t("Sign out")}
                  </button>
                )}
              </li>
            ))}
          </ul>
          <h2 className="section-title">{t("My QR code")}</h2>
          {card ? (
            <div className="card-box" data-testid="my-card">
              <div className="card-head">
                <Avatar user={card.user} size={44} />
                <div>
                  <div className="device-name">{card.user.display_name}</div>
                  <div className="device-meta">{t("Xin ID: {{id}}", { id: card.user.handle })}</div>
                </div>
              </div>
              <div className="card-qr" role="img" aria-label={t("My add-friend QR code")} data-url={card.url} dangerouslySetInnerHTML={{ __html: card.svg }} />
              <p className="device-meta">{t("Scan with Xin on a phone to add me as a friend")}</p>
              <button className="secondary-button" onClick={() => ipc.saveMyCard().then((p) => setSaved(t("Saved to {{path}}", { path: p })), (e) => setError(errorText(e)))}>
                {t("Save as image")}
              </button>
              {saved && <p className="device-meta">{saved}</p>}
            </div>
          ) : (
            <button className="secondary-button" onClick={() => ipc.myCard().then(setCard, (e) => setError(errorText(e)))} data-testid="show-my-card">
              {t("Show my QR code")}
            </button>
          )}
          <LanguageSetting />
          <h2 className="section-title">{t("Notifications")}</h2>
          {/* Drawn at once, usable once loaded: rows that appear late push the buttons below
              them down under the pointer. */}
          <label className="setting-row">
            <input
              type="checkbox"
              checked={prefs?.notification_previews ?? true}
              disabled={!prefs}
              onChange={(e) => prefs && savePrefs({ ...prefs, notification_previews: e.target.checked })}
              data-testid="setting-previews"
            />
            {t("Show the sender and message text in notifications")}
          </label>
          <MomentsWindow />
          <CallDevicesSetting />
          <button className="danger-button" data-testid="sign-out" onClick={() => ipc.signOut()}>
            {t("Log out of this computer")}
          </button>
        </div>
      </section>
    </>
  );
}

/** How far back friends may look in my Moments. */
function MomentsWindow() {
  const t = useT();
  const [window, setWindow] = useState<AlbumWindow | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    ipc.momentsSettings().then((s) => setWindow(s.window), (e) => setError(errorText(e)));
  }, []);
  return (
    <>
      <h2 className="section-title">{t("Moments")}</h2>
      <label className="setting-row">
        {t("Friends can see")}
        <select
          value={window ?? "all"}
          disabled={!window}
          onChange={(e) => {
            const next = e.target.value as AlbumWindow;
            setWindow(next);
            ipc.setMomentsSettings({ window: next }).catch((err) => setError(errorText(err)));
          }}
          data-testid="setting-moments-window"
        >
          <option value="all">{t("All my posts")}</option>
          <option value="six_months">{t("The last six months")}</option>
          <option value="three_days">{t("The last three days")}</option>
        </select>
      </label>
      {error && <p className="error-line">{error}</p>}
    </>
  );
}

/** Language: follow the system, or English, or 简体中文. */
function LanguageSetting() {
  const t = useT();
  return (
    <>
      <h2 className="section-title">{t("Language")}</h2>
      <label className="setting-row">
        <LanguageSelect />
      </label>
    </>
  );
}
