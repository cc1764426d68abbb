//! Chaos for money: many payers at once, several on one hot account, while the real server
//! process is killed with SIGKILL and started again. Afterwards every acknowledged payment is
//! there, a retry of any payment (acknowledged or not) with its key applies it at most once, and
//! `ledger check` passes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::{
    collections::HashMap,
    process::{Child, Command},
    sync::{Arc, Mutex},
    time::Duration,
};

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The server's process, killed when dropped: a failed test must not leave it running, for it
/// holds the test's output open and `cargo test` would wait on it for ever.
struct ServerProcess(Child);

impl ServerProcess {
    /// SIGKILL: no shutdown, no flush.
    fn kill9(&mut self) {
        self.0.kill().unwrap();
        self.0.wait().unwrap();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(port: u16, dir: &std::path::Path, db: &[String]) -> ServerProcess {
    ServerProcess(
        Command::new(env!("CARGO_BIN_EXE_xin-server"))
            .args([
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--data-dir",
                dir.to_str().unwrap(),
                "--attempts-per-minute",
                "100000",
            ])
            .args(db)
            .env("RUST_LOG", "warn")
            .spawn()
            .unwrap(),
    )
}

async fn healthy(url: &str) {
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(r) = http.get(format!("{url}/api/v1/health")).send().await {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not come up");
}

/// One payment a payer meant to make: its key and body, and the id if it was acknowledged.
struct Attempt {
    token: String,
    body: Value,
    acknowledged: Option<String>,
}

#[tokio::test]
async fn payments_survive_a_kill_9_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let database = common::TestDatabase::fresh();
    let db: Vec<String> = database.iter().flat_map(|d| d.args(&url)).collect();
    let mut server = spawn(port, &data, &db);
    healthy(&url).await;
    let s = TestServer::attach(url.clone(), tempfile::tempdir().unwrap());
    let people = [
        Party::join(&s, "alice", "13800000001").await,
        Party::join(&s, "bob", "13800000002").await,
        Party::join(&s, "carol", "13800000003").await,
    ];
    people[0].befriend(&people[1]).await;
    people[0].befriend(&people[2]).await;
    people[1].befriend(&people[2]).await;
    for p in &people {
        p.fund(1_000_000).await;
    }
    // Every payer pays Alice (the hot account) or a neighbour, as fast as it can, in amounts
    // small enough that no one runs out of money however fast the machine is (a refusal would end
    // that payer, and its retry would be refused again).
    let mut routes = Vec::new();
    for (from, to) in [(1, 0), (2, 0), (0, 1), (0, 2), (1, 2), (2, 1)] {
        let conv = people[from].direct(&people[to]).await;
        routes.push((people[from].user.access.clone(), conv));
    }
    let attempts: Arc<Mutex<Vec<Attempt>>> = Arc::default();
    let mut payers = Vec::new();
    for p in 0..12 {
        let (token, conv) = routes[p % routes.len()].clone();
        let (attempts, url) = (attempts.clone(), url.clone());
        payers.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            for i in 0.. {
                let body = json!({"idempotency_key": format!("p{p}-{i}"), "conversation_id": conv,
                                  "amount_fen": 1 + i % 10, "note": "", "pin": PIN});
                let sent = http
                    .post(format!("{url}/api/v1/wallet/transfers"))
                    .bearer_auth(&token)
                    .json(&body)
                    .timeout(Duration::from_secs(10))
                    .send()
                    .await;
                let acknowledged = match sent {
                    Ok(r) if r.status() == StatusCode::OK => r
                        .json::<Value>()
                        .await
                        .ok()
                        .map(|v| v["id"].as_str().unwrap().to_string()),
                    _ => None,
                };
                let stop = acknowledged.is_none();
                attempts.lock().unwrap().push(Attempt {
                    token: token.clone(),
                    body,
                    acknowledged,
                });
                if stop {
                    break;
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    server.kill9();
    for p in payers {
        p.await.unwrap();
    }
    let mut server = spawn(port, &data, &db);
    healthy(&url).await;

    let attempts = std::mem::take(&mut *attempts.lock().unwrap());
    let acknowledged = attempts.iter().filter(|a| a.acknowledged.is_some()).count();
    assert!(
        acknowledged >= 10,
        "the payers got going ({acknowledged} paid)"
    );
    let http = reqwest::Client::new();
    let mut ids: HashMap<String, String> = HashMap::new();
    for a in &attempts {
        // Every payment is retried with its key, as a client does after an error: an
        // acknowledged one answers its first result, an unacknowledged one happens now or was
        // already done — never twice.
        let r = http
            .post(format!("{url}/api/v1/wallet/transfers"))
            .bearer_auth(&a.token)
            .json(&a.body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let answer = r.json::<Value>().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{answer}");
        let id = answer["id"].as_str().unwrap().to_string();
        if let Some(first) = &a.acknowledged {
            assert_eq!(
                &id, first,
                "an acknowledged payment is still there, the same one"
            );
        }
        ids.insert(a.body["idempotency_key"].as_str().unwrap().to_string(), id);
    }
    server.kill9();

    let stored = query_i64(
        database.as_ref(),
        &data,
        "SELECT COUNT(*) FROM wallet_transfers",
    );
    assert_eq!(
        stored as usize,
        ids.len(),
        "one transfer per key, none twice"
    );
    println!(
        "{} payments attempted, {acknowledged} acknowledged before the kill, {stored} stored after retries",
        attempts.len()
    );
    let out = Command::new(env!("CARGO_BIN_EXE_xin-server"))
        .args(["--data-dir", data.to_str().unwrap()])
        .args(&db)
        .args(["ledger", "check"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
