//! Commands for calls: thin calls into the engine, which follows the call on the server and
//! runs its media; the call window's size (full or the small floating one).

use tauri::{AppHandle, State};
use xin_core::{
    call_devices::{self, CallDeviceChoice, CallDevices},
    call_pipeline::MediaStats,
    call_view::{CallVideo, CallView},
    error::UiError,
    Engine,
};
use xin_proto::CallKind;

use crate::{chat_commands::id, video_server::VideoServer};

type Result<T> = std::result::Result<T, UiError>;

/// Rings `peer`'s devices with a voice or video call.
#[tauri::command]
pub async fn start_call(
    engine: State<'_, Engine>,
    peer: String,
    kind: CallKind,
) -> Result<CallView> {
    Ok(engine.start_call(id(&peer)?, kind).await?)
}

/// Answers the call ringing here; `voice_only` answers a video call without the camera.
#[tauri::command]
pub async fn accept_call(engine: State<'_, Engine>, voice_only: bool) -> Result<()> {
    Ok(engine.accept_call(voice_only).await?)
}

#[tauri::command]
pub async fn decline_call(engine: State<'_, Engine>) -> Result<()> {
    Ok(engine.decline_call().await?)
}

/// Cancels a call still ringing out, or hangs up the call in progress.
#[tauri::command]
pub async fn hang_up(engine: State<'_, Engine>) -> Result<()> {
    Ok(engine.hang_up().await?)
}

/// Turns the video call in progress into a voice call, for both people.
#[tauri::command]
pub async fn switch_call_to_voice(engine: State<'_, Engine>) -> Result<()> {
    Ok(engine.switch_call_to_voice().await?)
}

#[tauri::command]
pub fn set_call_muted(engine: State<'_, Engine>, muted: bool) {
    engine.set_call_muted(muted);
}

#[tauri::command]
pub fn set_call_camera(engine: State<'_, Engine>, on: bool) {
    engine.set_call_camera(on);
}

/// The call on this device, for a call window that opens after the call began.
#[tauri::command]
pub fn current_call(engine: State<'_, Engine>) -> Option<CallView> {
    engine.current_call()
}

/// What the call's media has received so far (the call window's details, and the tests).
#[tauri::command]
pub fn call_stats(engine: State<'_, Engine>) -> Option<MediaStats> {
    engine.call_stats()
}

/// Where the call window reads the two pictures of a video call (MJPEG on the loopback server).
#[tauri::command]
pub fn call_video(server: State<'_, VideoServer>) -> CallVideo {
    server.call_video()
}

/// Shrinks the call window to a small floating one, or brings it back to full size.
#[tauri::command]
pub fn set_call_window_mini(app: AppHandle, mini: bool) {
    crate::call_window::set_mini(&app, mini);
}

/// The microphones, speakers and cameras this computer has.
#[tauri::command]
pub async fn call_devices() -> CallDevices {
    tauri::async_runtime::spawn_blocking(call_devices::list)
        .await
        .unwrap_or_default()
}

#[tauri::command]
pub fn call_device_choice(engine: State<'_, Engine>) -> CallDeviceChoice {
    engine.call_device_choice()
}

/// Keeps the devices the next call uses.
#[tauri::command]
pub fn set_call_device_choice(engine: State<'_, Engine>, choice: CallDeviceChoice) -> Result<()> {
    Ok(engine.set_call_device_choice(&choice)?)
}

/// Plays a short tone on the speaker picked (the default when none).
#[tauri::command]
pub async fn test_speaker(speaker: Option<String>) -> Result<()> {
    blocking(move || call_devices::test_speaker(speaker.as_deref())).await
}

/// Listens to the microphone picked for a moment; answers its loudest level (dBFS).
#[tauri::command]
pub async fn test_microphone(microphone: Option<String>) -> Result<f64> {
    blocking(move || call_devices::test_microphone(microphone.as_deref())).await
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::result::Result<T, String> + Send + 'static,
) -> Result<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| UiError::from(xin_core::CoreError::File(e.to_string())))?
        .map_err(|e| UiError::from(xin_core::CoreError::File(e)))
}
