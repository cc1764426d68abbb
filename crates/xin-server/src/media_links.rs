//! Signed links (`xin_proto::media_link`) to files and to the realtime socket: each session's
//! key, and which signed-in device a link comes from.

use axum::http::HeaderMap;
use xin_proto::{media_link::MediaLink, ErrorCode};

use crate::{
    auth::{authenticate, bearer, signed_out, Authed},
    error::{ApiError, ApiResult},
    state::AppState,
    time::now_ms,
};

/// Who asks for `resource` (a file's hash, or `REALTIME`): the access token in the header, or
/// else a `link` signed for it that expires within `lifetime` seconds.
pub async fn bearer_or_link(
    state: &AppState,
    headers: &HeaderMap,
    link: Option<&str>,
    resource: &str,
    lifetime: i64,
) -> ApiResult<Authed> {
    match (bearer(headers), link) {
        (Some(token), _) => authenticate(state, token).await,
        (None, Some(link)) => holder_of(state, link, resource, lifetime).await,
        (None, None) => Err(signed_out()),
    }
}

/// The signed-in device a link to `resource` (a file's hash, or `REALTIME`) comes from: its
/// signature, its time (at most `lifetime` seconds ahead) and its session must all hold.
async fn holder_of(
    state: &AppState,
    link: &str,
    resource: &str,
    lifetime: i64,
) -> ApiResult<Authed> {
    let refused = || ApiError::new(ErrorCode::Unauthorized, "This link is not valid.");
    let link = MediaLink::parse(link).ok_or_else(refused)?;
    let now = now_ms() / 1000;
    if link.expires < now || link.expires > now + lifetime {
        return Err(ApiError::new(
            ErrorCode::LinkExpired,
            "This link has expired. Open it again from its chat.",
        ));
    }
    let keys = state.media_keys().await?;
    if !link.is_signed_for(&keys.key_for(link.session), resource) {
        return Err(refused());
    }
    state
        .store
        .signed_in(link.session)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::SessionRevoked, "This device was signed out."))
}
