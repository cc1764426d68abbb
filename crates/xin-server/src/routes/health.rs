use axum::{extract::State, Json};
use utoipa_axum::{router::OpenApiRouter, routes};
use xin_proto::Health;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health))
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
