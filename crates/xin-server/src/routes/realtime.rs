//! The realtime link: one WebSocket per signed-in device, server → client events as JSON.

use std::time::Duration;

use axum::{
    extract::{
        ws::{CloseFrame, Message, WebSocket},
        State, WebSocketUpgrade,
    },
    http::HeaderMap,
    response::Response,
};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use xin_proto::{
    media_link::{MAX_REALTIME_LIFETIME_SECS, REALTIME},
    ErrorBody, ServerEvent,
};

use crate::{
    auth::Authed,
    error::ApiResult,
    extract::Query,
    hub::{Outbound, Socket},
    media_links::bearer_or_link,
    state::AppState,
};

const PING_EVERY: Duration = Duration::from_secs(20);
/// Close code for a client that fell too far behind: it reconnects and catches up.
const CLOSE_TOO_SLOW: u16 = 4008;
/// Small socket buffers keep an idle connection cheap; they grow only while writing.
const READ_BUFFER: usize = 4 * 1024;
const WRITE_BUFFER: usize = 32 * 1024;
/// Events written to a socket with one flush at most.
const WRITE_BATCH: usize = 64;
/// Clients send only pings and closes.
const MAX_INCOMING: usize = 64 * 1024;

#[derive(Deserialize, IntoParams)]
struct RealtimeQuery {
    /// A link signed for `realtime` (`xin_proto::media_link`), when there is no
    /// `Authorization` header: browsers cannot send headers on a WebSocket.
    link: Option<String>,
    /// The event shapes the client understands (`xin_proto::WIRE_VERSION`; default 1).
    v: Option<u32>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(realtime))
}

/// Opens the realtime WebSocket, authorised by the access token in the header or, from a
/// browser, which cannot send headers on it, by a signed `?link=`.
/// Messages are JSON `ServerEvent`s. A client that falls too far behind is closed with code
/// 4008 and catches up from `/events`.
#[utoipa::path(get, path = "/realtime", tag = "realtime", params(RealtimeQuery),
    responses((status = 101, description = "Switching to WebSocket; messages are ServerEvent"), (status = 401, body = ErrorBody),
               (status = 503, description = "This node is stopping (server_busy): connect again", body = ErrorBody)))]
async fn realtime(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<RealtimeQuery>,
    ws: WebSocketUpgrade,
) -> ApiResult<Response> {
    if state.draining.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(crate::error::ApiError::new(
            xin_proto::ErrorCode::ServerBusy,
            "This server is stopping. Connect again to reach another.",
        ));
    }
    let authed = bearer_or_link(
        &state,
        &headers,
        q.link.as_deref(),
        REALTIME,
        MAX_REALTIME_LIFETIME_SECS,
    )
    .await?;
    let wire = q.v.unwrap_or(1);
    Ok(ws
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_message_size(MAX_INCOMING)
        .on_upgrade(move |socket| run(state, authed, wire, socket)))
}

/// The event as this socket's wire version shows it.
async fn shaped(state: &AppState, authed: &Authed, wire: u32, event: &ServerEvent) -> ServerEvent {
    match event {
        ServerEvent::Event { event } if wire < 2 => {
            match state.store.for_wire_v1(authed.user_id, event.clone()).await {
                Ok(event) => ServerEvent::Event { event },
                Err(e) => {
                    tracing::warn!("shape event for a v1 socket: {e}");
                    ServerEvent::Event {
                        event: event.clone(),
                    }
                }
            }
        }
        other => other.clone(),
    }
}

async fn run(state: AppState, authed: Authed, wire: u32, socket: WebSocket) {
    let Socket {
        registration,
        mut outbound,
        overflow,
    } = state.hub.register(authed.user_id, authed.device_id);
    if state.broker.is_some() {
        // The client catches up to the log's head itself once connected; from here on, what
        // the log holds beyond it reaches this socket live or by the broker's sweep.
        if let Ok(heads) = state.store.log_heads(vec![authed.user_id]).await {
            for (user, head) in heads {
                state.hub.note_head(user, head);
            }
        }
    }
    let (mut tx, mut rx) = socket.split();
    let send = |event: &ServerEvent| match serde_json::to_string(event) {
        Ok(text) => Some(Message::Text(text.into())),
        Err(e) => {
            tracing::error!("encode event: {e}");
            None
        }
    };
    if let Some(hello) = send(&ServerEvent::Hello {
        device_id: authed.device_id,
    }) {
        if tx.send(hello).await.is_err() {
            return;
        }
    }
    // A call that rang (or was answered) while this device was away: it rings here now.
    for call in state
        .store
        .live_calls(authed.user_id)
        .await
        .unwrap_or_default()
    {
        let call = crate::calls::for_user(&state, &call, authed.user_id);
        if let Some(msg) = send(&ServerEvent::Call { call }) {
            if tx.send(msg).await.is_err() {
                return;
            }
        }
    }
    let mut ping = tokio::time::interval(PING_EVERY);
    loop {
        tokio::select! {
            out = outbound.recv() => match out {
                Some(Outbound::Event(event)) => {
                    // Whatever else is already queued goes out in the same write.
                    let (mut next, mut written, mut closing, mut failed) = (Some(event), 0, false, false);
                    while let Some(event) = next.take() {
                        let text = if wire < 2 { send(&shaped(&state, &authed, wire, &event).await) } else { send(&event) };
                        if let Some(msg) = text {
                            failed = tx.feed(msg).await.is_err();
                        }
                        written += 1;
                        if failed || written == WRITE_BATCH { break; }
                        match outbound.try_recv() {
                            Ok(Outbound::Event(e)) => next = Some(e),
                            Ok(Outbound::Close) => closing = true,
                            Err(_) => {}
                        }
                    }
                    if failed || tx.flush().await.is_err() { break; }
                    if closing {
                        let _ = tx.send(Message::Close(None)).await;
                        break;
                    }
                }
                Some(Outbound::Close) | None => {
                    let _ = tx.send(Message::Close(None)).await;
                    break;
                }
            },
            () = overflow.notified() => {
                tracing::info!(user = %authed.user_id, "closing a realtime socket that fell behind");
                let frame = CloseFrame { code: CLOSE_TOO_SLOW, reason: "too slow: catch up from /events".into() };
                let _ = tokio::time::timeout(Duration::from_secs(1), tx.send(Message::Close(Some(frame)))).await;
                break;
            }
            incoming = rx.next() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            _ = ping.tick() => {
                if tx.send(Message::Ping(Vec::new().into())).await.is_err() { break; }
            }
        }
    }
    drop(registration);
}
