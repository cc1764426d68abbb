//! Mini-programs on the server: publishing checks and signs packages; login codes are single
//! use, expire, and give a per-app id that is never the Xin id; orders are created by the
//! backend, paid once, only with the PIN, for the amount the backend set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;

use base64::{engine::general_purpose::STANDARD, Engine as _};
use common::{webhook::*, *};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A zip of `files`, with `app.json` made from `manifest`.
fn package(manifest: Value, files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("app.json", options).unwrap();
    zip.write_all(manifest.to_string().as_bytes()).unwrap();
    for (name, bytes) in files {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn manifest(id: &str, version: &str) -> Value {
    json!({"id": id, "name": "Crag Coffee", "icon": "icon.png", "version": version,
           "pages": ["index.html"], "permissions": ["payment", "profile"], "domains": ["api.crag.example"]})
}

fn good(id: &str, version: &str) -> Vec<u8> {
    package(
        manifest(id, version),
        &[
            ("icon.png", &png()),
            ("index.html", b"<!doctype html><p>Hello"),
        ],
    )
}

async fn upload(p: &Party<'_>, account: &str, zip: Vec<u8>) -> (StatusCode, Value) {
    let resp =
        p.s.http
            .post(format!(
                "{}/api/v1/official-accounts/{account}/mini-programs",
                p.s.url
            ))
            .bearer_auth(&p.user.access)
            .header("content-type", "application/zip")
            .body(zip)
            .send()
            .await
            .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn account(owner: &Party<'_>, handle: &str) -> (String, String) {
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
    let dev = owner
        .ok(
            Method::GET,
            &format!("/official-accounts/{id}/developer"),
            None,
        )
        .await;
    let (status, token) = owner
        .s
        .post(
            "/official-tokens",
            json!({"account_id": id, "secret": dev["secret"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{token}");
    (id, token["access_token"].as_str().unwrap().to_string())
}

/// `person` logs in to crag-coffee (`program`): a login code, traded by its backend for the
/// openid.
async fn signed_in(s: &TestServer, person: &Party<'_>, program: &str, token: &str) -> Value {
    let code = person
        .ok(
            Method::POST,
            &format!("/mini-programs/{program}/login-codes"),
            None,
        )
        .await["code"]
        .clone();
    backend(
        s,
        token,
        Method::POST,
        "/official-api/mini-programs/crag-coffee/sessions",
        json!({"code": code}),
    )
    .await
    .1["openid"]
        .clone()
}

/// A call from the mini-program's backend with its account's access token.
async fn backend(
    s: &TestServer,
    token: &str,
    method: Method,
    path: &str,
    body: Value,
) -> (StatusCode, Value) {
    s.call(method, path, Some(token), Some(body)).await
}

#[tokio::test]
async fn publishing_checks_the_package_and_signs_it() {
    let s = TestServer::start().await;
    let owner = Party::join(&s, "owner", "13800000001").await;
    let other = Party::join(&s, "other", "13800000002").await;
    let (desk, _) = account(&owner, "cragdesk").await;
    let (elsewhere, _) = account(&other, "elsewhere").await;

    // Bad packages: each refused with the reason, nothing published.
    let not_zip = upload(&owner, &desk, b"PK but not really".to_vec()).await;
    assert_error(
        &not_zip,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_package",
    );
    let no_page = package(manifest("crag-coffee", "1.0.0"), &[("icon.png", &png())]);
    let r = upload(&owner, &desk, no_page).await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_package");
    assert!(r.1["error"]["message"]
        .as_str()
        .unwrap()
        .contains("index.html"));
    let escape = package(
        manifest("crag-coffee", "1.0.0"),
        &[
            ("icon.png", &png()),
            ("index.html", b"x"),
            ("../evil.js", b"x"),
        ],
    );
    assert_error(
        &upload(&owner, &desk, escape).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_package",
    );
    let big = vec![7u8; 5 << 20];
    let heavy = package(
        manifest("crag-coffee", "1.0.0"),
        &[
            ("icon.png", &png()),
            ("index.html", b"x"),
            ("video.bin", &big),
        ],
    );
    let r = upload(&owner, &desk, heavy).await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_package");
    assert!(r.1["error"]["message"].as_str().unwrap().contains("4 MiB"));
    let (status, _) = upload(&owner, &desk, vec![0u8; (32 << 20) + 1]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // Only the owner publishes for the account.
    assert_error(
        &upload(&other, &desk, good("crag-coffee", "1.0.0")).await,
        StatusCode::FORBIDDEN,
        "not_allowed",
    );
    assert!(owner
        .ok(
            Method::GET,
            &format!("/official-accounts/{desk}/mini-programs"),
            None
        )
        .await["mini_programs"]
        .as_array()
        .unwrap()
        .is_empty());

    let (status, mp) = upload(&owner, &desk, good("crag-coffee", "1.0.0")).await;
    assert_eq!(status, StatusCode::OK, "{mp}");
    assert_eq!(mp["app_id"], "crag-coffee");
    assert_eq!(mp["release"]["version"], "1.0.0");
    assert!(mp["icon"]
        .as_str()
        .unwrap()
        .starts_with("data:image/png;base64,"));
    let id = mp["id"].as_str().unwrap().to_string();
    // The same version again, or the id taken by another account: refused.
    assert_error(
        &upload(&owner, &desk, good("crag-coffee", "1.0.0")).await,
        StatusCode::CONFLICT,
        "version_exists",
    );
    assert_error(
        &upload(&other, &elsewhere, good("crag-coffee", "9.0.0")).await,
        StatusCode::FORBIDDEN,
        "not_allowed",
    );
    let (status, v2) = upload(&owner, &desk, good("crag-coffee", "1.1.0")).await;
    assert_eq!(
        (status, v2["release"]["version"].as_str()),
        (StatusCode::OK, Some("1.1.0"))
    );

    // The package as a desktop gets it verifies against the server's key; a changed byte does not.
    let key = s
        .call(Method::GET, "/mini-programs/signing-key", None, None)
        .await
        .1;
    let key: [u8; 32] = STANDARD
        .decode(key["public_key"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let key = VerifyingKey::from_bytes(&key).unwrap();
    let resp = s
        .http
        .get(format!("{}/api/v1/mini-programs/{id}/package", s.url))
        .bearer_auth(&other.user.access)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-xin-version"], "1.1.0");
    let signature = resp.headers()["x-xin-signature"]
        .to_str()
        .unwrap()
        .to_string();
    let bytes = resp.bytes().await.unwrap();
    let hash = blake3::hash(&bytes).to_hex().to_string();
    let sig = Signature::from_slice(&STANDARD.decode(signature).unwrap()).unwrap();
    let message =
        |version: &str, hash: &str| format!("xin-mini-program/1\n{id}\n{version}\n{hash}");
    assert!(key.verify(message("1.1.0", &hash).as_bytes(), &sig).is_ok());
    assert!(key
        .verify(message("1.0.0", &hash).as_bytes(), &sig)
        .is_err());
    let mut tampered = bytes.to_vec();
    tampered[40] ^= 1;
    let bad_hash = blake3::hash(&tampered).to_hex().to_string();
    assert!(key
        .verify(message("1.1.0", &bad_hash).as_bytes(), &sig)
        .is_err());

    // Found by name; opened and pinned it is in my list.
    let found = other.ok(Method::GET, "/mini-programs?q=crag", None).await;
    assert_eq!(found["mini_programs"][0]["id"], id.as_str());
    assert!(
        other.ok(Method::GET, "/mini-programs", None).await["mini_programs"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    other
        .ok(Method::POST, &format!("/mini-programs/{id}/open"), None)
        .await;
    let pinned = other
        .ok(Method::PUT, &format!("/mini-programs/{id}/pin"), None)
        .await;
    assert_eq!(pinned["pinned"], true);
    let mine = other.ok(Method::GET, "/mini-programs", None).await;
    assert_eq!(mine["mini_programs"][0]["id"], id.as_str());
    assert!(mine["mini_programs"][0]["last_used"].as_i64().is_some());
    let (status, _) = other
        .call(Method::GET, "/mini-programs/not-an-id", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn login_codes_are_single_use_expire_and_give_a_per_app_id() {
    let s = TestServer::start().await;
    let owner = Party::join(&s, "owner", "13800000001").await;
    let ann = Party::join(&s, "ann", "13800000002").await;
    let (desk, token) = account(&owner, "cragdesk").await;
    let first = upload(&owner, &desk, good("crag-coffee", "1.0.0")).await.1["id"]
        .as_str()
        .unwrap()
        .to_string();
    let second = upload(&owner, &desk, good("crag-games", "1.0.0")).await.1["id"]
        .as_str()
        .unwrap()
        .to_string();

    let login = |mp: String| {
        let ann = &ann;
        async move {
            ann.ok(
                Method::POST,
                &format!("/mini-programs/{mp}/login-codes"),
                None,
            )
            .await["code"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let exchange = |app: &'static str, code: String| {
        let (s, token) = (&s, token.clone());
        async move {
            backend(
                s,
                &token,
                Method::POST,
                &format!("/official-api/mini-programs/{app}/sessions"),
                json!({"code": code}),
            )
            .await
        }
    };
    let code = login(first.clone()).await;
    // The wrong mini-program's backend cannot use it, nor can anyone without the token.
    assert_error(
        &exchange("crag-games", code.clone()).await,
        StatusCode::GONE,
        "login_code_invalid",
    );
    let (status, _) = s
        .post(
            "/official-api/mini-programs/crag-coffee/sessions",
            json!({"code": code}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, session) = exchange("crag-coffee", code.clone()).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    let openid = session["openid"].as_str().unwrap().to_string();
    assert_ne!(openid, ann.user.id, "never the Xin id");
    assert!(!openid.contains(&ann.user.id));
    // Single use.
    assert_error(
        &exchange("crag-coffee", code).await,
        StatusCode::GONE,
        "login_code_invalid",
    );
    // Stable in one mini-program, different in another.
    let again = exchange("crag-coffee", login(first.clone()).await).await.1;
    assert_eq!(again["openid"], openid.as_str());
    let other_app = exchange("crag-games", login(second).await).await.1;
    assert_ne!(other_app["openid"], openid.as_str());

    // A code older than 5 minutes is refused (its expiry moved into the past on disk).
    let old = login(first).await;
    s.execute("UPDATE mini_program_codes SET expires_at = 0 WHERE used_at IS NULL");
    assert_error(
        &exchange("crag-coffee", old).await,
        StatusCode::GONE,
        "login_code_invalid",
    );
}

#[tokio::test]
async fn an_order_is_paid_once_with_the_pin_for_the_amount_the_backend_set() {
    let s = TestServer::start().await;
    let owner = Party::join(&s, "owner", "13800000001").await;
    let ann = Party::join(&s, "ann", "13800000002").await;
    let bob = Party::join(&s, "bob", "13800000003").await;
    ann.fund(10_000).await;
    let (desk, token) = account(&owner, "cragdesk").await;
    let mp = upload(&owner, &desk, good("crag-coffee", "1.0.0")).await.1["id"]
        .as_str()
        .unwrap()
        .to_string();
    let openid = signed_in(&s, &ann, &mp, &token).await;

    let new_order = |amount: i64| json!({"openid": openid, "amount_fen": amount, "description": "Flat white ×2", "out_trade_no": "T-1001"});
    let orders = "/official-api/mini-programs/crag-coffee/orders";
    // Bad orders are refused.
    assert_error(
        &backend(
            &s,
            &token,
            Method::POST,
            orders,
            json!({"openid": openid, "amount_fen": 0, "description": "x", "out_trade_no": "T-1"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    assert_error(&backend(&s, &token, Method::POST, orders, json!({"openid": "o-nobody", "amount_fen": 100, "description": "x", "out_trade_no": "T-2"})).await, StatusCode::NOT_FOUND, "user_not_found");
    let (status, order) = backend(&s, &token, Method::POST, orders, new_order(3_600)).await;
    assert_eq!(status, StatusCode::OK, "{order}");
    assert_eq!(
        (order["amount_fen"].as_i64(), order["state"].as_str()),
        (Some(3_600), Some("created"))
    );
    let id = order["id"].as_str().unwrap().to_string();
    // The amount cannot change afterwards: the same order number with another amount is refused.
    assert_error(
        &backend(&s, &token, Method::POST, orders, new_order(1)).await,
        StatusCode::CONFLICT,
        "idempotency_conflict",
    );
    assert_eq!(
        backend(&s, &token, Method::POST, orders, new_order(3_600))
            .await
            .1["id"],
        id.as_str()
    );

    // What Ann confirms is the stored order; nobody else can see or pay it.
    let seen = ann
        .ok(Method::GET, &format!("/mini-program-orders/{id}"), None)
        .await;
    assert_eq!(
        (seen["amount_fen"].as_i64(), seen["payee_name"].as_str()),
        (Some(3_600), Some("cragdesk"))
    );
    let (status, _) = bob
        .call(Method::GET, &format!("/mini-program-orders/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(
        &bob.call(
            Method::POST,
            &format!("/mini-program-orders/{id}/pay"),
            Some(json!({"pin": PIN})),
        )
        .await,
        StatusCode::NOT_FOUND,
        "order_not_found",
    );

    // No PIN, no payment.
    let pay_path = format!("/mini-program-orders/{id}/pay");
    let pay = |pin: &'static str| ann.call(Method::POST, &pay_path, Some(json!({"pin": pin})));
    assert_error(&pay("000000").await, StatusCode::FORBIDDEN, "wrong_pin");
    assert_eq!(ann.balance().await, 10_000);
    let owner_before = owner.balance().await;

    // Confirmed twice at once: paid once.
    let (a, b) = tokio::join!(pay(PIN), pay(PIN));
    for (status, body) in [&a, &b] {
        assert_eq!(*status, StatusCode::OK, "{body}");
        assert_eq!(body["state"], "paid");
    }
    assert_eq!(pay(PIN).await.1["state"], "paid");
    assert_eq!(ann.balance().await, 10_000 - 3_600);
    assert_eq!(owner.balance().await, owner_before + 3_600);
    let status = s
        .call(Method::GET, &format!("{orders}/{id}"), Some(&token), None)
        .await
        .1;
    assert_eq!(status["state"], "paid");
    s.ledger_is_sound();
}

#[tokio::test]
async fn the_phone_gets_sandboxed_files_and_requests_only_to_listed_domains() {
    // A backend on loopback that answers every request with what it was asked.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let backend = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = vec![0u8; 8192];
            let n = socket.read(&mut buf).await.unwrap_or(0);
            let first = String::from_utf8_lossy(&buf[..n])
                .lines()
                .next()
                .unwrap_or_default()
                .to_string();
            let body = format!("{{\"asked\":\"{first}\"}}");
            let reply = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
            let _ = socket.write_all(reply.as_bytes()).await;
        }
    });
    // This test server allows private hosts (a closed network): plain HTTP to a listed
    // loopback host is allowed there, and only there.
    let s = TestServer::start().await;
    let owner = Party::join(&s, "owner", "13800000001").await;
    let ann = Party::join(&s, "ann", "13800000002").await;
    let (desk, _) = account(&owner, "cragdesk").await;
    let mut m = manifest("crag-coffee", "1.0.0");
    m["domains"] = json!(["127.0.0.1"]);
    let zip = package(
        m,
        &[
            ("icon.png", &png()),
            (
                "index.html",
                b"<!doctype html><html><head><title>x</title></head></html>",
            ),
            ("img/cup.svg", b"<svg/>"),
        ],
    );
    let (status, mp) = upload(&owner, &desk, zip).await;
    assert_eq!(status, StatusCode::OK, "{mp}");
    let id = mp["id"].as_str().unwrap();

    // Files: public, sandboxed by their CSP, the bridge before the page's own scripts.
    let get = |path: String| {
        s.http
            .get(format!("{}/api/v1/mini-programs/{id}/files/{path}", s.url))
            .send()
    };
    let page = get("1.0.0/index.html".into()).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.starts_with("sandbox allow-scripts;") && csp.contains("connect-src 'none'"),
        "{csp}"
    );
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<head><script src=\"/api/v1/mini-programs/bridge.js\"></script><title>"),
        "{html}"
    );
    assert_eq!(
        get("1.0.0/img/cup.svg".into()).await.unwrap().status(),
        StatusCode::OK
    );
    for missing in [
        "1.0.0/nothing.html",
        "9.9.9/index.html",
        "1.0.0/..%2Fapp.json",
    ] {
        assert_eq!(
            get(missing.into()).await.unwrap().status(),
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
    let bridge = s
        .http
        .get(format!("{}/api/v1/mini-programs/bridge.js", s.url))
        .send()
        .await
        .unwrap();
    assert!(bridge.text().await.unwrap().contains("window.xin"));

    // Requests: carried out by the server to a listed host; anything else refused.
    let path = format!("/mini-programs/{id}/request");
    let (status, answer) = ann
        .call(
            Method::POST,
            &path,
            Some(json!({"url": format!("{backend}/api/menu")})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["status"], 200);
    assert!(answer["body"].as_str().unwrap().contains("GET /api/menu"));
    for url in [
        "https://example.com/",
        "http://localhost:1/",
        "file:///etc/passwd",
        "not a url",
    ] {
        let r = ann
            .call(Method::POST, &path, Some(json!({"url": url})))
            .await;
        assert_error(&r, StatusCode::FORBIDDEN, "not_allowed");
    }
    let r = ann
        .call(
            Method::POST,
            &path,
            Some(json!({"url": format!("{backend}/"), "method": "TRACE"})),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid_request");

    // A server on an open network: no plain HTTP, and never its own machine.
    let open = TestServer::with(|c| c.webhook_private_hosts = false).await;
    let owner = Party::join(&open, "owner", "13800000001").await;
    let ann = Party::join(&open, "ann", "13800000002").await;
    let (desk, _) = account(&owner, "cragdesk").await;
    let mut m = manifest("crag-coffee", "1.0.0");
    m["domains"] = json!(["127.0.0.1", "localhost.localdomain.example"]);
    let zip = package(m, &[("icon.png", &png()), ("index.html", b"x")]);
    let id = upload(&owner, &desk, zip).await.1["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = ann
        .call(
            Method::POST,
            &format!("/mini-programs/{id}/request"),
            Some(json!({"url": format!("{backend}/")})),
        )
        .await;
    assert_error(&r, StatusCode::FORBIDDEN, "not_allowed");
}

#[tokio::test]
async fn a_shared_card_is_filled_from_the_mini_program() {
    let s = TestServer::start().await;
    let owner = Party::join(&s, "owner", "13800000001").await;
    let ann = Party::join(&s, "ann", "13800000002").await;
    ann.befriend(&owner).await;
    let (desk, _) = account(&owner, "cragdesk").await;
    let id = upload(&owner, &desk, good("crag-coffee", "1.0.0")).await.1["id"]
        .as_str()
        .unwrap()
        .to_string();
    let conv = ann.direct(&owner).await;
    let path = format!("/conversations/{conv}/messages");
    let send = |card: Value| {
        ann.call(
            Method::POST,
            &path,
            Some(json!({"client_id": uuid_v7(), "content": card})),
        )
    };
    // Whatever the sender wrote on it, the card shows the mini-program's own name and publisher.
    let (status, m) = send(json!({"type": "mini_program", "mini_program_id": id, "name": "Free money", "publisher": "Xin Team"})).await;
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!(
        m["content"],
        json!({"type": "mini_program", "mini_program_id": id, "name": "Crag Coffee", "publisher": "cragdesk"})
    );
    let unknown = send(json!({"type": "mini_program", "mini_program_id": uuid_v7()})).await;
    assert_error(&unknown, StatusCode::NOT_FOUND, "mini_program_not_found");
}

#[tokio::test]
async fn a_paid_order_is_delivered_to_the_publishers_webhook_signed_and_without_the_xin_id() {
    let s = TestServer::start().await;
    let owner = Party::join(&s, "owner", "13800000001").await;
    let ann = Party::join(&s, "ann", "13800000002").await;
    ann.fund(10_000).await;
    let (desk, token) = account(&owner, "cragdesk").await;
    let (url, rx) = receiver().await;
    let dev = owner
        .ok(
            Method::PUT,
            &format!("/official-accounts/{desk}/developer"),
            Some(json!({"webhook_url": url})),
        )
        .await;
    let secret = dev["secret"].as_str().unwrap().to_string();
    let mp = upload(&owner, &desk, good("crag-coffee", "1.0.0")).await.1["id"]
        .as_str()
        .unwrap()
        .to_string();
    let openid = signed_in(&s, &ann, &mp, &token).await;
    let order = backend(&s, &token, Method::POST, "/official-api/mini-programs/crag-coffee/orders",
        json!({"openid": openid, "amount_fen": 1_200, "description": "Crag energy bar", "out_trade_no": "T-7"})).await.1;
    let id = order["id"].as_str().unwrap();
    ann.ok(
        Method::POST,
        &format!("/mini-program-orders/{id}/pay"),
        Some(json!({"pin": PIN})),
    )
    .await;

    seen_count(&rx, 1).await;
    let (headers, body) = rx.lock().unwrap().seen[0].clone();
    assert!(
        verify(&secret, &headers, &body),
        "signed with the account's secret"
    );
    let event: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(event["kind"], "order_paid");
    assert_eq!(event["order"]["id"], id);
    assert_eq!(event["order"]["state"], "paid");
    assert_eq!(event["order"]["openid"], openid);
    assert_eq!(event["order"]["amount_fen"], 1_200);
    assert_eq!(headers["x-xin-delivery"], event["id"].as_str().unwrap());
    assert!(
        !body.contains(&ann.user.id),
        "the payer's Xin id never leaves the server"
    );
}

/// A zip whose `big.bin` holds 1 MiB of zeros but whose headers say it holds 100 bytes.
fn lying_package() -> Vec<u8> {
    let mut zip = package(
        manifest("crag-coffee", "1.0.0"),
        &[
            ("icon.png", &png()),
            ("index.html", b"<!doctype html><p>Hello"),
            ("big.bin", &vec![0u8; 1 << 20]),
        ],
    );
    let name = b"big.bin";
    let mut patched = 0;
    for at in 0..zip.len() - 4 {
        let (size_at, name_at) = match &zip[at..at + 4] {
            b"PK\x03\x04" => (at + 22, at + 30),
            b"PK\x01\x02" => (at + 24, at + 46),
            _ => continue,
        };
        if zip.get(name_at..name_at + name.len()) == Some(name) {
            zip[size_at..size_at + 4].copy_from_slice(&100u32.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "the local and the central header");
    zip
}

/// Packages cost their publisher: a file that inflates past its stated size is refused, the
/// packages count against the owner's storage, and only the newest versions are kept.
#[tokio::test]
async fn packages_are_bounded_counted_against_the_quota_and_their_versions_capped() {
    let s = TestServer::with(|c| c.quota_bytes = 256 << 10).await;
    let owner = Party::join(&s, "crag", "13800000010").await;
    let (account, _) = account(&owner, "crag_coffee").await;
    let (status, body) = upload(&owner, &account, lying_package()).await;
    assert_error(
        &(status, body),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_package",
    );

    // Twelve versions: the two oldest are gone, the ten newest are served.
    let mut id = String::new();
    for minor in 1..=12 {
        let (status, body) = upload(
            &owner,
            &account,
            good("crag-coffee", &format!("1.{minor}.0")),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        id = body["id"].as_str().unwrap().to_string();
    }
    let file = |version: &str| {
        let url = format!(
            "{}/api/v1/mini-programs/{id}/files/{version}/index.html",
            s.url
        );
        let http = s.http.clone();
        async move { http.get(url).send().await.unwrap().status() }
    };
    assert_eq!(file("1.1.0").await, StatusCode::NOT_FOUND);
    assert_eq!(file("1.2.0").await, StatusCode::NOT_FOUND);
    for minor in 3..=12 {
        assert_eq!(
            file(&format!("1.{minor}.0")).await,
            StatusCode::OK,
            "1.{minor}.0"
        );
    }

    // Packages count against the owner's storage (256 KiB here): one of 150 KB fits, a second
    // does not.
    let mut noise = vec![0u8; 150_000];
    blake3::Hasher::new().finalize_xof().fill(&mut noise);
    let heavy = |version: &str| {
        package(
            manifest("crag-coffee", version),
            &[
                ("icon.png", &png()),
                ("index.html", b"<p>hi"),
                ("noise.bin", &noise),
            ],
        )
    };
    let (status, body) = upload(&owner, &account, heavy("2.0.0")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = upload(&owner, &account, heavy("2.1.0")).await;
    assert_error(
        &(status, body),
        StatusCode::INSUFFICIENT_STORAGE,
        "quota_exceeded",
    );
}

/// A mini-program's files load in the phone's frame but not as a page of their own on Xin's
/// origin; the phone companion and the console cannot be framed by another site.
#[tokio::test]
async fn mini_program_pages_open_only_framed_and_xins_own_pages_never_framed() {
    let s = TestServer::start().await;
    let owner = Party::join(&s, "crag", "13800000010").await;
    let (account, _) = account(&owner, "crag_coffee").await;
    let (status, body) = upload(&owner, &account, good("crag-coffee", "1.0.0")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let url = format!(
        "{}/api/v1/mini-programs/{}/files/1.0.0/index.html",
        s.url,
        body["id"].as_str().unwrap()
    );
    let get = |dest: &'static str| s.http.get(&url).header("sec-fetch-dest", dest).send();
    assert_eq!(get("iframe").await.unwrap().status(), StatusCode::OK);
    let top = get("document").await.unwrap();
    assert_eq!(top.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        top.json::<Value>().await.unwrap()["error"]["code"],
        "not_allowed"
    );

    for page in ["/m/", "/m/wallet/code", "/console/"] {
        let r = s.http.get(format!("{}{page}", s.url)).send().await.unwrap();
        assert_eq!(r.headers()["x-frame-options"], "DENY", "{page}");
        assert!(
            r.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{page}"
        );
    }
}

/// `xin.request()` through the server reads an answer only up to 2 MiB: a backend that never
/// stops sending gets a clear refusal, not a server that waits and buffers. And the route is
/// bounded per user: 120 a minute.
#[tokio::test]
async fn the_request_proxy_stops_at_2_mib_and_is_bounded_per_user() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let backend = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let n = socket.read(&mut buf).await.unwrap_or(0);
                let endless = String::from_utf8_lossy(&buf[..n]).starts_with("GET /endless");
                if endless {
                    // No length, and bytes for as long as anyone reads them.
                    let head =
                        "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n";
                    if socket.write_all(head.as_bytes()).await.is_err() {
                        return;
                    }
                    let chunk = vec![b'x'; 64 << 10];
                    while socket.write_all(&chunk).await.is_ok() {}
                } else {
                    let reply =
                        "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok";
                    let _ = socket.write_all(reply.as_bytes()).await;
                }
            });
        }
    });
    let s = TestServer::start().await;
    let owner = Party::join(&s, "owner", "13800000001").await;
    let ann = Party::join(&s, "ann", "13800000002").await;
    let (desk, _) = account(&owner, "cragdesk").await;
    let mut m = manifest("crag-coffee", "1.0.0");
    m["domains"] = json!(["127.0.0.1"]);
    let zip = package(m, &[("icon.png", &png()), ("index.html", b"<p>hi")]);
    let (status, mp) = upload(&owner, &desk, zip).await;
    assert_eq!(status, StatusCode::OK, "{mp}");
    let path = format!("/mini-programs/{}/request", mp["id"].as_str().unwrap());
    let ask = |what: &str| json!({"url": format!("{backend}/{what}")});

    let endless = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        ann.call(Method::POST, &path, Some(ask("endless"))),
    )
    .await
    .expect("the server stops reading at 2 MiB");
    assert_error(&endless, StatusCode::BAD_REQUEST, "invalid_request");
    assert!(endless.1["error"]["message"]
        .as_str()
        .unwrap()
        .contains("2 MiB"));

    // 120 a minute: the endless one and 119 more at once, then one more each half second the
    // calls took (the allowance refills steadily), and then a refusal.
    let started = std::time::Instant::now();
    let mut answered = 0;
    let refused = loop {
        let r = ann.call(Method::POST, &path, Some(ask("small"))).await;
        if r.0 != StatusCode::OK {
            break r;
        }
        assert_eq!(r.1["body"].as_str(), Some("ok"));
        answered += 1;
        assert!(answered < 400, "never refused");
    };
    assert_error(&refused, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    let refilled = (started.elapsed().as_millis() / 500) as usize + 1;
    assert!(
        (119..=119 + refilled).contains(&answered),
        "{answered} answered in {:?}",
        started.elapsed()
    );
    // Another user of the same mini-program has their own allowance.
    owner.ok(Method::POST, &path, Some(ask("small"))).await;
}
