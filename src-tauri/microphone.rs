//! Voice messages are recorded in the WebView (getUserMedia + MediaRecorder, Opus). WebKitGTK
//! keeps media capture off and denies every permission request unless the app says otherwise:
//! here the microphone is allowed, and nothing else (no camera, no screen, no location).
//!
//! `XIN_MOCK_MICROPHONE=1` swaps the real microphone for WebKit's mock device (a tone), for
//! tests on machines without one.

use tauri::{Manager, Runtime};

#[cfg(target_os = "linux")]
pub fn allow<R: Runtime>(app: &tauri::AppHandle<R>) {
    use webkit2gtk::{
        glib::Cast, PermissionRequestExt, SettingsExt, UserMediaPermissionRequest,
        UserMediaPermissionRequestExt, WebViewExt,
    };
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    let mock = std::env::var_os("XIN_MOCK_MICROPHONE").is_some();
    let result = window.with_webview(move |webview| {
        let view = webview.inner();
        if let Some(settings) = WebViewExt::settings(&view) {
            settings.set_enable_media_stream(true);
            settings.set_enable_mock_capture_devices(mock);
        }
        view.connect_permission_request(|_, request| {
            match request.downcast_ref::<UserMediaPermissionRequest>() {
                Some(media) if media.is_for_audio_device() && !media.is_for_video_device() => {
                    request.allow()
                }
                _ => request.deny(),
            }
            true
        });
    });
    if let Err(e) = result {
        tracing::warn!("microphone: {e}");
    }
}

#[cfg(not(target_os = "linux"))]
pub fn allow<R: Runtime>(_app: &tauri::AppHandle<R>) {}
