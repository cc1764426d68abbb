//! Delivering followers' messages and events to official accounts' webhooks: signed with
//! HMAC-SHA256 over timestamp, nonce and body, 5 s to answer 2xx, retried three times (1, 2 and
//! 4 s later) with the same delivery id, from a durable queue so a restart loses nothing.

use std::{net::IpAddr, time::Duration};

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::{state::AppState, store::DueDelivery};

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

fn private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
        }
    }
}

/// Whether a webhook address may be posted to: http(s), and unless the server allows it, not
/// an address on its own machine or network.
pub async fn allowed(url: &str, private_hosts: bool) -> Result<(), String> {
    let parsed = url::Url::parse(url).map_err(|_| "not a web address".to_string())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("only http and https".into());
    }
    let host = parsed.host_str().ok_or("no host")?.to_string();
    if private_hosts {
        return Ok(());
    }
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addrs = tokio::net::lookup_host((host.trim_matches(['[', ']']), port))
        .await
        .map_err(|e| format!("{host}: {e}"))?;
    for a in addrs {
        if private(a.ip()) {
            return Err(format!("{host} is a private or local address"));
        }
    }
    Ok(())
}

async fn deliver(client: &reqwest::Client, d: &DueDelivery, private_hosts: bool) -> bool {
    if allowed(&d.url, private_hosts).await.is_err() {
        return false;
    }
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
    let client = match reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("Xin webhooks")
        .build()
    {
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
            .map(|d| deliver(&client, d, state.config.webhook_private_hosts));
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
