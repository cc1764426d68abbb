//! The two login flows: QR code (any phone with Xin) and remembered computer (one tap). A flow
//! shows its steps in the login view and ends with what the scheduler does next.

use std::time::Duration;

use xin_proto::{ErrorCode, Session, TicketCreated, TicketPhase, TicketState};

use crate::{
    cache::Remembered,
    engine::Engine,
    error::CoreError,
    events::{LoginNotice, LoginView},
    qr,
    vault::remember_key,
};

/// After this many QR codes in a row expire unscanned, stop and show "Refresh" (as WeChat does)
/// instead of asking the server for codes nobody looks at.
const AUTO_REFRESHES: u32 = 10;

/// How a login flow ended.
pub(crate) enum LoginEnd {
    /// The phone confirmed: sign in with this session.
    Confirmed(Box<Session>),
    /// The flow stopped; the login view says why (declined, codes expired, not confirmed).
    Stopped,
    /// This computer cannot log in by one tap: scan a QR code, with this notice.
    ScanInstead(LoginNotice),
    /// The server no longer remembers this computer: forget it, then scan a QR code.
    Forgotten,
}

/// How a ticket ended.
enum Outcome {
    Confirmed(Box<Session>),
    Declined,
    Expired { was_scanned: bool },
}

/// Shows QR codes, a new one whenever one expires, until a phone confirms one.
pub(crate) async fn qr_flow(engine: &Engine, notice: Option<LoginNotice>) -> LoginEnd {
    let mut retry = Backoff::default();
    let mut expired_in_a_row = 0;
    loop {
        let ticket = match engine.api().create_ticket(engine.device()).await {
            Ok(t) => t,
            Err(e) => {
                unreachable_wait(engine, &e, &mut retry, notice.clone()).await;
                continue;
            }
        };
        retry = Backoff::default();
        let svg = match qr::svg(&ticket.qr_url) {
            Ok(svg) => svg,
            Err(e) => {
                tracing::error!("QR render: {e}");
                return LoginEnd::Stopped;
            }
        };
        engine.set_login(
            LoginView::Qr {
                svg,
                url: ticket.qr_url.clone(),
                expires_at: ticket.expires_at,
            },
            notice.clone(),
        );
        match follow(engine, &ticket, TicketPhase::Pending, notice.clone()).await {
            Outcome::Confirmed(session) => return LoginEnd::Confirmed(session),
            Outcome::Declined => {
                engine.set_login(LoginView::Declined, notice.clone());
                return LoginEnd::Stopped;
            }
            Outcome::Expired { was_scanned } => {
                expired_in_a_row = if was_scanned { 0 } else { expired_in_a_row + 1 };
                if expired_in_a_row >= AUTO_REFRESHES {
                    engine.set_login(LoginView::Expired, notice.clone());
                    return LoginEnd::Stopped;
                }
            }
        }
    }
}

/// Asks the account's phone to confirm this remembered computer.
pub(crate) async fn remembered_flow(engine: &Engine, remembered: Remembered) -> LoginEnd {
    let user = remembered.user.clone();
    let back = |notice: LoginNotice| {
        engine.set_login(LoginView::Remembered { user: user.clone() }, Some(notice))
    };
    let token = match engine
        .vault_get(remember_key(&engine.server(), &user.id))
        .await
    {
        Ok(Some(t)) => t,
        _ => return LoginEnd::ScanInstead(LoginNotice::ScanToLogIn),
    };
    engine.set_login(
        LoginView::Scanned {
            user: user.clone(),
            code: String::new(),
            remembered: true,
        },
        None,
    );
    let ticket = match engine.api().remembered_login(&token, engine.device()).await {
        Ok(t) => t,
        Err(e) if e.api_code() == Some(ErrorCode::DeviceNotRemembered) => {
            return LoginEnd::Forgotten
        }
        Err(e) => {
            back(LoginNotice::Failed { error: e.into() });
            return LoginEnd::Stopped;
        }
    };
    match follow(engine, &ticket, TicketPhase::Scanned, None).await {
        Outcome::Confirmed(session) => return LoginEnd::Confirmed(session),
        Outcome::Declined => back(LoginNotice::Declined),
        Outcome::Expired { .. } => back(LoginNotice::NotConfirmed),
    }
    LoginEnd::Stopped
}

/// Long-polls one ticket until it ends, mirroring each state into the login view.
async fn follow(
    engine: &Engine,
    ticket: &TicketCreated,
    mut known: TicketPhase,
    notice: Option<LoginNotice>,
) -> Outcome {
    let mut retry = Backoff::default();
    loop {
        let state = engine
            .api()
            .wait_ticket(&ticket.ticket_id, &ticket.poll_secret, known)
            .await;
        match state {
            Ok(TicketState::Pending { .. }) => known = TicketPhase::Pending,
            Ok(TicketState::Scanned { user, code, .. }) => {
                if known != TicketPhase::Scanned || !code.is_empty() {
                    engine.set_login(
                        LoginView::Scanned {
                            remembered: code.is_empty(),
                            user,
                            code,
                        },
                        notice.clone(),
                    );
                }
                known = TicketPhase::Scanned;
            }
            Ok(TicketState::Confirmed { session }) => return Outcome::Confirmed(Box::new(session)),
            Ok(TicketState::Declined) => return Outcome::Declined,
            Ok(TicketState::Expired) => {
                return Outcome::Expired {
                    was_scanned: known == TicketPhase::Scanned,
                }
            }
            Err(CoreError::Unreachable(_)) => {
                // Keep waiting on the same ticket: it may still be confirmed.
                if retry.attempts > 2 && ticket_past(ticket) {
                    return Outcome::Expired { was_scanned: false };
                }
                tokio::time::sleep(retry.next()).await;
            }
            Err(e) => {
                tracing::info!("login ticket ended: {e}");
                return match e.api_code() {
                    Some(ErrorCode::TicketDeclined) => Outcome::Declined,
                    _ => Outcome::Expired { was_scanned: false },
                };
            }
        }
    }
}

fn ticket_past(ticket: &TicketCreated) -> bool {
    crate::time::now_ms() > ticket.expires_at
}

async fn unreachable_wait(
    engine: &Engine,
    e: &CoreError,
    retry: &mut Backoff,
    notice: Option<LoginNotice>,
) {
    let wait = if e.api_code() == Some(ErrorCode::RateLimited) {
        Duration::from_secs(60)
    } else {
        retry.next()
    };
    let error = match e {
        CoreError::Unreachable(_) => None,
        other => Some(other.into()),
    };
    engine.set_login(
        LoginView::Unreachable {
            server: engine.server(),
            error,
            retry_in_secs: u32::try_from(wait.as_secs()).unwrap_or(u32::MAX),
        },
        notice,
    );
    tokio::time::sleep(wait).await;
}

/// 1 s, 2 s, 4 s … capped at 30 s.
#[derive(Default)]
struct Backoff {
    attempts: u32,
}

impl Backoff {
    fn next(&mut self) -> Duration {
        let secs = 1u64 << self.attempts.min(5);
        self.attempts += 1;
        Duration::from_secs(secs.min(30))
    }
}
