use axum::{extract::State, Json};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use xin_proto::{ErrorBody, EventPage};

use crate::{
    auth::Authed,
    error::{ApiError, ApiResult},
    extract::Query,
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(events))
}

#[derive(Deserialize, IntoParams)]
struct EventsQuery {
    /// The last seq the client applied (0 for everything).
    after: i64,
    /// At most this many (1–10000, default 5000): catch-up pages are large on purpose.
    limit: Option<i64>,
    /// The event shapes the client understands (`xin_proto::WIRE_VERSION`; default 1).
    v: Option<u32>,
}

/// My event log after `after`, oldest first: catch-up after a gap or a reconnect.
#[utoipa::path(get, path = "/events", tag = "sync", security(("bearer" = [])), params(EventsQuery),
    responses((status = 200, body = EventPage), (status = 400, body = ErrorBody)))]
async fn events(
    State(state): State<AppState>,
    authed: Authed,
    Query(q): Query<EventsQuery>,
) -> ApiResult<Json<EventPage>> {
    let limit = q.limit.unwrap_or(5000);
    if !(1..=10_000).contains(&limit) || q.after < 0 {
        return Err(ApiError::invalid("after: ≥ 0; limit: 1–10000"));
    }
    Ok(Json(
        state
            .store
            .events(authed.user_id, q.after, limit, q.v.unwrap_or(1))
            .await?,
    ))
}
