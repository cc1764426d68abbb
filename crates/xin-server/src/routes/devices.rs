use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;
use xin_proto::{DeviceList, ErrorBody, ErrorCode, ServerEvent};

use crate::{
    auth::Authed,
    error::{ApiError, ApiResult},
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_devices))
        .routes(routes!(remove_device))
}

/// This account's devices, most recently active first.
#[utoipa::path(get, path = "/devices", tag = "devices", security(("bearer" = [])),
    responses((status = 200, body = DeviceList), (status = 401, body = ErrorBody)))]
async fn list_devices(
    State(state): State<AppState>,
    authed: Authed,
) -> ApiResult<Json<DeviceList>> {
    let devices = state
        .store
        .devices(authed.user_id, authed.device_id)
        .await?;
    Ok(Json(DeviceList { devices }))
}

/// Sign a device out: its sessions end at once, its realtime link is closed and it is forgotten.
#[utoipa::path(delete, path = "/devices/{id}", tag = "devices", security(("bearer" = [])),
    params(("id" = String, Path, description = "Device id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn remove_device(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let not_found = || ApiError::new(ErrorCode::DeviceNotFound, "No such device on your account.");
    let device_id = Uuid::parse_str(&id).map_err(|_| not_found())?;
    if !state.store.remove_device(authed.user_id, device_id).await? {
        return Err(not_found());
    }
    let reason = if device_id == authed.device_id {
        "You signed this device out."
    } else {
        "This device was signed out from another device."
    };
    state.hub.sign_out_device(device_id, reason, false);
    crate::calls::device_gone(&state, device_id).await;
    state
        .hub
        .send_to_user(authed.user_id, &ServerEvent::DevicesChanged);
    Ok(StatusCode::NO_CONTENT)
}
