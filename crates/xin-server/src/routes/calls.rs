//! One-to-one calls: ring, answer, decline, cancel, hang up, and the signals between the two
//! devices of an answered call (see `xin_proto::call`).

use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;
use xin_proto::{
    AcceptCall, Call, ErrorBody, ErrorCode, HangUp, SendSignal, ServerEvent, StartCall,
};

use crate::{
    auth::Authed,
    calls::{announce, for_user},
    error::{ApiError, ApiResult},
    extract,
    state::AppState,
    store::Ending,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(start_call))
        .routes(routes!(live_calls))
        .routes(routes!(accept_call))
        .routes(routes!(decline_call))
        .routes(routes!(cancel_call))
        .routes(routes!(hang_up))
        .routes(routes!(switch_to_voice))
        .routes(routes!(send_signal))
}

fn call_id(id: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(id).map_err(|_| ApiError::new(ErrorCode::CallNotFound, "No such call."))
}

/// Rings a friend from this device. Every device of theirs that is online rings; one in another
/// call answers busy at once (the call comes back ended, and its line is in the chat).
#[utoipa::path(post, path = "/calls", tag = "calls", security(("bearer" = [])), request_body = StartCall,
    responses((status = 201, body = Call), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn start_call(
    State(state): State<AppState>,
    authed: Authed,
    extract::Json(req): extract::Json<StartCall>,
) -> ApiResult<(StatusCode, Json<Call>)> {
    let call = state
        .store
        .start_call(authed.user_id, authed.device_id, req.callee, req.kind)
        .await?;
    announce(&state, &call);
    Ok((
        StatusCode::CREATED,
        Json(for_user(&state, &call, authed.user_id)),
    ))
}

/// This account's calls that are not over: what a device that just connected rings for.
#[utoipa::path(get, path = "/calls/live", tag = "calls", security(("bearer" = [])),
    responses((status = 200, body = Vec<Call>), (status = 401, body = ErrorBody)))]
async fn live_calls(State(state): State<AppState>, authed: Authed) -> ApiResult<Json<Vec<Call>>> {
    let calls = state.store.live_calls(authed.user_id).await?;
    Ok(Json(
        calls
            .iter()
            .map(|c| for_user(&state, c, authed.user_id))
            .collect(),
    ))
}

/// Answers a ringing call on this device; the callee's other devices stop ringing.
#[utoipa::path(post, path = "/calls/{id}/accept", tag = "calls", security(("bearer" = [])), request_body = AcceptCall,
    params(("id" = String, Path, description = "Call id")),
    responses((status = 200, body = Call), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn accept_call(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    extract::Json(req): extract::Json<AcceptCall>,
) -> ApiResult<Json<Call>> {
    let call = state
        .store
        .accept_call(
            authed.user_id,
            authed.device_id,
            call_id(&id)?,
            req.voice_only,
        )
        .await?;
    announce(&state, &call);
    Ok(Json(for_user(&state, &call, authed.user_id)))
}

async fn end(state: &AppState, authed: &Authed, id: &str, how: Ending) -> ApiResult<Json<Call>> {
    let call = state
        .store
        .end_call(authed.user_id, call_id(id)?, how)
        .await?;
    announce(state, &call);
    Ok(Json(call))
}

/// Declines a ringing call (the callee): it stops ringing everywhere.
#[utoipa::path(post, path = "/calls/{id}/decline", tag = "calls", security(("bearer" = [])),
    params(("id" = String, Path, description = "Call id")),
    responses((status = 200, body = Call), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn decline_call(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<Call>> {
    end(&state, &authed, &id, Ending::Decline).await
}

/// Cancels a call still ringing (the caller).
#[utoipa::path(post, path = "/calls/{id}/cancel", tag = "calls", security(("bearer" = [])),
    params(("id" = String, Path, description = "Call id")),
    responses((status = 200, body = Call), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn cancel_call(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<Call>> {
    end(&state, &authed, &id, Ending::Cancel).await
}

/// Hangs up: either person, at any time before the call is over (a ringing call is then
/// cancelled or declined). With `failure`, the call failed for that reason.
#[utoipa::path(post, path = "/calls/{id}/hangup", tag = "calls", security(("bearer" = [])), request_body = HangUp,
    params(("id" = String, Path, description = "Call id")),
    responses((status = 200, body = Call), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn hang_up(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    extract::Json(req): extract::Json<HangUp>,
) -> ApiResult<Json<Call>> {
    end(&state, &authed, &id, Ending::HangUp(req.failure)).await
}

/// Turns an answered video call into a voice call, for both people (either device in the
/// call; a voice call stays as it is).
#[utoipa::path(post, path = "/calls/{id}/voice", tag = "calls", security(("bearer" = [])),
    params(("id" = String, Path, description = "Call id")),
    responses((status = 200, body = Call), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn switch_to_voice(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<Call>> {
    let call = state
        .store
        .switch_to_voice(authed.user_id, authed.device_id, call_id(&id)?)
        .await?;
    announce(&state, &call);
    Ok(Json(for_user(&state, &call, authed.user_id)))
}

/// Sends an SDP offer or answer, or an ICE candidate, to the other device of an answered call.
#[utoipa::path(post, path = "/calls/{id}/signal", tag = "calls", security(("bearer" = [])), request_body = SendSignal,
    params(("id" = String, Path, description = "Call id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 413, body = ErrorBody)))]
async fn send_signal(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    extract::Json(req): extract::Json<SendSignal>,
) -> ApiResult<StatusCode> {
    let id = call_id(&id)?;
    let (user, device) = state
        .store
        .signal_peer(authed.user_id, authed.device_id, id, &req)
        .await?;
    state.hub.send_to_device(
        user,
        device,
        &ServerEvent::CallSignal {
            call_id: id,
            from_device: authed.device_id,
            signal: req.signal,
        },
    );
    Ok(StatusCode::NO_CONTENT)
}
