//! The realtime link: one WebSocket connection to the server. It catches up on what was missed,
//! applies events as they come, and says how the connection ended; whether and when to connect
//! again is the scheduler's decision (`scheduler.rs`).

use std::sync::Arc;

use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::{self, Message};
use xin_proto::ServerEvent;

use crate::{engine::Engine, events::CoreEvent, session::AccountSession, sync};

/// How one connection ended.
pub(crate) enum LinkEnd {
    /// It dropped, or could not be made. `was_up`: it had been connected.
    Dropped { was_up: bool },
    /// The access token was refused and has been refreshed (or the refresh failed for now).
    Refreshed,
    /// The server ended this device's session; `expired`: it reached its absolute lifetime,
    /// rather than being signed out from another device.
    SessionOver { expired: bool },
}

/// One connection, from the handshake to its end.
pub(crate) async fn connect(engine: &Engine, account: &Arc<AccountSession>) -> LinkEnd {
    let connected = match account.api.realtime_request(&account.access().await) {
        Ok(handshake) => tokio_tungstenite::connect_async(handshake).await,
        Err(e) => Err(e),
    };
    match connected {
        Ok((mut ws, _)) => {
            engine.emit(CoreEvent::Connection { online: true });
            // Whatever happened while we were away: devices, missed events, unsent messages.
            engine.refresh_devices_quietly().await;
            if let Err(e) = sync::catch_up(engine, account).await {
                tracing::warn!("catch-up failed: {e}");
            }
            account.outbox_wake.notify_one();
            account.uploads_wake.notify_one();
            account.downloads_wake.notify_one();
            while let Some(msg) = ws.next().await {
                let Ok(Message::Text(text)) = msg else {
                    if matches!(msg, Ok(Message::Close(_)) | Err(_)) {
                        break;
                    }
                    continue;
                };
                match serde_json::from_str::<ServerEvent>(&text) {
                    Ok(ServerEvent::SignedOut { reason, expired }) => {
                        engine.emit(CoreEvent::Connection { online: false });
                        tracing::info!("signed out by the server: {reason}");
                        return LinkEnd::SessionOver { expired };
                    }
                    Ok(ServerEvent::DevicesChanged) => engine.refresh_devices_quietly().await,
                    Ok(ServerEvent::Event { event }) => {
                        if let Err(e) = sync::on_event(engine, account, event).await {
                            tracing::warn!("applying an event failed: {e}");
                        }
                    }
                    Ok(ServerEvent::Call { call }) => engine.follow(call).await,
                    Ok(ServerEvent::CallSignal {
                        call_id, signal, ..
                    }) => engine.on_call_signal(call_id, signal),
                    Ok(ServerEvent::Hello { .. } | ServerEvent::LoginRequest { .. }) => {}
                    Err(e) => tracing::warn!("unknown realtime message: {e}"),
                }
            }
            engine.emit(CoreEvent::Connection { online: false });
            LinkEnd::Dropped { was_up: true }
        }
        Err(tungstenite::Error::Http(resp)) if resp.status().as_u16() == 401 => {
            // Expired access token, or the session is over: refresh tells which.
            if let Err(e) = account.refresh().await {
                if e.is_signed_out() {
                    let expired = e.api_code() == Some(xin_proto::ErrorCode::SessionExpired);
                    return LinkEnd::SessionOver { expired };
                }
            }
            LinkEnd::Refreshed
        }
        Err(e) => {
            tracing::debug!("realtime connect failed: {e}");
            engine.emit(CoreEvent::Connection { online: false });
            LinkEnd::Dropped { was_up: false }
        }
    }
}
