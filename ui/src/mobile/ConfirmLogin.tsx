import { useEffect, useState } from "react";
import type { TicketDetails } from "../bindings";
import { api, errorMessage } from "./api";
import { go } from "./router";
import { Icon } from "../shared/icons";
import { formatDateTime, useT } from "../shared/i18n";

type State =
  | { step: "loading" }
  | { step: "choose"; details: TicketDetails }
  | { step: "done"; device: string }
  | { step: "declined" }
  | { step: "error"; message: string };

/** Where a scanned login QR lands: who is asking, and the number to match. */
export function ConfirmLogin({ ticket }: { ticket: string }) {
  const t = useT();
  const [state, setState] = useState<State>({ step: "loading" });

  useEffect(() => {
    api.scan(ticket).then(
      (details) => setState({ step: "choose", details }),
      (e) => setState({ step: "error", message: errorMessage(e) }),
    );
  }, [ticket]);

  const pick = async (details: TicketDetails, code?: string) => {
    try {
      await api.confirm(ticket, code);
      setState({ step: "done", device: details.device.name });
    } catch (e) {
      setState({ step: "error", message: errorMessage(e) });
    }
  };

  const decline = async () => {
    await api.decline(ticket).catch(() => {});
    setState({ step: "declined" });
  };

  return (
    <div className="app">
      <header className="bar">
        <button className="back" onClick={() => go("/")} aria-label={t("Close")}>
          <Icon name="close" size={22} />
        </button>
        {t("Log in on computer")}
      </header>
      <main className="page confirm" data-testid="confirm-page" data-step={state.step}>
        {state.step === "loading" && <p className="empty">{t("Checking the code…")}</p>}
        {state.step === "choose" && (
          <>
            <div className="computer">
              <Icon name="laptop" size={72} stroke={1.2} />
            </div>
            <h2>{t("Log in to Xin on this computer?")}</h2>
            <dl className="facts">
              <dt>{t("Device")}</dt>
              <dd data-testid="confirm-device">{state.details.device.name}</dd>
              <dt>{t("System")}</dt>
              <dd>
                {state.details.device.os} · Xin {state.details.device.app_version}
              </dd>
              <dt>{t("IP address")}</dt>
              <dd>{state.details.ip}</dd>
              <dt>{t("Time")}</dt>
              <dd>{formatDateTime(state.details.created_at, { dateStyle: "medium", timeStyle: "short" })}</dd>
            </dl>
            {state.details.remembered ? (
              <button className="primary" data-testid="confirm-one-tap" onClick={() => pick(state.details)}>
                {t("Log in")}
              </button>
            ) : (
              <>
                <p className="muted">{t("Tap the number shown on the computer:")}</p>
                <div className="codes">
                  {state.details.choices.map((c) => (
                    <button key={c} className="code" data-testid="confirm-code" data-code={c} onClick={() => pick(state.details, c)}>
                      {c}
                    </button>
                  ))}
                </div>
                <p className="muted small">{t("If you did not try to log in on a computer just now, someone may have sent you this code. Tap Cancel.")}</p>
              </>
            )}
            <button className="link" onClick={decline} data-testid="confirm-decline">
              {t("Cancel login")}
            </button>
          </>
        )}
        {state.step === "done" && (
          <div className="result" data-testid="confirm-done">
            <div className="ok">
              <Icon name="check" size={40} stroke={2.4} />
            </div>
            <h2>{t("Logged in")}</h2>
            <p className="muted">{t("Xin is now signed in on {{device}}.", { device: state.device })}</p>
            <button className="primary" onClick={() => go("/")}>
              {t("Done")}
            </button>
          </div>
        )}
        {state.step === "declined" && (
          <div className="result">
            <h2>{t("Login cancelled")}</h2>
            <button className="primary" onClick={() => go("/")}>
              {t("Done")}
            </button>
          </div>
        )}
        {state.step === "error" && (
          <div className="result" data-testid="confirm-error">
            <h2>{t("Cannot log in")}</h2>
            <p className="muted">{state.message}</p>
            <button className="primary" onClick={() => go("/scan")}>
              {t("Scan again")}
            </button>
          </div>
        )}
      </main>
    </div>
  );
}
