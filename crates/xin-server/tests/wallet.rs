//! The wallet through the real API: top-up, withdrawal, bills, transfers, the PIN, idempotency
//! and every bad input — each test ends by running `xin-server ledger check` on the store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The sandbox bank declines this (valid) test number.
const DECLINED_CARD: &str = "4000000000000002";

async fn transfer(p: &Party<'_>, conv: &str, fen: Value, key: &str) -> (StatusCode, Value) {
    p.call(
        Method::POST,
        "/wallet/transfers",
        Some(
            json!({"idempotency_key": key, "conversation_id": conv, "amount_fen": fen,
                    "note": "Dinner 🍜", "pin": PIN}),
        ),
    )
    .await
}

#[tokio::test]
async fn top_up_and_withdraw_show_in_bills_with_filters_and_details() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let card = alice.fund(10_000).await;
    let w = alice.ok(Method::GET, "/wallet", None).await;
    assert_eq!(w["balance_fen"], 10_000);
    assert_eq!(w["has_pin"], true);
    assert_eq!(w["cards"][0]["last4"], "4242");
    assert_eq!(w["cards"][0]["sandbox"], true, "a sandbox card says so");

    let out = alice
        .ok(
            Method::POST,
            "/wallet/withdraw",
            Some(
                json!({"idempotency_key": "w-1", "card_id": card, "amount_fen": 2_500, "pin": PIN}),
            ),
        )
        .await;
    assert_eq!(out["kind"], "withdrawal");
    assert_eq!(out["amount_fen"], -2_500);
    assert_eq!(out["balance_after_fen"], 7_500);
    assert_eq!(alice.balance().await, 7_500);

    let bills = alice.ok(Method::GET, "/wallet/bills", None).await["bills"].clone();
    let kinds: Vec<&str> = bills
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["withdrawal", "top_up"], "newest first");
    let outs = alice
        .ok(Method::GET, "/wallet/bills?direction=out", None)
        .await;
    assert_eq!(outs["bills"].as_array().unwrap().len(), 1);
    let tops = alice
        .ok(Method::GET, "/wallet/bills?kind=top_up", None)
        .await;
    assert_eq!(tops["bills"][0]["amount_fen"], 10_000);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let days = now / 86_400;
    // This month (civil from days, as the server computes it).
    let (y, m) = {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        (yoe + era * 400 + i64::from(m <= 2), m)
    };
    let this_month = alice
        .ok(
            Method::GET,
            &format!("/wallet/bills?month={y}-{m:02}"),
            None,
        )
        .await;
    assert_eq!(this_month["bills"].as_array().unwrap().len(), 2);
    let long_ago = alice
        .ok(Method::GET, "/wallet/bills?month=2020-01", None)
        .await;
    assert!(long_ago["bills"].as_array().unwrap().is_empty());
    assert_error(
        &alice
            .call(Method::GET, "/wallet/bills?month=11-2026", None)
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );

    let id = bills[0]["id"].as_str().unwrap();
    let detail = alice
        .ok(Method::GET, &format!("/wallet/bills/{id}"), None)
        .await;
    assert_eq!(detail, bills[0]);
    // Someone else's bill does not exist for me.
    let eve = Party::join(&s, "eve", "13800000009").await;
    assert_error(
        &eve.call(Method::GET, &format!("/wallet/bills/{id}"), None)
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    s.ledger_is_sound();
}

#[tokio::test]
async fn a_replayed_request_returns_the_first_result_and_a_reused_key_is_refused() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let bob = Party::join(&s, "bob", "13800000002").await;
    alice.befriend(&bob).await;
    let conv = alice.direct(&bob).await;
    let card = alice.fund(0).await;
    let top_up =
        |amount: i64| json!({"idempotency_key": "top-1", "card_id": card, "amount_fen": amount});
    let first = alice
        .ok(Method::POST, "/wallet/top-up", Some(top_up(5_000)))
        .await;
    let again = alice
        .ok(Method::POST, "/wallet/top-up", Some(top_up(5_000)))
        .await;
    assert_eq!(first, again, "the same answer");
    assert_eq!(alice.balance().await, 5_000, "money moved once");
    assert_error(
        &alice
            .call(Method::POST, "/wallet/top-up", Some(top_up(6_000)))
            .await,
        StatusCode::CONFLICT,
        "idempotency_conflict",
    );
    assert_eq!(alice.balance().await, 5_000);

    let (st, t1) = transfer(&alice, &conv, json!(1_200), "t-1").await;
    assert_eq!(st, StatusCode::OK, "{t1}");
    let (_, t2) = transfer(&alice, &conv, json!(1_200), "t-1").await;
    assert_eq!(t1["id"], t2["id"]);
    assert_error(
        &transfer(&alice, &conv, json!(1_300), "t-1").await,
        StatusCode::CONFLICT,
        "idempotency_conflict",
    );
    assert_eq!(alice.balance().await, 3_800);
    let cards = bob
        .ok(
            Method::GET,
            &format!("/conversations/{conv}/messages?limit=50"),
            None,
        )
        .await["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["content"]["type"] == "transfer")
        .count();
    assert_eq!(cards, 1, "one card in the chat");
    // Keys are per person: Bob's "top-1" is his own.
    let bob_card = bob.fund(0).await;
    bob.ok(
        Method::POST,
        "/wallet/top-up",
        Some(json!({"idempotency_key": "top-1", "card_id": bob_card, "amount_fen": 700})),
    )
    .await;
    assert_eq!(bob.balance().await, 700);
    s.ledger_is_sound();
}

#[tokio::test]
async fn bad_amounts_cards_pins_and_strangers_get_clear_errors_and_move_nothing() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let bob = Party::join(&s, "bob", "13800000002").await;
    let carol = Party::join(&s, "carol", "13800000003").await;
    alice.befriend(&bob).await;
    let conv = alice.direct(&bob).await;
    let card = alice.fund(10_000).await;
    let before = alice.balance().await;

    for amount in [json!(0), json!(-100), json!(5_000_001), json!(i64::MAX)] {
        assert_error(
            &transfer(&alice, &conv, amount.clone(), &uuid_v7()).await,
            StatusCode::BAD_REQUEST,
            "invalid_request",
        );
        assert_error(
            &alice
                .call(
                    Method::POST,
                    "/wallet/top-up",
                    Some(json!({"idempotency_key": uuid_v7(), "card_id": card, "amount_fen": amount})),
                )
                .await,
            StatusCode::BAD_REQUEST,
            "invalid_request",
        );
    }
    for amount in [json!(1.5), json!("100"), Value::Null] {
        let r = transfer(&alice, &conv, amount, &uuid_v7()).await;
        assert!(r.0.is_client_error(), "{r:?}");
        assert_eq!(r.1["error"]["code"], "invalid_request");
    }
    assert_error(
        &transfer(&alice, &conv, json!(100), "").await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    assert_error(
        &transfer(&alice, &conv, json!(100), &"k".repeat(65)).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    // More than the wallet holds.
    assert_error(
        &transfer(&alice, &conv, json!(10_001), &uuid_v7()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "insufficient_funds",
    );
    assert_error(
        &alice
            .call(
                Method::POST,
                "/wallet/withdraw",
                Some(json!({"idempotency_key": uuid_v7(), "card_id": card, "amount_fen": 10_001, "pin": PIN})),
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "insufficient_funds",
    );
    // Wrong or missing PIN.
    assert_error(
        &alice
            .call(
                Method::POST,
                "/wallet/withdraw",
                Some(json!({"idempotency_key": uuid_v7(), "card_id": card, "amount_fen": 100, "pin": "000000"})),
            )
            .await,
        StatusCode::FORBIDDEN,
        "wrong_pin",
    );
    assert_error(
        &alice
            .call(
                Method::POST,
                "/wallet/withdraw",
                Some(json!({"idempotency_key": uuid_v7(), "card_id": card, "amount_fen": 100})),
            )
            .await,
        StatusCode::FORBIDDEN,
        "wrong_pin",
    );
    // Cards: not a number, declined by the bank, not mine.
    for number in ["4242424242424241", "1234", "4242-4242-4242-4242"] {
        assert_error(
            &alice
                .call(
                    Method::POST,
                    "/wallet/cards",
                    Some(json!({"number": number})),
                )
                .await,
            StatusCode::BAD_REQUEST,
            "invalid_request",
        );
    }
    let declined = alice
        .ok(
            Method::POST,
            "/wallet/cards",
            Some(json!({"number": DECLINED_CARD})),
        )
        .await["id"]
        .clone();
    assert_error(
        &alice
            .call(
                Method::POST,
                "/wallet/top-up",
                Some(json!({"idempotency_key": uuid_v7(), "card_id": declined, "amount_fen": 100})),
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "card_declined",
    );
    // A withdrawal the bank refuses comes back to the wallet.
    assert_error(
        &alice
            .call(
                Method::POST,
                "/wallet/withdraw",
                Some(json!({"idempotency_key": uuid_v7(), "card_id": declined, "amount_fen": 100, "pin": PIN})),
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "card_declined",
    );
    let carol_card = carol.fund(0).await;
    assert_error(
        &alice
            .call(
                Method::POST,
                "/wallet/top-up",
                Some(
                    json!({"idempotency_key": uuid_v7(), "card_id": carol_card, "amount_fen": 100}),
                ),
            )
            .await,
        StatusCode::NOT_FOUND,
        "card_not_found",
    );
    // Not a direct chat of mine, not a friend, or a card a client made up.
    assert_error(
        &transfer(&carol, &conv, json!(100), &uuid_v7()).await,
        StatusCode::NOT_FOUND,
        "conversation_not_found",
    );
    let forged = alice
        .call(
            Method::POST,
            &format!("/conversations/{conv}/messages"),
            Some(
                json!({"client_id": uuid_v7(), "content": {"type": "transfer",
                "transfer_id": uuid_v7(), "amount_fen": 100_000, "note": ""}}),
            ),
        )
        .await;
    assert_error(&forged, StatusCode::BAD_REQUEST, "invalid_request");
    // Carol has never had a PIN.
    let carol_conv = {
        carol.befriend(&alice).await;
        carol.direct(&alice).await
    };
    let mut no_pin = Party::join(&s, "dave", "13800000004").await;
    no_pin.befriend(&alice).await;
    let dave_conv = no_pin.direct(&alice).await;
    assert_error(
        &transfer(&no_pin, &dave_conv, json!(100), &uuid_v7()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "pin_not_set",
    );
    no_pin.user.access.clear();
    assert_error(
        &transfer(&no_pin, &dave_conv, json!(100), &uuid_v7()).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert_error(
        &transfer(&carol, &carol_conv, json!(100), &uuid_v7()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "insufficient_funds",
    );

    assert_eq!(alice.balance().await, before, "nothing moved");
    assert_eq!(carol.balance().await, 0);
    let bills = alice.ok(Method::GET, "/wallet/bills", None).await["bills"].clone();
    let kinds: Vec<&str> = bills
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["withdrawal", "withdrawal", "top_up"],
        "the refused withdrawal and its return, and the top-up"
    );
    s.ledger_is_sound();
}

#[tokio::test]
async fn wrong_pins_slow_the_next_try_and_changing_the_pin_needs_the_old_one() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let card = alice.fund(1_000).await;
    let withdraw = |pin: &str| json!({"idempotency_key": uuid_v7(), "card_id": card, "amount_fen": 100, "pin": pin});
    for _ in 0..2 {
        assert_error(
            &alice
                .call(Method::POST, "/wallet/withdraw", Some(withdraw("111111")))
                .await,
            StatusCode::FORBIDDEN,
            "wrong_pin",
        );
    }
    let third = alice
        .call(Method::POST, "/wallet/withdraw", Some(withdraw("111111")))
        .await;
    assert_error(&third, StatusCode::FORBIDDEN, "wrong_pin");
    assert!(
        third.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("5 seconds"),
        "{}",
        third.1
    );
    // Even the right PIN waits now: no guessing faster than the delay.
    assert_error(
        &alice
            .call(Method::POST, "/wallet/withdraw", Some(withdraw(PIN)))
            .await,
        StatusCode::TOO_MANY_REQUESTS,
        "pin_locked",
    );
    assert_eq!(alice.balance().await, 1_000);
    tokio::time::sleep(std::time::Duration::from_millis(5_200)).await;
    alice
        .ok(Method::POST, "/wallet/withdraw", Some(withdraw(PIN)))
        .await;
    assert_eq!(alice.balance().await, 900);

    // Changing the PIN: not without the old one, not with a wrong one, not to a bad format.
    assert_error(
        &alice
            .call(Method::PUT, "/wallet/pin", Some(json!({"pin": "246810"})))
            .await,
        StatusCode::FORBIDDEN,
        "wrong_pin",
    );
    assert_error(
        &alice
            .call(
                Method::PUT,
                "/wallet/pin",
                Some(json!({"pin": "246810", "old_pin": "000000"})),
            )
            .await,
        StatusCode::FORBIDDEN,
        "wrong_pin",
    );
    for bad in ["12345", "1234567", "12a456", "１２３４５６"] {
        assert_error(
            &alice
                .call(
                    Method::PUT,
                    "/wallet/pin",
                    Some(json!({"pin": bad, "old_pin": PIN})),
                )
                .await,
            StatusCode::BAD_REQUEST,
            "invalid_request",
        );
    }
    alice
        .ok(
            Method::PUT,
            "/wallet/pin",
            Some(json!({"pin": "246810", "old_pin": PIN})),
        )
        .await;
    alice
        .ok(Method::POST, "/wallet/withdraw", Some(withdraw("246810")))
        .await;
    assert_eq!(alice.balance().await, 800);
    s.ledger_is_sound();
}

#[tokio::test]
async fn a_transfer_card_is_accepted_or_declined_by_the_recipient_only() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let bob = Party::join(&s, "bob", "13800000002").await;
    let eve = Party::join(&s, "eve", "13800000009").await;
    alice.befriend(&bob).await;
    let conv = alice.direct(&bob).await;
    alice.fund(10_000).await;

    let (st, t) = transfer(&alice, &conv, json!(2_000), &uuid_v7()).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    assert_eq!(t["state"], "pending");
    assert_eq!(t["recipient_id"], bob.user.id.as_str());
    assert_eq!(alice.balance().await, 8_000, "held from the sender at once");
    assert_eq!(bob.balance().await, 0, "not the recipient's until accepted");
    let page = bob
        .ok(
            Method::GET,
            &format!("/conversations/{conv}/messages?limit=10"),
            None,
        )
        .await;
    let card = &page["messages"][0]["content"];
    assert_eq!(card["type"], "transfer");
    assert_eq!(card["amount_fen"], 2_000);
    assert_eq!(card["note"], "Dinner 🍜");
    let events = bob.events().await;
    assert!(events
        .iter()
        .any(|e| e["body"]["type"] == "transfer_changed"
            && e["body"]["transfer"]["state"] == "pending"));

    let id = t["id"].as_str().unwrap();
    assert_error(
        &alice
            .call(
                Method::POST,
                &format!("/wallet/transfers/{id}/accept"),
                None,
            )
            .await,
        StatusCode::FORBIDDEN,
        "not_allowed",
    );
    assert_error(
        &eve.call(Method::GET, &format!("/wallet/transfers/{id}"), None)
            .await,
        StatusCode::NOT_FOUND,
        "transfer_not_found",
    );
    assert_error(
        &eve.call(
            Method::POST,
            &format!("/wallet/transfers/{id}/accept"),
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
        "transfer_not_found",
    );
    let accepted = bob
        .ok(
            Method::POST,
            &format!("/wallet/transfers/{id}/accept"),
            None,
        )
        .await;
    assert_eq!(accepted["state"], "accepted");
    assert_eq!(bob.balance().await, 2_000);
    assert_error(
        &bob.call(
            Method::POST,
            &format!("/wallet/transfers/{id}/decline"),
            None,
        )
        .await,
        StatusCode::CONFLICT,
        "transfer_settled",
    );
    let seen = alice
        .ok(Method::GET, &format!("/wallet/transfers/{id}"), None)
        .await;
    assert_eq!(seen["state"], "accepted", "the sender's card changes too");
    let alice_events = alice.events().await;
    assert!(alice_events
        .iter()
        .any(|e| e["body"]["type"] == "transfer_changed"
            && e["body"]["transfer"]["state"] == "accepted"));

    let (_, t2) = transfer(&alice, &conv, json!(500), &uuid_v7()).await;
    let id2 = t2["id"].as_str().unwrap();
    let declined = bob
        .ok(
            Method::POST,
            &format!("/wallet/transfers/{id2}/decline"),
            None,
        )
        .await;
    assert_eq!(declined["state"], "declined");
    assert_eq!(
        alice.balance().await,
        8_000,
        "a declined transfer comes back"
    );
    let kinds: Vec<String> = bob.ok(Method::GET, "/wallet/bills", None).await["bills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            format!(
                "{} {}",
                b["kind"].as_str().unwrap(),
                b["counterparty"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(kinds, [format!("transfer_in {}", alice.user.id)]);

    // Only to a friend in a direct chat.
    let group = alice
        .ok(
            Method::POST,
            "/conversations",
            Some(json!({"title": "Trip", "members": [bob.user.id]})),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_error(
        &transfer(&alice, &group, json!(100), &uuid_v7()).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    bob.ok(
        Method::DELETE,
        &format!("/contacts/{}", alice.user.id),
        None,
    )
    .await;
    assert_error(
        &transfer(&alice, &conv, json!(100), &uuid_v7()).await,
        StatusCode::FORBIDDEN,
        "not_friends",
    );
    s.ledger_is_sound();
}

#[tokio::test]
async fn an_unaccepted_transfer_goes_back_by_itself_even_across_a_restart() {
    let mut s = TestServer::with(|c| c.transfer_ttl_secs = 2).await;
    let (alice_user, conv, id) = {
        let alice = Party::join(&s, "alice", "13800000001").await;
        let bob = Party::join(&s, "bob", "13800000002").await;
        alice.befriend(&bob).await;
        let conv = alice.direct(&bob).await;
        alice.fund(3_000).await;
        let (_, t) = transfer(&alice, &conv, json!(1_000), &uuid_v7()).await;
        (alice.user, conv, t["id"].as_str().unwrap().to_string())
    };
    // The server goes down before the deadline; the deadline is on disk, not in a timer.
    s.restart().await;
    let token = alice_user.access.clone();
    let state = |s: &TestServer| {
        let (token, id) = (token.clone(), id.clone());
        let (http, url) = (s.http.clone(), s.url.clone());
        async move {
            http.get(format!("{url}/api/v1/wallet/transfers/{id}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()["state"]
                .clone()
        }
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while state(&s).await != "refunded" {
        assert!(std::time::Instant::now() < deadline, "never refunded");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let (_, w) = s.call(Method::GET, "/wallet", Some(&token), None).await;
    assert_eq!(w["balance_fen"], 3_000);
    let (_, bills) = s
        .call(Method::GET, "/wallet/bills", Some(&token), None)
        .await;
    assert_eq!(bills["bills"][0]["kind"], "transfer_refund");
    let _ = conv;
    s.ledger_is_sound();
}

#[tokio::test]
async fn concurrent_payments_from_one_wallet_never_overdraw_it() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let bob = Party::join(&s, "bob", "13800000002").await;
    alice.befriend(&bob).await;
    let conv = alice.direct(&bob).await;
    let card = alice.fund(10_000).await;
    // 40 transfers of ¥3 and 20 withdrawals of ¥3 at once: ¥180 asked of a ¥100 wallet.
    let mut tasks = Vec::new();
    for i in 0..60 {
        let (url, token, conv, card) = (
            s.url.clone(),
            alice.user.access.clone(),
            conv.clone(),
            card.clone(),
        );
        let http = s.http.clone();
        tasks.push(tokio::spawn(async move {
            let (path, body) = if i % 3 == 2 {
                ("withdraw", json!({"idempotency_key": format!("c-{i}"), "card_id": card, "amount_fen": 300, "pin": PIN}))
            } else {
                ("transfers", json!({"idempotency_key": format!("c-{i}"), "conversation_id": conv, "amount_fen": 300, "note": "", "pin": PIN}))
            };
            let r = http
                .post(format!("{url}/api/v1/wallet/{path}"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = r.status();
            let body: Value = r.json().await.unwrap();
            (status, body["error"]["code"].as_str().unwrap_or("").to_string())
        }));
    }
    let mut ok = 0;
    for t in tasks {
        let (status, code) = t.await.unwrap();
        if status == StatusCode::OK {
            ok += 1;
        } else {
            assert_eq!(code, "insufficient_funds", "{status}");
        }
    }
    assert_eq!(ok, 33, "exactly as many ¥3 payments as ¥100 covers");
    assert_eq!(alice.balance().await, 100);
    s.ledger_is_sound();
}

#[tokio::test]
async fn the_ledger_checker_finds_a_tampered_balance_and_an_unbalanced_posting() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    alice.fund(4_000).await;
    s.ledger_is_sound();
    // Someone edits a balance by hand: it no longer equals its postings.
    s.execute("UPDATE ledger_accounts SET balance = balance + 1 WHERE kind = 'wallet'");
    let (ok, text) = s.ledger_check();
    assert!(!ok);
    assert!(text.contains("postings sum to 4000"), "{text}");
    assert!(text.contains("money in − out is 4000"), "{text}");
    s.execute("UPDATE ledger_accounts SET balance = balance - 1 WHERE kind = 'wallet'");
    s.execute("UPDATE ledger_postings SET amount = amount + 7 WHERE account_id = 'bank:sandbox'");
    let (_, text) = s.ledger_check();
    assert!(text.contains("postings sum to 7"), "{text}");
}

/// A stolen session guessing the PIN with many tries at once gets no more checks than one
/// guessing one after another: every route that takes a PIN shares one count, claimed before
/// the PIN is checked.
#[tokio::test]
async fn parallel_wrong_pins_on_every_route_get_no_more_tries_than_sequential_ones() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let bob = Party::join(&s, "bob", "13800000002").await;
    alice.befriend(&bob).await;
    let conv = alice.direct(&bob).await;
    let card = alice.fund(10_000).await;
    let guesses = (0..40).map(|i| {
        let pin = format!("{:06}", 100_000 + i);
        let key = uuid_v7();
        let (method, path, body) = match i % 6 {
            0 => (Method::POST, "/wallet/withdraw", json!({"idempotency_key": key, "card_id": card, "amount_fen": 100, "pin": pin})),
            1 => (Method::POST, "/wallet/payments", json!({"idempotency_key": key, "payee_id": bob.user.id, "amount_fen": 100, "note": "", "pin": pin})),
            2 => (Method::POST, "/wallet/transfers", json!({"idempotency_key": key, "conversation_id": conv, "amount_fen": 100, "note": "", "pin": pin})),
            3 => (Method::POST, "/wallet/envelopes", json!({"idempotency_key": key, "conversation_id": conv, "kind": "normal", "amount_fen": 100, "shares": 1, "note": "", "pin": pin})),
            4 => (Method::POST, "/wallet/payment-codes", json!({"pin": pin})),
            _ => (Method::PUT, "/wallet/pin", json!({"pin": "999999", "old_pin": pin})),
        };
        let alice = &alice;
        async move { alice.call(method, path, Some(body)).await }
    });
    let answers = futures_util::future::join_all(guesses).await;
    let code = |a: &(StatusCode, Value)| a.1["error"]["code"].as_str().unwrap_or("").to_string();
    let checked = answers.iter().filter(|a| code(a) == "wrong_pin").count();
    let locked = answers.iter().filter(|a| code(a) == "pin_locked").count();
    assert_eq!(
        (checked, locked),
        (3, 37),
        "two free mistakes and the third that starts the delay; the rest wait: {answers:?}"
    );
    assert_eq!(alice.balance().await, 10_000, "no guess moved money");

    // The right PIN waits out the delay like any try, then works.
    let withdraw = |pin: &str| json!({"idempotency_key": uuid_v7(), "card_id": card, "amount_fen": 100, "pin": pin});
    assert_error(
        &alice
            .call(Method::POST, "/wallet/withdraw", Some(withdraw(PIN)))
            .await,
        StatusCode::TOO_MANY_REQUESTS,
        "pin_locked",
    );
    tokio::time::sleep(std::time::Duration::from_millis(5_200)).await;
    alice
        .ok(Method::POST, "/wallet/withdraw", Some(withdraw(PIN)))
        .await;
    assert_eq!(alice.balance().await, 9_900);
    s.ledger_is_sound();
}

/// A withdrawal whose payout the bank refused was given back to the wallet; retrying it with
/// the same key must not ask the bank again, or a bank that answers yes this time would pay
/// out money the wallet already has back.
#[tokio::test]
async fn a_retried_withdrawal_after_a_refused_payout_does_not_pay_out_twice() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    alice.fund(10_000).await;
    // The sandbox's flaky card: its first payout under a key fails, a second would succeed.
    let flaky = alice
        .ok(
            Method::POST,
            "/wallet/cards",
            Some(json!({"number": "4000000000000010"})),
        )
        .await["id"]
        .clone();
    let withdraw =
        json!({"idempotency_key": "w-1", "card_id": flaky, "amount_fen": 4_000, "pin": PIN});
    let first = alice
        .call(Method::POST, "/wallet/withdraw", Some(withdraw.clone()))
        .await;
    assert_error(&first, StatusCode::UNPROCESSABLE_ENTITY, "card_declined");
    assert_eq!(alice.balance().await, 10_000, "given back");
    let retry = alice
        .call(Method::POST, "/wallet/withdraw", Some(withdraw))
        .await;
    assert_error(&retry, StatusCode::UNPROCESSABLE_ENTITY, "card_declined");
    assert_eq!(alice.balance().await, 10_000);
    let bills = alice.ok(Method::GET, "/wallet/bills", None).await["bills"].clone();
    let kinds: Vec<&str> = bills
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["withdrawal", "withdrawal", "top_up"],
        "one withdrawal and its return only"
    );
    s.ledger_is_sound();
}
