//! The loop both transfer workers run for the life of the account: take the oldest open
//! transfer and work on it until it is done, paused or cancelled; wait and retry what the
//! network broke (backing off); mark as failed what cannot succeed.

use std::{future::Future, sync::Arc, time::Duration};

use tokio::sync::Notify;

use crate::{
    cache::AccountDb,
    engine::Engine,
    error::{CoreError, CoreResult},
    session::AccountSession,
    transfer_cache::{Transfer, TransferState},
};

const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// What the network or the server may fix by itself.
pub(crate) fn is_transient(e: &CoreError) -> bool {
    use xin_proto::ErrorCode;
    matches!(e, CoreError::Unreachable(_) | CoreError::Protocol(_))
        || matches!(
            e.api_code(),
            Some(
                ErrorCode::Internal
                    | ErrorCode::RateLimited
                    | ErrorCode::ServerBusy
                    | ErrorCode::OffsetMismatch
            )
        )
}

pub(crate) async fn run<J, Next, Work, Fut>(
    engine: Engine,
    account: Arc<AccountSession>,
    wake: fn(&AccountSession) -> &Notify,
    next: Next,
    work: Work,
) where
    J: AsRef<Transfer>,
    Next: Fn(&AccountDb) -> CoreResult<Option<J>>,
    Work: Fn(Engine, Arc<AccountSession>, J) -> Fut,
    Fut: Future<Output = CoreResult<()>>,
{
    let mut backoff = FIRST_BACKOFF;
    loop {
        let job = match next(&*account.db.lock().await) {
            Ok(job) => job,
            Err(e) => {
                tracing::error!("transfers: {e}");
                return;
            }
        };
        let Some(job) = job else {
            wake(&account).notified().await;
            continue;
        };
        let id = job.as_ref().id;
        let result = tokio::select! {
            r = work(engine.clone(), account.clone(), job) => Some(r),
            _ = account.stopped(id) => None,
        };
        match result {
            // Paused or cancelled: whoever did it has told the UI.
            None => backoff = FIRST_BACKOFF,
            Some(Ok(())) => {
                backoff = FIRST_BACKOFF;
                engine.transfer_changed(&account, id).await;
            }
            Some(Err(e)) if is_transient(&e) => {
                tokio::select! {
                    _ = wake(&account).notified() => {}
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
            Some(Err(e)) if e.is_signed_out() => return,
            Some(Err(e)) => {
                let failed =
                    account
                        .db
                        .lock()
                        .await
                        .set_transfer_state(id, TransferState::Failed, Some(&e));
                if let Err(e) = failed {
                    tracing::error!("transfers: {e}");
                }
                engine.transfer_changed(&account, id).await;
            }
        }
    }
}
