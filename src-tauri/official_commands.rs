//! Commands for official accounts: thin calls into the engine.

use tauri::State;
use xin_core::{error::UiError, official_cache::OfficialUnread, Engine};
use xin_proto::{Article, BroadcastList, OfficialAccount, OfficialChat, OfficialMessage, Reaction};

use crate::chat_commands::id;

type Result<T> = std::result::Result<T, UiError>;

#[tauri::command]
pub async fn subscriptions(engine: State<'_, Engine>) -> Result<BroadcastList> {
    Ok(engine.subscriptions().await?)
}

#[tauri::command]
pub async fn article(engine: State<'_, Engine>, article: String) -> Result<Article> {
    Ok(engine.article(id(&article)?).await?)
}

#[tauri::command]
pub async fn react_article(
    engine: State<'_, Engine>,
    article: String,
    reaction: Reaction,
) -> Result<Article> {
    Ok(engine.react_article(id(&article)?, reaction).await?)
}

#[tauri::command]
pub async fn official_accounts(
    engine: State<'_, Engine>,
    q: Option<String>,
) -> Result<Vec<OfficialAccount>> {
    Ok(engine.official_accounts(q).await?)
}

#[tauri::command]
pub async fn follow_official(
    engine: State<'_, Engine>,
    account: String,
    follow: bool,
) -> Result<OfficialAccount> {
    Ok(engine.follow_official(id(&account)?, follow).await?)
}

#[tauri::command]
pub async fn official_chat(engine: State<'_, Engine>, account: String) -> Result<OfficialChat> {
    Ok(engine.official_chat(id(&account)?).await?)
}

#[tauri::command]
pub async fn message_official(
    engine: State<'_, Engine>,
    account: String,
    text: String,
    from_menu: bool,
) -> Result<Vec<OfficialMessage>> {
    Ok(engine
        .message_official(id(&account)?, text, from_menu)
        .await?)
}

/// Shares an article (as the reader shows it) into a chat.
#[tauri::command]
pub async fn share_article(
    engine: State<'_, Engine>,
    conversation: String,
    article: Article,
) -> Result<xin_core::views::ChatMessage> {
    Ok(engine.share_article(id(&conversation)?, &article).await?)
}

#[tauri::command]
pub async fn official_history(engine: State<'_, Engine>, account: String) -> Result<BroadcastList> {
    Ok(engine.official_history(id(&account)?).await?)
}

#[tauri::command]
pub async fn official_unread(engine: State<'_, Engine>) -> Result<Vec<OfficialUnread>> {
    Ok(engine.official_unread().await?)
}

/// I looked at an account's chat, or (without `account`) at Subscriptions.
#[tauri::command]
pub async fn mark_official_read(engine: State<'_, Engine>, account: Option<String>) -> Result<()> {
    let account = account.as_deref().map(id).transpose()?;
    Ok(engine.mark_official_read(account).await?)
}
