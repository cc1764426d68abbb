//! Password hashes and the authenticated-device extractor ([`Authed`] from a bearer token).

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use axum::{
    extract::FromRequestParts,
    http::{request::Parts, HeaderMap},
};
use xin_proto::ErrorCode;

pub use crate::store::Authed;
use crate::{
    error::{ApiError, ApiResult},
    secrets::hash_token,
    state::AppState,
    store::SessionCheck,
};

/// Argon2id takes 19 MiB and tens of milliseconds per hash: at most one hash per core at a
/// time, so a burst of sign-ups queues instead of taking the server's memory.
static HASHING: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
});

async fn hashing<T: Send + 'static>(
    f: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    let _permit = HASHING
        .acquire()
        .await
        .map_err(|e| ApiError::Internal(format!("hashing: {e}")))?;
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(format!("join: {e}")))?
}

pub async fn hash_password(password: String) -> ApiResult<String> {
    hashing(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ApiError::Internal(format!("argon2: {e}")))
    })
    .await
}

pub async fn verify_password(password: String, hash: String) -> ApiResult<bool> {
    hashing(move || {
        let parsed =
            PasswordHash::new(&hash).map_err(|e| ApiError::Internal(format!("argon2: {e}")))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(token) = bearer(&parts.headers) else {
            return Err(signed_out());
        };
        authenticate(state, token).await
    }
}

/// The access token in the `Authorization` header. Only there: an address is logged, cached
/// and shared, so a token in one would leak (the realtime socket, which browsers cannot give a
/// header, and files loaded by address have their own ways in).
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

pub fn signed_out() -> ApiError {
    ApiError::new(
        ErrorCode::Unauthorized,
        "Sign in first: this needs an access token.",
    )
}

pub async fn authenticate(state: &AppState, token: &str) -> ApiResult<Authed> {
    match state.store.check_access(&hash_token(token)).await? {
        SessionCheck::Valid(a) => Ok(a),
        SessionCheck::Unknown => Err(ApiError::new(
            ErrorCode::Unauthorized,
            "This access token is not known. Sign in again.",
        )),
        SessionCheck::Expired => Err(ApiError::new(
            ErrorCode::TokenExpired,
            "The access token has expired. Refresh it.",
        )),
        SessionCheck::Revoked => Err(ApiError::new(
            ErrorCode::SessionRevoked,
            "This device was signed out.",
        )),
    }
}
