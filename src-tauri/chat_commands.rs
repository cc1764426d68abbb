//! Commands for chats and contacts: parse ids, forward to the engine, map errors.

use tauri::State;
use uuid::Uuid;
use xin_core::{
    error::UiError,
    views::{ChatMessage, ChatSummary, ContactsView, FriendCard},
    Engine,
};
use xin_proto::{Conversation, ErrorCode, FriendRequest, Role, UserProfile};

type Result<T> = std::result::Result<T, UiError>;

/// Parses an id the UI passed in.
pub(crate) fn id(raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw)
        .map_err(|_| UiError::server(ErrorCode::InvalidRequest, "That is not a valid id."))
}

fn ids(raw: &[String]) -> Result<Vec<Uuid>> {
    raw.iter().map(|r| id(r)).collect()
}

#[tauri::command]
pub async fn chats(engine: State<'_, Engine>) -> Result<Vec<ChatSummary>> {
    Ok(engine.chats().await?)
}

#[tauri::command]
pub async fn messages(
    engine: State<'_, Engine>,
    conversation: String,
    before_seq: Option<i64>,
) -> Result<Vec<ChatMessage>> {
    Ok(engine.messages(id(&conversation)?, before_seq).await?)
}

#[tauri::command]
pub async fn send_text(
    engine: State<'_, Engine>,
    conversation: String,
    text: String,
    reply_to: Option<String>,
    mentions: Vec<String>,
    mention_all: bool,
) -> Result<ChatMessage> {
    let reply_to = reply_to.as_deref().map(id).transpose()?;
    Ok(engine
        .send_text(
            id(&conversation)?,
            text,
            reply_to,
            ids(&mentions)?,
            mention_all,
        )
        .await?)
}

#[tauri::command]
pub async fn retry_send(
    engine: State<'_, Engine>,
    conversation: String,
    client_id: String,
) -> Result<()> {
    Ok(engine
        .retry_send(id(&conversation)?, id(&client_id)?)
        .await?)
}

#[tauri::command]
pub async fn recall(
    engine: State<'_, Engine>,
    conversation: String,
    message: String,
) -> Result<()> {
    Ok(engine.recall(id(&conversation)?, id(&message)?).await?)
}

#[tauri::command]
pub async fn delete_for_me(
    engine: State<'_, Engine>,
    conversation: String,
    message: String,
) -> Result<()> {
    Ok(engine
        .delete_for_me(id(&conversation)?, id(&message)?)
        .await?)
}

#[tauri::command]
pub async fn mark_read(engine: State<'_, Engine>, conversation: String) -> Result<()> {
    Ok(engine.mark_read(id(&conversation)?).await?)
}

#[tauri::command]
pub async fn set_draft(
    engine: State<'_, Engine>,
    conversation: String,
    draft: String,
) -> Result<()> {
    Ok(engine.set_draft(id(&conversation)?, draft).await?)
}

#[tauri::command]
pub async fn set_chat_settings(
    engine: State<'_, Engine>,
    conversation: String,
    pinned: bool,
    muted: bool,
) -> Result<()> {
    Ok(engine
        .set_chat_settings(id(&conversation)?, pinned, muted)
        .await?)
}

#[tauri::command]
pub async fn open_direct(engine: State<'_, Engine>, user: String) -> Result<Conversation> {
    Ok(engine.open_direct(id(&user)?).await?)
}

#[tauri::command]
pub async fn open_file_transfer(engine: State<'_, Engine>) -> Result<Conversation> {
    Ok(engine.open_file_transfer().await?)
}

#[tauri::command]
pub async fn create_group(
    engine: State<'_, Engine>,
    title: String,
    members: Vec<String>,
) -> Result<Conversation> {
    Ok(engine.create_group(title, ids(&members)?).await?)
}

#[tauri::command]
pub async fn leave_group(engine: State<'_, Engine>, conversation: String) -> Result<()> {
    let me = engine.me().await?.id;
    Ok(engine.remove_member(id(&conversation)?, me).await?)
}

#[tauri::command]
pub async fn contacts(engine: State<'_, Engine>) -> Result<ContactsView> {
    Ok(engine.contacts().await?)
}

#[tauri::command]
pub async fn search_users(engine: State<'_, Engine>, query: String) -> Result<Vec<UserProfile>> {
    Ok(engine.search_users(query).await?)
}

#[tauri::command]
pub async fn send_friend_request(
    engine: State<'_, Engine>,
    to: String,
    greeting: String,
) -> Result<FriendRequest> {
    Ok(engine.send_friend_request(id(&to)?, greeting).await?)
}

#[tauri::command]
pub async fn answer_friend_request(
    engine: State<'_, Engine>,
    request: String,
    accept: bool,
) -> Result<FriendRequest> {
    Ok(engine.answer_friend_request(id(&request)?, accept).await?)
}

#[tauri::command]
pub async fn set_remark(engine: State<'_, Engine>, friend: String, remark: String) -> Result<()> {
    Ok(engine.set_remark(id(&friend)?, remark).await?)
}

#[tauri::command]
pub async fn delete_contact(engine: State<'_, Engine>, friend: String) -> Result<()> {
    Ok(engine.delete_contact(id(&friend)?).await?)
}

#[tauri::command]
pub async fn set_blocked(engine: State<'_, Engine>, user: String, blocked: bool) -> Result<()> {
    Ok(engine.set_blocked(id(&user)?, blocked).await?)
}

#[tauri::command]
pub async fn my_card(engine: State<'_, Engine>) -> Result<FriendCard> {
    Ok(engine.my_card().await?)
}

/// Saves the card to the Downloads folder and returns where.
#[tauri::command]
pub async fn save_my_card(engine: State<'_, Engine>) -> Result<String> {
    let me = engine.me().await?;
    let dir = dirs::download_dir()
        .or_else(dirs::home_dir)
        .unwrap_or_else(std::env::temp_dir);
    let path = dir.join(format!("xin-{}-qr.png", me.handle));
    engine.save_card_png(&path).await?;
    Ok(path.display().to_string())
}

#[tauri::command]
pub async fn update_group(
    engine: State<'_, Engine>,
    conversation: String,
    title: Option<String>,
    announcement: Option<String>,
) -> Result<()> {
    Ok(engine
        .update_group(id(&conversation)?, title, announcement)
        .await?)
}

#[tauri::command]
pub async fn add_members(
    engine: State<'_, Engine>,
    conversation: String,
    users: Vec<String>,
) -> Result<()> {
    Ok(engine.add_members(id(&conversation)?, ids(&users)?).await?)
}

#[tauri::command]
pub async fn remove_member(
    engine: State<'_, Engine>,
    conversation: String,
    user: String,
) -> Result<()> {
    Ok(engine.remove_member(id(&conversation)?, id(&user)?).await?)
}

#[tauri::command]
pub async fn set_role(
    engine: State<'_, Engine>,
    conversation: String,
    user: String,
    role: Role,
) -> Result<()> {
    Ok(engine
        .set_role(id(&conversation)?, id(&user)?, role)
        .await?)
}

/// Contacts, chats and messages matching `q`, from the local cache.
#[tauri::command]
pub async fn search(
    engine: State<'_, Engine>,
    q: String,
) -> Result<xin_core::search::SearchResults> {
    Ok(engine.search(q).await?)
}

/// Forwards messages of chat `from` to the chats in `to`, one by one or merged into one card.
#[tauri::command]
pub async fn forward(
    engine: State<'_, Engine>,
    from: String,
    messages: Vec<String>,
    to: Vec<String>,
    merged: bool,
) -> Result<()> {
    Ok(engine
        .forward(id(&from)?, ids(&messages)?, ids(&to)?, merged)
        .await?)
}

/// Deletes several messages from this computer's view of a chat.
#[tauri::command]
pub async fn delete_messages(
    engine: State<'_, Engine>,
    conversation: String,
    messages: Vec<String>,
) -> Result<()> {
    Ok(engine
        .delete_many_for_me(id(&conversation)?, ids(&messages)?)
        .await?)
}
