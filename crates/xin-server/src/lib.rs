//! `xin-server`: accounts, devices, QR login and realtime fan-out; serves the phone companion.

mod auth;
mod broker;
mod calls;
mod client_address;
pub mod config;
pub mod contract;
mod error;
mod extract;
pub mod files;
pub mod hub;
pub mod language;
mod media_links;
pub mod metrics;
mod metrics_page;
mod mini_program;
mod mini_program_files;
mod official;
mod outbound;
mod rate_limit;
mod routes;
mod rules;
mod secrets;
mod state;
pub mod store;
mod time;
mod tls;
mod validate;
pub mod wallet;

use std::{future::Future, net::SocketAddr};

use axum::{
    extract::DefaultBodyLimit,
    http::{header, HeaderValue},
    response::{IntoResponse, Redirect},
    routing::get,
    Json, Router,
};
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    services::{ServeDir, ServeFile},
    set_header::SetResponseHeader,
    trace::TraceLayer,
};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use xin_proto::ErrorCode;

pub use config::Config;
pub use error::{ApiError, ApiResult};
pub use state::AppState;
pub use store::Store;

/// No API request body is bigger than this: a 5 000-character message, or a 500-member
/// group's member list (500 ids of 36 characters).
const API_BODY_LIMIT: usize = 32 * 1024;

/// The whole HTTP surface: `/api/v1/...`, its OpenAPI document, the phone companion at `/m/`
/// and the official accounts' console at `/console/`.
pub fn app(state: AppState) -> Router {
    let (api, mut doc) = OpenApiRouter::with_openapi(routes::ApiDoc::openapi())
        .nest(xin_proto::API_PREFIX, routes::api())
        .split_for_parts();
    contract::complete(&mut doc);
    let api = if state.config.check_contract {
        let documented = std::sync::Arc::new(contract::Documented::of(&doc));
        api.layer(axum::middleware::from_fn_with_state(
            documented,
            contract::check,
        ))
    } else {
        api
    };
    let api = api.layer(axum::middleware::from_fn(language::speak));
    let doc = std::sync::Arc::new(doc);
    let companion_dir = state.config.companion_dir.clone();
    let companion =
        ServeDir::new(&companion_dir).fallback(ServeFile::new(companion_dir.join("index.html")));
    let console_dir = state.config.console_dir();
    let console =
        ServeDir::new(&console_dir).fallback(ServeFile::new(console_dir.join("index.html")));

    let api = api.route(
        "/api/v1/openapi.json",
        get(move || {
            let doc = doc.clone();
            async move { Json(doc.as_ref().clone()) }
        }),
    );
    let api = match state.config.metrics_listen {
        Some(_) => api,
        None => api.route("/metrics", get(metrics_page::serve)),
    };
    api.layer(DefaultBodyLimit::max(API_BODY_LIMIT))
        .nest_service("/m", unframed(companion))
        .nest_service("/console", unframed(console))
        .route("/", get(|| async { Redirect::temporary("/m/") }))
        .fallback(|| async { ApiError::new(ErrorCode::NotFound, "There is nothing here.") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                ErrorCode::MethodNotAllowed,
                "This route does not take that method.",
            )
            .into_response()
        })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics_page::count_answers,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        // Every answer carries its request's id (`x-request-id`, the client's own if it sent one),
        // and so does every log line of the request: a user's report finds its lines.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// The phone companion and the console are never shown inside another site's frame, where a
/// page could lay its own bait over "Confirm login" or "Pay" (clickjacking).
fn unframed<S>(service: S) -> SetResponseHeader<SetResponseHeader<S, HeaderValue>, HeaderValue> {
    SetResponseHeader::overriding(
        SetResponseHeader::overriding(
            service,
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ),
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("frame-ancestors 'none'; object-src 'none'; base-uri 'self'"),
    )
}

/// Requests are traced by method and path alone: a query may carry an access token (a browser's
/// realtime socket and the phone's `<img>` addresses cannot send a header) or what someone
/// searched for, and neither belongs in a log.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(64)
        .collect::<String>();
    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
}

/// Opens the store, binds, and serves until `shutdown` resolves.
pub async fn serve(
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("bind {}: {e}", config.listen))?;
    let running = start(config, listener).await?;
    shutdown.await;
    running.drain().await;
    Ok(())
}

/// What the server accepts connections on: plain HTTP, or HTTPS with its own certificate.
enum Listening {
    Plain(tokio::net::TcpListener),
    Tls(tls::TlsListener),
}

/// A server running in the background (used by `serve` and by tests).
pub struct Running {
    pub addr: SocketAddr,
    /// Where the metrics are served when `--metrics-listen` puts them apart.
    pub metrics_addr: Option<SocketAddr>,
    /// Serving HTTPS (`--tls-cert`, `--tls-key`).
    pub tls: bool,
    pub state: AppState,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// A stopping node's way out (SIGTERM): `/ready` fails and new sockets are refused at
    /// once, the open ones are closed over `--drain-secs` in slices, then the server stops.
    pub async fn drain(self) {
        self.state
            .draining
            .store(true, std::sync::atomic::Ordering::SeqCst);
        tracing::info!(sockets = self.state.hub.sockets(), "draining");
        let window = self.state.config.drain_window();
        self.state.hub.close_gradually(window).await;
        self.stop().await;
    }

    /// Graceful shutdown: stop accepting, close the store.
    pub async fn stop(self) {
        self.state.hub.close_all();
        let _ = self.stop.send(());
        let _ = self.task.await;
        self.state.store.close().await;
    }
}

/// `xin-server ledger check`: every ledger invariant over the data directory's store, which may
/// be in use by a running server. Answers the problems found (none when the ledger is sound).
pub async fn check_ledger(config: &Config) -> Result<Vec<String>, String> {
    let hub = hub::Hub::new(1);
    let store = Store::open(&config.backend(), hub)
        .await
        .map_err(|e| e.to_string())?;
    let problems = store.ledger_check().await.map_err(|e| e.to_string());
    store.close().await;
    problems
}

pub async fn start(config: Config, listener: tokio::net::TcpListener) -> Result<Running, String> {
    config.check()?;
    let tls = match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => Some(tls::acceptor(cert, key)?),
        _ => None,
    };
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let data_dir = config.data_dir();
    let hub = hub::Hub::new(config.socket_queue);
    let store = Store::open(&config.backend(), hub.clone())
        .await
        .map_err(|e| e.to_string())?;
    let files_dir = data_dir.join("files");
    let storage_error =
        |e: std::io::Error| format!("open file storage in {}: {e}", files_dir.display());
    let staging =
        files::storage::Staging::open(&files_dir.join("uploads")).map_err(storage_error)?;
    let blobs: std::sync::Arc<dyn files::storage::BlobStore> = match &config.blobs {
        Some(url) => {
            let bucket = files::s3_blobs::S3Blobs::open(url)?;
            bucket.check().await?;
            std::sync::Arc::new(bucket)
        }
        None => std::sync::Arc::new(
            files::storage::LocalBlobs::open(&files_dir.join("blobs")).map_err(storage_error)?,
        ),
    };
    let uploads = files::Uploads::new(
        staging,
        blobs,
        config.upload_checkpoint_bytes,
        std::time::Duration::from_secs(config.upload_silence_secs),
        files::ReceivingBounds::new(config.uploads_per_user, config.uploads_in_all),
    );
    let public_url = config.public_url_for(addr);
    tracing::info!(%addr, data_dir = %data_dir.display(), %public_url, "xin-server listening");
    tracing::info!("phone companion: {public_url}/m/");
    let gc_every = std::time::Duration::from_secs(config.gc_interval_secs.max(1));
    let gc_grace = std::time::Duration::from_secs(config.gc_grace_secs);
    let broker = match &config.broker {
        Some(url) => Some(
            broker::Broker::start(
                url,
                hub.clone(),
                store.clone(),
                std::time::Duration::from_millis(config.log_sweep_ms.max(100)),
            )
            .await?,
        ),
        None => None,
    };
    let state = AppState::new(store, hub, uploads, config, public_url, broker);
    let collector = tokio::spawn(files::run_collector(state.clone(), gc_every, gc_grace));
    let refunds = tokio::spawn(wallet::run_refunds(state.clone()));
    let rings = tokio::spawn(calls::run_ring_timeouts(state.clone()));
    let webhooks = tokio::spawn(official::webhook::run_deliveries(state.clone()));
    let router = app(state.clone());
    let metrics_task = match state.config.metrics_listen {
        Some(at) => {
            let listener = tokio::net::TcpListener::bind(at)
                .await
                .map_err(|e| format!("bind the metrics address {at}: {e}"))?;
            let metrics_addr = listener.local_addr().map_err(|e| e.to_string())?;
            tracing::info!(%metrics_addr, "metrics");
            let router = metrics_page::router(state.clone());
            Some((
                metrics_addr,
                tokio::spawn(async move {
                    if let Err(e) = axum::serve(listener, router).await {
                        tracing::error!("metrics: {e}");
                    }
                }),
            ))
        }
        None => None,
    };
    let metrics_addr = metrics_task.as_ref().map(|(a, _)| *a);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served_tls = tls.is_some();
    let listening = match tls {
        Some(acceptor) => Listening::Tls(
            tls::TlsListener::new(listener, acceptor).map_err(|e| format!("TLS listener: {e}"))?,
        ),
        None => Listening::Plain(listener),
    };
    let task = tokio::spawn(async move {
        let make = router.into_make_service_with_connect_info::<SocketAddr>();
        let shutdown = async {
            let _ = stopped.await;
        };
        let result = match listening {
            // `tap_io` gives the TLS listener the client-address plumbing a plain one has.
            Listening::Tls(tls) => {
                use axum::serve::ListenerExt;
                axum::serve(tls.tap_io(|_| {}), make)
                    .with_graceful_shutdown(shutdown)
                    .await
            }
            Listening::Plain(plain) => {
                axum::serve(plain, make)
                    .with_graceful_shutdown(shutdown)
                    .await
            }
        };
        if let Err(e) = result {
            tracing::error!("server: {e}");
        }
        if let Some((_, t)) = metrics_task {
            t.abort();
        }
        collector.abort();
        refunds.abort();
        rings.abort();
        webhooks.abort();
    });
    Ok(Running {
        addr,
        metrics_addr,
        tls: served_tls,
        state,
        stop,
        task,
    })
}
