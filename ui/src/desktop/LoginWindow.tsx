import { useEffect, useState } from "react";
import type { LoginNotice, LoginView } from "../bindings";
import { localError } from "../shared/errors";
import { Avatar } from "../shared/Avatar";
import { spacedCode } from "../shared/format";
import { Icon } from "../shared/icons";
import { errorText, ipc } from "./ipc";
import { useT } from "../shared/i18n";

type Actions = {
  refresh: () => void;
  logIn: () => void;
  switchAccount: () => void;
  changeServer: () => void;
  /** Tries the typed address; rejects with a UiError when nothing answers there as Xin. */
  chooseServer: (address: string) => Promise<unknown>;
  keepServer: () => void;
};

const actions: Actions = {
  refresh: () => void ipc.loginRefreshQr(),
  logIn: () => void ipc.loginRemembered(),
  switchAccount: () => void ipc.loginSwitchAccount(),
  changeServer: () => void ipc.askForServer(),
  chooseServer: (address) => ipc.chooseServer(address),
  keepServer: () => void ipc.keepServer(),
};

/** The small portrait window shown while signed out. */
/** Why the login window is showing, in the reader's language. */
function noticeText(n: LoginNotice, t: (key: string) => string): string {
  switch (n.kind) {
    case "signed_out_elsewhere":
      return t("This device was signed out.");
    case "session_expired":
      return t("For your account's safety, scan the QR code to log in again: it has been a long time since you logged in on this computer.");
    case "scan_to_log_in":
      return t("Scan the QR code to log in.");
    case "no_longer_remembered":
      return t("This computer is no longer remembered. Scan the QR code to log in.");
    case "declined":
      return t("The login was declined on your phone.");
    case "not_confirmed":
      return t("The login was not confirmed in time. Try again.");
    case "failed":
      return localError(n.error.code, n.error.message);
  }
}

export function LoginWindow({ login, notice, act = actions }: { login: LoginView; notice?: LoginNotice; act?: Actions }) {
  const t = useT();
  const [server, setServer] = useState("");
  // Read again when the step changes: a new server was chosen.
  useEffect(() => {
    ipc.serverUrl().then(setServer, () => setServer(""));
  }, [login.step]);
  return (
    <main className="login" data-testid="login-window" data-step={login.step}>
      <header className="login-brand">{t("Xin")}</header>
      {notice && (
        <p className="login-notice" role="status" data-testid="login-notice">
          {noticeText(notice, t)}
        </p>
      )}
      <section className="login-body">
        <LoginStep login={login} act={act} />
      </section>
      {server && login.step !== "choose_server" && (
        <footer className="login-server" data-testid="login-server">
          {server.replace(/^https?:\/\//, "")}
          {login.step !== "scanned" && (
            <button className="link-button" onClick={act.changeServer} data-testid="login-change-server">
              {t("Change")}
            </button>
          )}
        </footer>
      )}
    </main>
  );
}

function LoginStep({ login, act }: { login: LoginView; act: Actions }) {
  const t = useT();
  switch (login.step) {
    case "choose_server":
      return <ServerPrompt current={login.current ?? ""} act={act} />;
    case "starting":
      return (
        <>
          <div className="qr-box qr-loading" aria-busy="true" />
          <p className="login-hint">{t("Getting a login code…")}</p>
        </>
      );
    case "qr":
      return (
        <>
          <div
            className="qr-box"
            data-testid="login-qr"
            data-url={login.url}
            role="img"
            aria-label={t("Login QR code")}
            dangerouslySetInnerHTML={{ __html: login.svg }}
          />
          <p className="login-hint">{t("Scan with Xin on your phone to log in")}</p>
        </>
      );
    case "expired":
      return (
        <>
          <div className="qr-box qr-expired">
            <button className="round-button" data-testid="login-refresh" onClick={act.refresh} aria-label={t("Refresh the QR code")}>
              <Icon name="refresh" size={28} stroke={2.2} />
            </button>
          </div>
          <p className="login-hint">{t("The QR code has expired. Click to refresh.")}</p>
        </>
      );
    case "scanned":
      return (
        <div className="scanned" data-testid="login-scanned">
          <Avatar user={login.user} size={72} />
          <p className="login-name">{login.user.display_name}</p>
          {login.remembered ? (
            <p className="login-hint">{t("Confirm the login on your phone")}</p>
          ) : (
            <>
              <p className="login-hint">{t("Confirm on your phone by tapping this number:")}</p>
              <p className="login-code" data-testid="login-code" data-code={login.code} aria-label={t("Number {{v0}}", { v0: spacedCode(login.code) })}>
                {login.code}
              </p>
            </>
          )}
          <button className="link-button" onClick={act.refresh}>
            {t("Cancel")}
          </button>
        </div>
      );
    case "declined":
      return (
        <div className="scanned" data-testid="login-declined">
          <div className="big-icon">
            <Icon name="close" size={44} />
          </div>
          <p className="login-name">{t("Login declined")}</p>
          <p className="login-hint">{t("The login was declined on the phone, or a wrong number was picked.")}</p>
          <button className="primary-button" onClick={act.refresh}>
            {t("Try again")}
          </button>
        </div>
      );
    case "unreachable":
      return (
        <div className="scanned" data-testid="login-unreachable">
          <div className="big-icon">
            <Icon name="warning" size={44} />
          </div>
          <p className="login-hint">
            {login.error ? localError(login.error.code, login.error.message) : t("Cannot reach the Xin server at {{server}}.", { server: login.server })}
          </p>
          <p className="login-hint small">
            {login.retry_in_secs > 0 ? t("Trying again in {{n}} s.", { n: login.retry_in_secs }) : t("Check your network.")}
          </p>
          <button className="secondary-button" onClick={act.refresh}>
            {t("Retry now")}
          </button>
        </div>
      );
    case "remembered":
      return (
        <div className="remembered" data-testid="login-remembered">
          <Avatar user={login.user} size={88} />
          <p className="login-name">{login.user.display_name}</p>
          <button className="primary-button wide" data-testid="login-remembered-button" onClick={act.logIn}>
            {t("Log in")}
          </button>
          <button className="link-button" onClick={act.switchAccount}>
            {t("Switch account")}
          </button>
        </div>
      );
  }
}


/** Which Xin server to use: asked on a first run, and by "Change" under the QR code. */
function ServerPrompt({ current, act }: { current: string; act: Actions }) {
  const t = useT();
  const [address, setAddress] = useState(current);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const connect = () => {
    setBusy(true);
    setError("");
    act.chooseServer(address).then(
      () => setBusy(false),
      (e) => {
        setBusy(false);
        setError(errorText(e));
      },
    );
  };
  return (
    <form
      className="server-prompt"
      data-testid="server-prompt"
      onSubmit={(e) => {
        e.preventDefault();
        connect();
      }}
    >
      <p className="login-name">{t("Your Xin server")}</p>
      <p className="login-hint small">{t("Enter the address your community gave you.")}</p>
      <input
        value={address}
        onChange={(e) => setAddress(e.target.value)}
        placeholder="https://xin.example.org"
        aria-label={t("Server address")}
        autoFocus
        spellCheck={false}
        autoCapitalize="off"
        data-testid="server-address"
      />
      {error && (
        <p className="error-line" role="alert" data-testid="server-error">
          {error}
        </p>
      )}
      <button className="primary-button wide" type="submit" disabled={busy || !address.trim()} data-testid="server-connect">
        {busy ? t("Connecting…") : t("Connect")}
      </button>
      {current && (
        <button className="link-button" type="button" onClick={act.keepServer}>
          {t("Cancel")}
        </button>
      )}
    </form>
  );
}
