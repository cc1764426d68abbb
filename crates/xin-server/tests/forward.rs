//! Merged forwards ("chat history" cards) through the real API: a good one is stored and its
//! members see it; every malformed one is refused with `invalid_request` and stores nothing;
//! a photo inside must be one the sender may read, like any attachment.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn text(name: &str, t: &str) -> Value {
    json!({"sender_name": name, "created_at": 1_700_000_000_000i64, "content": {"type": "text", "text": t}})
}

async fn post(p: &Party<'_>, conv: &str, content: Value) -> (StatusCode, Value) {
    p.call(
        Method::POST,
        &format!("/conversations/{conv}/messages"),
        Some(json!({"client_id": uuid_v7(), "content": content})),
    )
    .await
}

#[tokio::test]
async fn a_chat_history_card_is_checked_item_by_item() {
    let s = TestServer::start().await;
    let ann = Party::join(&s, "ann", "+15550000001").await;
    let ben = Party::join(&s, "ben", "+15550000002").await;
    ann.befriend(&ben).await;
    let conv = ann.direct(&ben).await;
    let hidden_photo = upload(&ben, &png()).await;

    let too_many: Vec<Value> = (0..101)
        .map(|i| text("Ann", &format!("line {i}")))
        .collect();
    let bad = [
        json!({"type": "history", "title": "", "items": [text("Ann", "hi")]}),
        json!({"type": "history", "title": "x".repeat(65), "items": [text("Ann", "hi")]}),
        json!({"type": "history", "title": "Chat", "items": []}),
        json!({"type": "history", "title": "Chat", "items": too_many}),
        json!({"type": "history", "title": "Chat", "items": [text("", "hi")]}),
        json!({"type": "history", "title": "Chat", "items": [text("Ann", "")]}),
        json!({"type": "history", "title": "Chat", "items": [{"sender_name": "Ann", "created_at": 1, "content": {"type": "text", "text": "@Ben", "mentions": [ben.user.id]}}]}),
        json!({"type": "history", "title": "Chat", "items": [{"sender_name": "Ann", "created_at": 1, "content": {"type": "history", "title": "inner", "items": [text("Ann", "hi")]}}]}),
        json!({"type": "history", "title": "Chat", "items": [{"sender_name": "Ann", "created_at": 1, "content": {"type": "system", "text": "Ann added Ben"}}]}),
        json!({"type": "history", "title": "Chat", "items": [{"sender_name": "Ann", "created_at": 1, "content": {"type": "transfer", "transfer_id": uuid_v7(), "amount_fen": 100, "note": ""}}]}),
        json!({"type": "history", "title": "Chat", "items": [{"sender_name": "Ann", "created_at": 1, "content": {"type": "image", "blob": {"hash": "nothex", "size": 1}, "width": 1, "height": 1}}]}),
    ];
    for content in bad {
        let r = post(&ann, &conv, content.clone()).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid_request");
    }
    // A photo Ann may not read (Ben's upload, never shown to her) cannot ride inside a card.
    let sneaky = json!({"type": "history", "title": "Chat", "items": [{"sender_name": "Ann", "created_at": 1,
        "content": {"type": "image", "blob": {"hash": hidden_photo, "size": png().len()}, "width": 8, "height": 8}}]});
    let r = post(&ann, &conv, sneaky).await;
    assert!(r.0.is_client_error(), "{r:?}");
    let stored = ben
        .ok(
            Method::GET,
            &format!("/conversations/{conv}/messages"),
            None,
        )
        .await;
    assert_eq!(stored["messages"], json!([]), "nothing was stored");

    let good = json!({"type": "history", "title": "Chat history of Ann and Cy", "items": [text("Ann", "Saturday?"), text("Cy", "Yes, 9:00")]});
    let (status, m) = post(&ann, &conv, good).await;
    assert_eq!(status, StatusCode::OK, "{m}");
    let page = ben
        .ok(
            Method::GET,
            &format!("/conversations/{conv}/messages"),
            None,
        )
        .await;
    let card = &page["messages"][0]["content"];
    assert_eq!(card["type"], "history");
    assert_eq!(card["items"][1]["content"]["text"], "Yes, 9:00");
}
