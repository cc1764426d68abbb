#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The write path at scale: a message is stored once, log entries are small references, group
//! changes cost O(members) small rows, groups stop at 500, and a stuck receiver is
//! disconnected without holding up anyone else.

mod common;

use common::{assert_error, TestServer, User};
use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::SqlitePool;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use uuid::Uuid;
use xin_server::store::NewUser;

/// A log entry may take at most this many bytes on disk, whatever the group's size.
const MAX_ENTRY_BYTES: f64 = 128.0;

/// `n` people, all friends of `owner`, made through the store (password hashing 500 accounts
/// over HTTP would only slow the test down).
async fn friends_of(server: &TestServer, owner: &User, n: usize) -> Vec<Uuid> {
    let store = &server.running.as_ref().unwrap().state.store;
    let owner_id: Uuid = owner.id.parse().unwrap();
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let id = Uuid::now_v7();
        let created = store
            .create_user(NewUser {
                id,
                handle: format!("member{i}"),
                phone: format!("1390{i:07}"),
                display_name: format!("Member {i}"),
                password_hash: "not a real hash".into(),
                avatar_hue: 10,
                created_at: 1,
            })
            .await;
        assert!(created.is_ok());
        let req = store
            .send_friend_request(owner_id, id, String::new())
            .await
            .unwrap();
        store.answer_friend_request(id, req.id, true).await.unwrap();
        ids.push(id);
    }
    ids
}

async fn pool(server: &TestServer) -> SqlitePool {
    sqlx::SqlitePool::connect(&format!("sqlite://{}", server.db_path().display()))
        .await
        .unwrap()
}

/// Bytes a table takes in the database pages (SQLite's dbstat).
async fn table_bytes(db: &SqlitePool, table: &str) -> i64 {
    // Readers see the writer's commits once the WAL is folded in; dbstat reads pages.
    sqlx::query("PRAGMA wal_checkpoint(FULL)")
        .execute(db)
        .await
        .unwrap();
    sqlx::query_scalar("SELECT COALESCE(SUM(pgsize - unused), 0) FROM dbstat WHERE name = $1")
        .bind(table)
        .fetch_one(db)
        .await
        .unwrap()
}

async fn count(db: &SqlitePool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db).await.unwrap()
}

async fn group_of(server: &TestServer, owner: &User, members: &[Uuid]) -> String {
    let (status, body) = server
        .call(
            Method::POST,
            "/conversations",
            Some(&owner.access),
            Some(json!({"title": "Big group", "members": members})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["id"].as_str().unwrap().to_string()
}

async fn rename(server: &TestServer, owner: &User, conv: &str, title: &str) {
    let (status, body) = server
        .call(
            Method::PATCH,
            &format!("/conversations/{conv}"),
            Some(&owner.access),
            Some(json!({ "title": title })),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
}

async fn remove(server: &TestServer, owner: &User, conv: &str, member: Uuid) {
    let (status, body) = server
        .call(
            Method::DELETE,
            &format!("/conversations/{conv}/members/{member}"),
            Some(&owner.access),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
}

async fn say(server: &TestServer, who: &User, conv: &str, text: &str) -> Value {
    let (status, body) = server
        .call(
            Method::POST,
            &format!("/conversations/{conv}/messages"),
            Some(&who.access),
            Some(json!({"client_id": Uuid::now_v7(), "content": {"type": "text", "text": text}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn a_500_member_group_stores_a_message_once_and_changes_as_small_rows() {
    let server = TestServer::start().await;
    let owner = server.register("owner", "13800000001").await;
    let members = friends_of(&server, &owner, 499).await;
    let conv = group_of(&server, &owner, &members).await;
    let db = pool(&server).await;

    // Messages: one row each; each member's log gains one small reference.
    let messages_before = table_bytes(&db, "messages").await;
    let log_before = table_bytes(&db, "user_events").await;
    let rows_before = count(&db, "SELECT COUNT(*) FROM user_events").await;
    let text = "長".repeat(1000); // 3 000 bytes of UTF-8
    let sent = 10;
    for _ in 0..sent {
        say(&server, &owner, &conv, &text).await;
    }
    let grew = table_bytes(&db, "messages").await - messages_before;
    assert!(
        grew < sent * (3000 + 400),
        "{sent} messages of 3 000 bytes took {grew} bytes: stored once each"
    );
    let rows = count(&db, "SELECT COUNT(*) FROM user_events").await - rows_before;
    assert_eq!(rows, sent * 500, "one log entry per member per message");
    let per_entry = (table_bytes(&db, "user_events").await - log_before) as f64 / rows as f64;
    assert!(
        per_entry <= MAX_ENTRY_BYTES,
        "a log entry takes {per_entry:.0} bytes on disk"
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM user_events WHERE body LIKE '%長長長%'"
        )
        .await,
        0,
        "no log entry copies the text"
    );

    // A rename: one small row per member, none carrying the member list.
    let rows_before = count(&db, "SELECT COUNT(*) FROM user_events").await;
    let log_before = table_bytes(&db, "user_events").await;
    rename(&server, &owner, &conv, "Renamed").await;
    let rows = count(&db, "SELECT COUNT(*) FROM user_events").await - rows_before;
    assert_eq!(
        rows,
        2 * 500,
        "the change and its system line, once per member"
    );
    let bytes = table_bytes(&db, "user_events").await - log_before;
    assert!(
        (bytes as f64) < 1000.0 * 2.0 * MAX_ENTRY_BYTES,
        "a rename of a 500-member group wrote {bytes} bytes"
    );
    let longest = count(
        &db,
        "SELECT COALESCE(MAX(LENGTH(body)), 0) FROM user_events WHERE body LIKE '%conversation_changed%'",
    )
    .await;
    assert!(longest < 200, "a rename event is {longest} bytes");

    // A member removed: the others learn only who left.
    remove(&server, &owner, &conv, members[0]).await;
    let longest = count(
        &db,
        "SELECT COALESCE(MAX(LENGTH(body)), 0) FROM user_events WHERE body LIKE '%member_removed%'",
    )
    .await;
    assert!(
        longest > 0 && longest < 200,
        "a removal event is {longest} bytes"
    );

    // An engine before group deltas (wire v1) still gets the whole conversation.
    let (status, page) = server
        .call(Method::GET, "/events?after=0", Some(&owner.access), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let last = page["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["body"]["type"], "conversation_updated");
    assert_eq!(last["body"]["conversation"]["title"], "Renamed");
    assert_eq!(
        last["body"]["conversation"]["members"]
            .as_array()
            .unwrap()
            .len(),
        499
    );
    let (_, page) = server
        .call(
            Method::GET,
            "/events?after=0&v=2",
            Some(&owner.access),
            None,
        )
        .await;
    let last = page["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["body"]["type"], "member_removed");
    assert_eq!(last["body"]["user_id"], members[0].to_string());
}

#[tokio::test]
async fn groups_hold_at_most_500_members() {
    let server = TestServer::start().await;
    let owner = server.register("owner", "13800000001").await;
    let friends = friends_of(&server, &owner, 500).await;
    let too_many = server
        .call(
            Method::POST,
            "/conversations",
            Some(&owner.access),
            Some(json!({"title": "Too big", "members": friends})),
        )
        .await;
    assert_error(&too_many, StatusCode::CONFLICT, "group_full");

    let conv = group_of(&server, &owner, &friends[..499]).await;
    let rows_before = server.query_i64("SELECT COUNT(*) FROM user_events");
    let one_more = server
        .call(
            Method::POST,
            &format!("/conversations/{conv}/members"),
            Some(&owner.access),
            Some(json!({"users": [friends[499]]})),
        )
        .await;
    assert_error(&one_more, StatusCode::CONFLICT, "group_full");
    // Refused means nothing written.
    let q = format!("SELECT COUNT(*) FROM members WHERE conversation_id = '{conv}' AND active = 1");
    assert_eq!(server.query_i64(&q), 500);
    assert_eq!(
        server.query_i64("SELECT COUNT(*) FROM user_events"),
        rows_before
    );
    // Room again after someone leaves.
    remove(&server, &owner, &conv, friends[0]).await;
    let (status, body) = server
        .call(
            Method::POST,
            &format!("/conversations/{conv}/members"),
            Some(&owner.access),
            Some(json!({"users": [friends[499]]})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
}

#[tokio::test]
async fn a_stuck_receiver_is_disconnected_without_holding_up_a_fast_one() {
    // A queue far smaller than the 1 500 messages (the stuck one must overflow it), with room
    // for the fast one to be a few messages behind when the whole suite loads the machine.
    let server = TestServer::with(|c| c.socket_queue = 32).await;
    let alice = server.register("alice", "13800000001").await;
    let bob = server.register("bob", "13800000002").await;
    let bob_laptop = server.sign_in("bob", common::desktop_device()).await;
    let (_, req) = server
        .call(
            Method::POST,
            "/friend-requests",
            Some(&alice.access),
            Some(json!({"to": bob.id})),
        )
        .await;
    server
        .call(
            Method::POST,
            &format!("/friend-requests/{}/answer", req["id"].as_str().unwrap()),
            Some(&bob.access),
            Some(json!({"accept": true})),
        )
        .await;
    let (_, c) = server
        .call(
            Method::POST,
            "/conversations/direct",
            Some(&alice.access),
            Some(json!({"with": bob.id})),
        )
        .await;
    let conv = c["id"].as_str().unwrap().to_string();
    let url = |t: &str| common::realtime(&server.url, t, "?v=2");
    // Bob's phone reads everything; his laptop is stuck (never reads, tiny receive window).
    let (mut fast, _) = tokio_tungstenite::connect_async(url(&bob.access))
        .await
        .unwrap();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let addr = server.running.as_ref().unwrap().addr;
    let stream = socket.connect(addr).await.unwrap();
    let (mut stuck, _) = tokio_tungstenite::client_async(url(&bob_laptop.access), stream)
        .await
        .unwrap();

    let sent = 1500;
    let text = "x".repeat(4000);
    let reader = tokio::spawn(async move {
        let mut seqs = Vec::new();
        while seqs.len() < sent {
            let t = match fast.next().await {
                Some(Ok(WsMessage::Text(t))) => t,
                Some(Ok(_)) => continue,
                other => panic!("the fast receiver's socket ended: {other:?}"),
            };
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            if v["event"]["body"]["type"] == "message_new" {
                seqs.push(v["event"]["body"]["message"]["seq"].as_i64().unwrap());
            }
        }
        seqs
    });
    for _ in 0..sent {
        say(&server, &alice, &conv, &text).await;
    }
    let seqs = tokio::time::timeout(std::time::Duration::from_secs(60), reader)
        .await
        .expect("the fast receiver got every message while the other was stuck")
        .unwrap();
    assert_eq!(seqs, (1..=sent as i64).collect::<Vec<_>>());

    // The stuck one was cut off: it finds some messages, then the end of the stream (with the
    // close frame that says why, when the server could still get it into the full socket).
    let mut got = 0;
    let mut last_seq = 0;
    let mut close_code = None;
    let reading = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while let Some(Ok(msg)) = stuck.next().await {
            match msg {
                WsMessage::Text(t) => {
                    let v: Value = serde_json::from_str(t.as_str()).unwrap();
                    if v["event"]["body"]["type"] == "message_new" {
                        got += 1;
                        last_seq = v["event"]["seq"].as_i64().unwrap();
                    }
                }
                WsMessage::Close(frame) => {
                    close_code = frame.map(|f| u16::from(f.code));
                    break;
                }
                _ => {}
            }
        }
    })
    .await;
    assert!(reading.is_ok(), "the server ended the stuck socket");
    assert!(
        got < sent,
        "the stuck socket was closed before it had everything"
    );
    assert!(matches!(close_code, None | Some(4008)), "{close_code:?}");
    // It catches up from its log.
    let (status, page) = server
        .call(
            Method::GET,
            &format!("/events?after={last_seq}&limit=10000&v=2"),
            Some(&bob_laptop.access),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let rest = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["body"]["type"] == "message_new")
        .count();
    assert_eq!(got + rest, sent);
}

/// The next `type: event` frame on a socket, skipping pings and the hello.
async fn next_event<S>(ws: &mut S) -> Value
where
    S: futures_util::Stream<Item = Result<WsMessage, tokio_tungstenite::tungstenite::Error>>
        + Unpin,
{
    loop {
        let msg = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
            .await
            .expect("an event within 5 s")
            .unwrap()
            .unwrap();
        if let WsMessage::Text(t) = msg {
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            if v["type"] == "event" {
                return v["event"].clone();
            }
        }
    }
}

/// A socket of an engine from before group deltas (no `v`, so wire 1) still gets the whole
/// conversation on a group change; a v2 socket gets only the change.
#[tokio::test]
async fn live_group_changes_come_in_the_shape_the_socket_asked_for() {
    let server = TestServer::start().await;
    let owner = server.register("owner", "13800000001").await;
    let members = friends_of(&server, &owner, 2).await;
    let conv = group_of(&server, &owner, &members).await;
    let old_device = server.sign_in("owner", common::desktop_device()).await;
    let (mut v1, _) =
        tokio_tungstenite::connect_async(common::realtime(&server.url, &old_device.access, ""))
            .await
            .unwrap();
    let (mut v2, _) =
        tokio_tungstenite::connect_async(common::realtime(&server.url, &owner.access, "?v=2"))
            .await
            .unwrap();
    rename(&server, &owner, &conv, "Renamed").await;
    // The system line first, then the change itself.
    for ws in [&mut v1, &mut v2] {
        assert_eq!(next_event(ws).await["body"]["type"], "message_new");
    }
    let old = next_event(&mut v1).await;
    assert_eq!(old["body"]["type"], "conversation_updated");
    assert_eq!(old["body"]["conversation"]["title"], "Renamed");
    assert_eq!(
        old["body"]["conversation"]["members"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let new = next_event(&mut v2).await;
    assert_eq!(new["body"]["type"], "conversation_changed");
    assert_eq!(new["body"]["title"], "Renamed");
    assert!(new["body"].get("conversation").is_none());
    assert_eq!(old["seq"], new["seq"], "the same log entry, two shapes");
}
