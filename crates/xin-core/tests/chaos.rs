#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Chaos: three people send over a thousand messages across 1:1 and group chats while their
//! connections are cut at random and the server is restarted, once gracefully and once with
//! `kill -9`. Afterwards every cache holds, per chat, the same messages in the same order —
//! none lost, none duplicated — and unread counts agree with the server.
mod common;

use std::{
    collections::HashMap,
    net::SocketAddr,
    path::PathBuf,
    process::{Child, Command},
    sync::{Arc, Mutex},
    time::Duration,
};

use common::*;
use rand::Rng;
use serde_json::Value;
use tokio::{net::TcpListener, task::JoinHandle};
use uuid::Uuid;
use xin_core::views::SendState;

/// Messages each person sends.
const PER_PERSON: usize = 400;

/// The real server binary in its own process, so it can be killed for real.
struct ServerProcess {
    child: Option<Child>,
    addr: SocketAddr,
    dir: tempfile::TempDir,
    bin: PathBuf,
}

impl ServerProcess {
    fn start() -> Self {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(&root)
            .args(["build", "-q", "-p", "xin-server", "--bin", "xin-server"])
            .status()
            .unwrap();
        assert!(status.success());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut s = Self {
            child: None,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            dir: tempfile::tempdir().unwrap(),
            bin: root.join("target/debug/xin-server"),
        };
        s.spawn();
        s
    }

    fn spawn(&mut self) {
        let child = Command::new(&self.bin)
            .args(["--listen", &self.addr.to_string(), "--data-dir"])
            .arg(self.dir.path())
            .env("RUST_LOG", "error")
            .env("XIN_ATTEMPTS_PER_MINUTE", "100000")
            .env("XIN_TICKETS_PER_MINUTE", "100000")
            .spawn()
            .unwrap();
        self.child = Some(child);
        for _ in 0..200 {
            if std::net::TcpStream::connect(self.addr).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("xin-server did not come up");
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// SIGTERM, wait, start again.
    fn restart(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
            let _ = c.wait();
        }
        self.spawn();
    }

    /// SIGKILL: no goodbye, no flush beyond what SQLite already committed.
    fn kill9_and_restart(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().unwrap();
            let _ = c.wait();
        }
        self.spawn();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A TCP proxy in front of the server whose connections can be cut at any moment.
struct ChaosProxy {
    url: String,
    conns: Arc<Mutex<Vec<JoinHandle<()>>>>,
    _accept: JoinHandle<()>,
}

impl ChaosProxy {
    async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let conns: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let list = conns.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let task = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                let mut l = list.lock().unwrap();
                l.retain(|t| !t.is_finished());
                l.push(task);
            }
        });
        Self {
            url,
            conns,
            _accept: accept,
        }
    }

    /// Drops every open connection (both directions, mid-request or mid-stream).
    fn cut(&self) {
        for t in self.conns.lock().unwrap().drain(..) {
            t.abort();
        }
    }
}

/// Every sent message in the cache, in order: (seq, id, text).
async fn cached(p: &Person, conv: Uuid) -> Vec<(i64, Uuid, String)> {
    let mut all = Vec::new();
    let mut before = None;
    loop {
        let page = p.engine.messages(conv, before).await.unwrap();
        let sent: Vec<_> = page
            .into_iter()
            .filter(|m| m.state == SendState::Sent)
            .collect();
        let Some(first) = sent.first() else { break };
        before = Some(first.message.seq);
        let mut chunk: Vec<_> = sent
            .iter()
            .map(|m| (m.message.seq, m.message.id, text_of(&m.message)))
            .collect();
        chunk.extend(all);
        all = chunk;
        if before == Some(1) {
            break;
        }
    }
    all
}

/// Waits until `p`'s cache of `conv` equals the server's record.
async fn converges(p: &Person, conv: Uuid, record: &[(i64, Uuid, String)], within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let mine = cached(p, conv).await;
        if mine == record {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{}'s cache of {conv} never matched: {} vs {} messages",
            p.handle,
            mine.len(),
            record.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The server's own record of a conversation, paging through its history.
async fn truth(url: &str, token: &str, conv: Uuid) -> Vec<(i64, Uuid, String)> {
    let http = reqwest::Client::new();
    let mut all = Vec::new();
    let mut before = i64::MAX;
    loop {
        let page: Value = http
            .get(format!(
                "{url}/api/v1/conversations/{conv}/messages?before={before}&limit=500"
            ))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let msgs = page["messages"].as_array().unwrap();
        if msgs.is_empty() {
            break;
        }
        for m in msgs {
            let msg: xin_proto::Message = serde_json::from_value(m.clone()).unwrap();
            before = msg.seq;
            all.push((msg.seq, msg.id, text_of(&msg)));
        }
    }
    all.reverse();
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nothing_is_lost_or_doubled_through_cuts_restarts_and_kill_9() {
    let mut server = ServerProcess::start();
    let names = [
        ("alice", "13800000001"),
        ("bob", "13800000002"),
        ("carol", "13800000003"),
    ];
    let mut proxies = Vec::new();
    let mut people = Vec::new();
    for (handle, phone) in names {
        let proxy = ChaosProxy::start(server.addr).await;
        people.push(Person::join_at(&proxy.url, handle, phone).await);
        proxies.push(proxy);
    }
    let (a, b, c) = (&people[0], &people[1], &people[2]);
    a.befriend(b).await;
    a.befriend(c).await;
    b.befriend(c).await;
    let ab = a.chat_with(b).await;
    let ac = a.chat_with(c).await;
    let bc = b.chat_with(c).await;
    let group = a
        .engine
        .create_group("Everyone".into(), vec![b.id, c.id])
        .await
        .unwrap()
        .id;
    let chats_of: HashMap<Uuid, Vec<Uuid>> = HashMap::from([
        (a.id, vec![ab, ac, group]),
        (b.id, vec![ab, bc, group]),
        (c.id, vec![ac, bc, group]),
    ]);
    let members: HashMap<Uuid, Vec<usize>> = HashMap::from([
        (ab, vec![0, 1]),
        (ac, vec![0, 2]),
        (bc, vec![1, 2]),
        (group, vec![0, 1, 2]),
    ]);

    // Everyone types; nothing waits for the network.
    let typed = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut sent: HashMap<Uuid, Vec<String>> = HashMap::new();
    let senders: Vec<_> = people
        .iter()
        .map(|p| {
            let engine = p.engine.clone();
            let chats = chats_of[&p.id].clone();
            let handle = p.handle.clone();
            let typed = typed.clone();
            let plan: Vec<(Uuid, String)> = (0..PER_PERSON)
                .map(|i| {
                    (
                        chats[rand::thread_rng().gen_range(0..chats.len())],
                        format!("{handle}-{i}"),
                    )
                })
                .collect();
            for (conv, text) in &plan {
                sent.entry(*conv).or_default().push(text.clone());
            }
            tokio::spawn(async move {
                for (conv, text) in plan {
                    engine
                        .send_text(conv, text, None, vec![], false)
                        .await
                        .unwrap();
                    typed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let pause = rand::thread_rng().gen_range(1..6);
                    tokio::time::sleep(Duration::from_millis(pause)).await;
                }
            })
        })
        .collect();

    // Meanwhile: cut connections at random; a third of the way through restart the server,
    // two thirds through kill it with SIGKILL — both while people are still typing.
    let total = PER_PERSON * people.len();
    let (mut restarted, mut killed) = (false, false);
    while !(restarted && killed && senders.iter().all(JoinHandle::is_finished)) {
        let pause = rand::thread_rng().gen_range(20..120);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        proxies[rand::thread_rng().gen_range(0..proxies.len())].cut();
        let done = typed.load(std::sync::atomic::Ordering::Relaxed);
        if !restarted && done >= total / 3 {
            server.restart();
            restarted = true;
        }
        if !killed && done >= 2 * total / 3 {
            server.kill9_and_restart();
            killed = true;
        }
    }
    for s in senders {
        s.await.unwrap();
    }
    // A last cut after everything is typed, so catch-up is exercised at the very end too.
    proxies.iter().for_each(ChaosProxy::cut);

    // Every outbox drains, then every cache converges on the server's record.
    for p in &people {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
        while p.engine.outbox_len().await.unwrap() > 0 {
            assert!(
                tokio::time::Instant::now() < deadline,
                "{}'s outbox never drained",
                p.handle
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let phone_tokens = {
        let http = reqwest::Client::new();
        let mut t = HashMap::new();
        for (handle, _) in names {
            let s: Value = http
                .post(format!("{}/api/v1/sessions", server.url()))
                .json(&serde_json::json!({"login": handle, "password": "correct horse",
                    "device": {"name": "Checker", "kind": "phone", "os": "test", "app_version": "0"}}))
                .send().await.unwrap().json().await.unwrap();
            t.insert(handle, s["access_token"].as_str().unwrap().to_string());
        }
        t
    };
    for (conv, idx) in &members {
        let record = truth(
            &server.url(),
            &phone_tokens[people[idx[0]].handle.as_str()],
            *conv,
        )
        .await;
        // Gap-free seq, every message once, each sender's messages in the order typed.
        assert!(
            record
                .iter()
                .enumerate()
                .all(|(i, (seq, _, _))| *seq == i as i64 + 1),
            "seq is gap-free"
        );
        let texts: Vec<&String> = record
            .iter()
            .map(|(_, _, t)| t)
            .filter(|t| !t.starts_with('['))
            .collect();
        let mut expected = sent.get(conv).cloned().unwrap_or_default();
        let mut got: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
        for who in ["alice", "bob", "carol"] {
            let mine: Vec<_> = got
                .iter()
                .filter(|t| t.starts_with(&format!("{who}-")))
                .cloned()
                .collect();
            let typed: Vec<_> = expected
                .iter()
                .filter(|t| t.starts_with(&format!("{who}-")))
                .cloned()
                .collect();
            assert_eq!(
                mine, typed,
                "{who}'s messages in {conv}: all there, once, in order"
            );
        }
        got.sort();
        expected.sort();
        assert_eq!(got, expected);
        for &i in idx {
            let p = &people[i];
            converges(p, *conv, &record, Duration::from_secs(60)).await;
            // Unread counts agree with the server's.
            let server_view: Value = reqwest::Client::new()
                .get(format!("{}/api/v1/conversations", server.url()))
                .bearer_auth(&phone_tokens[p.handle.as_str()])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let unread = server_view["conversations"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["id"] == conv.to_string())
                .unwrap()["unread"]
                .as_i64()
                .unwrap();
            p.expect_unread(*conv, unread).await;
        }
    }
}

/// Sends in the burst, and the senders they are spread over.
const BURST: usize = 3000;
const BURST_SENDERS: usize = 12;

/// Signs in a checker device over plain HTTP (the burst and the record come from it).
async fn token(url: &str, handle: &str) -> String {
    let s: Value = reqwest::Client::new()
        .post(format!("{url}/api/v1/sessions"))
        .json(
            &serde_json::json!({"login": handle, "password": "correct horse",
            "device": {"name": "Burst", "kind": "desktop", "os": "test", "app_version": "0"}}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    s["access_token"].as_str().unwrap().to_string()
}

/// Group commit acknowledges a send only after the batch holding it is durable: `kill -9` in
/// the middle of a burst loses no acknowledged message, a retry of one whose answer was lost
/// is not doubled, and every client's cache ends equal to the server's record.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_sends_survive_kill_9_during_a_burst() {
    let mut server = ServerProcess::start();
    let alice = Person::join_at(&server.url(), "alice", "13800000001").await;
    let bob = Person::join_at(&server.url(), "bob", "13800000002").await;
    alice.befriend(&bob).await;
    let conv = alice.chat_with(&bob).await;
    let url = server.url();
    let sender_token = token(&url, "alice").await;

    // Each sender retries a send until it is acknowledged, with the same client id, like an
    // outbox; the acknowledged message ids are what must survive.
    let acked = Arc::new(std::sync::Mutex::new(HashMap::<String, Uuid>::new()));
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let tasks: Vec<_> = (0..BURST_SENDERS)
        .map(|s| {
            let (url, token, acked, count) = (
                url.clone(),
                sender_token.clone(),
                acked.clone(),
                count.clone(),
            );
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                for i in (s..BURST).step_by(BURST_SENDERS) {
                    let text = format!("burst-{i}");
                    let client_id = Uuid::now_v7();
                    let id = loop {
                        let r = http
                            .post(format!("{url}/api/v1/conversations/{conv}/messages"))
                            .bearer_auth(&token)
                            .json(&serde_json::json!({"client_id": client_id,
                                "content": {"type": "text", "text": text}}))
                            .send()
                            .await;
                        if let Ok(r) = r {
                            if r.status().is_success() {
                                let m: xin_proto::Message = r.json().await.unwrap();
                                break m.id;
                            }
                        }
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    };
                    acked.lock().unwrap().insert(text, id);
                    count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            })
        })
        .collect();
    while count.load(std::sync::atomic::Ordering::Relaxed) < BURST / 2 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let before_kill = acked.lock().unwrap().clone();
    server.kill9_and_restart();
    for t in tasks {
        t.await.unwrap();
    }

    let record = truth(&url, &token(&url, "bob").await, conv).await;
    let ids: HashMap<Uuid, &String> = record.iter().map(|(_, id, t)| (*id, t)).collect();
    for (text, id) in &before_kill {
        assert_eq!(
            ids.get(id).map(|t| t.as_str()),
            Some(text.as_str()),
            "{text}, acknowledged before the kill, is on the server after it"
        );
    }
    let acked = acked.lock().unwrap().clone();
    assert_eq!(acked.len(), BURST);
    assert!(acked.values().all(|id| ids.contains_key(id)));
    let mut texts: Vec<&String> = record.iter().map(|(_, _, t)| t).collect();
    texts.sort();
    texts.dedup();
    assert_eq!(texts.len(), BURST, "every send exactly once, none doubled");
    assert_eq!(record.len(), BURST);
    assert!(
        record
            .iter()
            .enumerate()
            .all(|(i, (seq, _, _))| *seq == i as i64 + 1),
        "seq is gap-free"
    );
    for p in [&alice, &bob] {
        converges(p, conv, &record, Duration::from_secs(90)).await;
    }
}
