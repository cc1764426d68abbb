//! What an operator's Prometheus scrapes at `/metrics` (or on `--metrics-listen`): how busy
//! the node is and how well it keeps up. Counts and timings only: no user, conversation, device
//! or address ever becomes a label, so the page says nothing about anyone.

use std::time::Duration;

use prometheus_client::{
    encoding::{text::encode, EncodeLabelSet},
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{exponential_buckets, Histogram},
    },
    registry::Registry,
};

/// The labels of an answer: its HTTP status, and the stable error code when it is an error.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AnswerLabels {
    pub status: u16,
    pub code: String,
}

/// The node's counters and timings, kept as they happen. Clones share them.
#[derive(Clone)]
pub struct Metrics {
    /// Messages committed on this node (each once, however many members it reaches).
    pub messages: Counter,
    /// Wallet balances that moved: a top-up moves one, a transfer two (out, then in).
    pub wallet_changes: Counter,
    /// Writes committed together in one transaction.
    pub batch_writes: Histogram,
    /// How long a batch took to commit.
    pub commit_seconds: Histogram,
    /// From an event's commit to its push onto the sockets of this node.
    pub push_lag_seconds: Histogram,
    /// Answers by status and error code.
    pub answers: Family<AnswerLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            messages: Counter::default(),
            wallet_changes: Counter::default(),
            // 1, 2, 4, … 4096 (the writer's largest batch).
            batch_writes: Histogram::new(exponential_buckets(1.0, 2.0, 13)),
            // 0.1 ms … ~3.3 s.
            commit_seconds: Histogram::new(exponential_buckets(0.0001, 2.0, 16)),
            // 1 ms … ~16 s.
            push_lag_seconds: Histogram::new(exponential_buckets(0.001, 2.0, 15)),
            answers: Family::default(),
        }
    }
}

/// What is read at the moment of the scrape rather than counted along the way.
pub struct Now {
    pub sockets: usize,
    pub uploads_receiving: usize,
    pub webhooks_pending: i64,
}

impl Metrics {
    /// A batch of `writes` committed in `took`.
    pub fn committed(&self, writes: usize, took: Duration) {
        self.batch_writes.observe(writes as f64);
        self.commit_seconds.observe(took.as_secs_f64());
    }

    /// The Prometheus text of everything, with `now`'s gauges.
    pub fn render(&self, now: &Now) -> Result<String, std::fmt::Error> {
        let mut registry = Registry::with_prefix("xin");
        let gauge = |v: i64| {
            let g: Gauge = Gauge::default();
            g.set(v);
            g
        };
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        registry.register(
            "sockets",
            "Realtime sockets connected to this node",
            gauge(count(now.sockets)),
        );
        registry.register(
            "uploads_receiving",
            "Upload requests receiving bytes right now",
            gauge(count(now.uploads_receiving)),
        );
        registry.register(
            "webhook_queue",
            "Official-account webhook deliveries waiting to be sent (all nodes)",
            gauge(now.webhooks_pending),
        );
        registry.register(
            "messages",
            "Messages committed on this node",
            self.messages.clone(),
        );
        registry.register(
            "wallet_changes",
            "Wallet balances moved by this node's commits",
            self.wallet_changes.clone(),
        );
        registry.register(
            "store_batch_writes",
            "Writes committed together in one transaction",
            self.batch_writes.clone(),
        );
        registry.register(
            "store_commit_seconds",
            "Time to commit one batch of writes",
            self.commit_seconds.clone(),
        );
        registry.register(
            "event_push_lag_seconds",
            "From an event's commit to its push onto this node's sockets",
            self.push_lag_seconds.clone(),
        );
        registry.register(
            "http_answers",
            "Answers by HTTP status and error code",
            self.answers.clone(),
        );
        let mut text = String::new();
        encode(&mut text, &registry)?;
        Ok(text)
    }
}
