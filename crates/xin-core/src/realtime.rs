//! The realtime link: one WebSocket to the server, reconnecting with backoff.

use std::time::Duration;

use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::{self, Message};
use xin_proto::ServerEvent;

use crate::{
    engine::Engine,
    events::{CoreEvent, LoginNotice},
    sync,
};

const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Runs until the session ends (the engine aborts it on sign-out). Boxed: the link can end
/// the session, which starts a login flow, which can start a new link.
pub fn run(engine: Engine) -> futures_util::future::BoxFuture<'static, ()> {
    Box::pin(run_link(engine))
}

async fn run_link(engine: Engine) {
    let mut backoff = Duration::from_millis(500);
    loop {
        let Some(account) = engine.account().await else {
            return;
        };
        let connected = match account.api.realtime_request(&account.access().await) {
            Ok(handshake) => tokio_tungstenite::connect_async(handshake).await,
            Err(e) => Err(e),
        };
        match connected {
            Ok((mut ws, _)) => {
                backoff = Duration::from_millis(500);
                engine.emit(CoreEvent::Connection { online: true });
                // Whatever happened while we were away: devices, missed events, unsent messages.
                engine.refresh_devices_quietly().await;
                if let Err(e) = sync::catch_up(&engine, &account).await {
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
                            end_session(engine, expired);
                            return;
                        }
                        Ok(ServerEvent::DevicesChanged) => engine.refresh_devices_quietly().await,
                        Ok(ServerEvent::Event { event }) => {
                            if let Err(e) = sync::on_event(&engine, &account, event).await {
                                tracing::warn!("applying an event failed: {e}");
                            }
                        }
                        Ok(ServerEvent::Hello { .. } | ServerEvent::LoginRequest { .. }) => {}
                        Err(e) => tracing::warn!("unknown realtime message: {e}"),
                    }
                }
                engine.emit(CoreEvent::Connection { online: false });
            }
            Err(tungstenite::Error::Http(resp)) if resp.status().as_u16() == 401 => {
                // Expired access token, or the session is over: refresh tells which.
                if let Err(e) = account.refresh().await {
                    if e.is_signed_out() {
                        let expired = e.api_code() == Some(xin_proto::ErrorCode::SessionExpired);
                        end_session(engine, expired);
                        return;
                    }
                }
                continue;
            }
            Err(e) => {
                tracing::debug!("realtime connect failed: {e}");
                engine.emit(CoreEvent::Connection { online: false });
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// Ending the session aborts this very task, so it must run on its own.
/// `expired`: the session reached the server's absolute lifetime, rather than being signed out.
fn end_session(engine: Engine, expired: bool) {
    let notice = if expired {
        LoginNotice::SessionExpired
    } else {
        LoginNotice::SignedOutElsewhere
    };
    tokio::spawn(async move { engine.signed_out_remotely(notice).await });
}
