//! Telling the user about new messages outside the window: notifications, the tray tooltip and
//! the unread badge.

use tauri::{
    tray::{MouseButton, TrayIconBuilder, TrayIconEvent},
    AppHandle, Manager,
};
use tauri_plugin_notification::NotificationExt;
use xin_core::{notify::Incoming, Engine};

const TRAY: &str = "main";

pub fn setup_tray(app: &AppHandle) {
    let mut builder = TrayIconBuilder::with_id(TRAY)
        .tooltip("Xin")
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                ..
            } = event
            {
                show_main(tray.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon().cloned() {
        builder = builder.icon(icon);
    }
    // Desktops without a tray host (or a headless test display) simply have no tray.
    if let Err(e) = builder.build(app) {
        tracing::info!("no system tray: {e}");
    }
}

pub fn show_main(app: &AppHandle) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
}

/// The unread total (muted chats excluded) in the tray tooltip and the window's badge.
pub async fn update_unread(app: &AppHandle, engine: &Engine) {
    let Ok(chats) = engine.chats().await else {
        return;
    };
    let total: i64 = chats
        .iter()
        .filter(|c| !c.conversation.muted)
        .map(|c| c.conversation.unread)
        .sum();
    let tooltip = xin_core::language::unread_tooltip(engine.language(), total);
    if let Some(tray) = app.tray_by_id(TRAY) {
        let _ = tray.set_tooltip(Some(tooltip));
    }
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.set_badge_count((total > 0).then_some(total));
    }
}

/// A notification for a message that arrived while the window is not in front.
pub fn notify(app: &AppHandle, engine: &Engine, incoming: &Incoming) {
    let focused = app
        .get_webview_window("main")
        .and_then(|w| w.is_focused().ok())
        .unwrap_or(false);
    if focused {
        return;
    }
    let previews = engine
        .settings()
        .map(|s| s.notification_previews)
        .unwrap_or(true);
    if let Some(n) = xin_core::notify::notification(incoming, previews, engine.language()) {
        if let Err(e) = app
            .notification()
            .builder()
            .title(n.title)
            .body(n.body)
            .show()
        {
            tracing::debug!("notification: {e}");
        }
    }
}
