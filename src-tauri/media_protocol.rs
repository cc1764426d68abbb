//! `xin-media://localhost/<hash>`: photos, thumbnails and voice from the engine's media cache,
//! downloaded and verified on first use. The UI never gets `file://` or the asset protocol, and
//! nothing but a 64-hex-digit hash can be asked for, so no path of the user's is reachable.

use tauri::{
    http::{header, Request, Response, StatusCode},
    Manager, UriSchemeContext, UriSchemeResponder,
};
use xin_core::Engine;

pub const SCHEME: &str = "xin-media";

fn answer(status: StatusCode, media_type: &str, body: Vec<u8>) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, media_type)
        // Content-addressed: the bytes behind a hash never change.
        .header(
            header::CACHE_CONTROL,
            "private, max-age=31536000, immutable",
        )
        .header("X-Content-Type-Options", "nosniff")
        .body(body)
        .unwrap_or_default()
}

/// What the bytes are, from their first bytes (the cache keeps no names or types).
fn media_type(bytes: &[u8]) -> &'static str {
    match bytes {
        [0xff, 0xd8, 0xff, ..] => "image/jpeg",
        [0x89, b'P', b'N', b'G', ..] => "image/png",
        [b'G', b'I', b'F', b'8', ..] => "image/gif",
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => "image/webp",
        [b'O', b'g', b'g', b'S', ..] => "audio/ogg",
        [0x1a, 0x45, 0xdf, 0xa3, ..] => "audio/webm",
        [_, _, _, _, b'f', b't', b'y', b'p', ..] => "video/mp4",
        _ => "application/octet-stream",
    }
}

pub fn handle<R: tauri::Runtime>(
    ctx: UriSchemeContext<'_, R>,
    request: Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let engine = ctx.app_handle().state::<Engine>().inner().clone();
    let hash = request.uri().path().trim_start_matches('/').to_string();
    tauri::async_runtime::spawn(async move {
        let response = match engine.media_file(&hash).await {
            Ok(path) => match tokio::fs::read(&path).await {
                Ok(bytes) => answer(StatusCode::OK, media_type(&bytes), bytes),
                Err(_) => answer(StatusCode::NOT_FOUND, "text/plain", Vec::new()),
            },
            Err(e) => {
                tracing::debug!(%hash, "media: {e}");
                answer(StatusCode::NOT_FOUND, "text/plain", Vec::new())
            }
        };
        responder.respond(response);
    });
}
