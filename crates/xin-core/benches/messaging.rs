#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `cargo xtask bench`, engine part: catch-up of 10 000 missed events (fetched from a real
//! server on loopback and applied to the cache) and opening a 100 000-message chat from the
//! cache. The server's own throughput is measured by `xin-load`, from its own process.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use serde_json::{json, Value};
use uuid::Uuid;
use xin_core::{cache::AccountDb, cache_key::CacheKey};

static KEY: std::sync::LazyLock<CacheKey> = std::sync::LazyLock::new(CacheKey::random);
use xin_proto::{Content, Event, EventBody, EventPage, Message};

struct User {
    id: String,
    token: String,
}

struct Bench {
    url: String,
    http: reqwest::Client,
    _server: xin_server::Running,
    _dir: tempfile::TempDir,
}

impl Bench {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = xin_server::Config::for_tests(dir.path());
        config.attempts_per_minute = 1_000_000;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = xin_server::start(config, listener).await.unwrap();
        Self {
            url: server.url(),
            http: reqwest::Client::new(),
            _server: server,
            _dir: dir,
        }
    }

    async fn post(&self, token: &str, path: &str, body: Value) -> Value {
        let r = self
            .http
            .post(format!("{}/api/v1{path}", self.url))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().await.unwrap_or(Value::Null)
    }

    async fn user(&self, n: usize) -> User {
        let v: Value = self
            .http
            .post(format!("{}/api/v1/accounts", self.url))
            .json(&json!({"handle": format!("user{n}"), "phone": format!("1390000{n:04}"), "display_name": format!("User {n}"),
                "password": "bench password", "device": {"name": "bench", "kind": "phone", "os": "bench", "app_version": "0"}}))
            .send().await.unwrap().json().await.unwrap();
        User {
            id: v["user"]["id"].as_str().unwrap().into(),
            token: v["access_token"].as_str().unwrap().into(),
        }
    }

    async fn befriend(&self, a: &User, b: &User) {
        let r = self
            .post(&a.token, "/friend-requests", json!({"to": b.id}))
            .await;
        self.post(
            &b.token,
            &format!("/friend-requests/{}/answer", r["id"].as_str().unwrap()),
            json!({"accept": true}),
        )
        .await;
    }
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let b = Arc::new(Bench::start().await);
    // Catch-up: a client that missed 10 000 events becomes current (fetch + apply).
    let a = b.user(300).await;
    let c = b.user(301).await;
    b.befriend(&a, &c).await;
    let conv = b
        .post(&a.token, "/conversations/direct", json!({"with": c.id}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let conv_id = Uuid::parse_str(&conv).unwrap();
    let head_before: EventPage = b
        .http
        .get(format!("{}/api/v1/events?after=0&limit=10000", b.url))
        .bearer_auth(&c.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let missed_from = head_before.head;
    let senders: Vec<_> = (0..8)
        .map(|k| {
            let (b, token, conv) = (b.clone(), a.token.clone(), conv.clone());
            tokio::spawn(async move {
                for i in 0..1250 {
                    b.post(&token, &format!("/conversations/{conv}/messages"), json!({"client_id": Uuid::now_v7(), "content": {"type": "text", "text": format!("m{k}-{i}")}})).await;
                }
            })
        })
        .collect();
    for s in senders {
        s.await.unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let mut db = AccountDb::open(&dir.path().join("c.db"), &KEY).unwrap();
    db.set_last_seq(missed_from).unwrap();
    let started = Instant::now();
    loop {
        let after = db.last_seq().unwrap();
        let page: EventPage = b
            .http
            .get(format!("{}/api/v1/events?after={after}&limit=5000", b.url))
            .bearer_auth(&c.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        db.apply(&page.events).unwrap();
        if db.last_seq().unwrap() >= page.head {
            break;
        }
    }
    let caught = db.last_seq().unwrap() - missed_from;
    println!(
        "catch-up: {caught} missed events fetched and applied in {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    assert!(caught >= 10_000);

    // Cache: a chat with 100 000 messages; time from opening the database to its first page.
    let path = dir.path().join("big.db");
    {
        let mut db = AccountDb::open(&path, &KEY).unwrap();
        let sender = Uuid::now_v7();
        let events: Vec<Event> = (1..=100_000)
            .map(|seq| Event {
                seq,
                at: 0,
                body: EventBody::MessageNew {
                    message: Message {
                        id: Uuid::now_v7(),
                        conversation_id: conv_id,
                        seq,
                        sender_id: sender,
                        client_id: Uuid::now_v7(),
                        content: Content::Text {
                            text: format!("message number {seq} with some ordinary length text"),
                            mentions: vec![],
                            mention_all: false,
                        },
                        reply_to: None,
                        recalled: false,
                        created_at: seq,
                    },
                    unread: 0,
                },
            })
            .collect();
        for chunk in events.chunks(10_000) {
            db.apply(chunk).unwrap();
        }
    }
    let mut times = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        let db = AccountDb::open(&path, &KEY).unwrap();
        let page = db.messages(conv_id, None, 50).unwrap();
        times.push(started.elapsed());
        assert_eq!(page.len(), 50);
        assert_eq!(page.last().unwrap().message.seq, 100_000);
    }
    times.sort();
    println!(
        "cache: open a 100 000-message chat to its first page: p50 {:.2} ms, max {:.2} ms (20 runs)",
        pct(&times, 0.5).as_secs_f64() * 1e3,
        times.last().unwrap().as_secs_f64() * 1e3
    );
}
