//! Commands for Moments: thin calls into the engine, which talks to the server.

use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;
use xin_core::{
    error::{LocalCode, UiError},
    moments_cache::{MomentNoticeView, MomentsBadge},
    Engine,
};
use xin_proto::{ErrorCode, LinkCard, MomentsSettings, NewPost, PersonMoments, Post, PostPage};

use crate::chat_commands::id;
use xin_core::language::say;

type Result<T> = std::result::Result<T, UiError>;

#[tauri::command]
pub async fn moments(engine: State<'_, Engine>, before: Option<String>) -> Result<PostPage> {
    let before = before.as_deref().map(id).transpose()?;
    Ok(engine.moments(before).await?)
}

#[tauri::command]
pub async fn like_post(engine: State<'_, Engine>, post: String, like: bool) -> Result<Post> {
    Ok(engine.like_post(id(&post)?, like).await?)
}

#[tauri::command]
pub async fn comment_post(
    engine: State<'_, Engine>,
    post: String,
    text: String,
    reply_to: Option<String>,
) -> Result<Post> {
    let reply_to = reply_to.as_deref().map(id).transpose()?;
    Ok(engine.comment_post(id(&post)?, text, reply_to).await?)
}

#[tauri::command]
pub async fn delete_post(engine: State<'_, Engine>, post: String) -> Result<()> {
    Ok(engine.delete_post(id(&post)?).await?)
}

#[tauri::command]
pub async fn create_post(engine: State<'_, Engine>, post: NewPost) -> Result<Post> {
    Ok(engine.create_post(post).await?)
}

#[tauri::command]
pub async fn cached_moments(engine: State<'_, Engine>, before: Option<String>) -> Result<PostPage> {
    let before = before.as_deref().map(id).transpose()?;
    Ok(engine.cached_moments(before).await?)
}

#[tauri::command]
pub async fn album(
    engine: State<'_, Engine>,
    user: String,
    before: Option<String>,
) -> Result<PostPage> {
    let before = before.as_deref().map(id).transpose()?;
    Ok(engine.album(id(&user)?, before).await?)
}

#[tauri::command]
pub async fn delete_comment(
    engine: State<'_, Engine>,
    post: String,
    comment: String,
) -> Result<()> {
    Ok(engine.delete_comment(id(&post)?, id(&comment)?).await?)
}

#[tauri::command]
pub async fn moment_notices(engine: State<'_, Engine>) -> Result<Vec<MomentNoticeView>> {
    Ok(engine.moment_notices().await?)
}

#[tauri::command]
pub async fn mark_moment_notices_read(engine: State<'_, Engine>) -> Result<()> {
    Ok(engine.mark_moment_notices_read().await?)
}

#[tauri::command]
pub async fn mark_moments_seen(engine: State<'_, Engine>) -> Result<()> {
    Ok(engine.mark_moments_seen().await?)
}

#[tauri::command]
pub async fn moments_badge(engine: State<'_, Engine>) -> Result<MomentsBadge> {
    Ok(engine.moments_badge().await?)
}

#[tauri::command]
pub async fn link_preview(engine: State<'_, Engine>, url: String) -> Result<LinkCard> {
    Ok(engine.link_preview(url).await?)
}

#[tauri::command]
pub async fn set_contact_tags(
    engine: State<'_, Engine>,
    user: String,
    tags: Vec<String>,
) -> Result<()> {
    Ok(engine.set_contact_tags(id(&user)?, tags).await?)
}

/// The composer's photo button: the system's picker, then the pictures are uploaded; answers
/// their hashes (the composer shows them through `xin-media`).
#[tauri::command]
pub async fn pick_post_images(app: AppHandle, engine: State<'_, Engine>) -> Result<Vec<String>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let lang = engine.language();
    app.dialog()
        .file()
        .set_title(say(lang, "Add photos"))
        .add_filter(say(lang, "Photos"), &["jpg", "jpeg", "png", "gif", "webp"])
        .pick_files(move |picked| {
            let _ = tx.send(picked);
        });
    let picked = rx.await.ok().flatten().unwrap_or_default();
    let paths = picked
        .into_iter()
        .filter_map(|p| p.into_path().ok())
        .collect();
    Ok(engine.upload_post_images(paths).await?)
}

#[tauri::command]
pub async fn person_moments(engine: State<'_, Engine>, user: String) -> Result<PersonMoments> {
    Ok(engine.person_moments(id(&user)?).await?)
}

#[tauri::command]
pub async fn set_person_moments(
    engine: State<'_, Engine>,
    user: String,
    rules: PersonMoments,
) -> Result<()> {
    Ok(engine.set_person_moments(id(&user)?, rules).await?)
}

#[tauri::command]
pub async fn moments_settings(engine: State<'_, Engine>) -> Result<MomentsSettings> {
    Ok(engine.moments_settings().await?)
}

#[tauri::command]
pub async fn set_moments_settings(
    engine: State<'_, Engine>,
    settings: MomentsSettings,
) -> Result<()> {
    Ok(engine.set_moments_settings(settings).await?)
}

/// A link card was clicked: the page opens in the system's browser (web addresses only).
#[tauri::command]
pub async fn open_link(app: AppHandle, url: String) -> Result<()> {
    use tauri_plugin_opener::OpenerExt;
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(UiError::server(
            ErrorCode::InvalidRequest,
            "Only web links open.",
        ));
    }
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|e| UiError::local(LocalCode::File, format!("Could not open the link: {e}")))
}
