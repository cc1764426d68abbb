use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use xin_proto::{
    AddMembers, Content, Conversation, ConversationList, CreateGroup, ErrorBody, ErrorCode,
    MarkRead, MemberSettings, Message, MessagePage, OpenDirect, SendMessage, SetRole,
    UpdateConversation,
};

use super::contacts::path_id;
use crate::{
    auth::Authed,
    error::{ApiError, ApiResult},
    extract::{self, Query},
    state::AppState,
    validate,
};

/// Longest text message, in characters.
const MAX_TEXT: usize = 5000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create_group))
        .routes(routes!(open_direct))
        .routes(routes!(open_self_note))
        .routes(routes!(update))
        .routes(routes!(settings))
        .routes(routes!(add_members))
        .routes(routes!(remove_member))
        .routes(routes!(set_role))
        .routes(routes!(send, history))
        .routes(routes!(recall))
        .routes(routes!(hide))
        .routes(routes!(mark_read))
}

fn conv_id(raw: &str) -> ApiResult<uuid::Uuid> {
    path_id(raw, ErrorCode::ConversationNotFound)
}

/// My conversations.
#[utoipa::path(get, path = "/conversations", tag = "chats", security(("bearer" = [])),
    responses((status = 200, body = ConversationList)))]
async fn list(State(state): State<AppState>, authed: Authed) -> ApiResult<Json<ConversationList>> {
    Ok(Json(ConversationList {
        conversations: state.store.conversations(authed.user_id).await?,
    }))
}

/// Create a group with some of my friends.
#[utoipa::path(post, path = "/conversations", tag = "chats", security(("bearer" = [])), request_body = CreateGroup,
    responses((status = 200, body = Conversation), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn create_group(
    State(state): State<AppState>,
    authed: Authed,
    extract::Json(req): extract::Json<CreateGroup>,
) -> ApiResult<Json<Conversation>> {
    validate::text("title", &req.title, 40)?;
    if req.members.is_empty() {
        return Err(ApiError::invalid("members: at least one friend"));
    }
    let c = state
        .store
        .create_group(authed.user_id, req.title.trim().to_string(), req.members)
        .await?;
    Ok(Json(c))
}

/// The direct chat with a friend (created on first use).
#[utoipa::path(post, path = "/conversations/direct", tag = "chats", security(("bearer" = [])), request_body = OpenDirect,
    responses((status = 200, body = Conversation), (status = 403, body = ErrorBody)))]
async fn open_direct(
    State(state): State<AppState>,
    authed: Authed,
    extract::Json(req): extract::Json<OpenDirect>,
) -> ApiResult<Json<Conversation>> {
    let c = state.store.open_direct(authed.user_id, req.with).await?;
    Ok(Json(c))
}

/// "File Transfer": the chat between my own devices.
#[utoipa::path(post, path = "/conversations/self", tag = "chats", security(("bearer" = [])),
    responses((status = 200, body = Conversation)))]
async fn open_self_note(
    State(state): State<AppState>,
    authed: Authed,
) -> ApiResult<Json<Conversation>> {
    let c = state.store.self_note(authed.user_id).await?;
    Ok(Json(c))
}

/// Rename a group or set its announcement (owner and admins).
#[utoipa::path(patch, path = "/conversations/{id}", tag = "chats", security(("bearer" = [])), request_body = UpdateConversation,
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn update(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    extract::Json(req): extract::Json<UpdateConversation>,
) -> ApiResult<StatusCode> {
    let id = conv_id(&id)?;
    if let Some(t) = &req.title {
        validate::text("title", t, 40)?;
    }
    if req
        .announcement
        .as_ref()
        .is_some_and(|a| a.chars().count() > 2000)
    {
        return Err(ApiError::invalid("announcement: at most 2000 characters"));
    }
    state
        .store
        .update_conversation(
            authed.user_id,
            id,
            req.title.map(|t| t.trim().to_string()),
            req.announcement,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// My own pin and mute for a conversation (synced to my other devices).
#[utoipa::path(put, path = "/conversations/{id}/settings", tag = "chats", security(("bearer" = [])), request_body = MemberSettings,
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn settings(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    extract::Json(req): extract::Json<MemberSettings>,
) -> ApiResult<StatusCode> {
    state
        .store
        .member_settings(authed.user_id, conv_id(&id)?, req.pinned, req.muted)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add friends to a group (owner and admins).
#[utoipa::path(post, path = "/conversations/{id}/members", tag = "chats", security(("bearer" = [])), request_body = AddMembers,
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn add_members(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    extract::Json(req): extract::Json<AddMembers>,
) -> ApiResult<StatusCode> {
    if req.users.is_empty() {
        return Err(ApiError::invalid("users: at least one"));
    }
    state
        .store
        .add_members(authed.user_id, conv_id(&id)?, req.users)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a member (owner and admins), or leave when it is me.
#[utoipa::path(delete, path = "/conversations/{id}/members/{user}", tag = "chats", security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id"), ("user" = String, Path, description = "User id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn remove_member(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, user)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let target = path_id(&user, ErrorCode::UserNotFound)?;
    state
        .store
        .remove_member(authed.user_id, conv_id(&id)?, target)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Hand over ownership, or make someone an admin (owner only).
#[utoipa::path(put, path = "/conversations/{id}/members/{user}/role", tag = "chats", security(("bearer" = [])), request_body = SetRole,
    params(("id" = String, Path, description = "Conversation id"), ("user" = String, Path, description = "User id")),
    responses((status = 204), (status = 403, body = ErrorBody)))]
async fn set_role(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, user)): Path<(String, String)>,
    extract::Json(req): extract::Json<SetRole>,
) -> ApiResult<StatusCode> {
    let target = path_id(&user, ErrorCode::UserNotFound)?;
    state
        .store
        .set_role(authed.user_id, conv_id(&id)?, target, req.role)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Send a message. Retrying with the same `client_id` returns the first result.
#[utoipa::path(post, path = "/conversations/{id}/messages", tag = "chats", security(("bearer" = [])), request_body = SendMessage,
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, body = Message), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn send(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    extract::Json(req): extract::Json<SendMessage>,
) -> ApiResult<Json<Message>> {
    if let Content::Text { text, mentions, .. } = &req.content {
        let n = text.chars().count();
        if text.trim().is_empty() || n > MAX_TEXT {
            return Err(ApiError::invalid(format!("text: 1–{MAX_TEXT} characters")));
        }
        if mentions.len() > 500 {
            return Err(ApiError::invalid("mentions: at most 500"));
        }
    }
    let message = state
        .store
        .send_message(authed.user_id, authed.device_id, conv_id(&id)?, req)
        .await?;
    Ok(Json(message))
}

#[derive(Deserialize, IntoParams)]
struct HistoryQuery {
    /// Messages with a smaller seq (default: the newest).
    before: Option<i64>,
    /// At most this many (1–500, default 50).
    limit: Option<i64>,
}

/// History, newest first: page back with `before`.
#[utoipa::path(get, path = "/conversations/{id}/messages", tag = "chats", security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id"), HistoryQuery),
    responses((status = 200, body = MessagePage), (status = 404, body = ErrorBody), (status = 400, body = ErrorBody)))]
async fn history(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    Query(q): Query<HistoryQuery>,
) -> ApiResult<Json<MessagePage>> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::invalid("limit: 1–500"));
    }
    let messages = state
        .store
        .history(
            authed.user_id,
            conv_id(&id)?,
            q.before.unwrap_or(i64::MAX),
            limit,
        )
        .await?;
    Ok(Json(MessagePage { messages }))
}

/// Recall my message within 2 minutes; everyone sees "<name> recalled a message".
#[utoipa::path(post, path = "/conversations/{id}/messages/{message}/recall", tag = "chats", security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id"), ("message" = String, Path, description = "Message id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 410, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn recall(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, message)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let message = path_id(&message, ErrorCode::MessageNotFound)?;
    state
        .store
        .recall(authed.user_id, conv_id(&id)?, message)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Delete a message for me only (on all my devices).
#[utoipa::path(post, path = "/conversations/{id}/messages/{message}/hide", tag = "chats", security(("bearer" = [])),
    params(("id" = String, Path, description = "Conversation id"), ("message" = String, Path, description = "Message id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn hide(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, message)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let message = path_id(&message, ErrorCode::MessageNotFound)?;
    state
        .store
        .hide_message(authed.user_id, conv_id(&id)?, message)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Move my read marker forward (it never moves back).
#[utoipa::path(post, path = "/conversations/{id}/read", tag = "chats", security(("bearer" = [])), request_body = MarkRead,
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn mark_read(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    extract::Json(req): extract::Json<MarkRead>,
) -> ApiResult<StatusCode> {
    if req.seq < 0 {
        return Err(ApiError::invalid("seq: a message's seq, 0 or more"));
    }
    state
        .store
        .mark_read(authed.user_id, conv_id(&id)?, req.seq)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
