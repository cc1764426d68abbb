//! `xin-server backup` and `xin-server restore`, run as an operator runs them: the real binary
//! against a running server's data directory while people keep sending messages; then a fresh
//! server on the restored copy serves every acknowledged message, the files, and money that
//! adds up.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::atomic::{AtomicBool, Ordering};

use common::{png, run_cli, upload, Party, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_taken_while_messages_are_sent_restores_every_acknowledged_one_and_a_sound_ledger()
{
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let bob = Party::join(&s, "bob", "13800000002").await;
    alice.befriend(&bob).await;
    let conv = alice.direct(&bob).await;
    let photo = upload(&alice, &png()).await;
    alice.fund(10_000).await;
    alice
        .ok(
            Method::POST,
            "/wallet/transfers",
            Some(
                json!({"idempotency_key": common::uuid_v7(), "conversation_id": conv,
                        "amount_fen": 2_500, "pin": common::PIN}),
            ),
        )
        .await;

    for i in 0..30 {
        bob.say(&conv, &format!("early {i}")).await;
    }

    // Alice keeps sending while the operator backs up.
    let backups = tempfile::tempdir().unwrap();
    let dest = backups.path().join("monday");
    let done = AtomicBool::new(false);
    let sending = async {
        let mut acked = Vec::new();
        let mut i = 0;
        while !done.load(Ordering::Acquire) || i < 20 {
            let text = format!("m{i}");
            let (status, _) = alice.send(&conv, &text).await;
            assert!(status.is_success(), "{status}");
            acked.push(text);
            i += 1;
        }
        acked
    };
    let backing_up = async {
        let acked_before = alice.texts(&conv).await;
        let (data, to) = (s.data_dir().to_path_buf(), dest.clone());
        let result =
            tokio::task::spawn_blocking(move || run_cli(&data, &["backup", to.to_str().unwrap()]))
                .await
                .unwrap();
        done.store(true, Ordering::Release);
        (acked_before, result)
    };
    let (acked, (acked_before, (ok, said))) = tokio::join!(sending, backing_up);
    assert!(ok, "{said}");
    assert!(said.contains("backup: 1 files"), "{said}");

    // Back up into a directory that holds something: refused, and nothing written there.
    let (ok, said) = run_cli(s.data_dir(), &["backup", dest.to_str().unwrap()]);
    assert!(!ok && said.contains("is not empty"), "{said}");

    let fresh = tempfile::tempdir().unwrap();
    let (ok, said) = run_cli(fresh.path(), &["restore", dest.to_str().unwrap()]);
    assert!(ok, "{said}");
    assert!(said.contains("every invariant holds"), "{said}");
    // Never over a store: the restore refuses and leaves it as it was.
    let (ok, said) = run_cli(s.data_dir(), &["restore", dest.to_str().unwrap()]);
    assert!(!ok && said.contains("already holds a store"), "{said}");

    // A server on the restored copy: Bob's session, the messages, the photo, the money.
    let restored = TestServer::on_data_dir(fresh).await;
    let bob_there = bob.on(&restored);
    let texts = bob_there.texts(&conv).await;
    assert!(acked_before.len() >= 30);
    for text in &acked_before {
        assert!(
            texts.contains(text),
            "{text} was acknowledged before the backup"
        );
    }
    // A snapshot, not a smear: what it holds of Alice's stream is a prefix of it, no holes.
    let sent: Vec<&String> = texts.iter().filter(|t| t.starts_with('m')).collect();
    assert_eq!(sent, acked.iter().take(sent.len()).collect::<Vec<_>>());
    let got = restored
        .http
        .get(format!("{}/api/v1/blobs/{photo}", restored.url))
        .bearer_auth(&alice.user.access)
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.bytes().await.unwrap().as_ref(), png().as_slice());
    assert_eq!(alice.on(&restored).balance().await, 7_500);
    restored.ledger_is_sound();
}

#[tokio::test]
async fn a_backup_or_restore_that_cannot_be_made_says_why_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, said) = run_cli(
        dir.path(),
        &["backup", dir.path().join("b").to_str().unwrap()],
    );
    assert!(!ok && said.contains("no store to back up"), "{said}");
    assert!(!dir.path().join("b").exists());

    let not_a_backup = tempfile::tempdir().unwrap();
    let target = dir.path().join("data");
    let (ok, said) = run_cli(&target, &["restore", not_a_backup.path().to_str().unwrap()]);
    assert!(!ok && said.contains("not a whole backup"), "{said}");
    assert!(!target.join("xin.db").exists());
}
