//! Two server nodes on one PostgreSQL database and one NATS: what one node does reaches the
//! sockets and waiters held by the other (messages, sign-outs, QR logins, and an event whose
//! publish was lost), and the nodes racing for the same rows: one envelope grabbed through
//! both, two sweepers returning the same envelopes, one payment retried on both, and two
//! writers appending to one person's log. These run on PostgreSQL only (the second pass of
//! `cargo xtask test`, or `cargo xtask test --postgres`): the embedded SQLite store has one
//! writer and nothing to race.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;

use common::*;
use futures_util::{future::join_all, StreamExt};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// Node A (which owns the database) and node B on the same database.
async fn two_nodes() -> (TestServer, TestServer) {
    assert!(
        std::env::var("XIN_TEST_POSTGRES").is_ok() && std::env::var("XIN_TEST_NATS").is_ok(),
        "these tests need PostgreSQL and NATS: run them with cargo xtask test --postgres"
    );
    let a = TestServer::start().await;
    let b = a.another_node().await;
    (a, b)
}

/// `owner` and `n` friends in one group; answers the members and the group's id.
async fn group<'a>(s: &'a TestServer, n: usize) -> (Party<'a>, Vec<Party<'a>>, String) {
    let owner = Party::join(s, "owner", "13800000000").await;
    let mut friends = Vec::new();
    for i in 0..n {
        let f = Party::join(s, &format!("friend{i}"), &format!("1390000{i:04}")).await;
        owner.befriend(&f).await;
        friends.push(f);
    }
    let ids: Vec<&str> = friends.iter().map(|f| f.user.id.as_str()).collect();
    let conv = owner
        .ok(
            Method::POST,
            "/conversations",
            Some(json!({"title": "Both nodes", "members": ids})),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    (owner, friends, conv)
}

async fn envelope(p: &Party<'_>, conv: &str, fen: i64, shares: u32) -> String {
    p.ok(
        Method::POST,
        "/wallet/envelopes",
        Some(
            json!({"idempotency_key": uuid_v7(), "conversation_id": conv, "kind": "lucky",
                    "amount_fen": fen, "shares": shares, "note": "快抢", "pin": PIN}),
        ),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn on_postgres_one_envelope_grabbed_through_both_nodes_pays_each_share_once() {
    let (a, b) = two_nodes().await;
    let (owner, friends, conv) = group(&a, 8).await;
    owner.fund(100_000).await;
    for round in 0..3 {
        let id = envelope(&owner, &conv, 10_000, 5).await;
        let grab = format!("/wallet/envelopes/{id}/grab");
        // Everyone at once, half through each node; the first friend twice, once on each.
        let mut tries = Vec::new();
        for (i, f) in friends.iter().enumerate() {
            let node = if i % 2 == 0 { &a } else { &b };
            tries.push(f.on(node));
        }
        tries.push(friends[0].on(if friends.len() % 2 == 0 { &b } else { &a }));
        let answers = join_all(tries.iter().map(|p| p.call(Method::POST, &grab, None))).await;
        let won: Vec<&(StatusCode, Value)> =
            answers.iter().filter(|(st, _)| st.is_success()).collect();
        assert_eq!(
            won.len(),
            5,
            "round {round}: five shares, five grabs: {answers:?}"
        );
        let e = owner
            .ok(Method::GET, &format!("/wallet/envelopes/{id}"), None)
            .await;
        let grabs = e["grabs"].as_array().unwrap();
        let people: HashSet<&str> = grabs
            .iter()
            .map(|g| g["user_id"].as_str().unwrap())
            .collect();
        assert_eq!((grabs.len(), people.len()), (5, 5), "one share each: {e}");
        let paid: i64 = grabs
            .iter()
            .map(|g| g["amount_fen"].as_i64().unwrap())
            .sum();
        assert_eq!(paid, 10_000, "the shares add up to the envelope");
    }
    a.ledger_is_sound();
}

#[tokio::test]
async fn on_postgres_two_sweepers_return_each_envelope_once() {
    let (a, b) = two_nodes().await;
    let (owner, friends, conv) = group(&a, 2).await;
    owner.fund(100_000).await;
    let expiring: Vec<String> = join_all((0..6).map(|_| envelope(&owner, &conv, 1_000, 2))).await;
    // One share of each is grabbed; another envelope stays open, so the escrow holds more
    // than the rests and a second refund would not be stopped by an empty escrow.
    for id in &expiring {
        friends[0]
            .ok(Method::POST, &format!("/wallet/envelopes/{id}/grab"), None)
            .await;
    }
    let open = envelope(&owner, &conv, 5_000, 2).await;
    let before = owner.balance().await;
    let grabbed: i64 = {
        let mut sum = 0;
        for id in &expiring {
            let e = owner
                .ok(Method::GET, &format!("/wallet/envelopes/{id}"), None)
                .await;
            sum += e["grabs"][0]["amount_fen"].as_i64().unwrap();
        }
        sum
    };
    let ids = expiring
        .iter()
        .map(|id| format!("'{id}'"))
        .collect::<Vec<_>>()
        .join(",");
    a.execute(&format!(
        "UPDATE red_envelopes SET expires_at = 0 WHERE id IN ({ids})"
    ));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let (sweeper_a, sweeper_b) = (a.store(), b.store());
    let (x, y) = tokio::join!(
        sweeper_a.return_expired_envelopes(now),
        sweeper_b.return_expired_envelopes(now)
    );
    assert!(x.unwrap() + y.unwrap() <= expiring.len());
    assert_eq!(
        owner.balance().await,
        before + 6 * 1_000 - grabbed,
        "each rest came back once"
    );
    let e = owner
        .ok(Method::GET, &format!("/wallet/envelopes/{open}"), None)
        .await;
    assert_eq!(e["state"], "open");
    a.ledger_is_sound();
}

#[tokio::test]
async fn on_postgres_a_payment_retried_on_the_other_node_is_made_once() {
    let (a, b) = two_nodes().await;
    let alice = Party::join(&a, "alice", "13800000001").await;
    let bob = Party::join(&a, "bob", "13800000002").await;
    alice.befriend(&bob).await;
    let conv = alice.direct(&bob).await;
    alice.fund(100_000).await;
    let alice_b = alice.on(&b);
    for _ in 0..20 {
        let body = json!({"idempotency_key": uuid_v7(), "conversation_id": conv,
                          "amount_fen": 100, "note": "", "pin": PIN});
        let (x, y) = tokio::join!(
            alice.call(Method::POST, "/wallet/transfers", Some(body.clone())),
            alice_b.call(Method::POST, "/wallet/transfers", Some(body))
        );
        assert_eq!((x.0, y.0), (StatusCode::OK, StatusCode::OK), "{x:?} {y:?}");
        assert_eq!(x.1["id"], y.1["id"], "the retry got the first answer");
    }
    assert_eq!(a.query_i64("SELECT COUNT(*) FROM wallet_transfers"), 20);
    assert_eq!(alice.balance().await, 100_000 - 20 * 100);
    a.ledger_is_sound();
}

#[tokio::test]
async fn on_postgres_two_writers_append_to_one_log_without_hole_or_repeat() {
    // 'static nodes (they live until the test ends), so each writer lane can own its party.
    let (a, b) = two_nodes().await;
    let (a, b): (&'static TestServer, &'static TestServer) =
        (Box::leak(Box::new(a)), Box::leak(Box::new(b)));
    let alice = Party::join(a, "alice", "13800000001").await;
    let note = alice.ok(Method::POST, "/conversations/self", None).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let head_before = a.query_i64(&format!(
        "SELECT last_seq FROM user_log WHERE user_id = '{}'",
        alice.user.id
    ));
    const EACH: usize = 4_000;
    const LANES: usize = 4;
    let writer = |p: Party<'static>| {
        let note = note.clone();
        async move {
            for i in 0..EACH / LANES {
                let (st, m) = p.send(&note, &format!("line {i}")).await;
                assert_eq!(st, StatusCode::OK, "{m}");
            }
        }
    };
    let lanes = (0..LANES).flat_map(|_| [writer(alice.on(a)), writer(alice.on(b))]);
    join_all(lanes).await;
    let of_alice = |what: &str| {
        a.query_i64(&format!(
            "SELECT {what} FROM user_events WHERE user_id = '{}'",
            alice.user.id
        ))
    };
    let seqs = vec![
        of_alice("COUNT(*)"),
        of_alice("MIN(seq)"),
        of_alice("MAX(seq)"),
    ];
    let head = a.query_i64(&format!(
        "SELECT last_seq FROM user_log WHERE user_id = '{}'",
        alice.user.id
    ));
    let sent = (2 * EACH) as i64;
    // seq is the primary key with the user: distinct; count = max − min + 1 means no hole.
    assert_eq!(seqs, vec![head, 1, head], "seqs 1..head, each once");
    assert_eq!(head, head_before + sent, "one event per message");
    let messages = a.query_i64(&format!(
        "SELECT COUNT(*) FROM messages WHERE conversation_id = '{note}'"
    ));
    assert_eq!(messages, sent);
    let page = alice
        .ok(
            Method::GET,
            &format!("/events?after={}&limit=500", head - 500),
            None,
        )
        .await;
    assert_eq!(page["head"], head);
}

#[tokio::test]
async fn on_postgres_a_send_the_database_fails_to_end_a_deadlock_is_run_again_and_lands_once() {
    let (a, _b) = two_nodes().await;
    let alice = Party::join(&a, "alice", "13800000001").await;
    let bob = Party::join(&a, "bob", "13800000002").await;
    alice.befriend(&bob).await;
    let conv = alice.direct(&bob).await;
    alice.say(&conv, "first").await;
    let bob_head = |s: &TestServer| {
        s.query_i64(&format!(
            "SELECT last_seq FROM user_log WHERE user_id = '{}'",
            bob.user.id
        ))
    };
    let head_before = bob_head(&a);
    // Another writer (another node's, say) holds the head the send takes second, and then
    // wants the one the send holds: the database ends the send, which waited first.
    let mut heads = [alice.user.id.clone(), bob.user.id.clone()];
    heads.sort();
    let url = a.database_url().unwrap();
    let (held, go) = (
        std::sync::mpsc::channel::<()>(),
        std::sync::mpsc::channel::<()>(),
    );
    let (held_tx, held_rx) = held;
    let (go_tx, go_rx) = go;
    let other = std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let mut tx = c.transaction().unwrap();
        let lock = "UPDATE user_log SET last_seq = last_seq WHERE user_id = $1";
        tx.execute(lock, &[&heads[1]]).unwrap();
        held_tx.send(()).unwrap();
        go_rx.recv().unwrap();
        let second = tx.execute(lock, &[&heads[0]]);
        tx.rollback().unwrap();
        second.map(|_| ()).map_err(|e| e.to_string())
    });
    held_rx.recv().unwrap();
    let waiting = async {
        // The send is queued behind the held head.
        while a.query_i64(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
        ) == 0
        {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        go_tx.send(()).unwrap();
    };
    let ((status, body), ()) = tokio::join!(alice.send(&conv, "through a deadlock"), waiting);
    let other = other.join().unwrap();
    assert_eq!(
        other,
        Ok(()),
        "the database ended the server's write, not the other one"
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(bob.texts(&conv).await, ["first", "through a deadlock"]);
    assert_eq!(bob_head(&a), head_before + 1, "one event, no hole");
}

#[tokio::test]
async fn on_postgres_a_file_sent_through_one_node_downloads_through_the_other_from_the_bucket() {
    let (a, b) = two_nodes().await;
    assert!(
        a.config.blobs.is_some(),
        "the nodes share a bucket: run with cargo xtask test --postgres"
    );
    let alice = Party::join(&a, "alice", "13800000001").await;
    let picture = png();
    let hash = upload(&alice, &picture).await;
    // Node B has no copy of its own: it sends the reader to the bucket, with a URL that
    // works only for a while and only for this object.
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = no_redirects
        .get(format!("{}/api/v1/blobs/{hash}", b.url))
        .bearer_auth(&alice.user.access)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::TEMPORARY_REDIRECT);
    let to = answer.headers()["location"].to_str().unwrap().to_string();
    assert!(
        to.contains("X-Amz-Signature=") && to.contains("X-Amz-Expires=3600"),
        "{to}"
    );
    assert!(to.contains(&format!("/blobs/{hash}")), "{to}");
    let from_bucket = reqwest::get(&to).await.unwrap();
    assert_eq!(from_bucket.status(), StatusCode::OK);
    assert_eq!(from_bucket.headers()["content-type"], "image/png");
    assert_eq!(from_bucket.headers()["content-disposition"], "inline");
    assert_eq!(
        from_bucket.bytes().await.unwrap().as_ref(),
        picture.as_slice()
    );
    // A ranged read, as a video player makes, and a tampered URL.
    let part = reqwest::Client::new()
        .get(&to)
        .header("range", "bytes=0-7")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.bytes().await.unwrap().as_ref(), &picture[..8]);
    let forged = to.replace(&hash, &"0".repeat(64));
    assert_eq!(
        reqwest::get(&forged).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    // Nobody else gets a URL for it.
    let stranger = Party::join(&b, "mallory", "13800000009").await;
    let answer = no_redirects
        .get(format!("{}/api/v1/blobs/{hash}", b.url))
        .bearer_auth(&stranger.user.access)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
}

/// The node receiving an upload dies: the next node continues it from the end of the last
/// part the bucket holds, not from zero, and the file comes out whole.
#[tokio::test]
async fn on_postgres_an_upload_begun_on_one_node_continues_on_the_other_from_its_last_part() {
    let a = TestServer::start().await;
    let b = a.another_node().await;
    assert!(
        a.config.blobs.is_some(),
        "the PostgreSQL pass keeps files in a bucket (XIN_TEST_S3)"
    );
    let alice = Party::join(&a, "alice", "13800000001").await;
    // Two whole 16 MiB parts and a short last one.
    let part = 16usize << 20;
    let file: Vec<u8> = (0..2 * part + (7 << 20) + 12_345)
        .map(|i| (i % 251) as u8)
        .collect();
    let hash = blake3::hash(&file).to_hex().to_string();
    let b64 = |b: &[u8]| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(b)
    };
    let tus = |node: &TestServer, method: Method, path: &str| {
        node.http
            .request(method, format!("{}/api/v1{path}", node.url))
            .bearer_auth(&alice.user.access)
            .header("tus-resumable", "1.0.0")
    };
    let created = tus(&a, Method::POST, "/uploads")
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
    let location = created.headers()["location"].to_str().unwrap();
    let path = location.trim_start_matches("/api/v1").to_string();
    let patch = |node: &TestServer, from: usize, to: usize| {
        let chunk = file[from..to].to_vec();
        tus(node, Method::PATCH, &path)
            .header("content-type", "application/offset+octet-stream")
            .header("upload-offset", from.to_string())
            .header(
                "upload-checksum",
                format!("blake3 {}", b64(blake3::hash(&chunk).as_bytes())),
            )
            .body(chunk)
            .send()
    };
    let offset = |node: &TestServer| {
        let req = tus(node, Method::HEAD, &path);
        async move {
            req.send().await.unwrap().headers()["upload-offset"]
                .to_str()
                .unwrap()
                .parse::<usize>()
                .unwrap()
        }
    };
    // Two parts and 4 MiB more reach node A, which sends the two parts to the bucket.
    let sent = 2 * part + (4 << 20);
    assert_eq!(
        patch(&a, 0, sent).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(offset(&a).await, sent, "A has every byte it verified");
    // Node A goes away; the balancer sends the upload to B, which has none of the bytes
    // itself: it continues after the parts in the bucket.
    assert_eq!(offset(&b).await, 2 * part, "B continues from the last part");
    // Bytes from elsewhere are refused: only the resting offset is taken.
    assert_eq!(
        patch(&b, 0, part).await.unwrap().status(),
        StatusCode::CONFLICT
    );
    assert_eq!(
        patch(&b, 2 * part, file.len()).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    let got = b
        .http
        .get(format!("{}/api/v1/blobs/{hash}", b.url))
        .bearer_auth(&alice.user.access)
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), StatusCode::OK);
    // Served from the bucket the way the node would serve it: an opaque attachment.
    assert_eq!(
        got.headers()["content-type"].to_str().unwrap(),
        "application/octet-stream"
    );
    assert_eq!(
        got.headers()["content-disposition"].to_str().unwrap(),
        "attachment"
    );
    let body = got.bytes().await.unwrap();
    assert_eq!(body.len(), file.len());
    assert!(body == file, "the whole file, through B");
}

/// Holds a PostgreSQL advisory lock (`key` is SQL over `$1`) on a connection of its own, as
/// another node would, until the returned sender is dropped.
fn hold_lock(url: String, key: &'static str, arg: String) -> std::sync::mpsc::Sender<()> {
    let (held_tx, held_rx) = std::sync::mpsc::channel::<()>();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        c.execute(
            &format!("SELECT true FROM (SELECT pg_advisory_lock({key})) AS taken WHERE $1::text IS NOT NULL"),
            &[&arg],
        )
        .unwrap();
        held_tx.send(()).unwrap();
        let _ = release_rx.recv();
    });
    held_rx.recv().unwrap();
    release_tx
}

#[tokio::test]
async fn on_postgres_the_collector_spares_bytes_another_node_is_committing_and_runs_on_one_node() {
    let (a, b) = two_nodes().await;
    let alice = Party::join(&a, "alice", "13800000001").await;
    let url = a.database_url().unwrap();
    let collect = |node: &TestServer| {
        let state = node.running.as_ref().unwrap().state.clone();
        async move {
            xin_server::files::collect_garbage(&state, i64::MAX)
                .await
                .unwrap()
        }
    };
    let unowned = |hash: &str| {
        // A day later, nobody holds it and nothing shows it: garbage.
        a.execute(&format!(
            "UPDATE blob_owners SET touched_at = 0 WHERE hash = '{hash}'"
        ));
    };
    let stored =
        |hash: &str| a.query_i64(&format!("SELECT COUNT(*) FROM blobs WHERE hash = '{hash}'"));

    // A node is committing an upload of the same bytes (it holds the blob's lock): the
    // collector on the other node leaves the blob for its next round.
    let hash = upload(&alice, b"the same bytes, uploaded again elsewhere").await;
    unowned(&hash);
    let committing = hold_lock(
        url.clone(),
        "('x' || substr($1, 1, 16))::bit(64)::bigint",
        hash.clone(),
    );
    assert!(collect(&b).await.blobs.is_empty());
    assert_eq!(stored(&hash), 1);
    drop(committing);
    assert_eq!(collect(&b).await.blobs, vec![hash.clone()]);
    assert_eq!(stored(&hash), 0);

    // One node at a time collects: while another holds the collector's lock, this one only
    // sweeps its own staged files.
    let other = upload(&alice, b"another file nobody will send").await;
    unowned(&other);
    let collecting = hold_lock(url, "7891303, 1", String::new());
    assert!(collect(&a).await.blobs.is_empty());
    assert_eq!(stored(&other), 1);
    drop(collecting);
    assert_eq!(collect(&a).await.blobs, vec![other.clone()]);
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A realtime socket of `p` on `node`, past its hello.
async fn socket(node: &TestServer, p: &Party<'_>) -> Ws {
    let (mut ws, _) = tokio_tungstenite::connect_async(realtime(&node.url, &p.user.access, "?v=2"))
        .await
        .unwrap();
    let hello = next(&mut ws).await.expect("hello");
    assert_eq!(hello["type"], "hello");
    ws
}

/// The next thing the socket says within 5 s (`None`: it closed).
async fn next(ws: &mut Ws) -> Option<Value> {
    loop {
        let msg = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
            .await
            .expect("something within 5 s");
        match msg {
            Some(Ok(WsMessage::Text(t))) => return Some(serde_json::from_str(t.as_str()).unwrap()),
            Some(Ok(WsMessage::Close(_))) | None | Some(Err(_)) => return None,
            Some(Ok(_)) => {}
        }
    }
}

/// The text of the next message event on the socket.
async fn next_text(ws: &mut Ws) -> String {
    loop {
        let v = next(ws).await.expect("an event");
        if v["type"] == "event" && v["event"]["body"]["type"] == "message_new" {
            return v["event"]["body"]["message"]["content"]["text"]
                .as_str()
                .unwrap()
                .to_string();
        }
    }
}

#[tokio::test]
async fn on_postgres_a_message_sent_through_one_node_reaches_a_socket_on_the_other() {
    let (a, b) = two_nodes().await;
    let alice = Party::join(&a, "alice", "13800000001").await;
    let bob = Party::join(&a, "bob", "13800000002").await;
    alice.befriend(&bob).await;
    let conv = alice.direct(&bob).await;
    let mut on_a = socket(&a, &alice).await;
    for i in 0..5 {
        bob.on(&b).say(&conv, &format!("from node B {i}")).await;
        assert_eq!(next_text(&mut on_a).await, format!("from node B {i}"));
    }
}

#[tokio::test]
async fn on_postgres_an_event_whose_publish_was_lost_still_reaches_the_socket() {
    let (a, _b) = two_nodes().await;
    // A node that commits and never publishes: what a node dying between the two leaves.
    let mute = a.another_node_with(|c| c.broker = None).await;
    let alice = Party::join(&a, "alice", "13800000001").await;
    let bob = Party::join(&a, "bob", "13800000002").await;
    alice.befriend(&bob).await;
    let conv = alice.direct(&bob).await;
    let mut on_a = socket(&a, &alice).await;
    // The sweep has seen this socket's head before the lost event is written.
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    bob.on(&mute).say(&conv, "never published").await;
    assert_eq!(next_text(&mut on_a).await, "never published");
}

#[tokio::test]
async fn on_postgres_signing_a_device_out_on_one_node_closes_its_socket_on_the_other() {
    let (a, b) = two_nodes().await;
    let phone = Party::join(&a, "alice", "13800000001").await;
    let desktop = Party {
        s: &a,
        user: a.sign_in("alice", desktop_device()).await,
        handle: "alice".into(),
    };
    let mut on_a = socket(&a, &desktop).await;
    phone
        .on(&b)
        .ok(
            Method::DELETE,
            &format!("/devices/{}", desktop.user.device_id),
            None,
        )
        .await;
    let said = loop {
        let v = next(&mut on_a).await.expect("told before closing");
        if v["type"] == "signed_out" {
            break v;
        }
    };
    assert_eq!(said["expired"], false);
    assert!(next(&mut on_a).await.is_none(), "then closed");
    // Its token is refused on both nodes at once, not after a cache's minute.
    for node in [&a, &b] {
        let (st, _) = desktop.on(node).call(Method::GET, "/devices", None).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn on_postgres_a_login_confirmed_through_one_node_wakes_the_desktop_waiting_on_the_other() {
    let (a, b) = two_nodes().await;
    let phone = a.register("alice", "13800000001").await;
    let (st, t) = a
        .post("/login-tickets", json!({"device": desktop_device()}))
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let (id, secret) = (
        t["ticket_id"].as_str().unwrap().to_string(),
        t["poll_secret"].as_str().unwrap().to_string(),
    );
    let wait = |known: &'static str| {
        let (url, id, secret) = (a.url.clone(), id.clone(), secret.clone());
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            let v = reqwest::Client::new()
                .post(format!("{url}/api/v1/login-tickets/{id}/wait"))
                .json(&json!({"poll_secret": secret, "known": known}))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap();
            (v, started.elapsed())
        })
    };
    // The desktop waits on node A; the phone scans through node B.
    let waiting = wait("pending");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (st, scanned) = b
        .call(
            Method::POST,
            &format!("/login-tickets/{id}/scan"),
            Some(&phone.access),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{scanned}");
    let (v, took) = waiting.await.unwrap();
    assert_eq!(v["phase"], "scanned", "{v}");
    assert!(
        took < std::time::Duration::from_secs(5),
        "woken at once, not by the poll's timeout: {took:?}"
    );
    let code = v["code"].as_str().unwrap().to_string();
    let waiting = wait("scanned");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (st, body) = b
        .call(
            Method::POST,
            &format!("/login-tickets/{id}/confirm"),
            Some(&phone.access),
            Some(json!({"code": code})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
    let (v, took) = waiting.await.unwrap();
    assert_eq!(v["phase"], "confirmed", "{v}");
    assert!(v["session"]["access_token"].is_string(), "{v}");
    assert!(took < std::time::Duration::from_secs(5), "{took:?}");
}

#[tokio::test]
async fn on_postgres_each_webhook_delivery_is_sent_once_though_both_nodes_deliver() {
    let (a, b) = two_nodes().await;
    let editor = Party::join(&a, "editor", "13800000001").await;
    let desk = editor
        .ok(
            Method::POST,
            "/official-accounts",
            Some(json!({"handle": "cragdesk", "name": "Crag desk", "kind": "service"})),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (url, rx) = common::webhook::receiver().await;
    editor
        .ok(
            Method::PUT,
            &format!("/official-accounts/{desk}/developer"),
            Some(json!({"webhook_url": url})),
        )
        .await;
    // Followers through both nodes; each follow is one delivery, which both nodes' workers see.
    const FOLLOWERS: usize = 8;
    for i in 0..FOLLOWERS {
        let f = Party::join(&a, &format!("fan{i}"), &format!("1390000{i:04}")).await;
        let node = if i % 2 == 0 { &a } else { &b };
        f.on(node)
            .ok(
                Method::PUT,
                &format!("/official-accounts/{desk}/follow"),
                Some(json!({})),
            )
            .await;
    }
    common::webhook::seen_count(&rx, FOLLOWERS).await;
    // Time for a second node's copy, had there been one.
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    let seen = rx.lock().unwrap().seen.clone();
    let ids: Vec<String> = seen
        .iter()
        .map(|(h, _)| h["x-xin-delivery"].clone())
        .collect();
    let distinct: HashSet<&String> = ids.iter().collect();
    assert_eq!(
        (ids.len(), distinct.len()),
        (FOLLOWERS, FOLLOWERS),
        "each delivery once: {ids:?}"
    );
}

#[tokio::test]
async fn on_postgres_password_guesses_are_counted_across_nodes() {
    let a = TestServer::with(|c| c.attempts_per_minute = 6).await;
    let b = a.another_node_with(|c| c.attempts_per_minute = 6).await;
    // Signing up is one attempt from this address.
    a.register("alice", "13800000001").await;
    let guess = json!({"login": "alice", "password": "wrong horse", "device": phone_device()});
    // Five guesses between the two nodes make six attempts from this address: the limit. On
    // its own count, node B has seen three and would allow three more.
    for node in [&a, &b, &a, &b, &a] {
        assert_eq!(
            node.post("/sessions", guess.clone()).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_error(
        &b.post("/sessions", guess).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    );
}

#[tokio::test]
async fn on_postgres_a_removal_or_a_block_on_one_node_holds_at_once_on_the_other() {
    let (a, b) = two_nodes().await;
    let (owner, friends, group_id) = group(&a, 2).await;
    let (bob, carol) = (&friends[0], &friends[1]);
    let chat = owner.direct(carol).await;
    // Node B has served both conversations, so whatever it keeps of them is warm.
    bob.on(&b).say(&group_id, "before").await;
    owner.on(&b).say(&chat, "before").await;

    // Through node A: Bob leaves the group's members, Carol blocks the owner.
    owner
        .ok(
            Method::DELETE,
            &format!("/conversations/{group_id}/members/{}", bob.user.id),
            None,
        )
        .await;
    carol
        .ok(Method::PUT, &format!("/blocks/{}", owner.user.id), None)
        .await;

    // Node B knows at once: no post in a group he has left, no message to one who blocked.
    let (st, body) = bob.on(&b).send(&group_id, "still here?").await;
    assert!(st.is_client_error(), "{st} {body}");
    assert_error(
        &owner.on(&b).send(&chat, "hello?").await,
        StatusCode::FORBIDDEN,
        "blocked",
    );
}

#[tokio::test]
async fn on_postgres_a_node_carries_on_when_the_database_drops_its_connections() {
    let (a, _b) = two_nodes().await;
    let alice = Party::join(&a, "alice", "13800000001").await;
    let bob = Party::join(&a, "bob", "13800000002").await;
    alice.befriend(&bob).await;
    let conv = alice.direct(&bob).await;
    alice.say(&conv, "before").await;
    // What a database restart does to a node: every connection it had is gone.
    a.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    );
    // The node finds each dropped connection when it begins a transaction on it, before
    // anything has run, and begins again on a new one: no request fails.
    let mut answers = Vec::new();
    for i in 0..30 {
        answers.push(alice.send(&conv, &format!("after {i}")).await.0);
        answers.push(bob.call(Method::GET, "/conversations", None).await.0);
    }
    assert!(answers.iter().all(|s| s.is_success()), "{answers:?}");
    let page = bob
        .ok(
            Method::GET,
            &format!("/conversations/{conv}/messages"),
            None,
        )
        .await;
    assert!(page.to_string().contains("after 29"), "{page}");
}
