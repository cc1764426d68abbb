#![allow(clippy::unwrap_used, clippy::expect_used)]
//! HTTPS without a proxy: with `--tls-cert` and `--tls-key` the server speaks TLS, so a phone on
//! the LAN gets the secure page its microphone and camera need for calls.

mod common;

use common::TestServer;

#[tokio::test]
async fn the_server_serves_https_with_its_own_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let made =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.key_pair.serialize_pem()).unwrap();
    let s = TestServer::with(|c| {
        c.tls_cert = Some(cert.clone());
        c.tls_key = Some(key.clone());
    })
    .await;
    assert!(s.url.starts_with("https://"), "{}", s.url);

    // A client that trusts the certificate (a phone that installed it) is served.
    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(made.cert.pem().as_bytes()).unwrap())
        .build()
        .unwrap();
    let health = trusting
        .get(format!("{}/api/v1/health", s.url))
        .send()
        .await
        .unwrap();
    assert!(health.status().is_success());

    // One that does not is refused, and plain HTTP on the TLS port gets no page.
    assert!(reqwest::get(format!("{}/api/v1/health", s.url))
        .await
        .is_err());
    let plain = reqwest::get(format!(
        "{}/api/v1/health",
        s.url.replacen("https://", "http://", 1)
    ))
    .await;
    assert!(plain.is_err() || !plain.unwrap().status().is_success());

    // A silent client holding a connection open does not stop others being served.
    let _silent = tokio::net::TcpStream::connect(s.url.trim_start_matches("https://"))
        .await
        .unwrap();
    let again = trusting
        .get(format!("{}/api/v1/health", s.url))
        .send()
        .await
        .unwrap();
    assert!(again.status().is_success());
}
