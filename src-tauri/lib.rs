//! The Xin desktop shell: windows, the engine's typed events forwarded to the UI, and thin
//! commands. Business logic lives in `xin-core`.

mod alerts;
mod call_commands;
mod call_window;
mod chat_commands;
#[cfg(test)]
mod command_surface;
mod commands;
mod deep_links;
mod drops;
mod file_commands;
mod launch;
mod media_protocol;
mod microphone;
mod mini_program_commands;
mod mini_program_window;
mod moments_commands;
mod official_commands;
mod raw_body;
mod video_server;
mod wallet_commands;
mod window;

use tauri::{Emitter, Manager};
use xin_core::CoreEvent;

/// The one event name the UI listens to; its payload is a [`CoreEvent`].
pub const EVENT: &str = "xin://event";

/// Tells the UI the system's language before its scripts run. WebKitGTK's `navigator.language`
/// says "en-US" whenever the system's locale is not generated, whatever LANG asks for.
fn system_locale<R: tauri::Runtime>(locale: String) -> tauri::plugin::TauriPlugin<R> {
    let script = format!(
        "window.__XIN_SYSTEM_LOCALE__ = {};",
        serde_json::Value::String(locale)
    );
    tauri::plugin::Builder::new("xin-locale")
        .js_init_script(script)
        .build()
}

pub fn run() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let launch = launch::Launch::from_env();
    let engine = match launch.engine() {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("Xin cannot start: {e}");
            std::process::exit(1);
        }
    };
    tracing::info!(server = %engine.server(), "starting Xin");
    // The system's language until the UI says which the user chose.
    let locale = sys_locale::get_locale().unwrap_or_else(|| "en-US".into());
    engine.set_language(xin_core::language::Language::from_locale(&locale));

    let result = tauri::Builder::default()
        // First, as the deep-link plugin asks: a second launch shows the running app instead of
        // starting another, and hands it the `xin://` link it was started with.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            alerts::show_main(app);
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(system_locale(locale))
        .register_asynchronous_uri_scheme_protocol(media_protocol::SCHEME, media_protocol::handle)
        .register_asynchronous_uri_scheme_protocol(
            mini_program_window::SCHEME,
            mini_program_window::handle,
        )
        .manage(engine.clone())
        .manage(window::Memory::new(launch.data_dir.join("window.json")))
        .manage(mini_program_window::Sandboxes::default())
        .manage(mini_program_commands::Asks::default())
        .manage(drops::Dropped::default())
        .manage(deep_links::Waiting::default())
        // Every #[tauri::command], listed by build.rs (see command_surface.rs).
        .invoke_handler(include!(concat!(env!("OUT_DIR"), "/handlers.rs")))
        .setup(move |app| {
            let handle = app.handle().clone();
            if alerts::setup_tray(&handle) {
                alerts::hide_on_close(&handle);
            }
            window::track(&handle);
            drops::track(&handle);
            deep_links::track(&handle);
            microphone::allow(&handle);
            app.manage(video_server::start(engine.clone())?);
            let mut events = engine.subscribe();
            let engine_for_events = engine.clone();
            tauri::async_runtime::spawn(async move {
                while let Ok(event) = events.recv().await {
                    match &event {
                        CoreEvent::View { view } => window::fit(&handle, view),
                        CoreEvent::ChatsChanged => {
                            alerts::update_unread(&handle, &engine_for_events).await
                        }
                        CoreEvent::Incoming { message } => {
                            alerts::notify(&handle, &engine_for_events, message)
                        }
                        CoreEvent::Call { call } => {
                            call_window::follow(&handle, &engine_for_events, call.as_ref());
                            // The call window hears its call (it may open after it began).
                            let _ = handle.emit_to(call_window::LABEL, EVENT, &event);
                        }
                        _ => {}
                    }
                    // Only the main window hears the app's events; sandboxes hear nothing.
                    if let Err(e) = handle.emit_to("main", EVENT, &event) {
                        tracing::warn!("emit: {e}");
                    }
                }
            });
            let engine = engine.clone();
            tauri::async_runtime::spawn(async move {
                if let Err(e) = engine.start().await {
                    tracing::error!("engine start: {e}");
                }
            });
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("Xin stopped: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    /// Fails when the UI's typed callers drift from the `#[tauri::command]` functions they call.
    /// `cargo xtask gen-types` writes them (it runs this test with `XIN_WRITE_GENERATED=1`).
    #[test]
    fn committed_command_callers_match_the_commands() -> std::io::Result<()> {
        let generated = include_str!(concat!(env!("OUT_DIR"), "/commands.ts"));
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/desktop/commands.ts");
        if std::env::var_os("XIN_WRITE_GENERATED").is_some() {
            return std::fs::write(&path, generated);
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "ui/src/desktop/commands.ts is out of date: run `cargo xtask gen-types` and commit it"
        );
        Ok(())
    }
}
