//! Red envelopes through the real API: the split, one grab each, strangers kept out, the seed
//! that proves the split, the rest returned — and the ledger sound after each test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use xin_proto::EnvelopeKind;

async fn send(p: &Party<'_>, conv: &str, kind: &str, fen: i64, shares: u32) -> (StatusCode, Value) {
    p.call(
        Method::POST,
        "/wallet/envelopes",
        Some(
            json!({"idempotency_key": uuid_v7(), "conversation_id": conv, "kind": kind,
                    "amount_fen": fen, "shares": shares, "note": "恭喜发财", "pin": PIN}),
        ),
    )
    .await
}

#[tokio::test]
async fn a_lucky_envelope_is_grabbed_once_each_and_its_seed_proves_the_split() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let others = [
        Party::join(&s, "bob", "13800000002").await,
        Party::join(&s, "carol", "13800000003").await,
        Party::join(&s, "dave", "13800000004").await,
    ];
    let eve = Party::join(&s, "eve", "13800000009").await;
    for o in &others {
        alice.befriend(o).await;
    }
    let ids: Vec<&str> = others.iter().map(|o| o.user.id.as_str()).collect();
    let group = alice
        .ok(
            Method::POST,
            "/conversations",
            Some(json!({"title": "Climbers", "members": ids})),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    alice.fund(50_000).await;

    let (st, e) = send(&alice, &group, "lucky", 10_000, 3).await;
    assert_eq!(st, StatusCode::OK, "{e}");
    assert_eq!(
        alice.balance().await,
        40_000,
        "the whole amount leaves at once"
    );
    assert!(
        e.get("seed").is_none(),
        "the seed stays secret while shares are left"
    );
    let commitment = e["commitment"].as_str().unwrap().to_string();
    let id = e["id"].as_str().unwrap().to_string();
    let page = others[0]
        .ok(
            Method::GET,
            &format!("/conversations/{group}/messages?limit=5"),
            None,
        )
        .await;
    assert_eq!(page["messages"][0]["content"]["type"], "red_envelope");
    assert_eq!(page["messages"][0]["content"]["note"], "恭喜发财");

    // A stranger neither sees nor grabs it.
    for (m, path) in [
        (Method::GET, format!("/wallet/envelopes/{id}")),
        (Method::POST, format!("/wallet/envelopes/{id}/grab")),
    ] {
        assert_error(
            &eve.call(m, &path, None).await,
            StatusCode::NOT_FOUND,
            "envelope_not_found",
        );
    }
    let grab = format!("/wallet/envelopes/{id}/grab");
    let mut got = Vec::new();
    for o in &others {
        let after = o.ok(Method::POST, &grab, None).await;
        got.push(
            after["grabs"].as_array().unwrap().last().unwrap()["amount_fen"]
                .as_i64()
                .unwrap(),
        );
        assert_eq!(o.balance().await, *got.last().unwrap());
        assert_error(
            &o.call(Method::POST, &grab, None).await,
            StatusCode::CONFLICT,
            "already_grabbed",
        );
    }
    assert_eq!(
        got.iter().sum::<i64>(),
        10_000,
        "the shares add up to the envelope"
    );
    assert_error(
        &alice.call(Method::POST, &grab, None).await,
        StatusCode::GONE,
        "envelope_empty",
    );

    let done = others[1]
        .ok(Method::GET, &format!("/wallet/envelopes/{id}"), None)
        .await;
    assert_eq!(done["state"], "finished");
    let best = done["grabs"]
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|g| g["amount_fen"].as_i64())
        .unwrap()["user_id"]
        .clone();
    assert_eq!(done["best_luck"], best);
    // Anyone can check it: the seed matches the commitment and reproduces every share.
    let seed_hex = done["seed"].as_str().expect("revealed once finished");
    let seed = xin_proto::envelope::parse_seed(seed_hex).unwrap();
    assert_eq!(xin_proto::envelope::commitment(&seed), commitment);
    assert_eq!(
        xin_proto::envelope::split(&seed, EnvelopeKind::Lucky, 10_000, 3),
        got
    );
    s.ledger_is_sound();
}

#[tokio::test]
async fn limits_and_bad_input_are_refused_and_the_rest_returns_after_its_time() {
    let s = TestServer::with(|c| c.transfer_ttl_secs = 2).await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let bob = Party::join(&s, "bob", "13800000002").await;
    let carol = Party::join(&s, "carol", "13800000003").await;
    alice.befriend(&bob).await;
    alice.befriend(&carol).await;
    let direct = alice.direct(&bob).await;
    let group = alice
        .ok(
            Method::POST,
            "/conversations",
            Some(json!({"title": "Trip", "members": [bob.user.id, carol.user.id]})),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    alice.fund(50_000).await;
    for (kind, fen, shares) in [
        ("lucky", 20_001, 2),
        ("lucky", 1_000, 101),
        ("normal", 1_000, 3),
        ("lucky", 5, 6),
        ("lucky", 0, 1),
        ("lucky", -5, 1),
        ("lucky", 100, 0),
    ] {
        assert_error(
            &send(&alice, &group, kind, fen, shares).await,
            StatusCode::BAD_REQUEST,
            "invalid_request",
        );
    }
    assert_error(
        &send(&alice, &direct, "normal", 1_000, 2).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    assert_error(
        &send(&alice, &group, "mystery", 1_000, 2).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    assert_error(
        &send(&bob, &group, "lucky", 1_000, 2).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "pin_not_set",
    );
    let forged = alice
        .call(
            Method::POST,
            &format!("/conversations/{group}/messages"),
            Some(json!({"client_id": uuid_v7(), "content": {"type": "red_envelope", "envelope_id": uuid_v7(), "kind": "lucky", "note": ""}})),
        )
        .await;
    assert_error(&forged, StatusCode::BAD_REQUEST, "invalid_request");
    assert_eq!(alice.balance().await, 50_000, "nothing moved");

    // In a direct chat: one share, for the other person only.
    let (_, d) = send(&alice, &direct, "normal", 666, 1).await;
    let did = d["id"].as_str().unwrap();
    assert_error(
        &alice
            .call(Method::POST, &format!("/wallet/envelopes/{did}/grab"), None)
            .await,
        StatusCode::FORBIDDEN,
        "not_allowed",
    );
    bob.ok(Method::POST, &format!("/wallet/envelopes/{did}/grab"), None)
        .await;
    assert_eq!(bob.balance().await, 666);

    // A normal envelope of 4 × ¥2.50 in the group; only Bob grabs; the rest comes back.
    let (_, e) = send(&alice, &group, "normal", 1_000, 4).await;
    let id = e["id"].as_str().unwrap().to_string();
    let mine = bob
        .ok(Method::POST, &format!("/wallet/envelopes/{id}/grab"), None)
        .await;
    assert_eq!(mine["grabs"][0]["amount_fen"], 250);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let now = alice
            .ok(Method::GET, &format!("/wallet/envelopes/{id}"), None)
            .await;
        if now["state"] == "returned" {
            assert!(now["seed"].is_string(), "revealed once returned");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never returned");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(alice.balance().await, 50_000 - 666 - 250);
    assert_error(
        &carol
            .call(Method::POST, &format!("/wallet/envelopes/{id}/grab"), None)
            .await,
        StatusCode::GONE,
        "envelope_empty",
    );
    let kinds: Vec<String> = alice.ok(Method::GET, "/wallet/bills", None).await["bills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        kinds[..3],
        ["envelope_returned", "envelope_sent", "envelope_sent"]
    );
    s.ledger_is_sound();
}
