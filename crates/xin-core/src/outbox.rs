//! The durable outbox: sends leave in the order they were typed, survive restarts and lost
//! answers (the server dedupes on the client id), and are retried until the server answers.

use std::{sync::Arc, time::Duration};

use xin_proto::{ErrorCode, Message};

use crate::{
    api::Method, engine::Engine, error::CoreError, events::CoreEvent, session::AccountSession,
};

const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Runs for the life of the account; woken by new sends and by reconnects.
pub fn run(
    engine: Engine,
    account: Arc<AccountSession>,
) -> futures_util::future::BoxFuture<'static, ()> {
    Box::pin(async move {
        let mut backoff = Duration::from_millis(250);
        loop {
            let next = match account.db.lock().await.next_outgoing() {
                Ok(next) => next,
                Err(e) => {
                    tracing::error!("outbox: {e}");
                    return;
                }
            };
            let Some((conv, req)) = next else {
                account.outbox_wake.notified().await;
                continue;
            };
            let api = account.api.clone();
            let path = format!("/conversations/{conv}/messages");
            let result = account
                .with_access(|access| {
                    let (api, path, req) = (api.clone(), path.clone(), req.clone());
                    async move {
                        api.send_json::<_, Message>(Method::POST, &path, &access, Some(&req))
                            .await
                    }
                })
                .await;
            let stored = match result {
                Ok(message) => {
                    backoff = Duration::from_millis(250);
                    account.db.lock().await.sent(&message)
                }
                Err(e) if is_transient(&e) => {
                    // Offline or the server is struggling: try the same message again later.
                    tokio::select! {
                        _ = account.outbox_wake.notified() => {}
                        _ = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
                Err(e) if e.is_signed_out() => return,
                Err(e) => account
                    .db
                    .lock()
                    .await
                    .failed(req.client_id, &e.to_string()),
            };
            if let Err(e) = stored {
                tracing::error!("outbox: {e}");
            }
            engine.emit(CoreEvent::MessagesChanged {
                conversation_id: conv,
            });
            engine.emit(CoreEvent::ChatsChanged);
        }
    })
}

fn is_transient(e: &CoreError) -> bool {
    matches!(e, CoreError::Unreachable(_) | CoreError::Protocol(_))
        || matches!(
            e.api_code(),
            Some(ErrorCode::Internal | ErrorCode::RateLimited)
        )
}
