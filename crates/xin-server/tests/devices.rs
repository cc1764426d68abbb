#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use std::time::Duration;

use common::*;
use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn list_and_sign_out_a_device_closes_its_socket_within_two_seconds() {
    let s = TestServer::start().await;
    let phone = s.register("alice", "13800000001").await;
    let laptop = s.sign_in("alice", desktop_device()).await;

    let (_, list) = s
        .call(Method::GET, "/devices", Some(&phone.access), None)
        .await;
    let list = list["devices"].as_array().unwrap().clone();
    assert_eq!(list.len(), 2);
    let me = list.iter().find(|d| d["current"] == true).unwrap();
    assert_eq!(me["id"], phone.device_id.as_str());
    assert_eq!(me["kind"], "phone");
    assert_eq!(me["ip"], "127.0.0.1");
    assert!(me["last_active_at"].as_i64().unwrap() > 0);

    let (mut ws, _) =
        tokio_tungstenite::connect_async(common::realtime(&s.url, &laptop.access, ""))
            .await
            .unwrap();
    let hello = ws.next().await.unwrap().unwrap();
    assert!(hello.to_text().unwrap().contains("\"hello\""));

    let r = s
        .call(
            Method::DELETE,
            &format!("/devices/{}", laptop.device_id),
            Some(&phone.access),
            None,
        )
        .await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    let closed = tokio::time::timeout(Duration::from_secs(2), async {
        let mut saw_signed_out = false;
        while let Some(msg) = ws.next().await {
            match msg {
                Ok(Message::Text(t)) if t.contains("\"signed_out\"") => saw_signed_out = true,
                Ok(Message::Close(_)) | Err(_) => break,
                _ => {}
            }
        }
        saw_signed_out
    })
    .await
    .expect("socket closed within 2 s");
    assert!(closed, "told why before the close");

    assert_error(
        &s.call(Method::GET, "/me", Some(&laptop.access), None).await,
        StatusCode::UNAUTHORIZED,
        "session_revoked",
    );
    let (_, list) = s
        .call(Method::GET, "/devices", Some(&phone.access), None)
        .await;
    assert_eq!(list["devices"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn devices_of_other_accounts_are_not_yours() {
    let s = TestServer::start().await;
    let alice = s.register("alice", "13800000001").await;
    let bob = s.register("bob", "13800000002").await;
    let r = s
        .call(
            Method::DELETE,
            &format!("/devices/{}", bob.device_id),
            Some(&alice.access),
            None,
        )
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "device_not_found");
    assert_eq!(
        s.call(Method::GET, "/me", Some(&bob.access), None).await.0,
        StatusCode::OK
    );
    let r = s
        .call(
            Method::DELETE,
            "/devices/not-a-uuid",
            Some(&alice.access),
            None,
        )
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "device_not_found");
    let r = s.call(Method::GET, "/devices", None, None).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn realtime_refuses_a_bad_token() {
    let s = TestServer::start().await;
    let err = tokio_tungstenite::connect_async(common::realtime(&s.url, "nope", ""))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("401"), "{err}");
}
