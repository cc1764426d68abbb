#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

struct Ticket {
    id: String,
    secret: String,
}

async fn new_ticket(s: &TestServer) -> Ticket {
    let (status, t) = s
        .post("/login-tickets", json!({"device": desktop_device()}))
        .await;
    assert_eq!(status, StatusCode::OK, "{t}");
    let id = t["ticket_id"].as_str().unwrap().to_string();
    assert!(t["qr_url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/m/l/{id}")));
    assert!(!t["qr_url"]
        .as_str()
        .unwrap()
        .contains(t["poll_secret"].as_str().unwrap()));
    Ticket {
        id,
        secret: t["poll_secret"].as_str().unwrap().to_string(),
    }
}

async fn wait(s: &TestServer, t: &Ticket, known: &str) -> (StatusCode, Value) {
    s.post(
        &format!("/login-tickets/{}/wait", t.id),
        json!({"poll_secret": t.secret, "known": known}),
    )
    .await
}

async fn scan(s: &TestServer, t: &Ticket, phone: &User) -> (StatusCode, Value) {
    s.call(
        Method::POST,
        &format!("/login-tickets/{}/scan", t.id),
        Some(&phone.access),
        None,
    )
    .await
}

async fn confirm(s: &TestServer, t: &Ticket, phone: &User, code: &str) -> (StatusCode, Value) {
    s.call(
        Method::POST,
        &format!("/login-tickets/{}/confirm", t.id),
        Some(&phone.access),
        Some(json!({"code": code})),
    )
    .await
}

#[tokio::test]
async fn qr_login_happy_path_delivers_the_session_once() {
    let s = TestServer::start().await;
    let phone = s.register("alice", "13800000001").await;
    let t = new_ticket(&s).await;
    // 128 random bits, base64url.
    assert!(t.id.len() >= 22);

    // The desktop's long-poll answers as soon as the phone scans.
    let waiter = {
        let (url, id, secret) = (s.url.clone(), t.id.clone(), t.secret.clone());
        tokio::spawn(async move {
            reqwest::Client::new()
                .post(format!("{url}/api/v1/login-tickets/{id}/wait"))
                .json(&json!({"poll_secret": secret, "known": "pending"}))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let (status, details) = scan(&s, &t, &phone).await;
    assert_eq!(status, StatusCode::OK, "{details}");
    assert_eq!(details["device"]["name"], "Alice's ThinkPad");
    assert_eq!(details["device"]["os"], "Linux");
    assert_eq!(details["ip"], "127.0.0.1");
    let choices: Vec<String> = details["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(choices.len(), 3);

    let scanned = tokio::time::timeout(std::time::Duration::from_secs(5), waiter)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(scanned["phase"], "scanned");
    assert_eq!(scanned["user"]["handle"], "alice");
    let code = scanned["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 2);
    assert_eq!(
        choices.iter().filter(|c| **c == code).count(),
        1,
        "exactly one choice is right"
    );

    // Scanning again from the same phone shows the same details (page reload).
    assert_eq!(scan(&s, &t, &phone).await.1["choices"], details["choices"]);

    let r = confirm(&s, &t, &phone, &code).await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    let (status, done) = wait(&s, &t, "scanned").await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["phase"], "confirmed");
    let session = &done["session"];
    assert_eq!(session["user"]["id"], phone.id.as_str());
    assert!(session["remember_token"].as_str().is_some());
    let desktop = User::from(session);
    let (status, devices) = s
        .call(Method::GET, "/devices", Some(&desktop.access), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let devices = devices["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 2);
    assert!(devices.iter().any(|d| d["name"] == "Alice's ThinkPad"
        && d["current"] == true
        && d["kind"] == "desktop"));

    // Single use: a second wait, a second confirm and a second scan are all refused.
    assert_error(
        &wait(&s, &t, "scanned").await,
        StatusCode::CONFLICT,
        "ticket_used",
    );
    assert_error(
        &confirm(&s, &t, &phone, &code).await,
        StatusCode::CONFLICT,
        "ticket_used",
    );
    assert_error(
        &scan(&s, &t, &phone).await,
        StatusCode::CONFLICT,
        "ticket_used",
    );
}

#[tokio::test]
async fn wrong_poll_secret_never_learns_anything() {
    let s = TestServer::start().await;
    let t = new_ticket(&s).await;
    let r = s
        .post(
            &format!("/login-tickets/{}/wait", t.id),
            json!({"poll_secret": "guess", "known": "pending"}),
        )
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "wrong_poll_secret");
    let r = s
        .post(
            "/login-tickets/AAAAAAAAAAAAAAAAAAAAAA/wait",
            json!({"poll_secret": t.secret, "known": "pending"}),
        )
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "ticket_not_found");
    let r = s
        .post(
            &format!("/login-tickets/{}/wait", t.id),
            json!({"poll_secret": t.secret, "known": "bogus"}),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid_request");
}

#[tokio::test]
async fn wrong_code_declines_the_ticket() {
    let s = TestServer::start().await;
    let phone = s.register("alice", "13800000001").await;
    let t = new_ticket(&s).await;
    let details = scan(&s, &t, &phone).await.1;
    let code = wait(&s, &t, "pending").await.1["code"]
        .as_str()
        .unwrap()
        .to_string();
    let wrong = details["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .find(|c| *c != code)
        .unwrap()
        .to_string();
    assert_error(
        &confirm(&s, &t, &phone, &wrong).await,
        StatusCode::BAD_REQUEST,
        "wrong_code",
    );
    assert_eq!(wait(&s, &t, "scanned").await.1["phase"], "declined");
    // The right code no longer helps: the ticket is finished.
    assert_error(
        &confirm(&s, &t, &phone, &code).await,
        StatusCode::GONE,
        "ticket_declined",
    );
}

#[tokio::test]
async fn decline_from_the_phone() {
    let s = TestServer::start().await;
    let phone = s.register("alice", "13800000001").await;
    let t = new_ticket(&s).await;
    scan(&s, &t, &phone).await;
    let r = s
        .call(
            Method::POST,
            &format!("/login-tickets/{}/decline", t.id),
            Some(&phone.access),
            None,
        )
        .await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    assert_eq!(wait(&s, &t, "scanned").await.1["phase"], "declined");
}

#[tokio::test]
async fn someone_elses_scanned_ticket_is_off_limits() {
    let s = TestServer::start().await;
    let alice = s.register("alice", "13800000001").await;
    let mallory = s.register("mallory", "13800000009").await;
    let t = new_ticket(&s).await;
    scan(&s, &t, &alice).await;
    assert_error(
        &scan(&s, &t, &mallory).await,
        StatusCode::CONFLICT,
        "ticket_used",
    );
    let code = wait(&s, &t, "pending").await.1["code"]
        .as_str()
        .unwrap()
        .to_string();
    assert_error(
        &confirm(&s, &t, &mallory, &code).await,
        StatusCode::NOT_FOUND,
        "ticket_not_found",
    );
    // Confirming an unscanned ticket is not possible either.
    let t2 = new_ticket(&s).await;
    assert_error(
        &confirm(&s, &t2, &alice, "00").await,
        StatusCode::NOT_FOUND,
        "ticket_not_found",
    );
    // Without a token nothing happens.
    let r = s
        .call(
            Method::POST,
            &format!("/login-tickets/{}/scan", t2.id),
            None,
            None,
        )
        .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn pending_and_scanned_tickets_expire() {
    let s = TestServer::with(|c| {
        c.ticket_pending_secs = 1;
        c.ticket_scanned_secs = 1;
    })
    .await;
    let phone = s.register("alice", "13800000001").await;
    let t = new_ticket(&s).await;
    // The long-poll answers by itself when the QR expires: no busy polling needed.
    let started = std::time::Instant::now();
    let r = wait(&s, &t, "pending").await;
    assert_eq!(r.1["phase"], "expired", "{}", r.1);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_error(
        &scan(&s, &t, &phone).await,
        StatusCode::GONE,
        "ticket_expired",
    );

    let t = new_ticket(&s).await;
    scan(&s, &t, &phone).await;
    let code = wait(&s, &t, "pending").await.1["code"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(wait(&s, &t, "scanned").await.1["phase"], "expired");
    assert_error(
        &confirm(&s, &t, &phone, &code).await,
        StatusCode::GONE,
        "ticket_expired",
    );
}

#[tokio::test]
async fn a_signed_out_phone_cannot_confirm() {
    let s = TestServer::start().await;
    let phone = s.register("alice", "13800000001").await;
    let t = new_ticket(&s).await;
    scan(&s, &t, &phone).await;
    let code = wait(&s, &t, "pending").await.1["code"]
        .as_str()
        .unwrap()
        .to_string();
    let other = s.sign_in("alice", phone_device()).await;
    let r = s
        .call(
            Method::DELETE,
            &format!("/devices/{}", phone.device_id),
            Some(&other.access),
            None,
        )
        .await;
    assert_eq!(r.0, StatusCode::NO_CONTENT);
    assert_error(
        &confirm(&s, &t, &phone, &code).await,
        StatusCode::UNAUTHORIZED,
        "session_revoked",
    );
}

#[tokio::test]
async fn creating_tickets_is_rate_limited_per_ip() {
    let s = TestServer::with(|c| c.tickets_per_minute = 3).await;
    for _ in 0..3 {
        new_ticket(&s).await;
    }
    let r = s
        .post("/login-tickets", json!({"device": desktop_device()}))
        .await;
    assert_error(&r, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
}

#[tokio::test]
async fn confirming_is_rate_limited_per_account() {
    let s = TestServer::with(|c| c.attempts_per_minute = 4).await;
    let phone = s.register("alice", "13800000001").await;
    let mut codes = Vec::new();
    for _ in 0..4 {
        let t = new_ticket(&s).await;
        codes.push(scan(&s, &t, &phone).await.1["error"]["code"].clone());
    }
    assert!(codes.contains(&json!("rate_limited")), "{codes:?}");
}

#[tokio::test]
async fn bad_ticket_input() {
    let s = TestServer::start().await;
    let mut device = desktop_device();
    device["name"] = json!("");
    assert_error(
        &s.post("/login-tickets", json!({"device": device})).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    assert_error(
        &s.post("/login-tickets", json!({})).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    let long = "x".repeat(200);
    let r = s
        .post(
            &format!("/login-tickets/{long}/wait"),
            json!({"poll_secret": "a", "known": "pending"}),
        )
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "ticket_not_found");
}

/// Signs a desktop in by QR and returns (desktop session, remember token).
async fn qr_sign_in(s: &TestServer, phone: &User) -> (User, String) {
    let t = new_ticket(s).await;
    scan(s, &t, phone).await;
    let code = wait(s, &t, "pending").await.1["code"]
        .as_str()
        .unwrap()
        .to_string();
    confirm(s, &t, phone, &code).await;
    let done = wait(s, &t, "scanned").await.1;
    (
        User::from(&done["session"]),
        done["session"]["remember_token"]
            .as_str()
            .unwrap()
            .to_string(),
    )
}

#[tokio::test]
async fn remembered_desktop_signs_in_with_one_tap() {
    let s = TestServer::start().await;
    let phone = s.register("alice", "13800000001").await;
    let (desktop, remember) = qr_sign_in(&s, &phone).await;
    // The desktop signs out locally; it stays remembered.
    s.call(
        Method::DELETE,
        "/sessions/current",
        Some(&desktop.access),
        None,
    )
    .await;

    let (status, t) = s
        .post(
            "/login-tickets/remembered",
            json!({"remember_token": remember, "device": desktop_device()}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{t}");
    let t = Ticket {
        id: t["ticket_id"].as_str().unwrap().into(),
        secret: t["poll_secret"].as_str().unwrap().into(),
    };
    // The phone sees it waiting, with no codes to pick: one tap.
    let (_, waiting) = s
        .call(
            Method::GET,
            "/login-tickets/waiting",
            Some(&phone.access),
            None,
        )
        .await;
    let waiting = waiting["tickets"].as_array().unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0]["remembered"], true);
    assert_eq!(waiting[0]["choices"], json!([]));
    let r = s
        .call(
            Method::POST,
            &format!("/login-tickets/{}/confirm", t.id),
            Some(&phone.access),
            Some(json!({})),
        )
        .await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    let done = wait(&s, &t, "scanned").await.1;
    assert_eq!(done["phase"], "confirmed");
    let again = User::from(&done["session"]);
    assert_eq!(
        again.device_id, desktop.device_id,
        "same device, not a new one"
    );
    // The remember token rotated: the old one is spent.
    let new_remember = done["session"]["remember_token"].as_str().unwrap();
    assert_ne!(new_remember, remember);
    let old = s
        .post(
            "/login-tickets/remembered",
            json!({"remember_token": remember, "device": desktop_device()}),
        )
        .await;
    assert_error(&old, StatusCode::FORBIDDEN, "device_not_remembered");

    // Removing the device from the phone forgets it.
    s.call(
        Method::DELETE,
        &format!("/devices/{}", again.device_id),
        Some(&phone.access),
        None,
    )
    .await;
    let r = s
        .post(
            "/login-tickets/remembered",
            json!({"remember_token": new_remember, "device": desktop_device()}),
        )
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "device_not_remembered");
    // Someone else's phone cannot confirm it either way.
    let (_, waiting) = s
        .call(
            Method::GET,
            "/login-tickets/waiting",
            Some(&phone.access),
            None,
        )
        .await;
    assert_eq!(waiting["tickets"], json!([]));
}
