//! Files dropped on the window. Their paths stay on this side: the UI only asks to send "what
//! was just dropped" to a chat. Were the UI to name paths, script that got into the WebView
//! could send any file the user can read (`~/.ssh/id_ed25519`) to anyone.

use std::{
    path::PathBuf,
    sync::Mutex,
    time::{Duration, Instant},
};

use serde::Serialize;
use tauri::{AppHandle, DragDropEvent, Emitter, EventTarget, Manager, State, WindowEvent};
use xin_core::{
    error::{LocalCode, UiError},
    transfer_cache::Transfer,
    Engine,
};
use xin_proto::ErrorCode;

use crate::chat_commands::id;

/// A drop the UI has not claimed within this long is stale: a later "send the drop" must not
/// pick up files the user let go of elsewhere, minutes ago.
const FRESH: Duration = Duration::from_secs(30);

/// The last drop on the main window, until the UI sends it.
#[derive(Default)]
pub struct Dropped(Mutex<Option<(Vec<PathBuf>, Instant)>>);

impl Dropped {
    fn put(&self, paths: Vec<PathBuf>) {
        if let Ok(mut last) = self.0.lock() {
            *last = Some((paths, Instant::now()));
        }
    }

    /// The last drop's files, once.
    fn take(&self) -> Vec<PathBuf> {
        match self.0.lock().map(|mut last| last.take()) {
            Ok(Some((paths, at))) if at.elapsed() < FRESH => paths,
            _ => Vec::new(),
        }
    }
}

/// Keeps what the OS drops on the main window.
pub fn track(app: &AppHandle) {
    let Some(w) = app.get_webview_window("main") else {
        return;
    };
    let app = app.clone();
    w.on_window_event(move |e| {
        if let WindowEvent::DragDrop(DragDropEvent::Drop { paths, .. }) = e {
            app.state::<Dropped>().put(paths.clone());
        }
    });
}

/// Sends the files just dropped on the window to `conversation`.
#[tauri::command]
pub async fn send_dropped(
    engine: State<'_, Engine>,
    dropped: State<'_, Dropped>,
    conversation: String,
) -> Result<Vec<Transfer>, UiError> {
    let conv = id(&conversation)?;
    let paths = dropped.take();
    if paths.is_empty() {
        return Err(UiError::local(
            LocalCode::NothingDropped,
            "Nothing was dropped here just now. Drop the files again.",
        ));
    }
    Ok(engine.send_files(conv, paths).await?)
}

/// What Tauri tells the WebView of a drop (`tauri://drag-drop`).
#[derive(Serialize, Clone)]
struct DropPayload {
    paths: Vec<PathBuf>,
    position: tauri::PhysicalPosition<f64>,
}

/// End-to-end tests cannot make the OS drag a file, so with `XIN_EMULATE_DROPS=1` in the
/// app's environment this does what the OS would: keeps the paths and tells the WebView.
/// Without it, it refuses: the WebView cannot set the environment.
#[tauri::command]
pub fn emulate_drop(app: AppHandle, paths: Vec<PathBuf>) -> Result<(), UiError> {
    if std::env::var("XIN_EMULATE_DROPS").map_or(true, |v| v != "1") {
        return Err(UiError::server(
            ErrorCode::NotAllowed,
            "Drops are emulated only under test.",
        ));
    }
    app.state::<Dropped>().put(paths.clone());
    let payload = DropPayload {
        paths,
        position: tauri::PhysicalPosition::new(400.0, 400.0),
    };
    app.emit_to(EventTarget::labeled("main"), "tauri://drag-drop", payload)
        .map_err(|e| UiError::server(ErrorCode::Internal, e.to_string()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_drop_is_sent_once_and_only_while_fresh() {
        let dropped = Dropped::default();
        assert!(dropped.take().is_empty(), "nothing dropped yet");
        dropped.put(vec!["/home/me/plan.pdf".into()]);
        assert_eq!(dropped.take(), vec![PathBuf::from("/home/me/plan.pdf")]);
        assert!(dropped.take().is_empty(), "a drop is sent once");

        let long_ago = Instant::now().checked_sub(FRESH).unwrap();
        let stale = Dropped(Mutex::new(Some((vec!["/tmp/old".into()], long_ago))));
        assert!(stale.take().is_empty(), "a drop nobody claimed in time");
    }
}
