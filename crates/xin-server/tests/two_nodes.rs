//! Two server nodes on one PostgreSQL database, racing for the same rows: one envelope grabbed
//! through both, two sweepers returning the same envelopes, one payment retried on both, and
//! two writers appending to one person's log. These run on PostgreSQL only (the second pass of
//! `cargo xtask test`, or `cargo xtask test --postgres`): the embedded SQLite store has one
//! writer and nothing to race.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;

use common::*;
use futures_util::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Node A (which owns the database) and node B on the same database.
async fn two_nodes() -> (TestServer, TestServer) {
    assert!(
        std::env::var("XIN_TEST_POSTGRES").is_ok(),
        "these tests need PostgreSQL: run them with cargo xtask test --postgres"
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
