//! Telling the user about new messages outside the window: notifications, the tray tooltip and
//! the unread badge.

use tauri::{
    menu::{Menu, MenuBuilder, MenuItem},
    tray::{MouseButton, TrayIconBuilder, TrayIconEvent},
    AppHandle, Manager, WindowEvent, Wry,
};
use tauri_plugin_notification::NotificationExt;
use xin_core::{notify::Incoming, Engine};

const TRAY: &str = "main";

/// The tray icon with its menu (Linux trays show a menu, not clicks). Answers whether there is
/// one: only then may closing the main window hide it rather than quit.
pub fn setup_tray(app: &AppHandle) -> bool {
    let lang = app
        .try_state::<Engine>()
        .map(|e| e.language())
        .unwrap_or_default();
    let mut builder = TrayIconBuilder::with_id(TRAY)
        .tooltip("Xin")
        .on_menu_event(|app, event| match event.id().as_ref() {
            "open" => show_main(app),
            "quit" => app.exit(0),
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                ..
            } = event
            {
                show_main(tray.app_handle());
            }
        });
    match tray_menu(app, lang) {
        Ok(menu) => builder = builder.menu(&menu),
        Err(e) => tracing::warn!("tray menu: {e}"),
    }
    if let Some(icon) = app.default_window_icon().cloned() {
        builder = builder.icon(icon);
    }
    // Desktops without a tray host simply have no tray.
    match builder.build(app) {
        Ok(_) => true,
        Err(e) => {
            tracing::info!("no system tray: {e}");
            false
        }
    }
}

fn tray_menu(app: &AppHandle, lang: xin_core::language::Language) -> tauri::Result<Menu<Wry>> {
    let (open, quit) = xin_core::language::tray_menu(lang);
    MenuBuilder::new(app)
        .item(&MenuItem::with_id(app, "open", open, true, None::<&str>)?)
        .separator()
        .item(&MenuItem::with_id(app, "quit", quit, true, None::<&str>)?)
        .build()
}

/// Closing the main window hides it to the tray, as WeChat's does: the app keeps receiving
/// messages and calls (the call window still opens). Without a tray it quits as usual.
pub fn hide_on_close(app: &AppHandle) {
    let Some(main) = app.get_webview_window("main") else {
        return;
    };
    let window = main.clone();
    main.on_window_event(move |event| {
        if let WindowEvent::CloseRequested { api, .. } = event {
            api.prevent_close();
            let _ = window.hide();
        }
    });
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
