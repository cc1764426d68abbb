//! The realtime link: one WebSocket per signed-in device, server → client events as JSON.

use std::time::Duration;

use axum::{
    extract::{
        ws::{Message, WebSocket},
        State, WebSocketUpgrade,
    },
    response::Response,
};
use futures_util::{SinkExt, StreamExt};
use utoipa_axum::{router::OpenApiRouter, routes};
use xin_proto::{ErrorBody, ServerEvent};

use crate::{auth::Authed, hub::Outbound, state::AppState};

const PING_EVERY: Duration = Duration::from_secs(20);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(realtime))
}

/// Opens the realtime WebSocket (`?access_token=` since browsers cannot send headers on it).
/// Messages are JSON `ServerEvent`s.
#[utoipa::path(get, path = "/realtime", tag = "realtime",
    params(("access_token" = String, Query, description = "Access token")),
    responses((status = 101, description = "Switching to WebSocket; messages are ServerEvent"), (status = 401, body = ErrorBody)))]
async fn realtime(State(state): State<AppState>, authed: Authed, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| run(state, authed, socket))
}

async fn run(state: AppState, authed: Authed, socket: WebSocket) {
    let (registration, mut outbound) = state.hub.register(authed.user_id, authed.device_id);
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
    let mut ping = tokio::time::interval(PING_EVERY);
    loop {
        tokio::select! {
            out = outbound.recv() => match out {
                Some(Outbound::Event(event)) => {
                    if let Some(msg) = send(&event) {
                        if tx.send(msg).await.is_err() { break; }
                    }
                }
                Some(Outbound::Close) | None => {
                    let _ = tx.send(Message::Close(None)).await;
                    break;
                }
            },
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
