//! `plain-http`: the yardstick for file transfer benchmarks. A bare HTTP file server (PUT
//! streams the body to a file, GET serves it) with no hashing, no auth and no database, so
//! `curl` against it shows what plain HTTP on this machine does with the same file.

use std::{net::SocketAddr, path::PathBuf};

use axum::{
    body::Body,
    extract::{Request, State},
    http::StatusCode,
    routing::put,
    Router,
};
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;
use tower::ServiceExt;
use tower_http::services::ServeFile;

async fn store(State(path): State<PathBuf>, body: Body) -> StatusCode {
    let Ok(mut file) = tokio::fs::File::create(&path).await else {
        return StatusCode::INTERNAL_SERVER_ERROR;
    };
    let mut stream = body.into_data_stream();
    while let Some(Ok(bytes)) = stream.next().await {
        if file.write_all(&bytes).await.is_err() {
            return StatusCode::INTERNAL_SERVER_ERROR;
        }
    }
    match file.sync_all().await {
        Ok(()) => StatusCode::CREATED,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

async fn serve(State(path): State<PathBuf>, request: Request) -> axum::response::Response {
    match ServeFile::new(path).oneshot(request).await {
        Ok(r) => axum::response::IntoResponse::into_response(r),
        Err(_) => axum::response::IntoResponse::into_response(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let (Some(addr), Some(path)) = (args.next(), args.next()) else {
        return Err("usage: plain-http <listen address> <file>".into());
    };
    let addr: SocketAddr = addr.parse().map_err(|e| format!("{addr}: {e}"))?;
    let app = Router::new()
        .route("/file", put(store).get(serve))
        .with_state(PathBuf::from(path));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| e.to_string())?;
    axum::serve(listener, app).await.map_err(|e| e.to_string())
}
