use axum::{extract::State, http::StatusCode, Json};
use rand::Rng;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;
use xin_proto::{
    ErrorBody, ErrorCode, RefreshRequest, RegisterRequest, Session, SignInRequest, UserProfile,
};

use crate::{
    auth::{hash_password, verify_password, Authed},
    error::{ApiError, ApiResult},
    extract::{self, ClientIp},
    secrets::hash_token,
    state::AppState,
    store::{CreateUserError, IssuedSession, NewSession, NewUser, RefreshOutcome},
    time::now_ms,
    validate,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(sign_in))
        .routes(routes!(refresh))
        .routes(routes!(sign_out))
        .routes(routes!(me))
}

/// Builds the wire session from freshly issued tokens.
pub async fn session_of(
    user: UserProfile,
    issued: IssuedSession,
    state: &AppState,
) -> ApiResult<Session> {
    Ok(Session {
        user,
        device_id: issued.device_id,
        access_token: issued.access_token,
        access_expires_in: u32::try_from(state.config.access_ttl_secs).unwrap_or(u32::MAX),
        refresh_token: issued.refresh_token,
        remember_token: issued.remember_token,
        media_key: Some(state.media_keys().await?.media_key(issued.session_id)),
    })
}

/// Create an account and sign this device in.
#[utoipa::path(post, path = "/accounts", tag = "accounts", request_body = RegisterRequest,
    responses((status = 201, body = Session), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn register(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    extract::Json(req): extract::Json<RegisterRequest>,
) -> ApiResult<(StatusCode, Json<Session>)> {
    validate::handle(&req.handle)?;
    let phone = validate::phone(&req.phone)?;
    validate::text("display_name", &req.display_name, 32)?;
    validate::password(&req.password)?;
    validate::device(&req.device)?;
    state.attempt(format!("ip:{ip}")).await?;
    state.limits.signup(&ip)?;

    let profile = UserProfile {
        id: Uuid::now_v7(),
        handle: req.handle.clone(),
        display_name: req.display_name.trim().to_string(),
        avatar_hue: rand::thread_rng().gen_range(0..360),
    };
    let password_hash = hash_password(req.password).await?;
    state
        .store
        .create_user(NewUser {
            id: profile.id,
            handle: profile.handle.clone(),
            phone,
            display_name: profile.display_name.clone(),
            password_hash,
            avatar_hue: profile.avatar_hue,
            created_at: now_ms(),
        })
        .await
        .map_err(|e| match e {
            CreateUserError::HandleTaken => {
                ApiError::new(ErrorCode::HandleTaken, "That handle is already taken.")
            }
            CreateUserError::PhoneTaken => ApiError::new(
                ErrorCode::PhoneTaken,
                "That phone number already has an account.",
            ),
            CreateUserError::Store(e) => e,
        })?;
    let issued = state
        .store
        .create_session(NewSession {
            user_id: profile.id,
            device: &req.device,
            ip: &ip,
            access_ttl_ms: state.access_ttl_ms(),
            device_id: None,
            remember: false,
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(session_of(profile, issued, &state).await?),
    ))
}

/// Sign in with handle (or phone number) and password.
#[utoipa::path(post, path = "/sessions", tag = "accounts", request_body = SignInRequest,
    responses((status = 200, body = Session), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn sign_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    extract::Json(req): extract::Json<SignInRequest>,
) -> ApiResult<Json<Session>> {
    validate::text("login", &req.login, 64)?;
    validate::device(&req.device)?;
    if req.password.is_empty() || req.password.len() > 512 {
        return Err(ApiError::invalid("password: 1–512 characters"));
    }
    let login = req.login.trim();
    state.attempt(format!("ip:{ip}")).await?;
    state
        .attempt(format!("login:{}", login.to_lowercase()))
        .await?;
    let phone = validate::phone(login).unwrap_or_default();
    let user = state
        .store
        .user_by_login(&login.to_lowercase(), &phone)
        .await?;
    let wrong = || {
        ApiError::new(
            ErrorCode::InvalidCredentials,
            "The handle or phone number and password do not match.",
        )
    };
    let Some(user) = user else {
        // Same work as a real check, so timing does not tell which accounts exist.
        let _ = hash_password(req.password).await;
        return Err(wrong());
    };
    if !verify_password(req.password, user.password_hash).await? {
        return Err(wrong());
    }
    let issued = state
        .store
        .create_session(NewSession {
            user_id: user.profile.id,
            device: &req.device,
            ip: &ip,
            access_ttl_ms: state.access_ttl_ms(),
            device_id: None,
            remember: false,
        })
        .await?;
    state
        .hub
        .send_to_user(user.profile.id, &xin_proto::ServerEvent::DevicesChanged);
    Ok(Json(session_of(user.profile, issued, &state).await?))
}

/// Trade a refresh token for a new access token and a new refresh token.
#[utoipa::path(post, path = "/sessions/refresh", tag = "accounts", request_body = RefreshRequest,
    responses((status = 200, body = Session), (status = 401, body = ErrorBody)))]
async fn refresh(
    State(state): State<AppState>,
    extract::Json(req): extract::Json<RefreshRequest>,
) -> ApiResult<Json<Session>> {
    if req.refresh_token.is_empty() || req.refresh_token.len() > 128 {
        return Err(ApiError::invalid("refresh_token: 1–128 characters"));
    }
    match state
        .store
        .refresh(
            &hash_token(&req.refresh_token),
            state.access_ttl_ms(),
            i64::try_from(state.config.session_max_days.saturating_mul(86_400_000))
                .unwrap_or(i64::MAX),
        )
        .await?
    {
        RefreshOutcome::Rotated { user_id, session } => {
            let user = state
                .store
                .user(user_id)
                .await?
                .ok_or_else(|| ApiError::Internal("session of a missing user".into()))?;
            Ok(Json(session_of(user, session, &state).await?))
        }
        RefreshOutcome::Unknown => Err(ApiError::new(
            ErrorCode::Unauthorized,
            "This refresh token is not known. Sign in again.",
        )),
        RefreshOutcome::Revoked => Err(ApiError::new(
            ErrorCode::SessionRevoked,
            "This device was signed out.",
        )),
        RefreshOutcome::Reused => Err(ApiError::new(
            ErrorCode::SessionRevoked,
            "This refresh token was already used, so the session was ended to keep the account safe.",
        )),
        RefreshOutcome::Lapsed { device_id } => {
            let why = format!(
                "You signed in on this device more than {} days ago. Sign in again to keep your account safe.",
                state.config.session_max_days
            );
            // The device's open sockets learn it now, not at their next reconnect.
            state.hub.sign_out_device(device_id, &why, true);
            crate::calls::device_gone(&state, device_id).await;
            Err(ApiError::new(ErrorCode::SessionExpired, why))
        }
    }
}

/// Sign this device out. A remembered desktop stays remembered.
#[utoipa::path(delete, path = "/sessions/current", tag = "accounts", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
async fn sign_out(State(state): State<AppState>, authed: Authed) -> ApiResult<StatusCode> {
    state.store.revoke_session(authed.session_id).await?;
    state
        .hub
        .sign_out_device(authed.device_id, "You signed out.", false);
    crate::calls::device_gone(&state, authed.device_id).await;
    state
        .hub
        .send_to_user(authed.user_id, &xin_proto::ServerEvent::DevicesChanged);
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in account.
#[utoipa::path(get, path = "/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = UserProfile), (status = 401, body = ErrorBody)))]
async fn me(State(state): State<AppState>, authed: Authed) -> ApiResult<Json<UserProfile>> {
    state
        .store
        .user(authed.user_id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::Internal("session of a missing user".into()))
}
