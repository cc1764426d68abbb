//! Receiving devices: one WebSocket each, counting delivered messages and their latency.

use std::{
    borrow::Cow,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::Instant,
};

use futures_util::StreamExt;
use hdrhistogram::Histogram;
use serde::Deserialize;
use tokio_tungstenite::tungstenite::Message;

use crate::client::{Handshake, Result};

/// Every how many deliveries a receiver times one (each socket samples its own stream).
const LATENCY_SAMPLE: u64 = 4;

/// What every receiver adds to.
pub struct Tally {
    pub base: Instant,
    pub delivered: AtomicU64,
    /// Send → deliver, microseconds (only while `measuring`).
    pub latency: Mutex<Histogram<u64>>,
    pub measuring: std::sync::atomic::AtomicBool,
}

impl Tally {
    pub fn new() -> Result<Arc<Self>> {
        Ok(Arc::new(Self {
            base: Instant::now(),
            delivered: AtomicU64::new(0),
            latency: Mutex::new(new_histogram()?),
            measuring: std::sync::atomic::AtomicBool::new(false),
        }))
    }

    /// Microseconds since the tally started: goes into each message's text.
    pub fn now_us(&self) -> u64 {
        u64::try_from(self.base.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    pub fn reset_latency(&self) {
        if let Ok(mut h) = self.latency.lock() {
            h.reset();
        }
    }
}

/// 1 µs .. 10 min at 3 significant digits.
pub fn new_histogram() -> Result<Histogram<u64>> {
    Histogram::new_with_bounds(1, 600_000_000, 3).map_err(|e| e.to_string())
}

#[derive(Deserialize)]
struct Frame<'a> {
    #[serde(borrow)]
    event: Option<EventF<'a>>,
}

#[derive(Deserialize)]
struct EventF<'a> {
    #[serde(borrow)]
    body: BodyF<'a>,
}

#[derive(Deserialize)]
struct BodyF<'a> {
    #[serde(borrow)]
    message: Option<MessageF<'a>>,
}

#[derive(Deserialize)]
struct MessageF<'a> {
    #[serde(borrow)]
    content: ContentF<'a>,
}

#[derive(Deserialize)]
struct ContentF<'a> {
    #[serde(borrow)]
    text: Option<Cow<'a, str>>,
}

/// Opens a socket and counts `message_new` events on it until the socket ends.
pub async fn spawn(handshake: Handshake, tally: Arc<Tally>) -> Result<tokio::task::JoinHandle<()>> {
    let (ws, _) = tokio_tungstenite::connect_async(handshake)
        .await
        .map_err(|e| format!("realtime: {e}"))?;
    Ok(tokio::spawn(async move {
        let (_tx, mut rx) = ws.split();
        let mut seen = 0u64;
        while let Some(Ok(msg)) = rx.next().await {
            let Message::Text(text) = msg else { continue };
            // Counting needs only the event's type; the generator shares the server's two
            // cores, so it parses a whole frame only for the latency sample.
            if !text.as_str().contains(r#""type":"message_new""#) {
                continue;
            }
            tally.delivered.fetch_add(1, Ordering::Relaxed);
            seen += 1;
            if !tally.measuring.load(Ordering::Relaxed) || !seen.is_multiple_of(LATENCY_SAMPLE) {
                continue;
            }
            let Ok(frame) = serde_json::from_str::<Frame>(text.as_str()) else {
                continue;
            };
            let Some(body) = frame.event.map(|e| e.body) else {
                continue;
            };
            let sent = body
                .message
                .and_then(|m| m.content.text)
                .and_then(|t| t.split(' ').next().and_then(|s| s.parse::<u64>().ok()));
            if let Some(sent) = sent {
                if let Ok(mut h) = tally.latency.lock() {
                    let _ = h.record(tally.now_us().saturating_sub(sent).max(1));
                }
            }
        }
    }))
}

/// Opens a socket and holds it without reading a thing (an idle device).
pub async fn idle(handshake: Handshake) -> Result<impl Send> {
    tokio_tungstenite::connect_async(handshake)
        .await
        .map(|(ws, _)| ws)
        .map_err(|e| format!("realtime: {e}"))
}
