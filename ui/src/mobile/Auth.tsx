import { useState, type FormEvent } from "react";
import { api, endedBecause, errorMessage } from "./api";
import { useT } from "../shared/i18n";

/** Sign in or create an account: the companion needs an account before it can confirm logins. */
/** Log in or sign up. `card` is the Xin ID of a friend card this page was opened for: the
 *  desktop app can open it straight away (`xin://user/…`, registered by its package). */
export function Auth({ onSignedIn, card }: { onSignedIn: () => void; card?: string }) {
  const t = useT();
  const [mode, setMode] = useState<"in" | "up">("in");
  const [fields, setFields] = useState({ login: "", handle: "", phone: "", name: "", password: "" });
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [expired] = useState(() => endedBecause() === "session_expired");
  const set = (k: keyof typeof fields) => (e: { target: { value: string } }) => setFields({ ...fields, [k]: e.target.value });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      if (mode === "in") await api.signIn(fields.login, fields.password);
      else await api.signUp(fields.handle, fields.phone, fields.name, fields.password);
      onSignedIn();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="auth">
      <h1 className="auth-title">{mode === "in" ? t("Log in to Xin") : t("Create your Xin account")}</h1>
      {card && (
        <p className="auth-notice" data-testid="auth-card">
          {t("Log in to add {{handle}} as a friend.", { handle: card })}
          <br />
          <a href={`xin://user/${card}`} data-testid="open-on-desktop">
            {t("Open in Xin for desktop")}
          </a>
        </p>
      )}
      {expired && (
        <p className="auth-notice" role="status" data-testid="auth-expired">
          {t("For your account's safety, log in again: it has been a long time since you logged in on this phone.")}
        </p>
      )}
      <form onSubmit={submit} className="auth-form">
        {mode === "in" ? (
          <label>
            {t("Xin ID or phone")}
            <input name="login" autoComplete="username" value={fields.login} onChange={set("login")} required />
          </label>
        ) : (
          <>
            <label>
              {t("Name")}
              <input name="name" autoComplete="name" value={fields.name} onChange={set("name")} required />
            </label>
            <label>
              {t("Xin ID")}
              <input name="handle" autoComplete="username" value={fields.handle} onChange={set("handle")} required placeholder={t("letters, digits, _")} />
            </label>
            <label>
              {t("Phone")}
              <input name="phone" type="tel" autoComplete="tel" value={fields.phone} onChange={set("phone")} required />
            </label>
          </>
        )}
        <label>
          {t("Password")}
          <input name="password" type="password" autoComplete={mode === "in" ? "current-password" : "new-password"} value={fields.password} onChange={set("password")} required minLength={mode === "up" ? 8 : 1} />
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button className="primary" type="submit" disabled={busy} data-testid="auth-submit">
          {mode === "in" ? t("Log in") : t("Sign up")}
        </button>
      </form>
      <button className="link" onClick={() => setMode(mode === "in" ? "up" : "in")} data-testid="auth-switch">
        {mode === "in" ? t("New to Xin? Sign up") : t("Have an account? Log in")}
      </button>
    </div>
  );
}
