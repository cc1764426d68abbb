use std::sync::atomic::Ordering;

use axum::{extract::State, http::StatusCode, Json};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xin_proto::Health;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(ready))
}

/// Is the server up?
#[utoipa::path(get, path = "/health", tag = "health", responses((status = 200, body = Health)))]
async fn health(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok".to_string(),
        version: xin_proto::APP_VERSION.to_string(),
        public_url: state.public_url.clone(),
    })
}

/// Whether this node should be sent work, and if not, why.
#[derive(Serialize, ToSchema)]
struct Readiness {
    ready: bool,
    /// The database answers.
    database: bool,
    /// The broker is connected (absent when this node has none).
    broker: Option<bool>,
    /// The node is stopping.
    draining: bool,
}

/// Should a load balancer send this node work? 200 when its database answers, its broker is
/// connected and it is not stopping; 503 otherwise.
#[utoipa::path(get, path = "/ready", tag = "health", responses(
    (status = 200, body = Readiness),
    (status = 503, description = "Not ready: see which part", body = Readiness)))]
async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let database = state.store.reachable().await;
    let broker = state.broker.as_ref().map(crate::broker::Broker::connected);
    let draining = state.draining.load(Ordering::SeqCst);
    let ready = database && broker != Some(false) && !draining;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = Readiness {
        ready,
        database,
        broker,
        draining,
    };
    (status, Json(body))
}
