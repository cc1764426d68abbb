//! A node killed mid-run loses nothing. Two real `xin-server` processes, A and B, on one
//! PostgreSQL database, joined by NATS, their files in S3. Senders write through A to people
//! whose sockets are on B (and on A), in direct chats and a group; a transfer payer and red
//! envelope grabbers go alongside, and a 200 MiB upload is in flight to A. A dies twice: once
//! exactly between a commit and its publish (a debug-build failpoint), once by SIGKILL at a
//! moment of the test's choosing; each time it comes back. Every client does what Xin's do: a
//! failed request is retried on the other node with the same client id or key, a closed socket
//! reconnects to the other node and catches up from `/events`.
//!
//! Afterwards every acknowledged message is stored exactly once and reached each receiver
//! exactly once, each receiver's events (live and caught up) are seq 1..head without hole or
//! repeat, the upload finished on B with the right BLAKE3, and `ledger check` passes (which
//! includes: the envelope escrow holds exactly what the open envelopes have left).
//! PostgreSQL only (the second pass of `cargo xtask test`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::{
    collections::HashMap,
    os::unix::process::ExitStatusExt,
    process::{Child, Command},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use common::*;
use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// One `xin-server` process, started again as often as the test likes; killed when dropped.
struct Node {
    url: String,
    args: Vec<String>,
    child: Option<Child>,
}

impl Node {
    fn new(db: &TestDatabase, public_url: &str, dir: &std::path::Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut args: Vec<String> = vec![
            "--listen".into(),
            format!("127.0.0.1:{port}"),
            "--data-dir".into(),
            dir.to_str().unwrap().into(),
            "--broker".into(),
            std::env::var("XIN_TEST_NATS").unwrap(),
            "--log-sweep-ms".into(),
            "300".into(),
            "--attempts-per-minute".into(),
            "100000".into(),
        ];
        args.extend(db.args(public_url));
        if let Ok(s3) = std::env::var("XIN_TEST_S3") {
            let mut bucket = url::Url::parse(&s3).unwrap();
            bucket.set_path(&db.name);
            args.extend(["--blobs".into(), bucket.to_string()]);
        }
        Self {
            url: format!("http://127.0.0.1:{port}"),
            args,
            child: None,
        }
    }

    async fn start(&mut self, failpoint: Option<u64>) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_xin-server"));
        cmd.args(&self.args).env("RUST_LOG", "error");
        if let Some(n) = failpoint {
            cmd.env("XIN_FAILPOINT_DIE_BEFORE_PUBLISH", n.to_string());
        }
        self.child = Some(cmd.spawn().unwrap());
        let http = reqwest::Client::new();
        for _ in 0..400 {
            if let Ok(r) = http.get(format!("{}/api/v1/ready", self.url)).send().await {
                if r.status().is_success() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{} did not become ready", self.url);
    }

    fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().unwrap();
            c.wait().unwrap();
        }
    }

    /// Waits for the process to end by itself; answers how it ended.
    async fn ended(&mut self, within: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                self.child = None;
                return status;
            }
            assert!(Instant::now() < deadline, "{} did not die", self.url);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// A client's request, retried on the other node while it fails as a dead node's would.
async fn call(
    nodes: &[String; 2],
    first: usize,
    token: &str,
    method: Method,
    path: &str,
    body: &Value,
) -> Option<(StatusCode, Value)> {
    let http = reqwest::Client::new();
    for attempt in 0..40 {
        let url = &nodes[(first + attempt) % 2];
        let sent = http
            .request(method.clone(), format!("{url}/api/v1{path}"))
            .bearer_auth(token)
            .json(body)
            .timeout(Duration::from_secs(10))
            .send()
            .await;
        match sent {
            Ok(r) if !r.status().is_server_error() => {
                let status = r.status();
                return Some((status, r.json().await.unwrap_or(Value::Null)));
            }
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    None
}

/// What one receiver's client applied: events strictly in seq order, as Xin's engine does.
#[derive(Default)]
struct Applied {
    last: i64,
    /// An event that did not follow the last one applied: must never happen.
    holes: Vec<(i64, i64)>,
    /// Client ids of the messages applied, in order.
    messages: Vec<String>,
    reconnects: u32,
}

impl Applied {
    fn apply(&mut self, event: &Value) {
        let seq = event["seq"].as_i64().unwrap();
        if seq <= self.last {
            return; // already had it (live and caught up overlap): a client skips it
        }
        if seq != self.last + 1 {
            self.holes.push((self.last, seq));
        }
        self.last = seq;
        if event["body"]["type"] == "message_new" {
            let m = &event["body"]["message"];
            self.messages
                .push(m["client_id"].as_str().unwrap().to_string());
        }
    }
}

/// Fetches `/events` after what was applied, up to the head; answers the head.
async fn catch_up(node: &str, token: &str, applied: &Mutex<Applied>) -> Option<i64> {
    let http = reqwest::Client::new();
    loop {
        let after = applied.lock().unwrap().last;
        let page: Value = http
            .get(format!("{node}/api/v1/events?after={after}&limit=500"))
            .bearer_auth(token)
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        let events = page["events"].as_array()?;
        let mut a = applied.lock().unwrap();
        for e in events {
            a.apply(e);
        }
        let head = page["head"].as_i64()?;
        if a.last >= head || events.is_empty() {
            return Some(head);
        }
    }
}

/// A receiver's socket, on `nodes[first]` at first, on the other node after each loss.
async fn receive(
    nodes: [String; 2],
    first: usize,
    token: String,
    applied: Arc<Mutex<Applied>>,
    stop: Arc<AtomicBool>,
) {
    let mut at = first;
    while !stop.load(Ordering::SeqCst) {
        let node = &nodes[at % 2];
        let Ok((mut ws, _)) =
            tokio_tungstenite::connect_async(realtime(node, &token, "?v=2")).await
        else {
            at += 1;
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        if catch_up(node, &token, &applied).await.is_none() {
            at += 1;
            continue;
        }
        loop {
            let next = tokio::time::timeout(Duration::from_millis(200), ws.next()).await;
            match next {
                Err(_) if stop.load(Ordering::SeqCst) => return,
                Err(_) => continue,
                Ok(Some(Ok(WsMessage::Text(t)))) => {
                    let v: Value = serde_json::from_str(t.as_str()).unwrap();
                    if v["type"] == "event" {
                        let seq = v["event"]["seq"].as_i64().unwrap();
                        let last = applied.lock().unwrap().last;
                        if seq > last + 1 {
                            // A gap: what is missing comes from the log first.
                            if catch_up(node, &token, &applied).await.is_none() {
                                break;
                            }
                        }
                        applied.lock().unwrap().apply(&v["event"]);
                    }
                }
                Ok(Some(Ok(_))) => {}
                Ok(Some(Err(_)) | None) => break,
            }
        }
        applied.lock().unwrap().reconnects += 1;
        at += 1;
    }
}

/// One message a sender meant to send, and whether it was acknowledged.
struct Sent {
    client_id: String,
    to: usize,
    acknowledged: bool,
}

/// A file of `len` bytes sent at `rate` bytes a second, so it is still going when A dies.
fn slow_body(bytes: Arc<Vec<u8>>, rate: usize) -> reqwest::Body {
    let chunk = rate / 10;
    let stream = futures_util::stream::unfold(0usize, move |at| {
        let bytes = bytes.clone();
        async move {
            if at >= bytes.len() {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            let end = (at + chunk).min(bytes.len());
            let piece = bytes::Bytes::copy_from_slice(&bytes[at..end]);
            Some((Ok::<_, std::io::Error>(piece), end))
        }
    });
    reqwest::Body::wrap_stream(stream)
}

#[tokio::test]
async fn on_postgres_a_node_killed_mid_run_loses_nothing() {
    let db = TestDatabase::fresh().expect("PostgreSQL: run with cargo xtask test --postgres");
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let mut a = Node::new(&db, "http://127.0.0.1:1", dirs[0].path());
    let mut b = Node::new(&db, "http://127.0.0.1:1", dirs[1].path());
    // A dies right after its 400th commit that has events, before publishing them.
    a.start(Some(400)).await;
    b.start(None).await;
    let nodes = [a.url.clone(), b.url.clone()];
    let on_a = TestServer::attach(a.url.clone(), tempfile::tempdir().unwrap());

    // Senders 0–2, receivers 3–5; direct pairs (0,3) (1,4) (2,5), and a group of all six.
    let mut people = Vec::new();
    for i in 0..6 {
        people.push(Party::join(&on_a, &format!("user{i}"), &format!("1380000000{i}")).await);
    }
    for i in 0..6 {
        for j in i + 1..6 {
            people[i].befriend(&people[j]).await;
        }
    }
    let mut convs = Vec::new();
    for i in 0..3 {
        convs.push(people[i].direct(&people[i + 3]).await);
    }
    let ids: Vec<&str> = people[1..].iter().map(|p| p.user.id.as_str()).collect();
    let group = people[0]
        .ok(
            Method::POST,
            "/conversations",
            Some(json!({"title": "Both nodes", "members": ids})),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    for p in [&people[1], &people[2]] {
        p.fund(1_000_000).await;
    }
    let tokens: Vec<String> = people.iter().map(|p| p.user.access.clone()).collect();
    let stop = Arc::new(AtomicBool::new(false));

    // Receivers: 3 and 5 hold their sockets on A (they will lose them), 4 on B.
    let mut receivers = Vec::new();
    let mut applied = Vec::new();
    for (r, first) in [(3, 0), (4, 1), (5, 0)] {
        let state: Arc<Mutex<Applied>> = Arc::default();
        applied.push(state.clone());
        receivers.push(tokio::spawn(receive(
            nodes.clone(),
            first,
            tokens[r].clone(),
            state,
            stop.clone(),
        )));
    }

    // Senders: through A, each message to its pair or to the group, retried on B with the
    // same client id when A does not answer.
    let sent: Arc<Mutex<Vec<Sent>>> = Arc::default();
    let mut workers = Vec::new();
    for s in 0..3 {
        let (nodes, token, sent, stop) =
            (nodes.clone(), tokens[s].clone(), sent.clone(), stop.clone());
        let (direct, group) = (convs[s].clone(), group.clone());
        workers.push(tokio::spawn(async move {
            for i in 0.. {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let (conv, to) = if i % 3 == 0 {
                    (&group, 6)
                } else {
                    (&direct, s + 3)
                };
                let client_id = uuid_v7();
                let body = json!({"client_id": client_id, "content": {"type": "text", "text": format!("{s}:{i}")}});
                let answer = call(&nodes, 0, &token, Method::POST, &format!("/conversations/{conv}/messages"), &body).await;
                let acknowledged = matches!(answer, Some((StatusCode::OK, _)));
                sent.lock().unwrap().push(Sent { client_id, to, acknowledged });
            }
        }));
    }
    // Alongside: person 1 pays person 4, person 2 sends red envelopes the others grab.
    {
        let (nodes, token, conv, stop) = (
            nodes.clone(),
            tokens[1].clone(),
            convs[1].clone(),
            stop.clone(),
        );
        workers.push(tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let body = json!({"idempotency_key": uuid_v7(), "conversation_id": conv,
                                  "amount_fen": 7, "note": "", "pin": PIN});
                let answer =
                    call(&nodes, 0, &token, Method::POST, "/wallet/transfers", &body).await;
                assert!(matches!(answer, Some((StatusCode::OK, _))), "{answer:?}");
            }
        }));
    }
    {
        let (nodes, tokens, group, stop) =
            (nodes.clone(), tokens.clone(), group.clone(), stop.clone());
        workers.push(tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let body = json!({"idempotency_key": uuid_v7(), "conversation_id": group,
                                  "kind": "lucky", "amount_fen": 500, "shares": 3, "note": "快抢", "pin": PIN});
                let Some((StatusCode::OK, e)) =
                    call(&nodes, 0, &tokens[2], Method::POST, "/wallet/envelopes", &body).await
                else {
                    panic!("an envelope could not be sent");
                };
                let grab = format!("/wallet/envelopes/{}/grab", e["id"].as_str().unwrap());
                // Four people grab three shares, through both nodes.
                let grabs = [0usize, 3, 4, 5].map(|p| {
                    let (nodes, token, grab) = (nodes.clone(), tokens[p].clone(), grab.clone());
                    async move { call(&nodes, p % 2, &token, Method::POST, &grab, &Value::Null).await }
                });
                futures_util::future::join_all(grabs).await;
            }
        }));
    }

    // 1. A dies by itself between a commit and its publish; it comes back.
    let died = a.ended(Duration::from_secs(60)).await;
    let died_at = Instant::now();
    assert_eq!(died.signal(), Some(6), "A ended at the failpoint (SIGABRT)");
    // Failover: the sockets A held are back, through B, and caught up to what was committed
    // when A died (its last commit, never published, included).
    let mut heads = Vec::new();
    for r in [3usize, 5] {
        heads.push(head(&nodes[1], &tokens[r]).await);
    }
    loop {
        let back = [0usize, 2].iter().zip(&heads).all(|(i, h)| {
            let got = applied[*i].lock().unwrap();
            got.reconnects >= 1 && got.last >= *h
        });
        if back {
            break;
        }
        assert!(
            died_at.elapsed() < Duration::from_secs(30),
            "the sockets came back"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let failover = died_at.elapsed();
    tokio::time::sleep(Duration::from_secs(1)).await;
    a.start(None).await;

    // 2. A 200 MiB upload goes to A, slowly; A is killed in the middle of it.
    let file: Arc<Vec<u8>> = Arc::new(
        (0..200u32 << 20)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect(),
    );
    let hash = blake3::hash(&file).to_hex().to_string();
    let (path_tx, path_rx) = tokio::sync::oneshot::channel::<String>();
    let upload = {
        let (nodes, token, file, hash) =
            (nodes.clone(), tokens[0].clone(), file.clone(), hash.clone());
        tokio::spawn(async move {
            let b64 = |b: &[u8]| {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD.encode(b)
            };
            let http = reqwest::Client::new();
            let created = http
                .post(format!("{}/api/v1/uploads", nodes[0]))
                .bearer_auth(&token)
                .header("tus-resumable", "1.0.0")
                .header("upload-length", file.len().to_string())
                .header(
                    "upload-metadata",
                    format!(
                        "filename {},blake3 {}",
                        b64(b"big.bin"),
                        b64(hash.as_bytes())
                    ),
                )
                .send()
                .await
                .unwrap();
            assert_eq!(created.status(), StatusCode::CREATED);
            let path = created.headers()["location"].to_str().unwrap().to_string();
            path_tx.send(path.clone()).unwrap();
            let mut tries = Vec::new();
            for (attempt, node) in [0usize, 1, 1, 1].into_iter().enumerate() {
                let url = &nodes[node];
                let offset = http
                    .head(format!("{url}{path}"))
                    .bearer_auth(&token)
                    .header("tus-resumable", "1.0.0")
                    .send()
                    .await
                    .ok()
                    .and_then(|r| {
                        r.headers()
                            .get("upload-offset")?
                            .to_str()
                            .ok()?
                            .parse::<u64>()
                            .ok()
                    });
                let Some(offset) = offset else { continue };
                let pieces = Arc::new(pieces_from(&file, offset));
                let body = if attempt == 0 {
                    slow_body(pieces, 40 << 20)
                } else {
                    reqwest::Body::from(pieces.as_ref().clone())
                };
                let r = http
                    .patch(format!("{url}{path}"))
                    .bearer_auth(&token)
                    .header("tus-resumable", "1.0.0")
                    .header("content-type", xin_proto::VERIFIED_PIECES)
                    .header("upload-offset", offset.to_string())
                    .body(body)
                    .send()
                    .await;
                tries.push((node, offset));
                if matches!(r, Ok(ref r) if r.status() == StatusCode::NO_CONTENT) {
                    return tries;
                }
            }
            panic!("the upload never finished: tried {tries:?}");
        })
    };
    // A is killed once it has sent a part or more to the bucket (asking B does not disturb
    // the request A is receiving; asking A would end it).
    let path = path_rx.await.unwrap();
    let in_bucket = || async {
        reqwest::Client::new()
            .head(format!("{}{path}", nodes[1]))
            .bearer_auth(&tokens[0])
            .header("tus-resumable", "1.0.0")
            .send()
            .await
            .unwrap()
            .headers()["upload-offset"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
    };
    let asked = Instant::now();
    while in_bucket().await == 0 {
        assert!(asked.elapsed() < Duration::from_secs(60), "A sent no part");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    a.kill9();
    tokio::time::sleep(Duration::from_secs(2)).await;
    a.start(None).await;
    let tries = upload.await.unwrap();
    assert_eq!(tries.first(), Some(&(0, 0)), "the upload began on A");
    let (last, from) = *tries.last().unwrap();
    assert_eq!(last, 1, "and finished on B: {tries:?}");
    assert!(
        from > 0 && from % (16 << 20) == 0,
        "B continued from A's last part, not from zero: {tries:?}"
    );
    println!("the upload continued on B from {} MiB", from >> 20);

    // Traffic runs on through the restarted A a moment, then stops.
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::SeqCst);
    for w in workers {
        w.await.unwrap();
    }

    // Every receiver catches up to its head; nothing is missing, nothing doubled.
    let sent = std::mem::take(&mut *sent.lock().unwrap());
    let acknowledged: Vec<&Sent> = sent.iter().filter(|s| s.acknowledged).collect();
    assert!(
        acknowledged.len() >= 100,
        "traffic flowed ({} sent)",
        acknowledged.len()
    );
    for (i, r) in [3usize, 4, 5].into_iter().enumerate() {
        let head = catch_up(&nodes[1], &tokens[r], &applied[i]).await.unwrap();
        let got = applied[i].lock().unwrap();
        assert_eq!(got.last, head, "receiver {r} reached its head");
        assert!(got.holes.is_empty(), "receiver {r}: holes {:?}", got.holes);
        let mut times: HashMap<&str, usize> = HashMap::new();
        for id in &got.messages {
            *times.entry(id.as_str()).or_default() += 1;
        }
        assert!(
            times.values().all(|n| *n == 1),
            "receiver {r} got a message twice"
        );
        for s in acknowledged.iter().filter(|s| s.to == r || s.to == 6) {
            assert_eq!(
                times.get(s.client_id.as_str()),
                Some(&1),
                "receiver {r} got {}",
                s.client_id
            );
        }
    }
    for r in [0, 2] {
        assert!(
            applied[r].lock().unwrap().reconnects >= 1,
            "a socket on A reconnected"
        );
    }
    for s in &acknowledged {
        let n = on_a_query(
            &db,
            &format!(
                "SELECT COUNT(*) FROM messages WHERE client_id = '{}'",
                s.client_id
            ),
        );
        assert_eq!(n, 1, "acknowledged {} is stored once", s.client_id);
    }
    assert_eq!(
        on_a_query(&db, "SELECT COUNT(*) FROM (SELECT client_id FROM messages GROUP BY sender_id, client_id HAVING COUNT(*) > 1) AS twice"),
        0,
        "no message stored twice"
    );
    stop.store(true, Ordering::SeqCst);
    for r in receivers {
        r.await.unwrap();
    }

    // The upload is whole, in the bucket, served through B.
    let got = reqwest::Client::new()
        .get(format!("{}/api/v1/blobs/{hash}", nodes[1]))
        .bearer_auth(&tokens[0])
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(
        blake3::hash(&got.bytes().await.unwrap())
            .to_hex()
            .to_string(),
        hash
    );

    let out = Command::new(env!("CARGO_BIN_EXE_xin-server"))
        .args(["--data-dir", dirs[1].path().to_str().unwrap()])
        .args(db.args(&nodes[1]))
        .args(["ledger", "check"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    println!(
        "{} messages sent, {} acknowledged, 0 lost; receivers reconnected {:?} times; \
         failover (A dead → its sockets back through B and caught up): {:.2} s",
        sent.len(),
        acknowledged.len(),
        applied
            .iter()
            .map(|a| a.lock().unwrap().reconnects)
            .collect::<Vec<_>>(),
        failover.as_secs_f64()
    );
}

/// A user's log head, as a node reads it.
async fn head(node: &str, token: &str) -> i64 {
    let page: Value = reqwest::Client::new()
        .get(format!("{node}/api/v1/events?after=0&limit=1"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["head"].as_i64().unwrap()
}

fn on_a_query(db: &TestDatabase, sql: &str) -> i64 {
    query_i64(Some(db), std::path::Path::new("."), sql)
}
