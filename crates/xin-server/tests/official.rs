//! Official accounts through the real API: an owner creates accounts and writes articles (their
//! bodies sanitised), followers receive broadcasts through their event log and subscriptions
//! feed, within WeChat's limits (one a day for a subscription account, four a month per
//! follower for a service account), by tag; unfollowed users receive nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn account(owner: &Party<'_>, handle: &str, kind: &str) -> String {
    owner
        .ok(
            Method::POST,
            "/official-accounts",
            Some(json!({"handle": handle, "name": format!("{handle} news"), "intro": "Crag news", "kind": kind})),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn article(owner: &Party<'_>, account: &str, title: &str) -> String {
    owner
        .ok(
            Method::POST,
            &format!("/official-accounts/{account}/articles"),
            Some(json!({"title": title, "digest": "Short", "author": "Ed", "body_html": "<p>Body</p>"})),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn send(owner: &Party<'_>, account: &str, body: Value) -> (StatusCode, Value) {
    owner
        .call(
            Method::POST,
            &format!("/official-accounts/{account}/broadcasts"),
            Some(body),
        )
        .await
}

async fn follow(p: &Party<'_>, account: &str) {
    p.ok(
        Method::PUT,
        &format!("/official-accounts/{account}/follow"),
        Some(json!({"scene": "poster-7"})),
    )
    .await;
}

/// Titles of the first article of each broadcast in my subscriptions feed, newest first.
async fn feed(p: &Party<'_>) -> Vec<String> {
    p.ok(Method::GET, "/subscriptions", None).await["broadcasts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["articles"][0]["title"].as_str().unwrap().to_string())
        .collect()
}

fn broadcast_events(events: &[Value]) -> usize {
    events
        .iter()
        .filter(|e| e["body"]["type"] == "official_broadcast")
        .count()
}

#[tokio::test]
async fn followers_get_broadcasts_within_the_limits_and_by_tag() {
    let s = TestServer::start().await;
    let ed = Party::join(&s, "editor", "13800000001").await;
    let ann = Party::join(&s, "ann", "13800000002").await;
    let ben = Party::join(&s, "ben", "13800000003").await;
    let gus = Party::join(&s, "gus", "13800000004").await;

    // A subscription account: one broadcast a day.
    let daily = account(&ed, "cragnews", "subscription").await;
    follow(&ann, &daily).await;
    follow(&ben, &daily).await;
    follow(&gus, &daily).await;
    gus.ok(
        Method::DELETE,
        &format!("/official-accounts/{daily}/follow"),
        None,
    )
    .await;
    let a1 = article(&ed, &daily, "Spring opens").await;
    let a2 = article(&ed, &daily, "Second story").await;
    let sent = send(&ed, &daily, json!({"articles": [a1, a2]})).await;
    assert_eq!(sent.0, StatusCode::OK, "{}", sent.1);
    assert_eq!(sent.1["delivered"], 2);
    assert_eq!(sent.1["articles"].as_array().unwrap().len(), 2);
    let again = send(&ed, &daily, json!({"articles": [a2]})).await;
    assert_eq!(again.0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(again.1["error"]["code"], "broadcast_limit");
    assert!(again.1["error"]["message"]
        .as_str()
        .unwrap()
        .contains("one broadcast a day"));
    assert_eq!(feed(&ann).await, ["Spring opens"]);
    assert_eq!(
        broadcast_events(&ann.events().await),
        1,
        "through the event log"
    );
    assert_eq!(
        feed(&gus).await,
        Vec::<String>::new(),
        "unfollowed: nothing"
    );
    assert_eq!(broadcast_events(&gus.events().await), 0);

    // A service account: four a month per follower, and tag targeting.
    let desk = account(&ed, "cragdesk", "service").await;
    follow(&ann, &desk).await;
    follow(&ben, &desk).await;
    let ann_id = ann.user.id.to_string();
    let r = ed
        .call(
            Method::PUT,
            &format!("/official-accounts/{desk}/followers/{ann_id}/tags"),
            Some(json!({"tags": ["vip"]})),
        )
        .await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    let only_ann = article(&ed, &desk, "For VIPs").await;
    let to_vip = send(&ed, &desk, json!({"articles": [only_ann], "tag": "vip"})).await;
    assert_eq!(to_vip.1["delivered"], 1);
    assert_eq!(feed(&ann).await[0], "For VIPs");
    assert!(
        !feed(&ben).await.contains(&"For VIPs".to_string()),
        "Ben has no tag"
    );
    for n in 1..=3 {
        let a = article(&ed, &desk, &format!("Service {n}")).await;
        let r = send(&ed, &desk, json!({"articles": [a]})).await;
        assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    }
    // Ann had four this month; Ben had three: the fifth reaches Ben only, the sixth no one.
    let a = article(&ed, &desk, "Service 4").await;
    let r = send(&ed, &desk, json!({"articles": [a]})).await;
    assert_eq!(r.1["delivered"], 1);
    assert_eq!(feed(&ben).await[0], "Service 4");
    assert_eq!(feed(&ann).await[0], "Service 3");
    let a = article(&ed, &desk, "Service 5").await;
    let r = send(&ed, &desk, json!({"articles": [a]})).await;
    assert_eq!(r.0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.1["error"]["code"], "broadcast_limit");

    // The profile's history lists broadcasts to everyone (not the tagged one).
    let history = ann
        .ok(
            Method::GET,
            &format!("/official-accounts/{desk}/broadcasts"),
            None,
        )
        .await;
    let titles: Vec<_> = history["broadcasts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["articles"][0]["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Service 4", "Service 3", "Service 2", "Service 1"]);
    let profile = ann
        .ok(Method::GET, &format!("/official-accounts/{desk}"), None)
        .await;
    assert_eq!(
        (
            profile["followers"].as_i64(),
            profile["following"].as_bool()
        ),
        (Some(2), Some(true))
    );
    let found = gus.ok(Method::GET, "/official-accounts?q=CRAG", None).await;
    assert_eq!(found["accounts"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn articles_are_sanitised_counted_and_liked() {
    let s = TestServer::start().await;
    let ed = Party::join(&s, "editor", "13800000001").await;
    let ann = Party::join(&s, "ann", "13800000002").await;
    let daily = account(&ed, "cragnews", "subscription").await;
    let a = ed
        .ok(
            Method::POST,
            &format!("/official-accounts/{daily}/articles"),
            Some(json!({"title": "Topos", "body_html":
                "<h2>Routes</h2><p onclick=\"x()\">Go <a href=\"javascript:alert(1)\">here</a></p><script>alert(1)</script><img src=\"https://evil.example/t.gif\">",
                "source_url": "https://example.org/original"})),
        )
        .await;
    let body = a["body_html"].as_str().unwrap();
    assert!(body.contains("<h2>Routes</h2>"), "{body}");
    for gone in ["onclick", "javascript", "<script", "evil.example"] {
        assert!(!body.contains(gone), "{body} has {gone}");
    }
    let id = a["id"].as_str().unwrap();
    let read = ann.ok(Method::GET, &format!("/articles/{id}"), None).await;
    assert_eq!(read["reads"], 1);
    ann.ok(Method::GET, &format!("/articles/{id}"), None).await;
    let r = ann
        .ok(
            Method::PUT,
            &format!("/articles/{id}/reaction"),
            Some(json!({"liked": true, "wowed": true})),
        )
        .await;
    assert_eq!(
        (r["reads"].as_i64(), r["likes"].as_i64(), r["wows"].as_i64()),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(
        (r["liked"].as_bool(), r["wowed"].as_bool()),
        (Some(true), Some(true))
    );
}

#[tokio::test]
async fn bad_requests_get_clear_errors_and_change_nothing() {
    let s = TestServer::start().await;
    let ed = Party::join(&s, "editor", "13800000001").await;
    let ann = Party::join(&s, "ann", "13800000002").await;
    let daily = account(&ed, "cragnews", "subscription").await;
    for body in [
        json!({"handle": "x", "name": "n", "kind": "subscription"}),
        json!({"handle": "okname", "name": "", "kind": "subscription"}),
        json!({"handle": "okname", "name": "n".repeat(31), "kind": "subscription"}),
        json!({"handle": "okname", "name": "n", "kind": "weekly"}),
    ] {
        let r = ed
            .call(Method::POST, "/official-accounts", Some(body.clone()))
            .await;
        assert_eq!(r.0, StatusCode::BAD_REQUEST, "{body}: {}", r.1);
    }
    let taken = ed
        .call(
            Method::POST,
            "/official-accounts",
            Some(json!({"handle": "ANN", "name": "n", "kind": "service"})),
        )
        .await;
    assert_eq!(
        taken.1["error"]["code"], "handle_taken",
        "a person's handle is taken too"
    );
    let path = format!("/official-accounts/{daily}/articles");
    for body in [
        json!({"title": "", "body_html": "<p>x</p>"}),
        json!({"title": "t".repeat(65), "body_html": "<p>x</p>"}),
        json!({"title": "t", "body_html": "<script>only()</script>"}),
        json!({"title": "t", "body_html": "<p>x</p>", "source_url": "javascript:x"}),
        json!({"title": "t", "body_html": "<p>x</p>", "cover": "nope"}),
    ] {
        let r = ed.call(Method::POST, &path, Some(body.clone())).await;
        assert_eq!(r.0, StatusCode::BAD_REQUEST, "{body}: {}", r.1);
    }
    let r = ann
        .call(
            Method::POST,
            &path,
            Some(json!({"title": "t", "body_html": "<p>x</p>"})),
        )
        .await;
    assert_eq!(r.1["error"]["code"], "not_allowed", "only the owner writes");
    let a = article(&ed, &daily, "One").await;
    let b = format!("/official-accounts/{daily}/broadcasts");
    for body in [
        json!({"articles": []}),
        json!({"articles": [a, a]}),
        json!({"articles": vec![a.clone(); 9]}),
        json!({"articles": [a], "tag": ""}),
    ] {
        let r = ed.call(Method::POST, &b, Some(body.clone())).await;
        assert_eq!(r.0, StatusCode::BAD_REQUEST, "{body}: {}", r.1);
    }
    let other = account(&ann, "annsdesk", "service").await;
    let theirs = article(&ann, &other, "Not Ed's").await;
    let r = ed
        .call(Method::POST, &b, Some(json!({"articles": [theirs]})))
        .await;
    assert_eq!(r.1["error"]["code"], "article_not_found");
    let r = ann
        .call(Method::POST, &b, Some(json!({"articles": [a]})))
        .await;
    assert_eq!(r.1["error"]["code"], "not_allowed");
    let r = ann
        .call(Method::GET, "/official-accounts/nonsense", None)
        .await;
    assert_eq!(r.1["error"]["code"], "official_account_not_found");
    let r = ann.call(Method::GET, "/articles/nonsense", None).await;
    assert_eq!(r.1["error"]["code"], "article_not_found");
    // Nothing was broadcast by any of that.
    assert_eq!(
        ed.ok(
            Method::GET,
            &format!("/official-accounts/{daily}/broadcasts"),
            None
        )
        .await["broadcasts"],
        json!([])
    );
}
