#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The account cache is encrypted at rest: after a session of chatting (text in English and
//! Chinese, a file's name, a Moments post) no file under the app's data directory holds any
//! of it, nor a token or the cache key, in any form SQLite would write it; the cache opens
//! again after a restart with the key from the keyring, and not without it.
mod common;

use std::path::Path;

use common::*;
use xin_proto::{NewPost, Visibility};

/// Every file under `dir`, recursively, with its bytes.
fn files(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push((p.clone(), std::fs::read(&p).unwrap()));
        }
    }
    out
}

fn holds(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn nothing_readable_is_left_on_disk_and_the_cache_opens_again_with_its_key() {
    let server = Server::start().await;
    let (mut alice, bob) = pair(&server).await;
    let conv = alice.chat_with(&bob).await;
    let secrets = [
        "zebra-octopus-7781 meet at the north gate",
        "秘密暗号：月亮山见",
    ];
    for s in secrets {
        alice.say(conv, s).await;
    }
    // Sent before Bob answers, so the chat's order is known.
    alice.expect(conv, &secrets).await;
    let bob_conv = bob.chat_with(&alice).await;
    bob.say(bob_conv, "quokka-parchment-2024 reply").await;
    alice
        .expect(
            conv,
            &[secrets[0], secrets[1], "quokka-parchment-2024 reply"],
        )
        .await;
    bob.engine
        .create_post(NewPost {
            text: "flamingo-lantern-55 at sunset".into(),
            images: vec![],
            link: None,
            visibility: Visibility::All,
            users: vec![],
            tags: vec![],
        })
        .await
        .unwrap();
    let feed = alice.engine.moments(None).await.unwrap();
    assert_eq!(feed.posts[0].text, "flamingo-lantern-55 at sunset");
    // The search index holds the words too (and must be as unreadable).
    let found = alice.engine.search("月亮山".into()).await.unwrap();
    assert_eq!(found.messages.len(), 1);
    // Search finds the Moments post too (from the cached timeline).
    let found = alice.engine.search("FLAMINGO".into()).await.unwrap();
    assert_eq!(found.posts.len(), 1);
    assert!(found.messages.is_empty());

    alice.engine.shut_down().await;
    let mut needles: Vec<Vec<u8>> = vec![
        b"zebra-octopus".to_vec(),
        "秘密暗号".as_bytes().to_vec(),
        "月亮山".as_bytes().to_vec(),
        b"quokka-parchment".to_vec(),
        b"flamingo-lantern".to_vec(),
    ];
    let keys = alice.secrets();
    assert!(
        keys.len() >= 2,
        "a refresh token and the cache key: {keys:?}"
    );
    needles.extend(keys.iter().map(|k| k.as_bytes().to_vec()));
    let all = files(&alice.data_dir());
    let db = all
        .iter()
        .find(|(p, _)| {
            p.extension().is_some_and(|e| e == "db")
                && p.parent().is_some_and(|d| d.ends_with("accounts"))
        })
        .expect("the account cache")
        .0
        .clone();
    assert!(
        all.iter().map(|(_, b)| b.len()).sum::<usize>() > 50_000,
        "the cache holds something"
    );
    for (path, bytes) in &all {
        for n in &needles {
            assert!(
                !holds(bytes, n),
                "{} holds {:?}",
                path.display(),
                String::from_utf8_lossy(n)
            );
        }
    }
    // Without the key, SQLite sees no database.
    let plain = rusqlite::Connection::open(&db).unwrap();
    assert!(plain
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r
            .get::<_, i64>(0))
        .is_err());
    drop(plain);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(db.parent().unwrap())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the cache folder is this user's alone");
    }

    // Started again, the key from the keyring opens the same cache: history is there.
    alice.relaunch().await;
    let cached = alice.texts(conv).await;
    assert!(cached.iter().any(|t| t == secrets[1]), "{cached:?}");
    let found = alice.engine.search("zebra".into()).await.unwrap();
    assert_eq!(found.messages.len(), 1);
}
