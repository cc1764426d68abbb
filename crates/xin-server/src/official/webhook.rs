//! Delivering followers' messages and events to official accounts' webhooks: signed with
//! HMAC-SHA256 over timestamp, nonce and body, 5 s to answer 2xx, retried three times (1, 2 and
//! 4 s later) with the same delivery id, from a durable queue so a restart loses nothing.

use std::{
    collections::{HashMap, HashSet},
    time::Duration,
};

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::{
    outbound::{allowed, client},
    state::AppState,
    store::DueDelivery,
};

/// Deliveries under way at once, in all.
const IN_FLIGHT: i64 = 64;
/// Deliveries under way at once for one account.
const PER_ACCOUNT: i64 = 2;
/// How often the queue is looked at when it is quiet.
const IDLE: Duration = Duration::from_millis(200);
/// A claimed delivery is left alone for its timeout and this much more.
const LEASE_MARGIN_MS: i64 = 5_000;

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

/// The deliveries under way, and how many of them each account has.
#[derive(Default)]
struct InFlight {
    ids: HashSet<String>,
    per_account: HashMap<String, i64>,
}

impl InFlight {
    fn full(&self) -> bool {
        self.ids.len() as i64 >= IN_FLIGHT
    }

    /// Takes `d` on, unless it is under way already or its account has no room.
    fn start(&mut self, d: &DueDelivery) -> bool {
        let busy = self.per_account.get(&d.account).copied().unwrap_or(0);
        if self.full() || busy >= PER_ACCOUNT || !self.ids.insert(d.id.clone()) {
            return false;
        }
        *self.per_account.entry(d.account.clone()).or_default() += 1;
        true
    }

    fn finish(&mut self, d: &DueDelivery) {
        self.ids.remove(&d.id);
        if let Some(n) = self.per_account.get_mut(&d.account) {
            *n -= 1;
            if *n <= 0 {
                self.per_account.remove(&d.account);
            }
        }
    }
}

/// Runs for the server's life: sends what is due, each delivery on its own, at most
/// [`IN_FLIGHT`] at once and [`PER_ACCOUNT`] per account, and records each attempt. A receiver
/// that is slow (or never answers) holds only its own account's places, never anyone else's.
pub async fn run_deliveries(state: AppState) {
    let timeout = Duration::from_millis(state.config.webhook_timeout_ms);
    let client = match client(timeout, &None) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("webhooks: no HTTP client: {e}");
            return;
        }
    };
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel::<DueDelivery>();
    let mut in_flight = InFlight::default();
    loop {
        // Deliveries under way are still pending in the queue, so a pass asks for as many as
        // may be under way at once and skips those.
        let due = if in_flight.full() {
            Vec::new()
        } else {
            let now = crate::time::now_ms();
            // Long enough for one attempt to end, however it ends.
            let lease = now + timeout.as_millis() as i64 + LEASE_MARGIN_MS;
            state
                .store
                .due_webhooks(now, PER_ACCOUNT, IN_FLIGHT, lease)
                .await
                .unwrap_or_else(|e| {
                    tracing::warn!("webhooks: {e}");
                    Vec::new()
                })
        };
        for d in due {
            if !in_flight.start(&d) {
                // Claimed but not started here (its account is busy on this node): due again
                // at once, for this node's next pass or another node.
                if let Err(e) = state.store.webhook_released(d.id.clone()).await {
                    tracing::warn!(delivery = %d.id, "webhooks: {e}");
                }
                continue;
            }
            let (state, client, done) = (state.clone(), client.clone(), done_tx.clone());
            tokio::spawn(async move {
                let delivered =
                    deliver(&client, timeout, &d, state.config.webhook_private_hosts).await;
                // 1, 2, 4 s (by default) after the first, second and third failure.
                let retry_in = (state.config.webhook_retry_ms as i64) << d.attempts.min(8);
                if let Err(e) = state
                    .store
                    .webhook_attempted(d.id.clone(), delivered, retry_in)
                    .await
                {
                    tracing::warn!(delivery = %d.id, "webhooks: {e}");
                }
                let _ = done.send(d);
            });
        }
        // Wake when a delivery ends (its account has room again) or the queue may have more.
        tokio::select! {
            Some(d) = done_rx.recv() => {
                in_flight.finish(&d);
                while let Ok(d) = done_rx.try_recv() {
                    in_flight.finish(&d);
                }
            }
            () = tokio::time::sleep(IDLE) => {}
        }
    }
}
