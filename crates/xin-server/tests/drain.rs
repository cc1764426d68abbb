#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A node says whether it should get work (`/ready`), and a stopping node (SIGTERM) fails it at
//! once, refuses new sockets and closes its open ones spread over its drain window, so their
//! clients reconnect to the other nodes without arriving all at once.

mod common;

use std::time::{Duration, Instant};

use common::*;
use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::Value;

async fn ready(url: &str) -> (StatusCode, Value) {
    let r = reqwest::get(format!("{url}/api/v1/ready")).await.unwrap();
    (r.status(), r.json().await.unwrap())
}

#[tokio::test]
async fn a_serving_node_is_ready() {
    let s = TestServer::start().await;
    let (status, body) = ready(&s.url).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (
            body["ready"].clone(),
            body["database"].clone(),
            body["draining"].clone()
        ),
        (Value::Bool(true), Value::Bool(true), Value::Bool(false))
    );
}

#[tokio::test]
async fn a_draining_node_fails_ready_refuses_sockets_and_closes_its_own_spread_out() {
    let mut s = TestServer::with(|c| c.drain_secs = Some(2)).await;
    let alice = s.register("alice", "13800000001").await;
    const SOCKETS: usize = 20;
    let mut sockets = Vec::new();
    for _ in 0..SOCKETS {
        let (ws, _) = tokio_tungstenite::connect_async(realtime(&s.url, &alice.access, "?v=2"))
            .await
            .unwrap();
        sockets.push(ws);
    }
    let started = Instant::now();
    let closed_at: Vec<_> = sockets
        .into_iter()
        .map(|mut ws| {
            tokio::spawn(async move {
                while let Some(Ok(_)) = ws.next().await {}
                started.elapsed()
            })
        })
        .collect();
    let running = s.running.take().unwrap();
    let drain = tokio::spawn(running.drain());
    tokio::time::sleep(Duration::from_millis(100)).await;

    let (status, body) = ready(&s.url).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["draining"], true);
    let refused = tokio_tungstenite::connect_async(realtime(&s.url, &alice.access, "?v=2")).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => {
            assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE)
        }
        other => panic!("a new socket was not refused: {other:?}"),
    }

    drain.await.unwrap();
    let mut times = Vec::new();
    for t in closed_at {
        times.push(
            tokio::time::timeout(Duration::from_secs(5), t)
                .await
                .unwrap()
                .unwrap(),
        );
    }
    times.sort();
    let (first, last) = (times[0], times[SOCKETS - 1]);
    assert!(
        last < Duration::from_secs(4),
        "all closed within the window: {times:?}"
    );
    assert!(
        last - first >= Duration::from_millis(1_000),
        "closed spread over the window, not at once: {times:?}"
    );
}

#[tokio::test]
async fn sigterm_drains_the_node_and_it_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let database = TestDatabase::fresh();
    let mut node = std::process::Command::new(env!("CARGO_BIN_EXE_xin-server"))
        .args(["--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(dir.path())
        .args(["--drain-secs", "2"])
        .args(database.iter().flat_map(|d| d.args(&url)))
        .env("RUST_LOG", "warn")
        .spawn()
        .unwrap();
    let mut up = false;
    for _ in 0..200 {
        if let Ok(r) = reqwest::get(format!("{url}/api/v1/ready")).await {
            up = r.status() == StatusCode::OK;
            if up {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "the node became ready");
    let term = std::process::Command::new("kill")
        .args(["-TERM", &node.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, body) = ready(&url).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(exit) = node.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "still running after SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "{exit}");
}
