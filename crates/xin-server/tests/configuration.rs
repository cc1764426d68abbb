#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A node that cannot work stops at once with a clear message and a non-zero exit, instead of
//! running half-configured.

use std::process::Command;

/// Runs `xin-server` with `args` and a throwaway data directory; answers (exit success, stderr).
fn start(args: &[&str]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_xin-server"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            dir.path().to_str().unwrap(),
        ])
        .args(args)
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn a_database_url_needs_the_public_url_every_node_shares() {
    let (ok, said) = start(&["--database-url", "postgres://xin@127.0.0.1:1/xin"]);
    assert!(!ok);
    assert!(said.contains("--public-url"), "{said}");
}

#[test]
fn a_database_url_must_be_postgres() {
    let (ok, said) = start(&[
        "--database-url",
        "mysql://xin:secret@127.0.0.1/xin",
        "--public-url",
        "http://xin.example",
    ]);
    assert!(!ok);
    assert!(said.contains("postgres://"), "{said}");
    assert!(
        !said.contains("secret"),
        "the password is not printed: {said}"
    );
}

#[test]
fn an_unreachable_database_stops_the_node() {
    // Nothing listens on port 1.
    let (ok, said) = start(&[
        "--database-url",
        "postgres://xin:secret@127.0.0.1:1/xin",
        "--public-url",
        "http://xin.example",
    ]);
    assert!(!ok);
    assert!(said.contains("cannot connect to PostgreSQL"), "{said}");
    assert!(
        !said.contains("secret"),
        "the password is not printed: {said}"
    );
}

#[test]
fn an_unreachable_broker_stops_the_node() {
    let (ok, said) = start(&["--broker", "nats://127.0.0.1:1"]);
    assert!(!ok);
    assert!(said.contains("cannot connect to the broker"), "{said}");
}

#[test]
fn a_broker_must_be_nats() {
    let (ok, said) = start(&["--broker", "redis://127.0.0.1:6379"]);
    assert!(!ok);
    assert!(said.contains("nats://"), "{said}");
}

#[test]
fn an_unreachable_bucket_stops_the_node() {
    let (ok, said) = start(&[
        "--blobs",
        "s3://xin?endpoint=http://127.0.0.1:1&region=us-east-1",
    ]);
    assert!(!ok);
    assert!(said.contains("cannot reach the bucket"), "{said}");
}

#[test]
fn blobs_must_be_s3() {
    let (ok, said) = start(&["--blobs", "/var/lib/xin/files"]);
    assert!(!ok);
    assert!(said.contains("s3://"), "{said}");
    let (ok, said) = start(&[
        "--blobs",
        "s3://xin?endpoint=http://127.0.0.1:1&colour=blue",
    ]);
    assert!(!ok);
    assert!(said.contains("unknown option \"colour\""), "{said}");
}

#[test]
fn tls_needs_a_certificate_and_its_key() {
    let (ok, said) = start(&["--tls-cert", "/etc/xin/cert.pem"]);
    assert!(!ok);
    assert!(
        said.contains("--tls-cert and --tls-key go together"),
        "{said}"
    );
    let dir = tempfile::tempdir().unwrap();
    let not_pem = dir.path().join("cert.pem");
    std::fs::write(&not_pem, "not a certificate").unwrap();
    let path = not_pem.to_str().unwrap();
    let (ok, said) = start(&["--tls-cert", path, "--tls-key", path]);
    assert!(!ok);
    assert!(
        said.contains("--tls-cert") && said.contains("no certificate"),
        "{said}"
    );
}
