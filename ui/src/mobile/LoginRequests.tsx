import type { TicketDetails } from "../bindings";
import { api } from "./api";

/** Remembered computers asking for a one-tap login, shown on top of every tab. */
export function LoginRequests({ requests, onDone }: { requests: TicketDetails[]; onDone: (ticket: string) => void }) {
  return (
    <>
      {requests.map((t) => (
        <section className="card request" key={t.ticket_id} data-testid="login-request">
          <div>
            <strong>Log in on {t.device.name}?</strong>
            <div className="muted small">
              {t.device.os} · {t.ip}
            </div>
          </div>
          <div className="request-actions">
            <button className="small-button" onClick={() => api.decline(t.ticket_id).finally(() => onDone(t.ticket_id))}>
              Cancel
            </button>
            <button className="small-button primary" onClick={() => api.confirm(t.ticket_id).finally(() => onDone(t.ticket_id))} data-testid="login-request-confirm">
              Log in
            </button>
          </div>
        </section>
      ))}
    </>
  );
}
