//! The Xin desktop shell: windows, the engine's typed events forwarded to the UI, and thin
//! commands. Business logic lives in `xin-core`.

mod alerts;
mod chat_commands;
mod commands;
mod drops;
mod file_commands;
mod launch;
mod media_protocol;
mod microphone;
mod mini_program_commands;
mod mini_program_window;
mod moments_commands;
mod official_commands;
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
    tracing::info!(server = engine.server(), "starting Xin");
    // The system's language until the UI says which the user chose.
    let locale = sys_locale::get_locale().unwrap_or_else(|| "en-US".into());
    engine.set_language(xin_core::language::Language::from_locale(&locale));

    let result = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            // A second launch shows the running app instead of starting another.
            alerts::show_main(app);
        }))
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
        .invoke_handler(tauri::generate_handler![
            commands::app_view,
            commands::server_url,
            commands::login_refresh_qr,
            commands::login_remembered,
            commands::login_switch_account,
            commands::sign_out,
            commands::devices,
            commands::cached_devices,
            commands::remove_device,
            commands::settings,
            commands::set_settings,
            commands::set_language,
            chat_commands::chats,
            chat_commands::update_group,
            chat_commands::add_members,
            chat_commands::remove_member,
            chat_commands::set_role,
            chat_commands::my_card,
            chat_commands::save_my_card,
            chat_commands::messages,
            chat_commands::send_text,
            chat_commands::retry_send,
            chat_commands::recall,
            chat_commands::delete_for_me,
            chat_commands::mark_read,
            chat_commands::set_draft,
            chat_commands::set_chat_settings,
            chat_commands::open_direct,
            chat_commands::open_file_transfer,
            chat_commands::create_group,
            chat_commands::leave_group,
            chat_commands::contacts,
            chat_commands::search_users,
            chat_commands::send_friend_request,
            chat_commands::answer_friend_request,
            chat_commands::set_remark,
            chat_commands::delete_contact,
            chat_commands::set_blocked,
            drops::send_dropped,
            drops::emulate_drop,
            file_commands::pick_and_send,
            file_commands::send_pasted,
            file_commands::transfers,
            file_commands::pause_transfer,
            file_commands::resume_transfer,
            file_commands::cancel_transfer,
            file_commands::download_file,
            file_commands::open_transfer,
            file_commands::show_transfer,
            file_commands::save_media,
            file_commands::export_chat,
            file_commands::media_bytes,
            file_commands::send_voice,
            file_commands::video_url,
            wallet_commands::wallet,
            wallet_commands::bills,
            wallet_commands::add_card,
            wallet_commands::set_pin,
            wallet_commands::bank_move,
            wallet_commands::send_transfer,
            wallet_commands::transfer,
            wallet_commands::answer_transfer,
            wallet_commands::envelope,
            wallet_commands::grab_envelope,
            wallet_commands::receive_code,
            moments_commands::moments,
            moments_commands::like_post,
            moments_commands::comment_post,
            moments_commands::delete_post,
            moments_commands::create_post,
            moments_commands::pick_post_images,
            moments_commands::person_moments,
            moments_commands::set_person_moments,
            moments_commands::moments_settings,
            moments_commands::set_moments_settings,
            moments_commands::cached_moments,
            moments_commands::album,
            moments_commands::delete_comment,
            moments_commands::moment_notices,
            moments_commands::mark_moment_notices_read,
            moments_commands::mark_moments_seen,
            moments_commands::moments_badge,
            moments_commands::link_preview,
            moments_commands::set_contact_tags,
            moments_commands::open_link,
            official_commands::subscriptions,
            official_commands::article,
            official_commands::react_article,
            official_commands::official_accounts,
            official_commands::follow_official,
            official_commands::official_chat,
            official_commands::message_official,
            official_commands::share_article,
            official_commands::official_history,
            official_commands::official_unread,
            official_commands::mark_official_read,
            chat_commands::search,
            chat_commands::forward,
            chat_commands::delete_messages,
            wallet_commands::send_envelope,
            mini_program_commands::mini_programs,
            mini_program_commands::pin_mini_program,
            mini_program_commands::open_mini_program,
            mini_program_commands::clear_mini_program_data,
            mini_program_commands::mini_program_code,
            mini_program_commands::share_mini_program,
            mini_program_commands::pay_mini_program_order,
            mini_program_commands::answer_mini_program,
            mini_program_commands::mini_program_bridge,
        ])
        .setup(move |app| {
            let handle = app.handle().clone();
            alerts::setup_tray(&handle);
            window::track(&handle);
            drops::track(&handle);
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
