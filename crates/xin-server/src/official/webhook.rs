//! Delivering followers' messages and events to official accounts' webhooks: signed with
//! HMAC-SHA256 over timestamp, nonce and body, 5 s to answer 2xx, retried three times (1, 2 and
//! 4 s later) with the same delivery id, from a durable queue so a restart loses nothing.

use std::{
    net::{IpAddr, SocketAddr},
    time::Duration,
};

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

/// Where a delivery may connect: the host and the public addresses it was checked to resolve to.
/// None when the server allows private hosts (the system resolver is used as is).
pub type Pinned = Option<(String, Vec<SocketAddr>)>;

/// Whether a webhook address may be posted to: http(s), and unless the server allows it, not
/// an address on its own machine or network. Answers the addresses it checked, so the delivery
/// connects to exactly those: resolving again at connect time would let a DNS answer that
/// changed in between (rebinding) reach the server's own network.
pub async fn allowed(url: &str, private_hosts: bool) -> Result<Pinned, String> {
    let parsed = url::Url::parse(url).map_err(|_| "not a web address".to_string())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("only http and https".into());
    }
    let host = parsed.host_str().ok_or("no host")?.to_string();
    if private_hosts {
        return Ok(None);
    }
    let port = parsed.port_or_known_default().unwrap_or(443);
    let bare = host.trim_matches(['[', ']']).to_string();
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((bare.as_str(), port))
        .await
        .map_err(|e| format!("{host}: {e}"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("{host}: no address"));
    }
    if addrs.iter().any(|a| private(a.ip())) {
        return Err(format!("{host} is a private or local address"));
    }
    Ok(Some((bare, addrs)))
}

pub(crate) fn client(timeout: Duration, pinned: &Pinned) -> reqwest::Result<reqwest::Client> {
    let mut b = reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("Xin webhooks");
    if let Some((host, addrs)) = pinned {
        b = b.resolve_to_addrs(host, addrs);
    }
    b.build()
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

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[tokio::test]
    async fn only_public_http_addresses_pass_and_are_pinned() -> TestResult {
        for refused in [
            "http://127.0.0.1:9/hook",
            "http://[::1]/hook",
            "http://10.1.2.3/hook",
            "http://169.254.169.254/latest",
            "ftp://8.8.8.8/hook",
        ] {
            assert!(allowed(refused, false).await.is_err(), "{refused}");
        }
        let pinned = allowed("http://8.8.8.8/hook", false).await?;
        assert_eq!(
            pinned,
            Some(("8.8.8.8".to_string(), vec!["8.8.8.8:80".parse()?]))
        );
        // A server that allows private hosts resolves as usual.
        assert_eq!(allowed("http://127.0.0.1:9/hook", true).await?, None);
        Ok(())
    }

    /// The delivery connects to the checked address whatever the name would resolve to now:
    /// here the name resolves nowhere, yet the pinned address answers.
    #[tokio::test]
    async fn a_pinned_client_connects_to_the_checked_address_only() -> TestResult {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let server = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await?;
            let mut buf = vec![0u8; 4096];
            let n = socket.read(&mut buf).await?;
            socket
                .write_all(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n")
                .await?;
            Ok::<_, std::io::Error>(String::from_utf8_lossy(&buf[..n]).to_string())
        });
        let pinned = Some(("hooks.example.invalid".to_string(), vec![addr]));
        let c = client(Duration::from_secs(5), &pinned)?;
        let r = c
            .post(format!("http://hooks.example.invalid:{}/hook", addr.port()))
            .body("{}")
            .send()
            .await?;
        assert_eq!(r.status(), reqwest::StatusCode::NO_CONTENT);
        let request = server.await??;
        assert!(request.contains("host: hooks.example.invalid"), "{request}");
        Ok(())
    }
}
