//! Thin commands: each forwards to the engine and turns its error into a [`UiError`].

use tauri::State;
use xin_core::{error::UiError, events::AppSettings, AppView, Engine};
use xin_proto::Device;

type Result<T> = std::result::Result<T, UiError>;

#[tauri::command]
pub fn app_view(engine: State<'_, Engine>) -> AppView {
    engine.view()
}

#[tauri::command]
pub fn server_url(engine: State<'_, Engine>) -> String {
    engine.server()
}

/// The login window's "Change server".
#[tauri::command]
pub async fn ask_for_server(engine: State<'_, Engine>) -> Result<()> {
    Ok(engine.ask_for_server().await?)
}

/// What the user typed into the server prompt; answers the URL that answered.
#[tauri::command]
pub async fn choose_server(engine: State<'_, Engine>, address: String) -> Result<String> {
    Ok(engine.choose_server(&address).await?)
}

/// The server prompt's "Cancel".
#[tauri::command]
pub async fn keep_server(engine: State<'_, Engine>) -> Result<()> {
    Ok(engine.keep_server().await?)
}

#[tauri::command]
pub async fn login_refresh_qr(engine: State<'_, Engine>) -> Result<()> {
    engine.start_qr_login(None).await;
    Ok(())
}

#[tauri::command]
pub async fn login_remembered(engine: State<'_, Engine>) -> Result<()> {
    Ok(engine.start_remembered_login().await?)
}

#[tauri::command]
pub async fn login_switch_account(engine: State<'_, Engine>) -> Result<()> {
    Ok(engine.switch_account().await?)
}

#[tauri::command]
pub async fn sign_out(engine: State<'_, Engine>) -> Result<()> {
    Ok(engine.sign_out().await?)
}

/// Fresh from the server when it answers, else what the cache has.
#[tauri::command]
pub async fn devices(engine: State<'_, Engine>) -> Result<Vec<Device>> {
    match engine.devices().await {
        Ok(d) => Ok(d),
        Err(e) if !e.is_signed_out() => Ok(engine.cached_devices().await?),
        Err(e) => Err(e.into()),
    }
}

#[tauri::command]
pub async fn cached_devices(engine: State<'_, Engine>) -> Result<Vec<Device>> {
    Ok(engine.cached_devices().await?)
}

#[tauri::command]
pub async fn remove_device(engine: State<'_, Engine>, id: String) -> Result<()> {
    Ok(engine.remove_device(crate::chat_commands::id(&id)?).await?)
}

#[tauri::command]
pub fn settings(engine: State<'_, Engine>) -> Result<AppSettings> {
    Ok(engine.settings()?)
}

/// The language the user reads, for the words the Rust side writes.
#[tauri::command]
pub fn set_language(engine: State<'_, Engine>, language: xin_core::language::Language) {
    engine.set_language(language);
}

#[tauri::command]
pub fn set_settings(engine: State<'_, Engine>, settings: AppSettings) -> Result<()> {
    Ok(engine.set_settings(&settings)?)
}
