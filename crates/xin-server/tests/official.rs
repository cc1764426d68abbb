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
        Some(json!({})),
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

fn texts(chat: &Value) -> Vec<(bool, String)> {
    chat["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["from_account"].as_bool().unwrap(),
                m["text"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn chatting_with_an_account_menus_auto_replies_and_the_48_hour_window() {
    let s = TestServer::start().await;
    let editor = Party::join(&s, "editor", "13800000001").await;
    let ann = Party::join(&s, "ann", "13800000002").await;
    let ben = Party::join(&s, "ben", "13800000003").await;
    let desk = account(&editor, "cragdesk", "service").await;
    let guide = article(&editor, &desk, "Guide").await;
    let base = format!("/official-accounts/{desk}");

    // Menus: at most 3 × 5, each item a keyword, one of the account's articles, or a web page.
    let item = |n: usize| json!({"name": format!("Item {n}"), "action": {"type": "keyword", "keyword": "hours"}});
    for bad in [
        json!({"menus": (0..4).map(|m| json!({"name": format!("M{m}"), "items": [item(0)]})).collect::<Vec<_>>()}),
        json!({"menus": [{"name": "Too many", "items": (0..6).map(item).collect::<Vec<_>>()}]}),
        json!({"menus": [{"name": "Empty", "items": []}]}),
        json!({"menus": [{"name": "Bad link", "items": [{"name": "x", "action": {"type": "link", "url": "javascript:x"}}]}]}),
        json!({"menus": [{"name": "A name far too long for a menu", "items": [item(0)]}]}),
    ] {
        let r = editor
            .call(Method::PUT, &format!("{base}/menu"), Some(bad.clone()))
            .await;
        assert_eq!(r.0, StatusCode::BAD_REQUEST, "{bad}: {}", r.1);
    }
    let r = editor
        .call(Method::PUT, &format!("{base}/menu"), Some(json!({"menus": [{"name": "More", "items": [
            {"name": "Nope", "action": {"type": "article", "article_id": "00000000-0000-7000-8000-000000000000"}}]}]})))
        .await;
    assert_eq!(r.1["error"]["code"], "article_not_found");
    let menu = json!({"menus": [
        {"name": "Visit", "items": [{"name": "Opening hours", "action": {"type": "keyword", "keyword": "hours"}},
                                   {"name": "Map", "action": {"type": "link", "url": "https://example.org/map"}}]},
        {"name": "Read", "items": [{"name": "Guide", "action": {"type": "article", "article_id": guide}}]}]});
    let r = editor
        .call(Method::PUT, &format!("{base}/menu"), Some(menu.clone()))
        .await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    let r = ann
        .call(Method::PUT, &format!("{base}/menu"), Some(menu.clone()))
        .await;
    assert_eq!(r.1["error"]["code"], "not_allowed");
    let r = editor
        .call(
            Method::PUT,
            &format!("{base}/auto-replies"),
            Some(json!({
            "on_follow": "Welcome to the café!",
            "keywords": [{"keyword": "hours", "reply": "7 am to 7 pm, every day."}],
            "default": "Thanks! We answer within a day."})),
        )
        .await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);

    // Not following: no chat.
    let r = ann
        .call(
            Method::POST,
            &format!("{base}/messages"),
            Some(json!({"text": "hi"})),
        )
        .await;
    assert_eq!(
        (r.0, r.1["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_following"))
    );
    follow(&ann, &desk).await;
    let chat = ann.ok(Method::GET, &format!("{base}/messages"), None).await;
    assert_eq!(
        texts(&chat),
        [(true, "Welcome to the café!".to_string())],
        "the welcome"
    );
    assert_eq!(chat["menu"], menu);
    assert!(
        ann.events()
            .await
            .iter()
            .any(|e| e["body"]["type"] == "official_message"),
        "through the event log"
    );
    // A keyword (any case), a menu tap (only the answer shows), anything else.
    ann.ok(
        Method::POST,
        &format!("{base}/messages"),
        Some(json!({"text": " HOURS "})),
    )
    .await;
    ann.ok(
        Method::POST,
        &format!("{base}/messages"),
        Some(json!({"text": "hours", "from_menu": true})),
    )
    .await;
    ann.ok(
        Method::POST,
        &format!("{base}/messages"),
        Some(json!({"text": "Do you have oat milk?"})),
    )
    .await;
    let chat = ann.ok(Method::GET, &format!("{base}/messages"), None).await;
    let said: Vec<(bool, String)> = texts(&chat);
    assert_eq!(
        said.iter()
            .map(|(a, t)| format!("{}{t}", if *a { "< " } else { "> " }))
            .collect::<Vec<_>>(),
        [
            "< Welcome to the café!",
            "> HOURS",
            "< 7 am to 7 pm, every day.",
            "< 7 am to 7 pm, every day.",
            "> Do you have oat milk?",
            "< Thanks! We answer within a day."
        ]
    );

    // The staff answer within 48 hours of the follower's last message; Ben never wrote.
    follow(&ben, &desk).await;
    let inbox = editor.ok(Method::GET, &format!("{base}/inbox"), None).await;
    let rows: Vec<_> = inbox["chats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["user"]["handle"].as_str().unwrap().to_string(),
                c["can_reply"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [("ben".to_string(), false), ("ann".to_string(), true)]
    );
    let to = |p: &Party<'_>| format!("{base}/followers/{}/messages", p.user.id);
    let r = editor
        .call(
            Method::POST,
            &to(&ann),
            Some(json!({"text": "Yes, oat and soy."})),
        )
        .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    let r = editor
        .call(Method::POST, &to(&ben), Some(json!({"text": "Hello?"})))
        .await;
    assert_eq!(
        (r.0, r.1["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("reply_window_closed"))
    );
    // Two days later, Ann's window has closed too.
    s.execute("UPDATE official_messages SET created_at = created_at - 49 * 3600000");
    let r = editor
        .call(
            Method::POST,
            &to(&ann),
            Some(json!({"text": "Still there?"})),
        )
        .await;
    assert_eq!(r.1["error"]["code"], "reply_window_closed");
    assert!(r.1["error"]["message"]
        .as_str()
        .unwrap()
        .contains("48 hours"));
    let chat = editor
        .ok(
            Method::GET,
            &format!("{base}/messages?user={}", ann.user.id),
            None,
        )
        .await;
    assert_eq!(
        texts(&chat).last().unwrap().1,
        "Yes, oat and soy.",
        "nothing after the window"
    );
    let r = ben
        .call(
            Method::GET,
            &format!("{base}/messages?user={}", ann.user.id),
            None,
        )
        .await;
    assert_eq!(
        r.1["error"]["code"], "not_allowed",
        "only the owner reads others' chats"
    );
    for bad in [json!({"text": ""}), json!({"text": "x".repeat(2_001)})] {
        let r = ann
            .call(Method::POST, &format!("{base}/messages"), Some(bad))
            .await;
        assert_eq!(r.0, StatusCode::BAD_REQUEST);
    }
}

#[tokio::test]
async fn a_shared_article_is_a_card_the_server_fills_from_the_article() {
    let s = TestServer::start().await;
    let editor = Party::join(&s, "editor", "13800000001").await;
    let ann = Party::join(&s, "ann", "13800000002").await;
    let ben = Party::join(&s, "ben", "13800000003").await;
    ann.befriend(&ben).await;
    let chat = ann.direct(&ben).await;
    let daily = account(&editor, "cragnews", "subscription").await;
    let a = article(&editor, &daily, "Spring opens").await;
    let send = |content: Value| {
        let path = format!("/conversations/{chat}/messages");
        let ann = &ann;
        async move {
            ann.call(
                Method::POST,
                &path,
                Some(json!({"client_id": uuid::Uuid::now_v7(), "content": content})),
            )
            .await
        }
    };
    let r = send(json!({"type": "article", "article_id": a, "title": "Free money!", "account_name": "Not them"})).await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    assert_eq!(
        (
            r.1["content"]["title"].as_str(),
            r.1["content"]["account_name"].as_str()
        ),
        (Some("Spring opens"), Some("cragnews news")),
        "the card is the article's, not what the sender wrote"
    );
    let r = send(json!({"type": "article", "article_id": uuid::Uuid::now_v7()})).await;
    assert_eq!(r.1["error"]["code"], "article_not_found");
}

#[tokio::test]
async fn qr_codes_carry_a_scene_to_each_follow_and_expire() {
    let s = TestServer::start().await;
    let editor = Party::join(&s, "editor", "13800000001").await;
    let ann = Party::join(&s, "ann", "13800000002").await;
    let ben = Party::join(&s, "ben", "13800000003").await;
    let daily = account(&editor, "cragnews", "subscription").await;
    let other = account(&editor, "otherdesk", "service").await;
    let path = format!("/official-accounts/{daily}/qr-codes");
    for bad in [
        json!({"expires_in": 10}),
        json!({"expires_in": 31 * 86_400}),
        json!({"scene": "x".repeat(65)}),
    ] {
        let r = editor.call(Method::POST, &path, Some(bad.clone())).await;
        assert_eq!(r.0, StatusCode::BAD_REQUEST, "{bad}: {}", r.1);
    }
    let r = ann
        .call(Method::POST, &path, Some(json!({"scene": "mine"})))
        .await;
    assert_eq!(r.1["error"]["code"], "not_allowed");
    let qr = editor
        .ok(
            Method::POST,
            &path,
            Some(json!({"scene": "poster-7", "expires_in": 3600})),
        )
        .await;
    let code = qr["code"].as_str().unwrap().to_string();
    assert_eq!(qr["url"], format!("{}/m/oa/{code}", s.url));
    let plain = editor.ok(Method::POST, &path, Some(json!({}))).await;
    assert_eq!(
        (plain["scene"].clone(), plain["expires_at"].clone()),
        (Value::Null, Value::Null)
    );

    // Ann scans it: the account and the scene; she follows through it.
    let seen = ann
        .ok(Method::GET, &format!("/official-qr/{code}"), None)
        .await;
    assert_eq!(
        (seen["account"]["name"].as_str(), seen["scene"].as_str()),
        (Some("cragnews news"), Some("poster-7"))
    );
    let r = ann
        .call(
            Method::PUT,
            &format!("/official-accounts/{other}/follow"),
            Some(json!({"code": code})),
        )
        .await;
    assert_eq!(r.0, StatusCode::BAD_REQUEST, "a code of another account");
    ann.ok(
        Method::PUT,
        &format!("/official-accounts/{daily}/follow"),
        Some(json!({"code": code})),
    )
    .await;
    ben.ok(
        Method::PUT,
        &format!("/official-accounts/{daily}/follow"),
        Some(json!({})),
    )
    .await;
    let scenes = editor
        .ok(
            Method::GET,
            &format!("/official-accounts/{daily}/scenes"),
            None,
        )
        .await;
    assert_eq!(
        scenes["scenes"],
        json!([{"scene": null, "followers": 1}, {"scene": "poster-7", "followers": 1}])
    );

    // An hour later the code is gone; the plain code still works.
    s.execute(
        "UPDATE official_qr SET expires_at = expires_at - 3600 * 1000 WHERE expires_at IS NOT NULL",
    );
    let r = ben
        .call(Method::GET, &format!("/official-qr/{code}"), None)
        .await;
    assert_eq!(
        (r.0, r.1["error"]["code"].as_str()),
        (StatusCode::GONE, Some("qr_code_expired"))
    );
    let r = ben
        .call(
            Method::GET,
            &format!("/official-qr/{}", plain["code"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(r.0, StatusCode::OK);
}

#[tokio::test]
async fn an_account_is_found_by_its_exact_xin_id_and_wildcards_match_themselves() {
    let s = TestServer::start().await;
    let owner = Party::join(&s, "owner", "13800000001").await;
    let ann = Party::join(&s, "ann", "13800000002").await;
    account(&owner, "summit_cafe", "service").await;
    account(&owner, "summitxcafe", "service").await;
    let handles = |v: Value| -> Vec<String> {
        v["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["handle"].as_str().unwrap().to_string())
            .collect()
    };
    // The Xin ID as people type it, underscore and all: that account, not a look-alike.
    assert_eq!(
        handles(
            ann.ok(Method::GET, "/official-accounts?q=summit_cafe", None)
                .await
        ),
        ["summit_cafe"]
    );
    // `%` is a character like any other, not "anything".
    assert!(handles(
        ann.ok(Method::GET, "/official-accounts?q=summit%25cafe", None)
            .await
    )
    .is_empty());
}
