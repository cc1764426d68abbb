#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn register_sign_in_by_handle_and_phone() {
    let s = TestServer::start().await;
    let alice = s.register("alice", "+86 138 0000 0001").await;
    let (status, me) = s.call(Method::GET, "/me", Some(&alice.access), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["handle"], "alice");
    assert_eq!(me["display_name"], "ALICE");

    let by_handle = s.sign_in("ALICE", phone_device()).await;
    assert_eq!(by_handle.id, alice.id);
    let by_phone = s.sign_in("+8613800000001", desktop_device()).await;
    assert_eq!(by_phone.id, alice.id);
    assert_ne!(
        by_phone.device_id, alice.device_id,
        "each sign-in is its own device"
    );
}

#[tokio::test]
async fn duplicate_handle_or_phone_is_refused_and_writes_nothing() {
    let s = TestServer::start().await;
    s.register("alice", "13800000001").await;
    let dup_handle = s
        .post(
            "/accounts",
            json!({"handle": "Alice", "phone": "13800000002", "display_name": "A2",
            "password": "another secret", "device": phone_device()}),
        )
        .await;
    assert_error(&dup_handle, StatusCode::CONFLICT, "handle_taken");
    let dup_phone = s
        .post(
            "/accounts",
            json!({"handle": "bob", "phone": "138-0000-0001", "display_name": "Bob",
            "password": "another secret", "device": phone_device()}),
        )
        .await;
    assert_error(&dup_phone, StatusCode::CONFLICT, "phone_taken");
    // Nothing of the refused accounts was written: neither can sign in, and bob is still free.
    let bob_login = s
        .post(
            "/sessions",
            json!({"login": "bob", "password": "another secret", "device": phone_device()}),
        )
        .await;
    assert_error(&bob_login, StatusCode::UNAUTHORIZED, "invalid_credentials");
    s.register("bob", "13800000002").await;
}

#[tokio::test]
async fn bad_registration_input_gets_invalid_request() {
    let s = TestServer::start().await;
    let good = json!({"handle": "carol", "phone": "13800000003", "display_name": "Carol",
        "password": "long enough", "device": phone_device()});
    let cases = [
        ("handle", json!("x")),
        ("handle", json!("1abc")),
        ("handle", json!("has space")),
        ("handle", json!(42)),
        ("phone", json!("12ab")),
        ("display_name", json!("")),
        ("display_name", json!("a\u{0007}b")),
        ("password", json!("short")),
    ];
    for (field, value) in cases {
        let mut body = good.clone();
        body[field] = value.clone();
        let r = s.post("/accounts", body).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid_request");
    }
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("password");
    assert_error(
        &s.post("/accounts", missing).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    let mut bad_device = good.clone();
    bad_device["device"]["kind"] = json!("toaster");
    assert_error(
        &s.post("/accounts", bad_device).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );

    // Not JSON at all, and JSON without the content type.
    let raw = s
        .http
        .post(format!("{}/api/v1/accounts", s.url))
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::BAD_REQUEST);
    let v: serde_json::Value = raw.json().await.unwrap();
    assert_eq!(v["error"]["code"], "invalid_request");
    let plain = s
        .http
        .post(format!("{}/api/v1/accounts", s.url))
        .body(good.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), StatusCode::BAD_REQUEST);

    // Oversize body.
    let mut huge = good.clone();
    huge["display_name"] = json!("x".repeat(64 * 1024));
    assert_error(
        &s.post("/accounts", huge).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    );

    // After all that, the good request still works: nothing half-written blocks it.
    let ok = s.post("/accounts", good).await;
    assert_eq!(ok.0, StatusCode::CREATED, "{}", ok.1);
}

#[tokio::test]
async fn wrong_password_and_unknown_account_look_the_same() {
    let s = TestServer::start().await;
    s.register("dave", "13800000004").await;
    let wrong = s
        .post(
            "/sessions",
            json!({"login": "dave", "password": "not it at all", "device": phone_device()}),
        )
        .await;
    assert_error(&wrong, StatusCode::UNAUTHORIZED, "invalid_credentials");
    let unknown = s
        .post(
            "/sessions",
            json!({"login": "nobody", "password": "not it at all", "device": phone_device()}),
        )
        .await;
    assert_error(&unknown, StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert_eq!(wrong.1["error"]["message"], unknown.1["error"]["message"]);
}

#[tokio::test]
async fn password_guessing_is_rate_limited() {
    let s = TestServer::with(|c| c.attempts_per_minute = 3).await;
    s.register("erin", "13800000005").await;
    let mut codes = Vec::new();
    for _ in 0..5 {
        let r = s
            .post(
                "/sessions",
                json!({"login": "erin", "password": "guess guess", "device": phone_device()}),
            )
            .await;
        codes.push(r.1["error"]["code"].as_str().unwrap().to_string());
    }
    assert!(codes.contains(&"rate_limited".to_string()), "{codes:?}");
}

/// Behind a trusted balancer the limits count each client by the address the balancer saw;
/// talking to the server directly, a client cannot dodge them by writing that header itself.
/// (Every guess names another login, so only the per-address limit can stop them.)
#[tokio::test]
async fn rate_limits_count_the_client_behind_a_trusted_proxy_and_ignore_a_forged_header() {
    async fn guess(s: &TestServer, forwarded_for: &str, login: &str) -> String {
        let r = s
            .http
            .post(format!("{}/api/v1/sessions", s.url))
            .header("x-forwarded-for", forwarded_for)
            .json(&json!({"login": login, "password": "guess guess", "device": phone_device()}))
            .send()
            .await
            .unwrap();
        let body: Value = r.json().await.unwrap();
        body["error"]["code"].as_str().unwrap().to_string()
    }

    // The test client is the balancer here: 127.0.0.1 is trusted.
    let s = TestServer::with(|c| {
        c.attempts_per_minute = 3;
        c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let mut first = Vec::new();
    for i in 0..5 {
        first.push(guess(&s, "203.0.113.7", &format!("nobody{i}")).await);
    }
    assert_eq!(first[..3], ["invalid_credentials"; 3]);
    assert_eq!(first[3..], ["rate_limited"; 2]);
    // Another client behind the same balancer still has its own tries.
    assert_eq!(
        guess(&s, "203.0.113.8", "someone").await,
        "invalid_credentials"
    );

    // No trusted proxy: the header is the client's own words, and changing it gains nothing.
    let s = TestServer::with(|c| c.attempts_per_minute = 3).await;
    let mut codes = Vec::new();
    for i in 0..5 {
        codes.push(guess(&s, &format!("198.51.100.{i}"), &format!("nobody{i}")).await);
    }
    assert_eq!(codes[3..], ["rate_limited"; 2], "{codes:?}");
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_token_ends_the_session() {
    let s = TestServer::start().await;
    let alice = s.register("alice", "13800000001").await;
    let (status, next) = s
        .post("/sessions/refresh", json!({"refresh_token": alice.refresh}))
        .await;
    assert_eq!(status, StatusCode::OK, "{next}");
    let next = User::from(&next);
    assert_ne!(next.refresh, alice.refresh);
    assert_ne!(next.access, alice.access);
    assert_eq!(next.device_id, alice.device_id);
    // The old access token no longer works; the new one does.
    assert_error(
        &s.call(Method::GET, "/me", Some(&alice.access), None).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert_eq!(
        s.call(Method::GET, "/me", Some(&next.access), None).await.0,
        StatusCode::OK
    );

    // Replaying the first refresh token means it leaked: the whole session ends.
    let replay = s
        .post("/sessions/refresh", json!({"refresh_token": alice.refresh}))
        .await;
    assert_error(&replay, StatusCode::UNAUTHORIZED, "session_revoked");
    assert_error(
        &s.call(Method::GET, "/me", Some(&next.access), None).await,
        StatusCode::UNAUTHORIZED,
        "session_revoked",
    );
    assert_error(
        &s.post("/sessions/refresh", json!({"refresh_token": next.refresh}))
            .await,
        StatusCode::UNAUTHORIZED,
        "session_revoked",
    );

    assert_error(
        &s.post("/sessions/refresh", json!({"refresh_token": "made-up"}))
            .await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert_error(
        &s.post("/sessions/refresh", json!({"refresh_token": ""}))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let s = TestServer::start().await;
    let alice = s.register("alice", "13800000001").await;
    let (status, _) = s
        .call(
            Method::DELETE,
            "/sessions/current",
            Some(&alice.access),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_error(
        &s.call(Method::GET, "/me", Some(&alice.access), None).await,
        StatusCode::UNAUTHORIZED,
        "session_revoked",
    );
    assert_error(
        &s.post("/sessions/refresh", json!({"refresh_token": alice.refresh}))
            .await,
        StatusCode::UNAUTHORIZED,
        "session_revoked",
    );
}

#[tokio::test]
async fn expired_access_token_says_so() {
    let s = TestServer::with(|c| c.access_ttl_secs = 0).await;
    let alice = s.register("alice", "13800000001").await;
    assert_error(
        &s.call(Method::GET, "/me", Some(&alice.access), None).await,
        StatusCode::UNAUTHORIZED,
        "token_expired",
    );
    assert_error(
        &s.call(Method::GET, "/me", None, None).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert_error(
        &s.call(Method::GET, "/me", Some("garbage"), None).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_the_error_shape() {
    let s = TestServer::start().await;
    assert_error(
        &s.call(Method::GET, "/nope", None, None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        &s.call(Method::PUT, "/accounts", None, None).await,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
    let (status, health) = s.call(Method::GET, "/health", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["status"], "ok");
}

/// A session has an absolute lifetime: past it, a refresh ends the session with
/// `session_expired` however active the device was, and its access token stops working.
#[tokio::test]
async fn a_session_past_its_lifetime_must_sign_in_again() {
    let s = TestServer::with(|c| c.session_max_days = 0).await;
    let alice = s.register("alice", "13800000001").await;
    assert_error(
        &s.post("/sessions/refresh", json!({"refresh_token": alice.refresh}))
            .await,
        StatusCode::UNAUTHORIZED,
        "session_expired",
    );
    let (status, _) = s
        .call(Method::GET, "/contacts", Some(&alice.access), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the session is over");
    // Signing in again starts a new session.
    let again = s.sign_in("alice", desktop_device()).await;
    assert_eq!(
        s.call(Method::GET, "/contacts", Some(&again.access), None)
            .await
            .0,
        StatusCode::OK
    );
}
