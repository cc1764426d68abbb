//! The wallet's rules outside the ledger: the bank provider, card numbers, amounts and the
//! payment PIN. The ledger itself is `store::ledger`.

pub mod bank;
pub mod pin;

use xin_proto::MAX_AMOUNT_FEN;

use crate::error::{ApiError, ApiResult};

/// An amount of money someone asks to move: whole fen, more than zero, at most ¥50 000.
pub fn amount(fen: i64) -> ApiResult<i64> {
    if (1..=MAX_AMOUNT_FEN).contains(&fen) {
        Ok(fen)
    } else {
        Err(ApiError::invalid(format!(
            "amount_fen: a whole number of fen from 1 to {MAX_AMOUNT_FEN} (¥{})",
            MAX_AMOUNT_FEN / 100
        )))
    }
}

/// Returns transfers nobody accepted, and what is left of red envelopes, in time to their senders, for the life of the server. The
/// deadlines are in the store, so a restart loses none: the first sweep runs at once.
pub async fn run_refunds(state: crate::state::AppState) {
    // Often enough that a refund is never much later than its deadline.
    let every = std::time::Duration::from_secs((state.config.transfer_ttl_secs / 4).clamp(1, 60));
    loop {
        let now = crate::time::now_ms();
        match state.store.refund_expired(now).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(transfers = n, "returned transfers nobody accepted"),
            Err(e) => tracing::warn!("transfer refunds: {e}"),
        }
        match state.store.return_expired_envelopes(now).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(envelopes = n, "returned what was left of red envelopes"),
            Err(e) => tracing::warn!("red envelope returns: {e}"),
        }
        tokio::time::sleep(every).await;
    }
}
