#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The OpenAPI document describes every route, and every described route exists.
mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Every route the clients use. Adding a route without documenting it fails here.
const ROUTES: &[(&str, &str)] = &[
    ("get", "/api/v1/health"),
    ("get", "/api/v1/ready"),
    ("post", "/api/v1/accounts"),
    ("post", "/api/v1/sessions"),
    ("post", "/api/v1/sessions/refresh"),
    ("delete", "/api/v1/sessions/current"),
    ("get", "/api/v1/me"),
    ("get", "/api/v1/devices"),
    ("delete", "/api/v1/devices/{id}"),
    ("post", "/api/v1/login-tickets"),
    ("post", "/api/v1/login-tickets/remembered"),
    ("post", "/api/v1/login-tickets/{id}/wait"),
    ("post", "/api/v1/login-tickets/{id}/scan"),
    ("post", "/api/v1/login-tickets/{id}/confirm"),
    ("post", "/api/v1/login-tickets/{id}/decline"),
    ("get", "/api/v1/login-tickets/waiting"),
    ("get", "/api/v1/realtime"),
    ("post", "/api/v1/calls"),
    ("get", "/api/v1/calls/live"),
    ("post", "/api/v1/calls/{id}/accept"),
    ("post", "/api/v1/calls/{id}/decline"),
    ("post", "/api/v1/calls/{id}/cancel"),
    ("post", "/api/v1/calls/{id}/hangup"),
    ("post", "/api/v1/calls/{id}/signal"),
    ("post", "/api/v1/calls/{id}/voice"),
    ("get", "/api/v1/users/search"),
    ("get", "/api/v1/contacts"),
    ("post", "/api/v1/friend-requests"),
    ("post", "/api/v1/friend-requests/{id}/answer"),
    ("put", "/api/v1/contacts/{id}/remark"),
    ("delete", "/api/v1/contacts/{id}"),
    ("put", "/api/v1/blocks/{id}"),
    ("delete", "/api/v1/blocks/{id}"),
    ("get", "/api/v1/conversations"),
    ("post", "/api/v1/conversations"),
    ("post", "/api/v1/conversations/direct"),
    ("post", "/api/v1/conversations/self"),
    ("patch", "/api/v1/conversations/{id}"),
    ("put", "/api/v1/conversations/{id}/settings"),
    ("post", "/api/v1/conversations/{id}/members"),
    ("delete", "/api/v1/conversations/{id}/members/{user}"),
    ("put", "/api/v1/conversations/{id}/members/{user}/role"),
    ("post", "/api/v1/conversations/{id}/messages"),
    ("get", "/api/v1/conversations/{id}/messages"),
    (
        "post",
        "/api/v1/conversations/{id}/messages/{message}/recall",
    ),
    ("post", "/api/v1/conversations/{id}/messages/{message}/hide"),
    ("post", "/api/v1/conversations/{id}/read"),
    ("get", "/api/v1/events"),
    ("options", "/api/v1/uploads"),
    ("post", "/api/v1/uploads"),
    ("head", "/api/v1/uploads/{id}"),
    ("patch", "/api/v1/uploads/{id}"),
    ("delete", "/api/v1/uploads/{id}"),
    ("get", "/api/v1/blobs/{hash}"),
    ("get", "/api/v1/wallet"),
    ("post", "/api/v1/wallet/cards"),
    ("put", "/api/v1/wallet/pin"),
    ("post", "/api/v1/wallet/top-up"),
    ("post", "/api/v1/wallet/withdraw"),
    ("get", "/api/v1/wallet/bills"),
    ("get", "/api/v1/wallet/bills/{id}"),
    ("post", "/api/v1/wallet/transfers"),
    ("get", "/api/v1/wallet/transfers/{id}"),
    ("post", "/api/v1/wallet/transfers/{id}/accept"),
    ("post", "/api/v1/wallet/transfers/{id}/decline"),
    ("post", "/api/v1/wallet/envelopes"),
    ("get", "/api/v1/wallet/envelopes/{id}"),
    ("post", "/api/v1/wallet/envelopes/{id}/grab"),
    ("get", "/api/v1/wallet/payees/{handle}"),
    ("post", "/api/v1/wallet/payments"),
    ("post", "/api/v1/wallet/payment-codes"),
    ("post", "/api/v1/wallet/collect"),
    ("get", "/api/v1/wallet/charges/{id}"),
    ("post", "/api/v1/wallet/charges/{id}/confirm"),
    ("post", "/api/v1/wallet/charges/{id}/decline"),
    ("post", "/api/v1/wallet/pin/reset"),
    ("post", "/api/v1/moments"),
    ("get", "/api/v1/moments"),
    ("get", "/api/v1/moments/{id}"),
    ("delete", "/api/v1/moments/{id}"),
    ("get", "/api/v1/users/{id}/moments"),
    ("put", "/api/v1/moments/{id}/like"),
    ("delete", "/api/v1/moments/{id}/like"),
    ("post", "/api/v1/moments/{id}/comments"),
    ("delete", "/api/v1/moments/{id}/comments/{comment}"),
    ("get", "/api/v1/moments/settings"),
    ("post", "/api/v1/official-accounts"),
    ("get", "/api/v1/official-accounts"),
    ("get", "/api/v1/official-accounts/{id}"),
    ("put", "/api/v1/official-accounts/{id}"),
    ("get", "/api/v1/official-accounts/{id}/followers"),
    ("put", "/api/v1/official-accounts/{id}/follow"),
    ("delete", "/api/v1/official-accounts/{id}/follow"),
    ("get", "/api/v1/official-accounts/{id}/broadcasts"),
    ("post", "/api/v1/official-accounts/{id}/broadcasts"),
    ("post", "/api/v1/official-accounts/{id}/articles"),
    ("get", "/api/v1/official-accounts/{id}/articles"),
    ("get", "/api/v1/articles/{id}"),
    ("put", "/api/v1/articles/{id}/reaction"),
    ("get", "/api/v1/subscriptions"),
    (
        "put",
        "/api/v1/official-accounts/{id}/followers/{user}/tags",
    ),
    ("get", "/api/v1/official-accounts/{id}/menu"),
    ("put", "/api/v1/official-accounts/{id}/menu"),
    ("get", "/api/v1/official-accounts/{id}/auto-replies"),
    ("put", "/api/v1/official-accounts/{id}/auto-replies"),
    ("get", "/api/v1/official-accounts/{id}/messages"),
    ("post", "/api/v1/official-accounts/{id}/messages"),
    ("get", "/api/v1/official-accounts/{id}/inbox"),
    ("get", "/api/v1/official-accounts/{id}/developer"),
    ("put", "/api/v1/official-accounts/{id}/developer"),
    ("post", "/api/v1/official-tokens"),
    ("post", "/api/v1/official-accounts/{id}/qr-codes"),
    ("get", "/api/v1/official-qr/{code}"),
    ("get", "/api/v1/official-accounts/{id}/scenes"),
    ("post", "/api/v1/official-api/messages"),
    ("get", "/api/v1/official-accounts/{id}/mini-programs"),
    ("post", "/api/v1/official-accounts/{id}/mini-programs"),
    ("get", "/api/v1/mini-programs/signing-key"),
    ("get", "/api/v1/mini-programs"),
    ("get", "/api/v1/mini-programs/{id}"),
    ("post", "/api/v1/mini-programs/{id}/open"),
    ("put", "/api/v1/mini-programs/{id}/pin"),
    ("delete", "/api/v1/mini-programs/{id}/pin"),
    ("get", "/api/v1/mini-programs/{id}/package"),
    ("post", "/api/v1/mini-programs/{id}/login-codes"),
    (
        "post",
        "/api/v1/official-api/mini-programs/{app_id}/sessions",
    ),
    ("post", "/api/v1/official-api/mini-programs/{app_id}/orders"),
    (
        "get",
        "/api/v1/official-api/mini-programs/{app_id}/orders/{id}",
    ),
    ("get", "/api/v1/mini-program-orders/{id}"),
    ("post", "/api/v1/mini-program-orders/{id}/pay"),
    ("get", "/api/v1/mini-programs/bridge.js"),
    ("get", "/api/v1/mini-programs/{id}/files/{version}/{*path}"),
    ("post", "/api/v1/mini-programs/{id}/request"),
    (
        "post",
        "/api/v1/official-accounts/{id}/followers/{user}/messages",
    ),
    ("put", "/api/v1/moments/settings"),
    ("get", "/api/v1/moments/people/{id}"),
    ("put", "/api/v1/moments/people/{id}"),
    ("put", "/api/v1/contacts/{id}/tags"),
];

/// The server's OpenAPI document.
async fn openapi(s: &TestServer) -> Value {
    s.http
        .get(format!("{}/api/v1/openapi.json", s.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn openapi_describes_exactly_the_routes() {
    let s = TestServer::start().await;
    let doc = openapi(&s).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    let mut documented = Vec::new();
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            documented.push((method.clone(), path.clone()));
        }
    }
    for (method, path) in ROUTES {
        assert!(
            documented.contains(&(method.to_string(), path.to_string())),
            "{method} {path} is not in openapi.json"
        );
    }
    assert_eq!(
        documented.len(),
        ROUTES.len(),
        "documented but not listed here: {documented:?}"
    );

    // Every documented route is served (a route-level 404/405 would mean it is not).
    for (method, path) in &documented {
        let url = format!(
            "{}{}",
            s.url,
            path.replace("{id}", "x")
                .replace("{user}", "x")
                .replace("{message}", "x")
                .replace("{hash}", "x")
        );
        let resp = s
            .http
            .request(
                Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                url,
            )
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let body: serde_json::Value = resp.json().await.unwrap_or_default();
        assert!(
            !(status == StatusCode::NOT_FOUND && body["error"]["code"] == "not_found")
                && status != StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path} is documented but not served: {status} {body}"
        );
    }
}

/// Every operation, driven with what a careless or hostile client sends: no token, ids that are
/// not ids, unknown ids, an empty body, a body that is not JSON. Each answer must be one its
/// operation documents (the tests' server marks any other, and `call` fails on it), in the
/// error shape, and never a server error.
#[tokio::test]
async fn every_operation_answers_bad_input_with_a_documented_error() {
    let s = TestServer::start().await;
    let ann = s.register("ann", "13800000001").await;
    let doc = openapi(&s).await;
    let unknown = "0192a6f0-0000-7000-8000-000000000000";
    let fill = |path: &str, id: &str| {
        let mut out = String::new();
        for part in path.trim_start_matches("/api/v1").split('/').skip(1) {
            out.push('/');
            if part.starts_with('{') {
                out.push_str(match part {
                    "{version}" => "1.0.0",
                    "{*path}" => "index.html",
                    "{app_id}" => "no-such-app",
                    _ => id,
                });
            } else {
                out.push_str(part);
            }
        }
        out
    };
    let (mut tried, mut failures) = (0, Vec::new());
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Ok(method) = Method::from_bytes(method.to_uppercase().as_bytes()) else {
                continue;
            };
            if path.ends_with("/realtime") || path.ends_with("openapi.json") {
                continue;
            }
            let has_body = op.get("requestBody").is_some();
            let tokens: &[Option<&str>] = &[None, Some(&ann.access)];
            for token in tokens {
                for id in ["not-an-id", unknown] {
                    let bodies: Vec<Option<Value>> = if has_body {
                        vec![Some(json!({})), Some(json!("not the shape"))]
                    } else {
                        vec![None]
                    };
                    for body in bodies {
                        let target = fill(path, id);
                        let mut req = s
                            .http
                            .request(method.clone(), format!("{}/api/v1{target}", s.url));
                        if let Some(t) = token {
                            req = req.bearer_auth(t);
                        }
                        if let Some(b) = &body {
                            req = req.json(b);
                        }
                        let resp = req.send().await.unwrap();
                        let status = resp.status();
                        let marked = resp
                            .headers()
                            .contains_key(xin_server::contract::UNDOCUMENTED);
                        let answer: Value = resp.json().await.unwrap_or(Value::Null);
                        tried += 1;
                        if status.is_server_error() {
                            failures.push(format!("{method} {target}: {status} {answer}"));
                        }
                        if marked {
                            failures.push(format!(
                                "{method} {path} answered {} (undocumented)",
                                status.as_u16()
                            ));
                        }
                        // A HEAD answer has no body to carry the error.
                        if !status.is_success()
                            && method != Method::HEAD
                            && !answer["error"]["code"].is_string()
                        {
                            failures.push(format!(
                                "{method} {target}: {status} not in the error shape"
                            ));
                        }
                    }
                }
            }
        }
    }
    failures.sort();
    failures.dedup();
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(tried > 400, "{tried} calls");
}

/// The limits the document states are the ones the server enforces: at each stated maximum the
/// request passes, one past it is refused (the numbers are read from the document).
#[tokio::test]
async fn documented_limits_are_the_enforced_ones() {
    let s = TestServer::start().await;
    let doc = openapi(&s).await;
    let limit = |schema: &str, field: &str, key: &str| -> usize {
        doc["components"]["schemas"][schema]["properties"][field][key]
            .as_u64()
            .unwrap_or_else(|| panic!("{schema}.{field} documents no {key}")) as usize
    };
    let pattern = |schema: &str, field: &str| {
        doc["components"]["schemas"][schema]["properties"][field]["pattern"]
            .as_str()
            .map(str::to_string)
    };
    assert_eq!(
        pattern("RegisterRequest", "handle").as_deref(),
        Some("^[A-Za-z][A-Za-z0-9_]{2,31}$")
    );
    assert_eq!(pattern("Pay", "pin").as_deref(), Some("^[0-9]{6}$"));

    // Display name.
    let max = limit("RegisterRequest", "display_name", "maxLength");
    let register = |handle: &str, phone: &str, name: String| {
        s.post("/accounts", json!({"handle": handle, "phone": phone, "display_name": name, "password": "correct horse", "device": phone_device()}))
    };
    assert_eq!(
        register("ann", "13800000001", "字".repeat(max)).await.0,
        StatusCode::CREATED
    );
    assert_error(
        &register("bob", "13800000002", "字".repeat(max + 1)).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );

    // A friend request's greeting, a group's title.
    let ann = Party::join(&s, "cat", "13800000003").await;
    let bob = Party::join(&s, "dan", "13800000004").await;
    let max = limit("SendFriendRequest", "greeting", "maxLength");
    let greet = |g: String| {
        ann.call(
            Method::POST,
            "/friend-requests",
            Some(json!({"to": bob.user.id, "greeting": g})),
        )
    };
    assert_error(
        &greet("a".repeat(max + 1)).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    assert_eq!(greet("a".repeat(max)).await.0, StatusCode::OK);
    ann.befriend(&bob).await;
    let max = limit("CreateGroup", "title", "maxLength");
    let group = |t: String| {
        ann.call(
            Method::POST,
            "/conversations",
            Some(json!({"title": t, "members": [bob.user.id]})),
        )
    };
    assert_error(
        &group("g".repeat(max + 1)).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    assert_eq!(group("g".repeat(max)).await.0, StatusCode::OK);

    // An official account's name.
    let max = limit("NewOfficialAccount", "name", "maxLength");
    let account = |handle: &str, name: String| {
        ann.call(
            Method::POST,
            "/official-accounts",
            Some(json!({"handle": handle, "name": name, "kind": "service"})),
        )
    };
    assert_error(
        &account("desk_a", "n".repeat(max + 1)).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    assert_eq!(account("desk_b", "n".repeat(max)).await.0, StatusCode::OK);

    // An amount: one fen past the documented maximum is refused before any money is looked at.
    let max = doc["components"]["schemas"]["Pay"]["properties"]["amount_fen"]["maximum"]
        .as_i64()
        .unwrap();
    let pay = ann
        .call(Method::POST, "/wallet/payments", Some(json!({"idempotency_key": uuid_v7(), "payee_id": bob.user.id, "amount_fen": max + 1, "note": "", "pin": PIN})))
        .await;
    assert_error(&pay, StatusCode::BAD_REQUEST, "invalid_request");
}
