//! Walking the phone-number space and flooding official accounts' webhooks are bounded per
//! account and per address, with a clear `rate_limited` answer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn looking_people_up_is_bounded_per_account_and_per_address() {
    let s = TestServer::with(|c| c.lookups_per_hour = 5).await;
    let mallory = Party::join(&s, "mallory", "13800000066").await;
    let sock = Party::join(&s, "sock", "13800000067").await;
    for n in 0..5 {
        let q = format!("/users/search?q=139000000{n:02}");
        assert_eq!(mallory.call(Method::GET, &q, None).await.0, StatusCode::OK);
    }
    assert_error(
        &mallory
            .call(Method::GET, "/users/search?q=13900000099", None)
            .await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    );
    // A second account from the same address gets no fresh allowance.
    assert_error(
        &sock
            .call(Method::GET, "/users/search?q=13900000098", None)
            .await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    );
}

#[tokio::test]
async fn sign_up_tells_whether_a_number_is_taken_only_a_few_times_an_hour() {
    let s = TestServer::with(|c| c.signups_per_hour = 2).await;
    s.register("alice", "13800000001").await;
    let probe = |phone: &str| {
        s.post(
            "/accounts",
            json!({"handle": format!("p{}", &phone[7..]), "phone": phone, "display_name": "P",
                   "password": "correct horse", "device": phone_device()}),
        )
    };
    assert_error(
        &probe("13800000001").await,
        StatusCode::CONFLICT,
        "phone_taken",
    );
    assert_error(
        &probe("13800000002").await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    );
}

#[tokio::test]
async fn messages_to_official_accounts_are_bounded_per_account_and_per_address() {
    let s = TestServer::with(|c| c.official_messages_per_minute = 3).await;
    let owner = Party::join(&s, "owner", "13800000001").await;
    let fan = Party::join(&s, "fan", "13800000002").await;
    let desk = owner
        .ok(
            Method::POST,
            "/official-accounts",
            Some(json!({"handle": "desk", "name": "Desk", "kind": "service"})),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    fan.ok(
        Method::PUT,
        &format!("/official-accounts/{desk}/follow"),
        Some(json!({})),
    )
    .await;
    let path = format!("/official-accounts/{desk}/messages");
    for i in 0..3 {
        fan.ok(
            Method::POST,
            &path,
            Some(json!({"text": format!("hi {i}")})),
        )
        .await;
    }
    assert_error(
        &fan.call(Method::POST, &path, Some(json!({"text": "flood"})))
            .await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    );
}
