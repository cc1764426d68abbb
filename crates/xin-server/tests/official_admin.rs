//! An official account's owner through the real API: editing the profile (its picture is public
//! and outlives the uploads' grace period), listing and tagging followers; strangers and bad
//! input are refused and change nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn service(owner: &Party<'_>) -> String {
    owner
        .ok(
            Method::POST,
            "/official-accounts",
            Some(
                json!({"handle": "summit", "name": "Summit", "intro": "Coffee", "kind": "service"}),
            ),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Writes an article and broadcasts it (to `tag`'s followers, or all).
async fn publish(owner: &Party<'_>, path: &str, title: &str, tag: Option<&str>) {
    let article = owner
        .ok(
            Method::POST,
            &format!("{path}/articles"),
            Some(json!({"title": title, "body_html": "<p>Hi</p>"})),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    owner
        .ok(
            Method::POST,
            &format!("{path}/broadcasts"),
            Some(json!({"articles": [article], "tag": tag})),
        )
        .await;
}

async fn blob_status(p: &Party<'_>, hash: &str) -> StatusCode {
    p.s.http
        .get(format!("{}/api/v1/blobs/{hash}", p.s.url))
        .bearer_auth(&p.user.access)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn the_owner_edits_the_profile_and_its_picture_is_public() {
    let s = TestServer::start().await;
    let owner = Party::join(&s, "owner", "+15550000001").await;
    let ann = Party::join(&s, "ann", "+15550000002").await;
    let id = service(&owner).await;
    let path = format!("/official-accounts/{id}");
    let picture = upload(&owner, &png()).await;
    let ann_picture = upload(&ann, &png_of(3)).await;
    let text = {
        let t = b"not a picture at all".to_vec();
        upload(&owner, &t).await
    };

    let bad: [(Value, StatusCode, &str); 6] = [
        (
            json!({"name": "", "intro": ""}),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            json!({"name": "x".repeat(31)}),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            json!({"name": "Summit", "avatar": "nothex"}),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        // Someone else's upload, and a file that is no picture.
        (
            json!({"name": "Summit", "avatar": ann_picture}),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            json!({"name": "Summit", "avatar": text}),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            json!({"name": "Summit", "intro": "a\u{0}b"}),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
    ];
    for (body, status, code) in bad {
        assert_error(
            &owner.call(Method::PUT, &path, Some(body.clone())).await,
            status,
            code,
        );
    }
    let not_mine = ann
        .call(Method::PUT, &path, Some(json!({"name": "Mine now"})))
        .await;
    assert_error(&not_mine, StatusCode::FORBIDDEN, "not_allowed");
    let unchanged = ann.ok(Method::GET, &path, None).await;
    assert_eq!(
        (unchanged["name"].as_str(), &unchanged["avatar"]),
        (Some("Summit"), &Value::Null)
    );
    // A stranger cannot read the owner's upload before it is the account's picture.
    assert_eq!(blob_status(&ann, &picture).await, StatusCode::NOT_FOUND);

    let updated = owner
        .ok(
            Method::PUT,
            &path,
            Some(
                json!({"name": "Summit Coffee", "intro": "Beans near the crag", "avatar": picture}),
            ),
        )
        .await;
    assert_eq!(updated["avatar"], json!(picture));
    let seen = ann.ok(Method::GET, &path, None).await;
    assert_eq!(
        (
            seen["name"].as_str(),
            seen["intro"].as_str(),
            seen["avatar"].as_str()
        ),
        (
            Some("Summit Coffee"),
            Some("Beans near the crag"),
            Some(picture.as_str())
        )
    );
    assert_eq!(blob_status(&ann, &picture).await, StatusCode::OK);

    // Broadcasts carry the picture too.
    ann.ok(Method::PUT, &format!("{path}/follow"), Some(json!({})))
        .await;
    publish(&owner, &path, "Beans", None).await;
    let feed = ann.ok(Method::GET, "/subscriptions", None).await;
    assert_eq!(feed["broadcasts"][0]["account_avatar"], json!(picture));

    // Long after the uploads' grace period, the picture is still there.
    let state = &s.running.as_ref().unwrap().state;
    let gone = xin_server::files::collect_garbage(state, i64::MAX)
        .await
        .unwrap();
    assert!(
        !gone.blobs.contains(&picture),
        "the account's picture was collected"
    );
    assert_eq!(blob_status(&ann, &picture).await, StatusCode::OK);

    // Removing the picture goes back to the initial.
    let plain = owner
        .ok(Method::PUT, &path, Some(json!({"name": "Summit Coffee"})))
        .await;
    assert_eq!(
        (plain["avatar"].clone(), plain["intro"].as_str()),
        (Value::Null, Some(""))
    );
}

fn png_of(shade: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(4, 4, |_, _| image::Rgb([shade, shade, shade]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[tokio::test]
async fn the_owner_lists_and_tags_followers_and_a_tag_aims_a_broadcast() {
    let s = TestServer::start().await;
    let owner = Party::join(&s, "owner", "+15550000001").await;
    let ann = Party::join(&s, "ann", "+15550000002").await;
    let ben = Party::join(&s, "ben", "+15550000003").await;
    let id = service(&owner).await;
    let path = format!("/official-accounts/{id}");
    let code = owner
        .ok(
            Method::POST,
            &format!("{path}/qr-codes"),
            Some(json!({"scene": "counter"})),
        )
        .await["code"]
        .as_str()
        .unwrap()
        .to_string();
    ann.ok(
        Method::PUT,
        &format!("{path}/follow"),
        Some(json!({"code": code})),
    )
    .await;
    ben.ok(Method::PUT, &format!("{path}/follow"), Some(json!({})))
        .await;

    let list = owner
        .ok(Method::GET, &format!("{path}/followers"), None)
        .await;
    // Both followed within the same moment or so: compare without the order.
    let mut names: Vec<(&str, &Value)> = list["followers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["user"]["handle"].as_str().unwrap(), &f["scene"]))
        .collect();
    names.sort_by_key(|(h, _)| *h);
    assert_eq!(
        names,
        vec![("ann", &json!("counter")), ("ben", &Value::Null)]
    );
    assert_eq!(
        (list["tags"].clone(), list["next"].clone()),
        (json!([]), Value::Null)
    );

    let stranger = ben
        .call(Method::GET, &format!("{path}/followers"), None)
        .await;
    assert_error(&stranger, StatusCode::FORBIDDEN, "not_allowed");

    let ann_tags = format!("{path}/followers/{}/tags", ann.user.id);
    for body in [
        json!({"tags": [""]}),
        json!({"tags": ["x".repeat(21)]}),
        json!({"tags": vec!["t"; 21]}),
    ] {
        assert_error(
            &owner.call(Method::PUT, &ann_tags, Some(body)).await,
            StatusCode::BAD_REQUEST,
            "invalid_request",
        );
    }
    let r = owner
        .call(
            Method::PUT,
            &ann_tags,
            Some(json!({"tags": ["Regulars", "Oat milk"]})),
        )
        .await;
    assert_eq!(r.0, StatusCode::NO_CONTENT);
    let list = owner
        .ok(Method::GET, &format!("{path}/followers"), None)
        .await;
    assert_eq!(list["tags"], json!(["Oat milk", "Regulars"]));
    let tags_of = |handle: &str| {
        list["followers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["user"]["handle"] == handle)
            .unwrap()["tags"]
            .clone()
    };
    assert_eq!(tags_of("ann"), json!(["Oat milk", "Regulars"]));
    assert_eq!(tags_of("ben"), json!([]));

    // A broadcast to "Regulars" reaches Ann only.
    publish(&owner, &path, "For regulars", Some("Regulars")).await;
    let got = |v: Value| v["broadcasts"].as_array().unwrap().len();
    assert_eq!(got(ann.ok(Method::GET, "/subscriptions", None).await), 1);
    assert_eq!(got(ben.ok(Method::GET, "/subscriptions", None).await), 0);

    // Unfollowing drops the follower and their tags.
    ann.ok(Method::DELETE, &format!("{path}/follow"), None)
        .await;
    let list = owner
        .ok(Method::GET, &format!("{path}/followers"), None)
        .await;
    assert_eq!(list["followers"].as_array().unwrap().len(), 1);
    assert_eq!(list["tags"], json!([]));
}
