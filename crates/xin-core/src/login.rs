//! The two login flows: QR code (any phone with Xin) and remembered computer (one tap).

use std::time::Duration;

use xin_proto::{ErrorCode, TicketCreated, TicketPhase, TicketState};

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

/// How a ticket ended.
enum Outcome {
    SignedIn,
    Declined,
    Expired { was_scanned: bool },
}

pub async fn qr_flow(engine: Engine, notice: Option<LoginNotice>) {
    let mut retry = Backoff::default();
    let mut expired_in_a_row = 0;
    loop {
        let ticket = match engine.api().create_ticket(engine.device()).await {
            Ok(t) => t,
            Err(e) => {
                unreachable_wait(&engine, &e, &mut retry, notice.clone()).await;
                continue;
            }
        };
        retry = Backoff::default();
        let svg = match qr::svg(&ticket.qr_url) {
            Ok(svg) => svg,
            Err(e) => {
                tracing::error!("QR render: {e}");
                return;
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
        match follow(&engine, &ticket, TicketPhase::Pending, notice.clone()).await {
            Outcome::SignedIn => return,
            Outcome::Declined => {
                engine.set_login(LoginView::Declined, notice.clone());
                return;
            }
            Outcome::Expired { was_scanned } => {
                expired_in_a_row = if was_scanned { 0 } else { expired_in_a_row + 1 };
                if expired_in_a_row >= AUTO_REFRESHES {
                    engine.set_login(LoginView::Expired, notice.clone());
                    return;
                }
            }
        }
    }
}

pub async fn remembered_flow(engine: Engine, remembered: Remembered) {
    let user = remembered.user.clone();
    let back = |notice: LoginNotice| {
        engine.set_login(LoginView::Remembered { user: user.clone() }, Some(notice))
    };
    let token = match engine
        .vault_get(remember_key(engine.server(), &user.id))
        .await
    {
        Ok(Some(t)) => t,
        _ => {
            engine.start_qr_login(Some(LoginNotice::ScanToLogIn)).await;
            return;
        }
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
            let _ = engine.switch_account().await;
            engine
                .start_qr_login(Some(LoginNotice::NoLongerRemembered))
                .await;
            return;
        }
        Err(e) => {
            back(LoginNotice::Failed { error: e.into() });
            return;
        }
    };
    match follow(&engine, &ticket, TicketPhase::Scanned, None).await {
        Outcome::SignedIn => {}
        Outcome::Declined => back(LoginNotice::Declined),
        Outcome::Expired { .. } => back(LoginNotice::NotConfirmed),
    }
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
            Ok(TicketState::Confirmed { session }) => {
                return match engine.complete_sign_in(session).await {
                    Ok(()) => Outcome::SignedIn,
                    Err(e) => {
                        tracing::error!("sign-in could not be stored: {e}");
                        engine.set_login(
                            LoginView::Unreachable {
                                server: engine.server().to_string(),
                                error: Some((&e).into()),
                                retry_in_secs: 0,
                            },
                            notice,
                        );
                        Outcome::Declined
                    }
                };
            }
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
            server: engine.server().to_string(),
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
