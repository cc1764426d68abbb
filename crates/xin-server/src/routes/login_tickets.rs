//! QR login: the desktop creates a ticket and waits; the phone scans, picks the code, confirms.

use std::time::Duration;

use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use rand::{seq::SliceRandom, Rng};
use utoipa_axum::{router::OpenApiRouter, routes};
use xin_proto::{
    ConfirmTicketRequest, CreateTicketRequest, ErrorBody, ErrorCode, PendingLogins,
    RememberedLoginRequest, ServerEvent, TicketCreated, TicketDetails, TicketPhase, TicketState,
    WaitTicketRequest,
};

use super::accounts::session_of;
use crate::{
    auth::Authed,
    error::{ApiError, ApiResult},
    extract::{self, ClientIp},
    secrets::{hash_token, new_ticket_id, new_token},
    state::AppState,
    store::{NewSession, NewTicket, TicketRow},
    time::now_ms,
    validate,
};

/// How long one wait call holds the connection before answering "no change".
const LONG_POLL: Duration = Duration::from_secs(25);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_ticket))
        .routes(routes!(create_remembered))
        .routes(routes!(wait_ticket))
        .routes(routes!(scan_ticket))
        .routes(routes!(confirm_ticket))
        .routes(routes!(decline_ticket))
        .routes(routes!(waiting_logins))
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn created(state: &AppState, id: String, poll_secret: String, expires_at: i64) -> TicketCreated {
    TicketCreated {
        qr_url: format!("{}/m/l/{id}", state.public_url),
        ticket_id: id,
        poll_secret,
        expires_at,
    }
}

/// A desktop asks for a login QR code.
#[utoipa::path(post, path = "/login-tickets", tag = "login", request_body = CreateTicketRequest,
    responses((status = 200, body = TicketCreated), (status = 400, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn create_ticket(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    extract::Json(req): extract::Json<CreateTicketRequest>,
) -> ApiResult<Json<TicketCreated>> {
    validate::device(&req.device)?;
    state.ticket_limit(&ip).await?;
    let id = new_ticket_id();
    let poll_secret = new_token();
    let now = now_ms();
    let expires_at = now + ms(state.config.pending_ttl());
    state
        .store
        .insert_ticket(NewTicket {
            id: &id,
            poll_hash: &hash_token(&poll_secret),
            phase: TicketPhase::Pending,
            device: &req.device,
            ip: &ip,
            created_at: now,
            expires_at,
            user_id: None,
            remembered_device_id: None,
        })
        .await?;
    Ok(Json(created(&state, id, poll_secret, expires_at)))
}

/// A remembered desktop asks the account's phone to confirm a sign-in with one tap.
#[utoipa::path(post, path = "/login-tickets/remembered", tag = "login", request_body = RememberedLoginRequest,
    responses((status = 200, body = TicketCreated), (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn create_remembered(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    extract::Json(req): extract::Json<RememberedLoginRequest>,
) -> ApiResult<Json<TicketCreated>> {
    validate::device(&req.device)?;
    state.ticket_limit(&ip).await?;
    let Some((user_id, device_id)) = state
        .store
        .remembered_device(&hash_token(&req.remember_token))
        .await?
    else {
        return Err(ApiError::new(
            ErrorCode::DeviceNotRemembered,
            "This computer is no longer remembered. Scan the QR code to log in.",
        ));
    };
    let id = new_ticket_id();
    let poll_secret = new_token();
    let now = now_ms();
    let expires_at = now + ms(state.config.scanned_ttl());
    state
        .store
        .insert_ticket(NewTicket {
            id: &id,
            poll_hash: &hash_token(&poll_secret),
            phase: TicketPhase::Scanned,
            device: &req.device,
            ip: &ip,
            created_at: now,
            expires_at,
            user_id: Some(user_id),
            remembered_device_id: Some(device_id),
        })
        .await?;
    if let Some(row) = state.store.ticket(&id).await? {
        state.hub.send_to_user(
            user_id,
            &ServerEvent::LoginRequest {
                ticket: details(&row),
            },
        );
    }
    Ok(Json(created(&state, id, poll_secret, expires_at)))
}

fn details(t: &TicketRow) -> TicketDetails {
    TicketDetails {
        ticket_id: t.id.clone(),
        device: t.device.clone(),
        ip: t.ip.clone(),
        created_at: t.created_at,
        expires_at: t.expires_at,
        choices: t.choices.clone(),
        remembered: t.remembered_device_id.is_some(),
    }
}

async fn load(state: &AppState, id: &str) -> ApiResult<TicketRow> {
    if id.len() > 64 {
        return Err(ticket_not_found());
    }
    state.store.ticket(id).await?.ok_or_else(ticket_not_found)
}

fn ticket_not_found() -> ApiError {
    ApiError::new(
        ErrorCode::TicketNotFound,
        "This login code is not known. Ask the computer for a new one.",
    )
}

fn refusal(phase: TicketPhase) -> ApiError {
    match phase {
        TicketPhase::Expired => ApiError::new(
            ErrorCode::TicketExpired,
            "This login code has expired. The computer shows a new one.",
        ),
        TicketPhase::Declined => {
            ApiError::new(ErrorCode::TicketDeclined, "This login was declined.")
        }
        _ => ApiError::new(ErrorCode::TicketUsed, "This login code was already used."),
    }
}

/// The desktop waits for its ticket to change (long-poll). Only the poll-secret holder may,
/// and only it ever receives the session, exactly once.
#[utoipa::path(post, path = "/login-tickets/{id}/wait", tag = "login", request_body = WaitTicketRequest,
    params(("id" = String, Path, description = "Ticket id")),
    responses((status = 200, body = TicketState), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 410, body = ErrorBody)))]
async fn wait_ticket(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ClientIp(ip): ClientIp,
    extract::Json(req): extract::Json<WaitTicketRequest>,
) -> ApiResult<Json<TicketState>> {
    let deadline = tokio::time::Instant::now() + LONG_POLL;
    loop {
        // Subscribe before reading, so a change between the read and the wait is not missed.
        let mut changes = state.hub.watch_tickets();
        let ticket = load(&state, &id).await?;
        if hash_token(&req.poll_secret) != ticket.poll_hash {
            return Err(ApiError::new(
                ErrorCode::WrongPollSecret,
                "This is not your login code.",
            ));
        }
        let now = now_ms();
        let phase = ticket.phase_at(now);
        if phase != req.known || phase.is_final() || tokio::time::Instant::now() >= deadline {
            return deliver(&state, ticket, phase, &ip).await.map(Json);
        }
        let until_expiry =
            Duration::from_millis(u64::try_from(ticket.expires_at - now).unwrap_or(0));
        let sleep =
            tokio::time::sleep_until(deadline.min(tokio::time::Instant::now() + until_expiry));
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                _ = &mut sleep => break,
                changed = changes.recv() => match changed {
                    Ok(changed) if changed != id => continue,
                    _ => break,
                },
            }
        }
    }
}

async fn deliver(
    state: &AppState,
    ticket: TicketRow,
    phase: TicketPhase,
    ip: &str,
) -> ApiResult<TicketState> {
    Ok(match phase {
        TicketPhase::Pending => TicketState::Pending {
            expires_at: ticket.expires_at,
        },
        TicketPhase::Scanned => {
            let user = scanner(state, &ticket).await?;
            TicketState::Scanned {
                user,
                code: ticket.code.clone().unwrap_or_default(),
                expires_at: ticket.expires_at,
            }
        }
        TicketPhase::Declined => TicketState::Declined,
        TicketPhase::Expired => TicketState::Expired,
        TicketPhase::Confirmed => {
            if !state.store.claim_delivery(&ticket.id).await? {
                return Err(refusal(TicketPhase::Confirmed));
            }
            let user = scanner(state, &ticket).await?;
            let issued = state
                .store
                .create_session(NewSession {
                    user_id: user.id,
                    device: &ticket.device,
                    ip,
                    access_ttl_ms: state.access_ttl_ms(),
                    device_id: ticket.remembered_device_id,
                    remember: true,
                })
                .await?;
            state
                .hub
                .send_to_user(user.id, &ServerEvent::DevicesChanged);
            TicketState::Confirmed {
                session: session_of(user, issued, state).await?,
            }
        }
    })
}

async fn scanner(state: &AppState, ticket: &TicketRow) -> ApiResult<xin_proto::UserProfile> {
    let user_id = ticket
        .user_id
        .ok_or_else(|| ApiError::Internal("scanned ticket without a user".into()))?;
    state
        .store
        .user(user_id)
        .await?
        .ok_or_else(|| ApiError::Internal("ticket of a missing user".into()))
}

/// The phone scanned the QR: the ticket is now this account's, and the phone learns who asks
/// and the three codes to choose from. Scanning again from the same account shows the same.
#[utoipa::path(post, path = "/login-tickets/{id}/scan", tag = "login", security(("bearer" = [])),
    params(("id" = String, Path, description = "Ticket id")),
    responses((status = 200, body = TicketDetails), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 410, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn scan_ticket(
    State(state): State<AppState>,
    authed: Authed,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> ApiResult<Json<TicketDetails>> {
    state.attempt(format!("user:{}", authed.user_id)).await?;
    state.attempt(format!("ip:{ip}")).await?;
    let ticket = load(&state, &id).await?;
    let now = now_ms();
    match ticket.phase_at(now) {
        TicketPhase::Pending => {
            let (code, choices) = codes();
            let expires_at = now + ms(state.config.scanned_ttl());
            if !state
                .store
                .scan_ticket(&id, authed.user_id, &code, &choices, now, expires_at)
                .await?
            {
                return Err(refusal(TicketPhase::Confirmed));
            }
            state.hub.ticket_changed(&id);
            Ok(Json(details(&load(&state, &id).await?)))
        }
        TicketPhase::Scanned if ticket.user_id == Some(authed.user_id) => {
            Ok(Json(details(&ticket)))
        }
        phase => Err(refusal(phase)),
    }
}

/// The code the desktop will show, and three distinct choices (shuffled) that include it.
fn codes() -> (String, Vec<String>) {
    let mut rng = rand::thread_rng();
    let mut picks: Vec<u8> = Vec::with_capacity(3);
    while picks.len() < 3 {
        let n = rng.gen_range(0..100);
        if !picks.contains(&n) {
            picks.push(n);
        }
    }
    let code = format!("{:02}", picks[0]);
    let mut choices: Vec<String> = picks.iter().map(|n| format!("{n:02}")).collect();
    choices.shuffle(&mut rng);
    (code, choices)
}

async fn scanned_by(state: &AppState, authed: &Authed, ip: &str, id: &str) -> ApiResult<TicketRow> {
    state.attempt(format!("user:{}", authed.user_id)).await?;
    state.attempt(format!("ip:{ip}")).await?;
    let ticket = load(state, id).await?;
    match ticket.phase_at(now_ms()) {
        TicketPhase::Scanned if ticket.user_id == Some(authed.user_id) => Ok(ticket),
        TicketPhase::Scanned | TicketPhase::Pending => Err(ticket_not_found()),
        phase => Err(refusal(phase)),
    }
}

async fn finish(state: &AppState, id: &str, to: TicketPhase) -> ApiResult<()> {
    if !state.store.finish_ticket(id, to, now_ms()).await? {
        let phase = load(state, id).await?.phase_at(now_ms());
        return Err(refusal(phase));
    }
    state.hub.ticket_changed(id);
    Ok(())
}

/// The phone confirms with the code the user tapped. A wrong code declines the ticket, so a
/// relayed QR (QRLjacking) cannot be confirmed by guessing.
#[utoipa::path(post, path = "/login-tickets/{id}/confirm", tag = "login", security(("bearer" = [])),
    params(("id" = String, Path, description = "Ticket id")), request_body = ConfirmTicketRequest,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 410, body = ErrorBody), (status = 429, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn confirm_ticket(
    State(state): State<AppState>,
    authed: Authed,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    extract::Json(req): extract::Json<ConfirmTicketRequest>,
) -> ApiResult<StatusCode> {
    let ticket = scanned_by(&state, &authed, &ip, &id).await?;
    if ticket.remembered_device_id.is_none() && req.code != ticket.code {
        finish(&state, &id, TicketPhase::Declined).await?;
        return Err(ApiError::new(
            ErrorCode::WrongCode,
            "That is not the number on the computer, so this login was declined. If you did not start it, someone may be trying to get into your account.",
        ));
    }
    finish(&state, &id, TicketPhase::Confirmed).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The phone declines the login.
#[utoipa::path(post, path = "/login-tickets/{id}/decline", tag = "login", security(("bearer" = [])),
    params(("id" = String, Path, description = "Ticket id")),
    responses((status = 204), (status = 409, body = ErrorBody), (status = 410, body = ErrorBody), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn decline_ticket(
    State(state): State<AppState>,
    authed: Authed,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    scanned_by(&state, &authed, &ip, &id).await?;
    finish(&state, &id, TicketPhase::Declined).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remembered computers waiting for this account's one-tap confirmation.
#[utoipa::path(get, path = "/login-tickets/waiting", tag = "login", security(("bearer" = [])),
    responses((status = 200, body = PendingLogins), (status = 401, body = ErrorBody)))]
async fn waiting_logins(
    State(state): State<AppState>,
    authed: Authed,
) -> ApiResult<Json<PendingLogins>> {
    let tickets = state
        .store
        .waiting_tickets(authed.user_id, now_ms())
        .await?;
    Ok(Json(PendingLogins {
        tickets: tickets.iter().map(details).collect(),
    }))
}
