//! Developer mode against a real receiver on loopback: deliveries are signed (verified here with
//! HMAC-SHA256), a failed or slow delivery is retried with the same delivery id, a delivery
//! that never succeeds stops after three retries; access tokens buy replies within the 48-hour
//! window and expire.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{webhook::*, *};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn account(owner: &Party<'_>) -> String {
    owner
        .ok(
            Method::POST,
            "/official-accounts",
            Some(json!({"handle": "cragdesk", "name": "Crag desk", "kind": "service"})),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn deliveries_are_signed_retried_with_the_same_id_and_given_up_after_three_retries() {
    let s = TestServer::with(|c| {
        c.webhook_retry_ms = 50;
        c.webhook_timeout_ms = 300;
    })
    .await;
    let editor = Party::join(&s, "editor", "13800000001").await;
    let ann = Party::join(&s, "ann", "13800000002").await;
    let desk = account(&editor).await;
    let (url, rx) = receiver().await;
    let dev = editor
        .ok(
            Method::PUT,
            &format!("/official-accounts/{desk}/developer"),
            Some(json!({"webhook_url": url})),
        )
        .await;
    let secret = dev["secret"].as_str().unwrap().to_string();
    assert_eq!(dev["webhook_url"], url.as_str());

    // The follow: refused once, too slow once (300 ms timeout), then accepted.
    let qr = editor
        .ok(
            Method::POST,
            &format!("/official-accounts/{desk}/qr-codes"),
            Some(json!({"scene": "poster-7"})),
        )
        .await;
    rx.lock().unwrap().script = [Answer::Fail, Answer::Slow(1_000), Answer::Ok].into();
    ann.ok(
        Method::PUT,
        &format!("/official-accounts/{desk}/follow"),
        Some(json!({"code": qr["code"]})),
    )
    .await;
    seen_count(&rx, 3).await;
    let seen = rx.lock().unwrap().seen.clone();
    let ids: Vec<&str> = seen
        .iter()
        .map(|(h, _)| h["x-xin-delivery"].as_str())
        .collect();
    assert!(
        ids.iter().all(|i| *i == ids[0]),
        "one delivery id across retries: {ids:?}"
    );
    for (headers, body) in &seen {
        assert!(
            verify(&secret, headers, body),
            "signed with the account's secret"
        );
        assert!(!verify("wrong secret", headers, body));
        let event: Value = serde_json::from_str(body).unwrap();
        assert_eq!(
            (event["kind"].as_str(), event["scene"].as_str()),
            (Some("follow"), Some("poster-7"))
        );
        assert_eq!(event["id"], ids[0]);
        assert_eq!(event["user_id"], ann.user.id.to_string());
    }

    // A message, delivered at once.
    ann.ok(
        Method::POST,
        &format!("/official-accounts/{desk}/messages"),
        Some(json!({"text": "hello"})),
    )
    .await;
    seen_count(&rx, 4).await;
    let (_, body) = rx.lock().unwrap().seen[3].clone();
    let event: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (event["kind"].as_str(), event["text"].as_str()),
        (Some("message"), Some("hello"))
    );

    // A receiver that always fails gets the delivery four times (once and three retries).
    rx.lock().unwrap().then = Some(Answer::Fail);
    ann.ok(
        Method::POST,
        &format!("/official-accounts/{desk}/messages"),
        Some(json!({"text": "again"})),
    )
    .await;
    seen_count(&rx, 8).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let seen = rx.lock().unwrap().seen.clone();
    assert_eq!(seen.len(), 8, "no fifth attempt");
    assert!(seen[4..]
        .iter()
        .all(|(h, _)| h["x-xin-delivery"] == seen[4].0["x-xin-delivery"]));
}

#[tokio::test]
async fn access_tokens_reply_within_the_window_and_expire() {
    let s = TestServer::start().await;
    let editor = Party::join(&s, "editor", "13800000001").await;
    let ann = Party::join(&s, "ann", "13800000002").await;
    let ben = Party::join(&s, "ben", "13800000003").await;
    let desk = account(&editor).await;
    let dev = editor
        .ok(
            Method::GET,
            &format!("/official-accounts/{desk}/developer"),
            None,
        )
        .await;
    let secret = dev["secret"].as_str().unwrap();
    assert_eq!(dev["webhook_url"], Value::Null);
    let r = ann
        .call(
            Method::GET,
            &format!("/official-accounts/{desk}/developer"),
            None,
        )
        .await;
    assert_eq!(
        r.1["error"]["code"], "not_allowed",
        "only the owner sees the secret"
    );

    let (status, body) = s
        .post(
            "/official-tokens",
            json!({"account_id": desk, "secret": "guess"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_credentials"))
    );
    let (status, token) = s
        .post(
            "/official-tokens",
            json!({"account_id": desk, "secret": secret}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(token["expires_in"], 7_200);
    let token = token["access_token"].as_str().unwrap().to_string();

    for p in [&ann, &ben] {
        p.ok(
            Method::PUT,
            &format!("/official-accounts/{desk}/follow"),
            Some(json!({})),
        )
        .await;
    }
    ann.ok(
        Method::POST,
        &format!("/official-accounts/{desk}/messages"),
        Some(json!({"text": "Is it open?"})),
    )
    .await;
    let reply = |user: String, bearer: Option<String>| {
        let http = s.http.clone();
        let url = format!("{}/api/v1/official-api/messages", s.url);
        async move {
            let mut req = http
                .post(url)
                .json(&json!({"user_id": user, "text": "Yes, until 7."}));
            if let Some(b) = bearer {
                req = req.bearer_auth(b);
            }
            let r = req.send().await.unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }
    };
    let (status, sent) = reply(ann.user.id.to_string(), Some(token.clone())).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    let chat = ann
        .ok(
            Method::GET,
            &format!("/official-accounts/{desk}/messages"),
            None,
        )
        .await;
    assert_eq!(
        chat["messages"].as_array().unwrap().last().unwrap()["text"],
        "Yes, until 7."
    );
    let (status, body) = reply(ben.user.id.to_string(), Some(token.clone())).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("reply_window_closed"))
    );
    let (status, _) = reply(ann.user.id.to_string(), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Two hours later the token is no good.
    s.execute("UPDATE official_tokens SET expires_at = expires_at - 7200 * 1000");
    let (status, body) = reply(ann.user.id.to_string(), Some(token)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("token_expired"))
    );
}

#[tokio::test]
async fn webhooks_go_only_to_web_addresses_outside_the_servers_network() {
    let s = TestServer::with(|c| c.webhook_private_hosts = false).await;
    let editor = Party::join(&s, "editor", "13800000001").await;
    let desk = account(&editor).await;
    let path = format!("/official-accounts/{desk}/developer");
    for (url, why) in [
        ("ftp://example.org/hook", "http or https"),
        ("http://127.0.0.1:9/hook", "private or local"),
        ("http://10.1.2.3/hook", "private or local"),
        ("http://[::1]/hook", "private or local"),
    ] {
        let r = editor
            .call(Method::PUT, &path, Some(json!({"webhook_url": url})))
            .await;
        assert_eq!(r.0, StatusCode::BAD_REQUEST, "{url}: {}", r.1);
        assert!(
            r.1["error"]["message"].as_str().unwrap().contains(why),
            "{url}: {}",
            r.1
        );
    }
    let dev = editor.ok(Method::GET, &path, None).await;
    assert_eq!(dev["webhook_url"], Value::Null, "nothing was set");
}

/// An account whose follower `fan` follows it, with its webhook at a new receiver.
async fn hooked(
    owner: &Party<'_>,
    fan: &Party<'_>,
    handle: &str,
) -> (String, std::sync::Arc<std::sync::Mutex<Receiver>>) {
    let id = owner
        .ok(
            Method::POST,
            "/official-accounts",
            Some(json!({"handle": handle, "name": handle, "kind": "service"})),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (url, rx) = receiver().await;
    owner
        .ok(
            Method::PUT,
            &format!("/official-accounts/{id}/developer"),
            Some(json!({"webhook_url": url})),
        )
        .await;
    fan.ok(
        Method::PUT,
        &format!("/official-accounts/{id}/follow"),
        Some(json!({})),
    )
    .await;
    seen_count(&rx, 1).await;
    (id, rx)
}

/// One account's receiver that takes 2 s to answer each delivery, with a backlog of ten,
/// holds up only its own deliveries: another account's arrives while the slow one has seen
/// at most a few of its own.
#[tokio::test]
async fn a_slow_receiver_delays_only_its_own_accounts_deliveries() {
    let s = TestServer::start().await;
    let owner = Party::join(&s, "owner", "13800000001").await;
    let fan = Party::join(&s, "fan", "13800000002").await;
    let (slow, slow_rx) = hooked(&owner, &fan, "slowdesk").await;
    let (quick, quick_rx) = hooked(&owner, &fan, "quickdesk").await;
    slow_rx.lock().unwrap().then = Some(Answer::Slow(2_000));
    for i in 0..10 {
        fan.ok(
            Method::POST,
            &format!("/official-accounts/{slow}/messages"),
            Some(json!({"text": format!("slow {i}")})),
        )
        .await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    fan.ok(
        Method::POST,
        &format!("/official-accounts/{quick}/messages"),
        Some(json!({"text": "quick"})),
    )
    .await;
    seen_count(&quick_rx, 2).await;
    let slow_seen = slow_rx.lock().unwrap().seen.len() - 1;
    assert!(
        slow_seen <= 4,
        "the slow receiver had been sent {slow_seen} of its ten when the other account's arrived"
    );
}
