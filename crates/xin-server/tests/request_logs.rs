//! What the server writes to its log about a request.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::{
    io::Write,
    sync::{Arc, Mutex},
};

use common::TestServer;
use reqwest::StatusCode;

/// A log kept in memory, for the test to read.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

// The server runs on this test's own thread (a current-thread runtime), so the subscriber set
// for the thread sees every request's span.
#[tokio::test]
async fn a_token_or_a_search_in_the_address_never_reaches_the_log() {
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = TestServer::start().await;
    let alice = server.register("alice", "13800000001").await;
    let hash = "ab".repeat(32);
    let answer = server
        .http
        .get(format!(
            "{}/api/v1/blobs/{hash}?access_token={}",
            server.url, alice.access
        ))
        .send()
        .await
        .unwrap();
    // Refused (no route takes a token in its address), and not logged either.
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    let ws = server.url.replacen("http", "ws", 1);
    let socket = tokio_tungstenite::connect_async(format!(
        "{ws}/api/v1/realtime?access_token={}&v=2",
        alice.access
    ))
    .await;
    assert!(socket.is_err(), "nor does the realtime socket");
    let search = server
        .http
        .get(format!("{}/api/v1/users/search?q=13912345678", server.url))
        .bearer_auth(&alice.access)
        .send()
        .await
        .unwrap();
    assert_eq!(search.status(), StatusCode::OK);

    let text = log.text();
    assert!(
        !text.contains(&alice.access),
        "the access token is logged: {text}"
    );
    assert!(
        !text.contains("13912345678"),
        "the phone number searched for is logged: {text}"
    );
    assert!(
        text.contains(&format!("path=/api/v1/blobs/{hash}")),
        "the request is logged by its path: {text}"
    );
    assert!(text.contains("path=/api/v1/users/search"), "{text}");
}
