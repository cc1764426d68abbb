#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `cargo xtask bench`: server delivery rate (1:1 and a 100-member group) over real
//! WebSockets, send-to-delivery latency at half the peak rate, catch-up of 10 000 missed
//! events, and opening a 100 000-message chat from the cache. Everything on loopback.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio::sync::Mutex;
use uuid::Uuid;
use xin_core::cache::AccountDb;
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

    async fn send(&self, u: &User, conv: &str, text: String) {
        self.post(
            &u.token,
            &format!("/conversations/{conv}/messages"),
            json!({"client_id": Uuid::now_v7(), "content": {"type": "text", "text": text}}),
        )
        .await;
    }

    /// A WebSocket that records when each message (by text) arrived.
    async fn listen(
        &self,
        u: &User,
        arrivals: Arc<Mutex<HashMap<String, Instant>>>,
        count: Arc<std::sync::atomic::AtomicUsize>,
    ) {
        let url = format!(
            "{}/api/v1/realtime?access_token={}",
            self.url.replace("http", "ws"),
            u.token
        );
        let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        tokio::spawn(async move {
            while let Some(Ok(msg)) = ws.next().await {
                let Ok(v) = serde_json::from_str::<Value>(msg.to_text().unwrap_or("")) else {
                    continue;
                };
                if v["event"]["body"]["type"] == "message_new" {
                    count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if let Some(t) = v["event"]["body"]["message"]["content"]["text"].as_str() {
                        arrivals
                            .lock()
                            .await
                            .entry(t.to_string())
                            .or_insert_with(Instant::now);
                    }
                }
            }
        });
    }
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Sends `total` messages with `concurrency` senders; returns deliveries per second.
async fn blast(
    b: &Arc<Bench>,
    pairs: &[(Arc<User>, String)],
    total: usize,
    fanout: usize,
    counter: &Arc<std::sync::atomic::AtomicUsize>,
) -> f64 {
    counter.store(0, std::sync::atomic::Ordering::Relaxed);
    let started = Instant::now();
    let per = total / pairs.len();
    let tasks: Vec<_> = pairs
        .iter()
        .cloned()
        .map(|(u, conv)| {
            let b = b.clone();
            tokio::spawn(async move {
                for i in 0..per {
                    b.send(&u, &conv, format!("blast {i}")).await;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let expected = per * pairs.len() * fanout;
    while counter.load(std::sync::atomic::Ordering::Relaxed) < expected {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    expected as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let b = Arc::new(Bench::start().await);
    let arrivals: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let counter = Arc::new(std::sync::atomic::AtomicUsize::new(0));

    // 1:1 — 16 people in 8 pairs; each receiver on a real WebSocket.
    let mut pairs = Vec::new();
    for p in 0..8 {
        let a = b.user(2 * p).await;
        let c = b.user(2 * p + 1).await;
        b.befriend(&a, &c).await;
        let conv = b
            .post(&a.token, "/conversations/direct", json!({"with": c.id}))
            .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        b.listen(&c, arrivals.clone(), counter.clone()).await;
        pairs.push((Arc::new(a), conv));
    }
    let direct_rate = blast(&b, &pairs, 4000, 1, &counter).await;
    println!("1:1 delivery: {direct_rate:.0} messages/s (8 pairs, 4000 messages, receivers on WebSockets)");

    // Latency at half the peak rate: paced sends, timed until the receiver's socket has them.
    let rate = direct_rate / 2.0;
    let interval = Duration::from_secs_f64(1.0 / rate);
    let mut sent_at = HashMap::new();
    let start = Instant::now();
    for i in 0..1000 {
        let (u, conv) = &pairs[i % pairs.len()];
        let text = format!("lat {i}");
        let due = start + interval * i as u32;
        tokio::time::sleep_until(due.into()).await;
        sent_at.insert(text.clone(), Instant::now());
        let (b, u, conv) = (b.clone(), u.clone(), conv.clone());
        tokio::spawn(async move { b.send(&u, &conv, text).await });
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got = arrivals.lock().await;
    let mut lat: Vec<Duration> = sent_at
        .iter()
        .filter_map(|(t, s)| got.get(t).map(|r| r.duration_since(*s)))
        .collect();
    drop(got);
    lat.sort();
    println!(
        "1:1 send-to-delivery at {rate:.0} msg/s: p50 {:.2} ms, p99 {:.2} ms ({} of 1000 timed)",
        pct(&lat, 0.5).as_secs_f64() * 1e3,
        pct(&lat, 0.99).as_secs_f64() * 1e3,
        lat.len()
    );

    // A 100-member group; every member on a WebSocket; 10 senders.
    let owner = b.user(100).await;
    let mut members = Vec::new();
    for n in 101..200 {
        let m = b.user(n).await;
        b.befriend(&owner, &m).await;
        members.push(m);
    }
    let group = b
        .post(&owner.token, "/conversations", json!({"title": "Hundred", "members": members.iter().map(|m| m.id.clone()).collect::<Vec<_>>()}))
        .await["id"].as_str().unwrap().to_string();
    let group_counter = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    b.listen(&owner, arrivals.clone(), group_counter.clone())
        .await;
    for m in &members {
        b.listen(m, arrivals.clone(), group_counter.clone()).await;
    }
    let senders: Vec<(Arc<User>, String)> = members
        .drain(..10)
        .map(|m| (Arc::new(m), group.clone()))
        .collect();
    let group_rate = blast(&b, &senders, 300, 100, &group_counter).await;
    println!("100-member group: {group_rate:.0} deliveries/s ({:.0} messages/s fanned out to 100 sockets)", group_rate / 100.0);

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
    let mut db = AccountDb::open(&dir.path().join("c.db")).unwrap();
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
        let mut db = AccountDb::open(&path).unwrap();
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
        let db = AccountDb::open(&path).unwrap();
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
