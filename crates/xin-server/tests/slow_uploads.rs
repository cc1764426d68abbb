//! Uploads that trickle in cannot stall the server: each request receiving bytes holds
//! blocking threads, so the server bounds how many it takes per account and in all, and its
//! reads run on threads of their own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use base64::Engine;
use common::{assert_error, Party, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Starts a new upload of 1 MiB; answers the server's answer.
async fn start(p: &Party<'_>) -> reqwest::Response {
    p.s.http
        .post(format!("{}/api/v1/uploads", p.s.url))
        .bearer_auth(&p.user.access)
        .header("tus-resumable", "1.0.0")
        .header("upload-length", (1 << 20).to_string())
        .header(
            "upload-metadata",
            format!("filename {},blake3 {}", b64(b"slow.bin"), b64(&[b'0'; 64])),
        )
        .send()
        .await
        .unwrap()
}

/// A new upload of 1 MiB; answers its address.
async fn create(p: &Party<'_>) -> String {
    let r = start(p).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    r.headers()["location"].to_str().unwrap().to_string()
}

/// Starts a chunk of 1 MiB on a raw connection and sends one byte of it: the request is now
/// being received, and stays so until its silence runs out or the connection closes.
async fn trickle(p: &Party<'_>, location: &str) -> TcpStream {
    let addr = p.s.url.trim_start_matches("http://").to_string();
    let mut socket = TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "PATCH {location} HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {}\r\ntus-resumable: 1.0.0\r\n\
         content-type: application/offset+octet-stream\r\nupload-offset: 0\r\n\
         upload-checksum: blake3 {}\r\ncontent-length: {}\r\n\r\n",
        p.user.access,
        b64(&[0; 32]),
        1 << 20
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    socket.write_all(b"x").await.unwrap();
    socket
}

/// The status line of an answer already sent on `socket`, if one came within `wait`.
async fn answered(socket: &mut TcpStream, wait: Duration) -> Option<String> {
    let mut buf = vec![0u8; 2048];
    let n = tokio::time::timeout(wait, socket.read(&mut buf))
        .await
        .ok()?
        .ok()?;
    let text = String::from_utf8_lossy(&buf[..n]).to_string();
    Some(text.lines().next().unwrap_or_default().to_string())
}

/// 200 uploads from one account trickle a byte each and hold on (on a server without bounds
/// they hold 600 blocking threads of tokio's 512, and nothing reads the store any more). The
/// account gets its share; the rest are refused at once; everyone's API calls still answer.
#[tokio::test]
async fn two_hundred_trickling_uploads_leave_the_api_answering() {
    let s = TestServer::start().await;
    let mallory = Party::join(&s, "mallory", "13800000066").await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let mut locations = Vec::new();
    for _ in 0..200 {
        locations.push(create(&mallory).await);
    }
    let mut sockets = Vec::new();
    for l in &locations {
        sockets.push(trickle(&mallory, l).await);
    }
    let mut refused = 0;
    for socket in &mut sockets {
        if let Some(status) = answered(socket, Duration::from_millis(50)).await {
            assert!(status.contains("429"), "{status}");
            refused += 1;
        }
    }
    assert_eq!(
        refused,
        200 - 6,
        "six at once from one account, the default"
    );

    // Reads and writes of other people go on as usual while the six hold on.
    let started = Instant::now();
    let reads =
        futures_util::future::join_all((0..20).map(|_| alice.call(Method::GET, "/wallet", None)))
            .await;
    assert!(reads.iter().all(|r| r.0 == StatusCode::OK), "{reads:?}");
    alice.ok(Method::GET, "/conversations", None).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the API took {:?} while uploads trickled",
        started.elapsed()
    );
    drop(sockets);
}

/// The bound in all: once the server receives as many as it takes, a new one is refused as
/// busy (503) whoever sends it, and its place is free again as soon as one ends.
#[tokio::test]
async fn past_the_bound_in_all_uploads_are_refused_as_busy_until_one_ends() {
    let s = TestServer::with(|c| {
        c.uploads_per_user = 2;
        c.uploads_in_all = 3;
    })
    .await;
    let a = Party::join(&s, "alice", "13800000001").await;
    let b = Party::join(&s, "bob", "13800000002").await;
    let mut held = Vec::new();
    for p in [&a, &a, &b] {
        let l = create(p).await;
        let mut socket = trickle(p, &l).await;
        assert_eq!(
            answered(&mut socket, Duration::from_millis(300)).await,
            None
        );
        held.push(socket);
    }
    let third_of_a = create(&a).await;
    let mut socket = trickle(&a, &third_of_a).await;
    let status = answered(&mut socket, Duration::from_secs(5)).await.unwrap();
    assert!(status.contains("429"), "a's own bound first: {status}");

    let second_of_b = create(&b).await;
    let r =
        b.s.http
            .patch(format!("{}{second_of_b}", s.url))
            .bearer_auth(&b.user.access)
            .header("tus-resumable", "1.0.0")
            .header("content-type", "application/offset+octet-stream")
            .header("upload-offset", "0")
            .header("upload-checksum", format!("blake3 {}", b64(&[0; 32])))
            .body(vec![0u8; 16])
            .send()
            .await
            .unwrap();
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_error(
        &(status, body),
        StatusCode::SERVICE_UNAVAILABLE,
        "server_busy",
    );

    // One ends; its place is free for anyone.
    drop(held.remove(0));
    let mut again = None;
    for _ in 0..50 {
        let mut socket = trickle(&b, &second_of_b).await;
        if answered(&mut socket, Duration::from_millis(100))
            .await
            .is_none()
        {
            again = Some(socket);
            break;
        }
    }
    assert!(again.is_some(), "the freed place was taken");
}

/// Uploads started at the same moment are counted against the quota one by one: ten of 1 MiB
/// into 3 MiB of room make three uploads, not ten.
#[tokio::test]
async fn parallel_uploads_cannot_all_slip_under_the_quota() {
    let s = TestServer::with(|c| c.quota_bytes = 3 << 20).await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let answers = futures_util::future::join_all((0..10).map(|_| start(&alice))).await;
    let statuses: Vec<StatusCode> = answers.iter().map(|r| r.status()).collect();
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let full = statuses
        .iter()
        .filter(|s| **s == StatusCode::INSUFFICIENT_STORAGE)
        .count();
    assert_eq!((created, full), (3, 7), "{statuses:?}");
}
