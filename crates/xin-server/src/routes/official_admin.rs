//! An official account's owner edits its profile and sees and tags its followers.

use axum::{
    extract::{Path, State},
    Json,
};
use utoipa_axum::{router::OpenApiRouter, routes};
use xin_proto::{
    is_blob_hash, ErrorBody, ErrorCode, FollowerList, FollowerQuery, FollowerTags, OfficialAccount,
    UpdateOfficialAccount, MAX_ACCOUNT_INTRO, MAX_ACCOUNT_NAME,
};

use super::{
    contacts::path_id,
    official::{account_id, line},
};
use crate::{
    auth::Authed,
    error::{ApiError, ApiResult},
    extract::{self, Query},
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(update_account))
        .routes(routes!(followers))
        .routes(routes!(tag_follower))
}

/// Change the account's name, introduction and picture (owner).
#[utoipa::path(put, path = "/official-accounts/{id}", tag = "official", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = UpdateOfficialAccount,
    responses((status = 200, body = OfficialAccount), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn update_account(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    extract::Json(mut update): extract::Json<UpdateOfficialAccount>,
) -> ApiResult<Json<OfficialAccount>> {
    update.name = line(&update.name, MAX_ACCOUNT_NAME, "name", true)?;
    update.intro = line(&update.intro, MAX_ACCOUNT_INTRO, "intro", false)?;
    if update.avatar.as_deref().is_some_and(|h| !is_blob_hash(h)) {
        return Err(ApiError::invalid("avatar: a blob hash (64 hex digits)"));
    }
    Ok(Json(
        state
            .store
            .update_official_account(authed.user_id, account_id(&id)?, update)
            .await?,
    ))
}

/// The account's followers, newest first, with their tags (owner).
#[utoipa::path(get, path = "/official-accounts/{id}/followers", tag = "official", security(("bearer" = [])),
    params(("id" = String, Path), FollowerQuery),
    responses((status = 200, body = FollowerList), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn followers(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    Query(q): Query<FollowerQuery>,
) -> ApiResult<Json<FollowerList>> {
    Ok(Json(
        state
            .store
            .official_followers(authed.user_id, account_id(&id)?, q.before)
            .await?,
    ))
}

/// The account's tags for one follower (owner), used to target broadcasts.
#[utoipa::path(put, path = "/official-accounts/{id}/followers/{user}/tags", tag = "official", security(("bearer" = [])),
    params(("id" = String, Path), ("user" = String, Path)), request_body = FollowerTags,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn tag_follower(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, user)): Path<(String, String)>,
    extract::Json(t): extract::Json<FollowerTags>,
) -> ApiResult<axum::http::StatusCode> {
    if t.tags.len() > 20 {
        return Err(ApiError::invalid("tags: at most 20"));
    }
    let tags = t
        .tags
        .iter()
        .map(|x| line(x, 20, "tags", true))
        .collect::<ApiResult<Vec<_>>>()?;
    let user = path_id(&user, ErrorCode::UserNotFound)?;
    state
        .store
        .set_follower_tags(authed.user_id, account_id(&id)?, user, tags)
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
