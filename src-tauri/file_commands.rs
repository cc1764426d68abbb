//! Commands for files: send (picked or pasted; dropped ones in `drops`), pause, resume, cancel, download, open.

use tauri::{ipc::Request, AppHandle, State};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;
use xin_core::{error::UiError, language::say, transfer_cache::Transfer, Engine};

use crate::chat_commands::id;

type Result<T> = std::result::Result<T, UiError>;

pub(crate) fn ui_error(code: &str, message: impl Into<String>) -> UiError {
    UiError {
        code: code.into(),
        message: message.into(),
    }
}

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

/// A pasted image: raw bytes in the body, the chat and a name in headers.
#[tauri::command]
pub async fn send_pasted(engine: State<'_, Engine>, request: Request<'_>) -> Result<Vec<Transfer>> {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let conv = id(&header("conversation").unwrap_or_default())?;
    let name = header("name").unwrap_or_else(|| "Pasted image.png".into());
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(ui_error(
            "invalid_request",
            "Paste sends the image's bytes.",
        ));
    };
    Ok(engine.send_bytes(conv, &name, bytes.clone()).await?)
}

/// A voice message recorded in the WebView: Opus bytes in the body; the chat, its length and
/// its waveform (base64) in headers.
#[tauri::command]
pub async fn send_voice(engine: State<'_, Engine>, request: Request<'_>) -> Result<Transfer> {
    use base64::Engine as _;
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let conv = id(&header("conversation"))?;
    let duration = header("duration-ms").parse::<u32>().unwrap_or(0);
    let waveform = base64::engine::general_purpose::STANDARD
        .decode(header("waveform"))
        .unwrap_or_default();
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(ui_error(
            "invalid_request",
            "A voice message sends its bytes.",
        ));
    };
    Ok(engine
        .send_voice(conv, bytes.clone(), duration, waveform)
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
        .map_err(|e| ui_error("file", format!("Could not open the file: {e}")))
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
        .map_err(|e| ui_error("file", format!("Could not show the file: {e}")))
}

/// A cached voice message's bytes. WebKitGTK's media elements cannot read an app's custom URI
/// scheme (WebKit bug 146351), so the UI plays voice from a blob URL made of these.
#[tauri::command]
pub async fn media_bytes(engine: State<'_, Engine>, hash: String) -> Result<tauri::ipc::Response> {
    let path = engine.media_file(&hash).await?;
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| ui_error("file", format!("Could not read the voice message: {e}")))?;
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
