//! Files loaded by address (the phone's `<img>`, `<video>` and download links) open with a link
//! signed for that one file, never with the access token in the address.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{assert_error, phone_device, upload, Party, TestServer};
use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;
use xin_proto::media_link::{
    MediaKey, MediaLink, MAX_LIFETIME_SECS, MAX_REALTIME_LIFETIME_SECS, REALTIME,
};

fn now_secs() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    i64::try_from(since.unwrap().as_secs()).unwrap()
}

/// Signs in a second device of `login` and answers its session.
async fn sign_in(s: &TestServer, login: &str) -> Value {
    let (status, body) = s
        .post(
            "/sessions",
            json!({"login": login, "password": "correct horse", "device": phone_device()}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn media_key(session: &Value) -> MediaKey {
    serde_json::from_value(session["media_key"].clone()).expect("a session carries a media key")
}

fn key_bytes(media: &MediaKey) -> [u8; 32] {
    *blake3::Hash::from_hex(&media.key).unwrap().as_bytes()
}

fn link(media: &MediaKey, hash: &str, expires: i64) -> String {
    MediaLink::new(&key_bytes(media), media.session, hash, expires).to_string()
}

/// Loads `/blobs/{hash}?{query}` as a browser would: no header at all.
async fn load(s: &TestServer, hash: &str, query: &str) -> (StatusCode, Vec<u8>) {
    let r = s
        .http
        .get(format!("{}/api/v1/blobs/{hash}?{query}", s.url))
        .send()
        .await
        .unwrap();
    (r.status(), r.bytes().await.unwrap().to_vec())
}

async fn load_error(s: &TestServer, hash: &str, query: &str) -> (StatusCode, Value) {
    let (status, body) = load(s, hash, query).await;
    (status, serde_json::from_slice(&body).unwrap())
}

#[tokio::test]
async fn a_signed_link_opens_its_one_file_for_its_reader_only() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "+15550000001").await;
    let bob = Party::join(&s, "bob", "+15550000002").await;
    alice.befriend(&bob).await;
    let photo = common::png();
    let hash = upload(&alice, &photo).await;
    let other = upload(&alice, b"not for the link").await;
    let phone = sign_in(&s, "alice").await;
    let media = media_key(&phone);
    let expires = now_secs() + 3600;

    let (status, bytes) = load(&s, &hash, &format!("link={}", link(&media, &hash, expires))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, photo, "the link opens the file");

    // The same signature does not open another of alice's files.
    let signed = MediaLink::parse(&link(&media, &hash, expires)).unwrap();
    let r = load_error(&s, &other, &format!("link={signed}")).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");

    // Bob's own key opens nothing of alice's he may not read: the same 404 as for no file.
    let bobs = media_key(&sign_in(&s, "bob").await);
    let r = load_error(&s, &hash, &format!("link={}", link(&bobs, &hash, expires))).await;
    assert_error(&r, StatusCode::NOT_FOUND, "blob_not_found");

    // A link signed with a key that is not the session's, or with a made-up session.
    let forged = MediaKey {
        session: media.session,
        key: "07".repeat(32),
    };
    let r = load_error(
        &s,
        &hash,
        &format!("link={}", link(&forged, &hash, expires)),
    )
    .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    let stranger = MediaKey {
        session: Uuid::now_v7(),
        ..media.clone()
    };
    let r = load_error(
        &s,
        &hash,
        &format!("link={}", link(&stranger, &hash, expires)),
    )
    .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    for garbage in ["", "x", "1.2.3", &format!("{}.{expires}.zz", media.session)] {
        let r = load_error(&s, &hash, &format!("link={garbage}")).await;
        assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    }
}

#[tokio::test]
async fn a_link_lives_an_hour_or_two_and_never_past_its_session() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "+15550000001").await;
    let hash = upload(&alice, &common::png()).await;
    let phone = sign_in(&s, "alice").await;
    let media = media_key(&phone);
    let now = now_secs();

    let expired = load_error(&s, &hash, &format!("link={}", link(&media, &hash, now - 1))).await;
    assert_error(&expired, StatusCode::UNAUTHORIZED, "link_expired");
    // A client may not mint a link that outlives the limit, even with its own key.
    let far = now + MAX_LIFETIME_SECS + 120;
    let r = load_error(&s, &hash, &format!("link={}", link(&media, &hash, far))).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "link_expired");
    // A link whose time was stretched after signing no longer matches its signature.
    let good = MediaLink::parse(&link(&media, &hash, now + 600)).unwrap();
    let stretched = MediaLink {
        expires: now + 7200,
        ..good.clone()
    };
    let r = load_error(&s, &hash, &format!("link={stretched}")).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");

    // Refreshing the session keeps its key, so links already on the page keep working.
    let (status, refreshed) = s
        .post(
            "/sessions/refresh",
            json!({"refresh_token": phone["refresh_token"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    assert_eq!(media_key(&refreshed), media);
    assert_eq!(
        load(&s, &hash, &format!("link={good}")).await.0,
        StatusCode::OK
    );

    // Signing the phone out ends every link it made.
    let (status, _) = s
        .call(
            Method::DELETE,
            "/sessions/current",
            refreshed["access_token"].as_str(),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let r = load_error(&s, &hash, &format!("link={good}")).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "session_revoked");
}

#[tokio::test]
async fn an_access_token_in_an_address_opens_nothing() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "+15550000001").await;
    let hash = upload(&alice, &common::png()).await;
    let token = format!("access_token={}", alice.user.access);

    let r = load_error(&s, &hash, &token).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    let r = s
        .http
        .get(format!("{}/api/v1/conversations?{token}", s.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // The header still works.
    let r = s
        .http
        .get(format!("{}/api/v1/blobs/{hash}", s.url))
        .bearer_auth(&alice.user.access)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_browser_opens_the_realtime_socket_with_a_link_signed_for_it() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "+15550000001").await;
    let phone = sign_in(&s, "alice").await;
    let media = media_key(&phone);
    let ws = s.url.replacen("http", "ws", 1);
    let open = |query: String| {
        tokio_tungstenite::connect_async(format!("{ws}/api/v1/realtime?{query}&v=2"))
    };
    let now = now_secs();

    let (mut socket, _) = open(format!("link={}", link(&media, REALTIME, now + 60)))
        .await
        .expect("a fresh realtime link opens the socket");
    let hello = socket.next().await.unwrap().unwrap();
    assert!(hello.to_text().unwrap().contains("\"hello\""), "{hello:?}");

    let refused = |r: Result<_, tokio_tungstenite::tungstenite::Error>| match r {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => resp.status(),
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("the socket opened"),
    };
    // The access token in the address, a link that lives too long, and a file's link.
    let token = format!("access_token={}", alice.user.access);
    assert_eq!(refused(open(token).await), StatusCode::UNAUTHORIZED);
    let long = link(&media, REALTIME, now + MAX_REALTIME_LIFETIME_SECS + 60);
    assert_eq!(
        refused(open(format!("link={long}")).await),
        StatusCode::UNAUTHORIZED
    );
    let hash = upload(&alice, &common::png()).await;
    let file = link(&media, &hash, now + 60);
    assert_eq!(
        refused(open(format!("link={file}")).await),
        StatusCode::UNAUTHORIZED
    );
}
