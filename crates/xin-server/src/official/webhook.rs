//! Delivering followers' messages and events to official accounts' webhooks: signed with
//! HMAC-SHA256 over timestamp, nonce and body, 5 s to answer 2xx, retried three times (1, 2 and
//! 4 s later) with the same delivery id, from a durable queue so a restart loses nothing.

use std::time::Duration;

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::{
    outbound::{allowed, client},
    state::AppState,
    store::DueDelivery,
};

/// Deliveries sent per pass.
const BATCH: i64 = 32;
/// How often the queue is looked at when it is quiet.
const IDLE: Duration = Duration::from_millis(200);

/// Hex HMAC-SHA256 of `timestamp \n nonce \n body` keyed with the account's secret.
pub fn signature(secret: &str, timestamp: &str, nonce: &str, body: &str) -> String {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(format!("{timestamp}\n{nonce}\n{body}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

async fn deliver(
    shared: &reqwest::Client,
    timeout: Duration,
    d: &DueDelivery,
    private_hosts: bool,
) -> bool {
    let Ok(pinned) = allowed(&d.url, private_hosts).await else {
        return false;
    };
    // A checked public host gets a client that connects only to the checked addresses.
    let client = match &pinned {
        None => shared.clone(),
        Some(_) => match client(timeout, &pinned) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!("webhooks: no HTTP client: {e}");
                return false;
            }
        },
    };
    let timestamp = (crate::time::now_ms() / 1000).to_string();
    let mut nonce = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut nonce);
    let nonce = hex::encode(nonce);
    let response = client
        .post(&d.url)
        .header("content-type", "application/json")
        .header("x-xin-delivery", &d.id)
        .header("x-xin-timestamp", &timestamp)
        .header("x-xin-nonce", &nonce)
        .header(
            "x-xin-signature",
            signature(&d.secret, &timestamp, &nonce, &d.body),
        )
        .body(d.body.clone())
        .send()
        .await;
    response.is_ok_and(|r| r.status().is_success())
}

/// Runs for the server's life: sends what is due, records each attempt.
pub async fn run_deliveries(state: AppState) {
    let timeout = Duration::from_millis(state.config.webhook_timeout_ms);
    let client = match client(timeout, &None) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("webhooks: no HTTP client: {e}");
            return;
        }
    };
    loop {
        let due = match state.store.due_webhooks(crate::time::now_ms(), BATCH).await {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!("webhooks: {e}");
                Vec::new()
            }
        };
        if due.is_empty() {
            tokio::time::sleep(IDLE).await;
            continue;
        }
        let sends = due
            .iter()
            .map(|d| deliver(&client, timeout, d, state.config.webhook_private_hosts));
        let results = futures_util::future::join_all(sends).await;
        for (d, delivered) in due.into_iter().zip(results) {
            // 1, 2, 4 s (by default) after the first, second and third failure.
            let retry_in = (state.config.webhook_retry_ms as i64) << d.attempts.min(8);
            if let Err(e) = state
                .store
                .webhook_attempted(d.id.clone(), delivered, retry_in)
                .await
            {
                tracing::warn!(delivery = %d.id, "webhooks: {e}");
            }
        }
    }
}
