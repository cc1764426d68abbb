//! The call window: a small window of its own (label `call`) that opens when a call rings in or
//! out, even while the main window is hidden in the tray, and closes after the call ends. An
//! incoming call also raises a system notification. It loads the same UI as the main window,
//! which draws the call view for this label.

use tauri::{AppHandle, LogicalSize, Manager, WebviewUrl, WebviewWindowBuilder};
use tauri_plugin_notification::NotificationExt;
use xin_core::{call_view::CallView, Engine};
use xin_proto::{CallKind, CallState};

pub const LABEL: &str = "call";
const FULL: (f64, f64) = (380.0, 600.0);
const FULL_VIDEO: (f64, f64) = (640.0, 600.0);
const MINI: (f64, f64) = (200.0, 240.0);

/// Opens, resizes or closes the window as the call moves on.
pub fn follow(app: &AppHandle, engine: &Engine, call: Option<&CallView>) {
    let Some(call) = call else {
        if let Some(w) = app.get_webview_window(LABEL) {
            let _ = w.destroy();
        }
        return;
    };
    if app.get_webview_window(LABEL).is_none() {
        if call.call.state == CallState::Ended {
            return;
        }
        if let Err(e) = open(app, engine, call) {
            tracing::warn!("the call window cannot open: {e}");
        }
        if call.incoming && call.call.state == CallState::Ringing {
            notify(app, engine, call);
        }
    } else if call.video && call.call.state == CallState::Active {
        if let Some(w) = app.get_webview_window(LABEL) {
            let size = w.inner_size().ok().zip(w.scale_factor().ok());
            // Grown once for the pictures; a window the user made small stays small.
            if size.is_some_and(|(s, f)| {
                f64::from(s.width) / f < FULL_VIDEO.0 - 1.0
                    && f64::from(s.width) / f >= FULL.0 - 1.0
            }) {
                let _ = w.set_size(LogicalSize::new(FULL_VIDEO.0, FULL_VIDEO.1));
            }
        }
    }
}

fn open(app: &AppHandle, engine: &Engine, call: &CallView) -> tauri::Result<()> {
    let (w, h) = if call.video { FULL_VIDEO } else { FULL };
    let window = WebviewWindowBuilder::new(app, LABEL, WebviewUrl::App("index.html".into()))
        .title(&call.peer.display_name)
        .inner_size(w, h)
        .min_inner_size(MINI.0, MINI.1)
        .center()
        // A ringing call must be seen over whatever the user is doing.
        .always_on_top(call.incoming && call.call.state == CallState::Ringing)
        .build()?;
    let _ = window.set_focus();
    // The close button ends the call (declines one ringing here), as WeChat's does. Only the
    // user's request counts: the window the app destroys after a call may go when the next
    // call already rings, which must not be touched.
    let engine = engine.clone();
    window.on_window_event(move |event| {
        if let tauri::WindowEvent::CloseRequested { .. } = event {
            let engine = engine.clone();
            tauri::async_runtime::spawn(async move {
                let Some(view) = engine.current_call() else {
                    return;
                };
                let ended = match view.call.state {
                    CallState::Ended => Ok(()),
                    CallState::Ringing if view.incoming => engine.decline_call().await,
                    _ => engine.hang_up().await,
                };
                if let Err(e) = ended {
                    tracing::warn!("closing the call window: {e}");
                }
            });
        }
    });
    Ok(())
}

/// The small floating window (on top of everything), or the full one.
pub fn set_mini(app: &AppHandle, mini: bool) {
    let Some(w) = app.get_webview_window(LABEL) else {
        return;
    };
    let (width, height) = if mini { MINI } else { FULL };
    let _ = w.set_always_on_top(mini);
    let _ = w.set_size(LogicalSize::new(width, height));
}

fn notify(app: &AppHandle, engine: &Engine, call: &CallView) {
    let lang = engine.language();
    let body = xin_core::language::call_invitation(lang, call.call.kind == CallKind::Video);
    if let Err(e) = app
        .notification()
        .builder()
        .title(&call.peer.display_name)
        .body(body)
        .show()
    {
        tracing::info!("no notification: {e}");
    }
}
