//! The metrics' HTTP side: counting each answer as it leaves, and the page Prometheus scrapes
//! (what is kept lives in `metrics`, which knows nothing of the server around it).

use crate::metrics::{AnswerLabels, Now};

/// Counts each answer by status and error code (set by `ApiError` on the response).
pub async fn count_answers(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let response = next.run(request).await;
    let code = response
        .extensions()
        .get::<xin_proto::ErrorCode>()
        .and_then(|c| serde_json::to_value(c).ok())
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    state
        .hub
        .metrics()
        .answers
        .get_or_create(&AnswerLabels {
            status: response.status().as_u16(),
            code,
        })
        .inc();
    response
}

/// `GET /metrics`: the Prometheus text.
pub async fn serve(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let now = Now {
        sockets: state.hub.sockets(),
        uploads_receiving: state.uploads.receiving(),
        webhooks_pending: state.store.webhooks_pending().await.unwrap_or_else(|e| {
            tracing::warn!("metrics: webhook queue: {e}");
            -1
        }),
    };
    match state.hub.metrics().render(&now) {
        Ok(text) => (
            [(
                axum::http::header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(e) => crate::error::ApiError::Internal(format!("metrics: {e}")).into_response(),
    }
}

/// The metrics alone, for `--metrics-listen`.
pub fn router(state: crate::state::AppState) -> axum::Router {
    axum::Router::new()
        .route("/metrics", axum::routing::get(serve))
        .with_state(state)
}
