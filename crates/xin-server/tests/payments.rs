//! QR payments through the real API: paying a receive code, one-time payment codes charged by a
//! merchant (used once, expired, from a signed-out device), resetting the PIN from the phone,
//! and every bad input — each test ends by running the ledger checker on the store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn pay(p: &Party<'_>, payee: &str, fen: Value, key: &str, pin: &str) -> (StatusCode, Value) {
    p.call(
        Method::POST,
        "/wallet/payments",
        Some(
            json!({"idempotency_key": key, "payee_id": payee, "amount_fen": fen,
                    "note": "Coffee ☕", "pin": pin}),
        ),
    )
    .await
}

async fn collect(shop: &Party<'_>, code: &str, fen: i64, key: &str) -> (StatusCode, Value) {
    shop.call(
        Method::POST,
        "/wallet/collect",
        Some(json!({"idempotency_key": key, "code": code, "amount_fen": fen, "note": "Lunch"})),
    )
    .await
}

async fn payment_code(p: &Party<'_>, body: Value) -> (StatusCode, Value) {
    p.call(Method::POST, "/wallet/payment-codes", Some(body))
        .await
}

#[tokio::test]
async fn paying_a_receive_code_moves_money_at_once_and_tells_both_sides() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let shop = Party::join(&s, "tea_shop", "13800000002").await;
    alice.fund(10_000).await;

    // The receive code holds the Xin ID: the phone looks up who it pays first.
    let payee = shop.ok(Method::GET, "/wallet/payees/TEA_SHOP", None).await;
    assert_eq!(payee["user_id"], shop.user.id.as_str());
    assert_eq!(payee["display_name"], "TEA_SHOP");
    assert_error(
        &alice
            .call(Method::GET, "/wallet/payees/nobody_here", None)
            .await,
        StatusCode::NOT_FOUND,
        "user_not_found",
    );

    // Not friends, and still payable: that is what a receive code is for.
    let (status, paid) = pay(&alice, &shop.user.id, json!(1_250), "p-1", PIN).await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    assert_eq!(paid["payer_name"], "ALICE");
    assert_eq!(paid["payee_name"], "TEA_SHOP");
    assert_eq!(paid["via"], "receive_code");
    assert_eq!(alice.balance().await, 8_750);
    assert_eq!(shop.balance().await, 1_250);

    // A retry with the key is the same payment; the key with another amount is refused.
    let (_, again) = pay(&alice, &shop.user.id, json!(1_250), "p-1", PIN).await;
    assert_eq!(again["id"], paid["id"]);
    assert_error(
        &pay(&alice, &shop.user.id, json!(99), "p-1", PIN).await,
        StatusCode::CONFLICT,
        "idempotency_conflict",
    );
    assert_eq!(shop.balance().await, 1_250, "paid once");

    // Both see it live, and in their bills with the other's name.
    let event = shop
        .events()
        .await
        .into_iter()
        .find(|e| e["body"]["type"] == "payment")
        .expect("the shop is told");
    assert_eq!(event["body"]["payment"]["amount_fen"], 1_250);
    let bill = &alice.ok(Method::GET, "/wallet/bills", None).await["bills"][0];
    assert_eq!(bill["kind"], "payment_out");
    assert_eq!(bill["amount_fen"], -1_250);
    assert_eq!(bill["counterparty_name"], "TEA_SHOP");
    assert_eq!(bill["memo"], "Coffee ☕");
    let bill = &shop.ok(Method::GET, "/wallet/bills", None).await["bills"][0];
    assert_eq!(bill["kind"], "payment_in");
    assert_eq!(bill["counterparty_name"], "ALICE");
    s.ledger_is_sound();
}

#[tokio::test]
async fn bad_payments_are_refused_and_move_nothing() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let bob = Party::join(&s, "bob", "13800000002").await;
    alice.fund(1_000).await;
    for fen in [
        json!(0),
        json!(-5),
        json!(1.5),
        json!("100"),
        json!(5_000_001),
    ] {
        let r = pay(&alice, &bob.user.id, fen.clone(), &uuid_v7(), PIN).await;
        assert!(
            r.0 == StatusCode::BAD_REQUEST || r.0 == StatusCode::UNPROCESSABLE_ENTITY,
            "{fen}: {r:?}"
        );
    }
    assert_error(
        &pay(&alice, &bob.user.id, json!(1_001), "k-1", PIN).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "insufficient_funds",
    );
    assert_error(
        &pay(&alice, &bob.user.id, json!(100), "k-2", "000000").await,
        StatusCode::FORBIDDEN,
        "wrong_pin",
    );
    assert_error(
        &pay(&alice, &alice.user.id, json!(100), "k-3", PIN).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "self_payment",
    );
    assert_error(
        &pay(&alice, &uuid_v7(), json!(100), "k-4", PIN).await,
        StatusCode::NOT_FOUND,
        "user_not_found",
    );
    // Bob never set a PIN: he cannot pay anyone.
    assert_error(
        &pay(&bob, &alice.user.id, json!(1), "k-5", "123456").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "pin_not_set",
    );
    assert_eq!(alice.balance().await, 1_000);
    assert_eq!(bob.balance().await, 0);
    // After a wrong PIN the right one still pays (and clears the count), remembered or not.
    for key in ["k-6", "k-7"] {
        let (status, body) = pay(&alice, &bob.user.id, json!(100), key, PIN).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert_eq!(bob.balance().await, 200);
    s.ledger_is_sound();
}

#[tokio::test]
async fn a_payment_code_is_charged_once_by_a_merchant() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let shop = Party::join(&s, "noodle_bar", "13800000002").await;
    alice.fund(5_000).await;

    assert_error(
        &payment_code(&alice, json!({})).await,
        StatusCode::FORBIDDEN,
        "wrong_pin",
    );
    assert_error(
        &payment_code(&alice, json!({"pin": "111111"})).await,
        StatusCode::FORBIDDEN,
        "wrong_pin",
    );
    let (status, code) = payment_code(&alice, json!({"pin": PIN})).await;
    assert_eq!(status, StatusCode::OK, "{code}");
    let first = code["code"].as_str().unwrap().to_string();
    assert_eq!(first.len(), 18);
    assert!(first.starts_with("13") && first.bytes().all(|b| b.is_ascii_digit()));

    // Renewing with the live code needs no PIN and kills the old code.
    let (status, renewed) = payment_code(&alice, json!({"renew": first})).await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    let code = renewed["code"].as_str().unwrap().to_string();
    assert_ne!(code, first);
    assert_error(
        &collect(&shop, &first, 100, "c-0").await,
        StatusCode::GONE,
        "payment_code_invalid",
    );
    // Someone else's code cannot renew mine.
    assert_error(
        &payment_code(&shop, json!({"renew": code})).await,
        StatusCode::GONE,
        "payment_code_invalid",
    );

    let (status, paid) = collect(&shop, &code, 1_800, "c-1").await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    assert_eq!(paid["payer_id"], alice.user.id.as_str());
    assert_eq!(paid["via"], "payment_code");
    assert_eq!(alice.balance().await, 3_200);
    assert_eq!(shop.balance().await, 1_800);
    // The till retries (its key): the same payment. Another charge of the same code: refused.
    let (_, again) = collect(&shop, &code, 1_800, "c-1").await;
    assert_eq!(again["id"], paid["id"]);
    assert_error(
        &collect(&shop, &code, 1_800, "c-2").await,
        StatusCode::GONE,
        "payment_code_invalid",
    );
    assert_eq!(alice.balance().await, 3_200, "charged once");
    // The payer's phone hears of it.
    assert!(alice
        .events()
        .await
        .iter()
        .any(|e| e["body"]["type"] == "payment" && e["body"]["payment"]["id"] == paid["id"]));

    // Bad codes: a clear error, nothing moves.
    for bad in ["", "12345", "13abcdefghijklmnop", "1300000000000000000"] {
        assert_error(
            &collect(&shop, bad, 100, &uuid_v7()).await,
            StatusCode::BAD_REQUEST,
            "invalid_request",
        );
    }
    assert_error(
        &collect(&shop, "130000000000000000", 100, "c-3").await,
        StatusCode::GONE,
        "payment_code_invalid",
    );
    // A code charged for more than the wallet holds: refused, and still usable for less.
    let (_, code) = payment_code(&alice, json!({"pin": PIN})).await;
    let code = code["code"].as_str().unwrap();
    assert_error(
        &collect(&shop, code, 3_201, "c-4").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "insufficient_funds",
    );
    let (status, _) = collect(&shop, code, 3_200, "c-5").await;
    assert_eq!(status, StatusCode::OK);
    // A merchant cannot charge their own code.
    shop.fund(0).await;
    let (_, own) = payment_code(&shop, json!({"pin": PIN})).await;
    assert_error(
        &collect(&shop, own["code"].as_str().unwrap(), 100, "c-6").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "self_payment",
    );
    assert_eq!(alice.balance().await, 0);
    assert_eq!(shop.balance().await, 5_000);
    s.ledger_is_sound();
}

#[tokio::test]
async fn an_expired_code_or_one_from_a_signed_out_phone_cannot_be_charged() {
    let s = TestServer::with(|c| c.payment_code_ttl_secs = 1).await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let shop = Party::join(&s, "bakery", "13800000002").await;
    alice.fund(5_000).await;
    let (_, code) = payment_code(&alice, json!({"pin": PIN})).await;
    let code = code["code"].as_str().unwrap().to_string();
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    assert_error(
        &collect(&shop, &code, 100, "e-1").await,
        StatusCode::GONE,
        "payment_code_invalid",
    );
    assert_error(
        &payment_code(&alice, json!({"renew": code})).await,
        StatusCode::GONE,
        "payment_code_invalid",
    );

    // A live code dies with its device's session.
    let (_, code) = payment_code(&alice, json!({"pin": PIN})).await;
    let code = code["code"].as_str().unwrap().to_string();
    let (status, _) = alice.call(Method::DELETE, "/sessions/current", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_error(
        &collect(&shop, &code, 100, "e-2").await,
        StatusCode::GONE,
        "payment_code_invalid",
    );
    assert_eq!(shop.balance().await, 0);
    s.ledger_is_sound();
}

#[tokio::test]
async fn a_forgotten_pin_is_reset_on_the_phone_with_the_password() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await; // signed up on the phone
    let bob = Party::join(&s, "bob", "13800000002").await;
    alice.fund(1_000).await;
    let desktop = s.sign_in("alice", desktop_device()).await;
    let reset = |token: String, password: &'static str, pin: &'static str| {
        let s = &s;
        async move {
            s.call(
                Method::POST,
                "/wallet/pin/reset",
                Some(&token),
                Some(json!({"password": password, "pin": pin})),
            )
            .await
        }
    };
    assert_error(
        &reset(desktop.access.clone(), "correct horse", "246802").await,
        StatusCode::FORBIDDEN,
        "phone_only",
    );
    assert_error(
        &reset(alice.user.access.clone(), "wrong horse", "246802").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
    assert_error(
        &reset(alice.user.access.clone(), "correct horse", "12ab56").await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    // The old PIN still works until the reset.
    let (status, _) = pay(&alice, &bob.user.id, json!(100), "r-1", PIN).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = reset(alice.user.access.clone(), "correct horse", "246802").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // The old PIN stops working at once (even though this server had it verified), the new one works.
    assert_error(
        &pay(&alice, &bob.user.id, json!(100), "r-2", PIN).await,
        StatusCode::FORBIDDEN,
        "wrong_pin",
    );
    let (status, _) = pay(&alice, &bob.user.id, json!(100), "r-3", "246802").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bob.balance().await, 200);
    s.ledger_is_sound();
}

async fn confirm(p: &Party<'_>, charge: &str, pin: &str) -> (StatusCode, Value) {
    p.call(
        Method::POST,
        &format!("/wallet/charges/{charge}/confirm"),
        Some(json!({"pin": pin})),
    )
    .await
}

/// A fresh payment code of `p`'s.
async fn fresh_code(p: &Party<'_>) -> String {
    let (status, code) = payment_code(p, json!({"pin": PIN})).await;
    assert_eq!(status, StatusCode::OK, "{code}");
    code["code"].as_str().unwrap().to_string()
}

/// Whoever sees a live payment code can charge only small amounts with it: above ¥50 a charge
/// (here), or ¥80 in 24 hours, the payer is asked on their phone and the money moves only
/// with their PIN; they can decline; the till follows the charge; every charge is told to the
/// payer at once.
#[tokio::test]
async fn a_charge_above_the_no_pin_limits_waits_for_the_payers_pin() {
    let s = TestServer::with(|c| {
        c.payment_code_no_pin_fen = 5_000;
        c.payment_code_no_pin_daily_fen = 8_000;
    })
    .await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let shop = Party::join(&s, "noodle_bar", "13800000002").await;
    let mallory = Party::join(&s, "mallory", "13800000066").await;
    alice.fund(100_000).await;
    mallory.fund(0).await;

    // ¥40: through at once, and Alice's devices are told of it.
    let (status, paid) = collect(&shop, &fresh_code(&alice).await, 4_000, "k-1").await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    assert!(alice
        .events()
        .await
        .iter()
        .any(|e| e["body"]["type"] == "payment" && e["body"]["payment"]["id"] == paid["id"]));

    // ¥60 > ¥50 a charge: waits. Nothing moved; Alice's devices are asked.
    let code2 = fresh_code(&alice).await;
    let (status, pending) = collect(&shop, &code2, 6_000, "k-2").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{pending}");
    assert_eq!(pending["state"], "pending");
    assert_eq!(pending["payer_name"], "ALICE");
    let id = pending["id"].as_str().unwrap().to_string();
    assert_eq!(alice.balance().await, 100_000 - 4_000);
    let asked = alice.events().await;
    assert!(asked
        .iter()
        .any(|e| e["body"]["type"] == "charge" && e["body"]["charge"]["id"] == id.as_str()));
    // The till's retry finds the same charge; its state is the till's to read, no one else's.
    let (status, again) = collect(&shop, "130000000000000000", 6_000, "k-2").await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "another request under the same key: {again}"
    );
    assert_eq!(
        shop.ok(Method::GET, &format!("/wallet/charges/{id}"), None)
            .await["state"],
        "pending"
    );
    assert_error(
        &mallory
            .call(Method::GET, &format!("/wallet/charges/{id}"), None)
            .await,
        StatusCode::NOT_FOUND,
        "charge_not_found",
    );
    // Only Alice confirms it, and only with her PIN (a wrong one counts like any PIN try).
    assert_error(
        &confirm(&mallory, &id, PIN).await,
        StatusCode::NOT_FOUND,
        "charge_not_found",
    );
    assert_error(
        &confirm(&shop, &id, PIN).await,
        StatusCode::NOT_FOUND,
        "charge_not_found",
    );
    assert_error(
        &confirm(&alice, &id, "000000").await,
        StatusCode::FORBIDDEN,
        "wrong_pin",
    );
    assert_eq!(alice.balance().await, 96_000);
    let (status, done) = confirm(&alice, &id, PIN).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(
        (
            done["state"].as_str(),
            done["payment"]["amount_fen"].as_i64()
        ),
        (Some("paid"), Some(6_000))
    );
    assert_eq!(alice.balance().await, 90_000);
    assert_eq!(shop.balance().await, 10_000);
    // Confirming again pays nothing more; the till sees it paid, and its retry answers the payment.
    assert_eq!(confirm(&alice, &id, PIN).await.1["state"], "paid");
    assert_eq!(alice.balance().await, 90_000);
    let (status, replay) = collect(&shop, &code2, 6_000, "k-2").await;
    assert_eq!(status, StatusCode::OK, "{replay}");
    assert_eq!(replay["id"], done["payment"]["id"]);
    let code = fresh_code(&alice).await;

    // ¥40 more would make ¥80 without the PIN today: fine. Then ¥1 more is over ¥80: waits.
    let (status, _) = collect(&shop, &code, 4_000, "k-3").await;
    assert_eq!(status, StatusCode::OK);
    let (status, over) = collect(&shop, &fresh_code(&alice).await, 100, "k-4").await;
    assert_eq!(
        status,
        StatusCode::ACCEPTED,
        "the confirmed ¥60 does not count, the ¥80 does: {over}"
    );
    // Alice declines: nothing moves, the till is told, and the charge cannot be paid after.
    let over_id = over["id"].as_str().unwrap();
    let declined = alice
        .ok(
            Method::POST,
            &format!("/wallet/charges/{over_id}/decline"),
            None,
        )
        .await;
    assert_eq!(declined["state"], "declined");
    assert_eq!(
        shop.ok(Method::GET, &format!("/wallet/charges/{over_id}"), None)
            .await["state"],
        "declined"
    );
    assert_error(
        &alice
            .call(
                Method::POST,
                &format!("/wallet/charges/{over_id}/confirm"),
                Some(json!({"pin": PIN})),
            )
            .await,
        StatusCode::GONE,
        "payment_code_invalid",
    );
    assert_eq!(alice.balance().await, 86_000);
    // Not an id at all: not found, no PIN try spent.
    assert_error(
        &alice
            .call(
                Method::POST,
                "/wallet/charges/nope/confirm",
                Some(json!({"pin": "000000"})),
            )
            .await,
        StatusCode::NOT_FOUND,
        "charge_not_found",
    );
    s.ledger_is_sound();
}

/// A charge nobody confirms lapses: the till reads it as expired and it can no longer be paid.
#[tokio::test]
async fn a_charge_nobody_confirms_lapses_and_moves_nothing() {
    let s = TestServer::with(|c| {
        c.payment_code_no_pin_fen = 100;
        c.payment_code_confirm_secs = 1;
    })
    .await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let shop = Party::join(&s, "noodle_bar", "13800000002").await;
    alice.fund(10_000).await;
    let (status, pending) = collect(&shop, &fresh_code(&alice).await, 500, "k-1").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{pending}");
    let id = pending["id"].as_str().unwrap().to_string();
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    assert_eq!(
        shop.ok(Method::GET, &format!("/wallet/charges/{id}"), None)
            .await["state"],
        "expired"
    );
    assert_error(
        &confirm(&alice, &id, PIN).await,
        StatusCode::GONE,
        "payment_code_invalid",
    );
    assert_eq!(alice.balance().await, 10_000);
    s.ledger_is_sound();
}
