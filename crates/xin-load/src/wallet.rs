//! Wallet steps: durable payments between wallets, spread over many payers and payees, and
//! all into one hot account (a busy shop).

use std::sync::{atomic::Ordering, Arc};

use futures_util::{stream, StreamExt, TryStreamExt};
use reqwest::Method;
use serde_json::json;

use crate::{
    client::{Api, Result, User},
    receiver::Tally,
    scenarios::Op,
};

pub const PIN: &str = "246810";

/// Each payer's float: the largest single top-up, enough for millions of 1-fen payments.
const FLOAT_FEN: i64 = 5_000_000;

/// Gives every user a sandbox card, a PIN and a float, and makes one payment each so the
/// server has checked every PIN once (argon2) before anything is measured.
pub async fn fund(api: &Api, users: &[User]) -> Result<()> {
    stream::iter(users.iter().enumerate())
        .map(|(i, u)| async move {
            let t = Some(u.token.as_str());
            let card = api
                .post(t, "/wallet/cards", json!({"number": "4242424242424242"}))
                .await?;
            api.call(Method::PUT, t, "/wallet/pin", json!({"pin": PIN}))
                .await?;
            api.post(
                t,
                "/wallet/top-up",
                json!({"idempotency_key": uuid::Uuid::now_v7(), "card_id": card["id"],
                       "amount_fen": FLOAT_FEN}),
            )
            .await?;
            api.pay(u, &users[(i + 1) % users.len()], 1, PIN).await
        })
        .buffered(8)
        .try_collect()
        .await
}

/// Sender `i` pays 1 fen from payer `i` to `payee(i)`; the acknowledgement time is the latency.
pub fn pay_op(
    api: &Api,
    payers: &Arc<Vec<User>>,
    payee: impl Fn(usize) -> User + Send + Sync + 'static,
    tally: &Arc<Tally>,
) -> Op {
    let (api, payers, tally) = (api.clone(), payers.clone(), tally.clone());
    let payee = Arc::new(payee);
    Arc::new(move |i| {
        let (api, tally) = (api.clone(), tally.clone());
        let from = payers[i % payers.len()].clone();
        let to = payee(i);
        Box::pin(async move {
            let t0 = tally.now_us();
            api.pay(&from, &to, 1, PIN).await?;
            if tally.measuring.load(Ordering::Relaxed) {
                if let Ok(mut h) = tally.latency.lock() {
                    let _ = h.record((tally.now_us() - t0).max(1));
                }
            }
            Ok(())
        })
    })
}
