import type { TicketDetails } from "../bindings";
import { api } from "./api";
import { useT } from "../shared/i18n";

/** Remembered computers asking for a one-tap login, shown on top of every tab. */
export function LoginRequests({ requests, onDone }: { requests: TicketDetails[]; onDone: (ticket: string) => void }) {
  const t = useT();
  return (
    <>
      {requests.map((r) => (
        <section className="card request" key={r.ticket_id} data-testid="login-request">
          <div>
            <strong>{t("Log in on {{device}}?", { device: r.device.name })}</strong>
            <div className="muted small">
              {r.device.os} · {r.ip}
            </div>
          </div>
          <div className="request-actions">
            <button className="small-button" onClick={() => api.decline(r.ticket_id).finally(() => onDone(r.ticket_id))}>
              {t("Cancel")}
            </button>
            <button className="small-button primary" onClick={() => api.confirm(r.ticket_id).finally(() => onDone(r.ticket_id))} data-testid="login-request-confirm">
              {t("Log in")}
            </button>
          </div>
        </section>
      ))}
    </>
  );
}
