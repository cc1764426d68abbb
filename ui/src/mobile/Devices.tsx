import { useEffect, useState } from "react";
import type { Device } from "../bindings";
import { relativeTime } from "../shared/format";
import { Icon } from "../shared/icons";
import { api, ApiError, errorMessage } from "./api";
import { go } from "./router";
import { useT } from "../shared/i18n";

/** Me → Devices: every device of the account, each can be signed out. */
export function Devices({ onSignedOut }: { onSignedOut: () => void }) {
  const t = useT();
  const [devices, setDevices] = useState<Device[] | null>(null);
  const [error, setError] = useState("");

  const load = () =>
    api.devices().then(
      (d) => setDevices(d.devices),
      (e) => {
        if (e instanceof ApiError && (e.code === "session_revoked" || e.code === "unauthorized")) onSignedOut();
        setError(String(e.message ?? e));
      },
    );
  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const remove = async (d: Device) => {
    if (!confirm(t("Sign out \"{{v0}}\"? It will need to log in again.", { v0: d.name }))) return;
    try {
      await api.removeDevice(d.id);
      if (d.current) onSignedOut();
      else await load();
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  return (
    <div className="app">
      <header className="bar">
        <button className="back" onClick={() => go("/me")} aria-label={t("Back")}>
          <Icon name="back" />
        </button>
        {t("Devices")}
      </header>
      <main className="page">
        {error && <p className="form-error">{error}</p>}
        {devices === null ? (
          <p className="empty">{t("Loading…")}</p>
        ) : (
          <section className="card list" data-testid="devices">
            {devices.map((d) => (
              <div className="row device" key={d.id} data-testid="device" data-kind={d.kind} data-current={d.current}>
                <span className="device-icon">
                  <Icon name={d.kind === "phone" ? "phone" : "laptop"} size={26} />
                </span>
                <span className="device-text">
                  <span className="device-name">
                    {d.name}
                    {d.current && <span className="muted"> {t("(this phone)")}</span>}
                  </span>
                  <span className="muted small">
                    {d.os} · {d.ip} · {d.signed_in ? relativeTime(d.last_active_at) : t("signed out")}
                  </span>
                </span>
                <button className="small-button" onClick={() => remove(d)} data-testid="device-sign-out">
                  {t("Sign out")}
                </button>
              </div>
            ))}
          </section>
        )}
      </main>
    </div>
  );
}
