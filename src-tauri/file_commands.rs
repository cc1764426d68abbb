//! Commands for files: send (picked or pasted; dropped ones in `drops`), pause, resume, cancel, download, open.

use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;
use xin_core::{
    error::{LocalCode, UiError},
    files::{PastedImage, VoiceRecording},
    language::say,
    transfer_cache::Transfer,
    Engine,
};

use crate::{chat_commands::id, raw_body::Raw};

type Result<T> = std::result::Result<T, UiError>;

/// The attach buttons: the system's file picker, then send what was picked.
#[tauri::command]
pub async fn pick_and_send(
    app: AppHandle,
    engine: State<'_, Engine>,
    conversation: String,
    photos: bool,
) -> Result<Vec<Transfer>> {
    let conv = id(&conversation)?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let lang = engine.language();
    let mut dialog = app.dialog().file().set_title(if photos {
        say(lang, "Send photos")
    } else {
        say(lang, "Send files")
    });
    if photos {
        dialog = dialog.add_filter(
            say(lang, "Photos and videos"),
            &[
                "jpg", "jpeg", "png", "gif", "webp", "mp4", "webm", "mov", "m4v", "mkv",
            ],
        );
    }
    dialog.pick_files(move |picked| {
        let _ = tx.send(picked);
    });
    let picked = rx.await.ok().flatten().unwrap_or_default();
    let paths = picked
        .into_iter()
        .filter_map(|p| p.into_path().ok())
        .collect::<Vec<_>>();
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    Ok(engine.send_files(conv, paths).await?)
}

/// A pasted image: its bytes, the chat and the name it gets.
#[tauri::command]
pub async fn send_pasted(
    engine: State<'_, Engine>,
    image: Raw<PastedImage>,
) -> Result<Vec<Transfer>> {
    let Raw { bytes, args } = image;
    Ok(engine
        .send_bytes(args.conversation, &args.name, bytes)
        .await?)
}

/// A voice message recorded in the WebView: its Opus bytes, the chat, its length and waveform.
#[tauri::command]
pub async fn send_voice(engine: State<'_, Engine>, voice: Raw<VoiceRecording>) -> Result<Transfer> {
    let Raw { bytes, args } = voice;
    Ok(engine
        .send_voice(args.conversation, bytes, args.duration_ms, args.waveform)
        .await?)
}

#[tauri::command]
pub async fn transfers(engine: State<'_, Engine>) -> Result<Vec<Transfer>> {
    Ok(engine.transfers().await?)
}

#[tauri::command]
pub async fn pause_transfer(engine: State<'_, Engine>, transfer: String) -> Result<()> {
    Ok(engine.pause_transfer(id(&transfer)?).await?)
}

#[tauri::command]
pub async fn resume_transfer(engine: State<'_, Engine>, transfer: String) -> Result<()> {
    Ok(engine.resume_transfer(id(&transfer)?).await?)
}

#[tauri::command]
pub async fn cancel_transfer(engine: State<'_, Engine>, transfer: String) -> Result<()> {
    Ok(engine.cancel_transfer(id(&transfer)?).await?)
}

#[tauri::command]
pub async fn download_file(engine: State<'_, Engine>, message: String) -> Result<Transfer> {
    Ok(engine.download(id(&message)?).await?)
}

/// Where the player streams a sent or downloaded video from (see `video_server`).
#[tauri::command]
pub async fn video_url(
    engine: State<'_, Engine>,
    videos: State<'_, crate::video_server::VideoServer>,
    transfer: String,
) -> Result<String> {
    let id = id(&transfer)?;
    engine.transfer_file(id).await?;
    Ok(videos.url(id))
}

/// Opens a sent or downloaded file with the system's app for it.
#[tauri::command]
pub async fn open_transfer(
    app: AppHandle,
    engine: State<'_, Engine>,
    transfer: String,
) -> Result<()> {
    let path = engine.transfer_file(id(&transfer)?).await?;
    app.opener()
        .open_path(path.display().to_string(), None::<&str>)
        .map_err(|e| UiError::local(LocalCode::File, format!("Could not open the file: {e}")))
}

/// Shows a sent or downloaded file in the file manager.
#[tauri::command]
pub async fn show_transfer(
    app: AppHandle,
    engine: State<'_, Engine>,
    transfer: String,
) -> Result<()> {
    let path = engine.transfer_file(id(&transfer)?).await?;
    app.opener()
        .reveal_item_in_dir(path)
        .map_err(|e| UiError::local(LocalCode::File, format!("Could not show the file: {e}")))
}

/// A cached voice message's bytes. WebKitGTK's media elements cannot read an app's custom URI
/// scheme (WebKit bug 146351), so the UI plays voice from a blob URL made of these.
#[tauri::command]
pub async fn media_bytes(engine: State<'_, Engine>, hash: String) -> Result<tauri::ipc::Response> {
    let path = engine.media_file(&hash).await?;
    let bytes = tokio::fs::read(&path).await.map_err(|e| {
        UiError::local(
            LocalCode::File,
            format!("Could not read the voice message: {e}"),
        )
    })?;
    Ok(tauri::ipc::Response::new(bytes))
}

/// Exports a chat's whole history (HTML, JSON, photos) into a new folder in Downloads; answers
/// the folder. Progress arrives as `export_progress` events.
#[tauri::command]
pub async fn export_chat(engine: State<'_, Engine>, conversation: String) -> Result<String> {
    Ok(engine
        .export_chat(id(&conversation)?)
        .await?
        .display()
        .to_string())
}

/// The image viewer's "Save": a copy in the download folder; answers where.
#[tauri::command]
pub async fn save_media(engine: State<'_, Engine>, hash: String, stem: String) -> Result<String> {
    Ok(engine.save_media(&hash, &stem).await?.display().to_string())
}
