//! Plays videos. WebKitGTK's player cannot stream from a custom URI scheme (its byte-range
//! requests never reach the scheme's handler: tauri#3725, WebKit bug 146351), so videos are
//! served by a small HTTP server on the loopback interface that answers Range requests. It serves
//! only the files of finished transfers — what Xin itself sent or saved, never a path the UI
//! names — and every URL carries a secret made at launch, so other programs on the machine cannot
//! guess their way in.

use axum::{
    extract::{Path, Request, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use tower::ServiceExt;
use tower_http::services::ServeFile;
use xin_core::{call_view::CallVideo, Engine};

/// Where the UI finds a transfer's video: `{base}/{transfer id}`.
pub struct VideoServer {
    base: String,
}

impl VideoServer {
    pub fn url(&self, transfer: uuid::Uuid) -> String {
        format!("{}/{transfer}", self.base)
    }

    pub fn call_video(&self) -> CallVideo {
        CallVideo {
            remote: format!("{}/call/remote", self.base),
            local: format!("{}/call/local", self.base),
        }
    }
}

#[derive(Clone)]
struct Served {
    engine: Engine,
    secret: String,
}

/// Binds 127.0.0.1 on a free port and serves in the background.
pub fn start(engine: Engine) -> std::io::Result<VideoServer> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    listener.set_nonblocking(true)?;
    let port = listener.local_addr()?.port();
    let secret = uuid::Uuid::new_v4().simple().to_string();
    let app = Router::new()
        .route("/{secret}/{transfer}", get(serve))
        .route("/{secret}/call/{side}", get(call_frames))
        .with_state(Served {
            engine,
            secret: secret.clone(),
        });
    tauri::async_runtime::spawn(async move {
        match tokio::net::TcpListener::from_std(listener) {
            Ok(listener) => {
                if let Err(e) = axum::serve(listener, app).await {
                    tracing::warn!("video server: {e}");
                }
            }
            Err(e) => tracing::warn!("video server: {e}"),
        }
    });
    Ok(VideoServer {
        base: format!("http://127.0.0.1:{port}/{secret}"),
    })
}

async fn serve(
    State(served): State<Served>,
    Path((secret, transfer)): Path<(String, String)>,
    request: Request,
) -> Response {
    let Ok(id) = transfer.parse::<uuid::Uuid>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if secret != served.secret {
        return StatusCode::NOT_FOUND.into_response();
    }
    let Ok(path) = served.engine.transfer_file(id).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match ServeFile::new(path).oneshot(request).await {
        Ok(r) => r.into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

const BOUNDARY: &str = "xin-frame";
/// How often the stream looks for a new picture (the engine keeps at most 15 a second).
const FRAME_POLL: std::time::Duration = std::time::Duration::from_millis(33);

/// The latest pictures of the call as they come, each sent once, while the call has media.
async fn call_frames(
    State(served): State<Served>,
    Path((secret, side)): Path<(String, String)>,
) -> Response {
    if secret != served.secret || !matches!(side.as_str(), "remote" | "local") {
        return StatusCode::NOT_FOUND.into_response();
    }
    let remote = side == "remote";
    let engine = served.engine;
    let frames = futures_util::stream::unfold(None::<usize>, move |last| {
        let engine = engine.clone();
        async move {
            loop {
                tokio::time::sleep(FRAME_POLL).await;
                engine.current_call()?;
                let Some(frame) = engine.call_frame(remote) else {
                    continue;
                };
                let id = std::sync::Arc::as_ptr(&frame) as usize;
                if last == Some(id) {
                    continue;
                }
                let mut part = format!(
                    "--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\n\r\n",
                    frame.len()
                )
                .into_bytes();
                part.extend_from_slice(&frame);
                part.extend_from_slice(b"\r\n");
                return Some((Ok::<_, std::convert::Infallible>(part), Some(id)));
            }
        }
    });
    Response::builder()
        .header(
            "content-type",
            format!("multipart/x-mixed-replace; boundary={BOUNDARY}"),
        )
        .header("cache-control", "no-store")
        .body(axum::body::Body::from_stream(frames))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
