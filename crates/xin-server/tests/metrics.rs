//! What an operator watches: Prometheus metrics that parse and move with the traffic and name
//! no one, request ids on every answer, metrics kept apart on an address of their own, and
//! log lines a collector can read as JSON.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};

use common::{realtime, Party, TestServer};
use reqwest::StatusCode;

/// The samples of the metrics page at `url`, parsed as Prometheus text.
async fn scrape(s: &TestServer, url: &str) -> prometheus_parse::Scrape {
    let answer = s.http.get(url).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let text = answer.text().await.unwrap();
    let lines = text.lines().map(|l| Ok(l.to_owned()));
    prometheus_parse::Scrape::parse(lines).unwrap()
}

/// The value of `name` (summed over its labels that match `labels`).
fn value(scrape: &prometheus_parse::Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == name)
        .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match &s.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => *v,
            prometheus_parse::Value::Histogram(buckets) => {
                buckets.iter().map(|b| b.count).fold(0.0, f64::max)
            }
            prometheus_parse::Value::Summary(_) => 0.0,
        })
        .sum()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_metrics_parse_move_with_the_traffic_and_name_no_one() {
    let s = TestServer::start().await;
    let metrics_url = format!("{}/metrics", s.url);
    let alice = Party::join(&s, "alice", "13800000001").await;
    let bob = Party::join(&s, "bob", "13800000002").await;
    alice.befriend(&bob).await;
    let conv = alice.direct(&bob).await;
    let before = scrape(&s, &metrics_url).await;

    let (_socket, _) = tokio_tungstenite::connect_async(realtime(&s.url, &bob.user.access, ""))
        .await
        .unwrap();
    for i in 0..5 {
        alice.say(&conv, &format!("secret plans {i}")).await;
    }
    alice.fund(1_000).await;
    let missing = s
        .http
        .get(format!("{}/api/v1/nothing-here", s.url))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let after = scrape(&s, &metrics_url).await;

    let moved = |name: &str, labels: &[(&str, &str)]| {
        value(&after, name, labels) - value(&before, name, labels)
    };
    assert_eq!(moved("xin_messages_total", &[]), 5.0);
    assert_eq!(moved("xin_wallet_changes_total", &[]), 1.0, "the top-up");
    assert_eq!(value(&after, "xin_sockets", &[]), 1.0);
    assert!(moved("xin_store_commit_seconds_count", &[]) >= 6.0);
    assert!(moved("xin_store_batch_writes_count", &[]) >= 6.0);
    assert!(value(&after, "xin_event_push_lag_seconds_count", &[]) >= 5.0);
    assert_eq!(value(&after, "xin_uploads_receiving", &[]), 0.0);
    assert_eq!(value(&after, "xin_webhook_queue", &[]), 0.0);
    assert_eq!(
        moved(
            "xin_http_answers_total",
            &[("status", "404"), ("code", "not_found")]
        ),
        1.0
    );
    assert!(
        moved("xin_http_answers_total", &[("code", "")]) >= 7.0,
        "the sends and the top-up"
    );

    // Nothing about anyone: no id, name, phone number or text of theirs.
    let text = s
        .http
        .get(&metrics_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for private in [
        alice.user.id.as_str(),
        bob.user.device_id.as_str(),
        conv.as_str(),
        "alice",
        "13800000002",
        "secret plans",
    ] {
        assert!(!text.contains(private), "{private} is in the metrics");
    }
}

#[tokio::test]
async fn every_answer_carries_a_request_id_and_keeps_the_clients_own() {
    let s = TestServer::start().await;
    let answer = s
        .http
        .get(format!("{}/api/v1/nothing-here", s.url))
        .send()
        .await
        .unwrap();
    let id = answer.headers()["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    let answer = s
        .http
        .get(format!("{}/api/v1/health", s.url))
        .header("x-request-id", "support-ticket-42")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.headers()["x-request-id"], "support-ticket-42");
}

#[tokio::test]
async fn metrics_on_an_address_of_their_own_are_not_served_beside_the_api() {
    let s = TestServer::with(|c| c.metrics_listen = Some(([127, 0, 0, 1], 0).into())).await;
    let beside = s
        .http
        .get(format!("{}/metrics", s.url))
        .send()
        .await
        .unwrap();
    assert_eq!(beside.status(), StatusCode::NOT_FOUND);
    let apart = s.running.as_ref().unwrap().metrics_addr.unwrap();
    let scraped = scrape(&s, &format!("http://{apart}/metrics")).await;
    assert!(scraped.samples.iter().any(|m| m.metric == "xin_sockets"));
}

#[test]
fn json_logs_are_one_object_a_line_for_a_collector() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_xin-server"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--log-format",
            "json",
            "--data-dir",
        ])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out = BufReader::new(server.stdout.take().unwrap());
    let mut listening = None;
    for line in out.lines().take(20) {
        let line = line.unwrap();
        let parsed: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(parsed["timestamp"].is_string() && parsed["level"].is_string());
        if parsed["fields"]["message"] == "xin-server listening" {
            listening = Some(parsed);
            break;
        }
    }
    let _ = server.kill();
    let _ = server.wait();
    let listening = listening.expect("the server says where it listens");
    assert!(listening["fields"]["addr"]
        .as_str()
        .unwrap()
        .starts_with("127.0.0.1:"));
}
