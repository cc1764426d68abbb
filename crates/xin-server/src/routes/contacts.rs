use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;
use xin_proto::{
    AnswerFriendRequest, ContactList, ErrorBody, ErrorCode, FriendRequest, SendFriendRequest,
    SetRemark, UserSearch,
};

use crate::{
    auth::Authed,
    error::{ApiError, ApiResult},
    extract::{self, ClientIp, Query},
    state::AppState,
    validate,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search_users))
        .routes(routes!(list_contacts))
        .routes(routes!(send_request))
        .routes(routes!(answer_request))
        .routes(routes!(set_remark))
        .routes(routes!(delete_contact))
        .routes(routes!(block, unblock))
}

/// Parses a path id, answering `not_found_code` for anything that is not one.
pub fn path_id(raw: &str, code: ErrorCode) -> ApiResult<Uuid> {
    Uuid::parse_str(raw).map_err(|_| ApiError::new(code, "No such id."))
}

#[derive(Deserialize, IntoParams)]
struct SearchQuery {
    /// A handle or a phone number (exact).
    q: String,
}

/// Find people by handle or phone number.
#[utoipa::path(get, path = "/users/search", tag = "contacts", security(("bearer" = [])), params(SearchQuery),
    responses((status = 200, body = UserSearch), (status = 400, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn search_users(
    State(state): State<AppState>,
    authed: Authed,
    ClientIp(ip): ClientIp,
    Query(q): Query<SearchQuery>,
) -> ApiResult<Json<UserSearch>> {
    let q = q.q.trim();
    validate::text("q", q, 64)?;
    state.limits.lookup(&authed.user_id.to_string(), &ip)?;
    let phone = validate::phone(q).unwrap_or_default();
    let users = state.store.search_users(&q.to_lowercase(), &phone).await?;
    Ok(Json(UserSearch { users }))
}

/// My friends and recent friend requests.
#[utoipa::path(get, path = "/contacts", tag = "contacts", security(("bearer" = [])),
    responses((status = 200, body = ContactList)))]
async fn list_contacts(
    State(state): State<AppState>,
    authed: Authed,
) -> ApiResult<Json<ContactList>> {
    Ok(Json(state.store.contacts(authed.user_id).await?))
}

/// Ask someone to be friends, with a greeting.
#[utoipa::path(post, path = "/friend-requests", tag = "contacts", security(("bearer" = [])), request_body = SendFriendRequest,
    responses((status = 200, body = FriendRequest), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn send_request(
    State(state): State<AppState>,
    authed: Authed,
    extract::Json(req): extract::Json<SendFriendRequest>,
) -> ApiResult<Json<FriendRequest>> {
    if req.greeting.chars().count() > 100 || req.greeting.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "greeting: at most 100 characters, no control characters",
        ));
    }
    state.attempt(format!("user:{}", authed.user_id)).await?;
    let request = state
        .store
        .send_friend_request(authed.user_id, req.to, req.greeting.trim().to_string())
        .await?;
    Ok(Json(request))
}

/// Accept or decline a friend request addressed to me.
#[utoipa::path(post, path = "/friend-requests/{id}/answer", tag = "contacts", security(("bearer" = [])), request_body = AnswerFriendRequest,
    params(("id" = String, Path, description = "Request id")),
    responses((status = 200, body = FriendRequest), (status = 404, body = ErrorBody)))]
async fn answer_request(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    extract::Json(req): extract::Json<AnswerFriendRequest>,
) -> ApiResult<Json<FriendRequest>> {
    let id = path_id(&id, ErrorCode::RequestNotFound)?;
    let request = state
        .store
        .answer_friend_request(authed.user_id, id, req.accept)
        .await?;
    Ok(Json(request))
}

/// Give a friend a remark name (empty clears it).
#[utoipa::path(put, path = "/contacts/{id}/remark", tag = "contacts", security(("bearer" = [])), request_body = SetRemark,
    params(("id" = String, Path, description = "Friend's user id")),
    responses((status = 204), (status = 403, body = ErrorBody)))]
async fn set_remark(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    extract::Json(req): extract::Json<SetRemark>,
) -> ApiResult<StatusCode> {
    let friend = path_id(&id, ErrorCode::NotFriends)?;
    let remark = req.remark.trim();
    let remark = if remark.is_empty() {
        None
    } else {
        validate::text("remark", remark, 32)?;
        Some(remark.to_string())
    };
    state
        .store
        .set_remark(authed.user_id, friend, remark)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a friend from my contacts.
#[utoipa::path(delete, path = "/contacts/{id}", tag = "contacts", security(("bearer" = [])),
    params(("id" = String, Path, description = "Friend's user id")),
    responses((status = 204), (status = 403, body = ErrorBody)))]
async fn delete_contact(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let friend = path_id(&id, ErrorCode::NotFriends)?;
    state.store.delete_contact(authed.user_id, friend).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Block someone: they can no longer message me or send me requests.
#[utoipa::path(put, path = "/blocks/{id}", tag = "contacts", security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn block(state: State<AppState>, authed: Authed, id: Path<String>) -> ApiResult<StatusCode> {
    set_blocked(state, authed, id, true).await
}

/// Unblock someone.
#[utoipa::path(delete, path = "/blocks/{id}", tag = "contacts", security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn unblock(
    state: State<AppState>,
    authed: Authed,
    id: Path<String>,
) -> ApiResult<StatusCode> {
    set_blocked(state, authed, id, false).await
}

async fn set_blocked(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    blocked: bool,
) -> ApiResult<StatusCode> {
    let target = path_id(&id, ErrorCode::UserNotFound)?;
    state
        .store
        .set_blocked(authed.user_id, target, blocked)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
