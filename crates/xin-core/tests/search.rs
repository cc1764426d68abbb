#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Local search against ground truth: on a generated corpus of Chinese and English chat lines,
//! every query — Chinese of 1, 2, 3 and more characters, Latin words in any case, substrings
//! across word boundaries, strings that are nowhere — finds exactly the messages a plain
//! `LIKE '%q%'` scan over the same cache finds. New messages are found as they arrive; a
//! recalled or hidden one is not found any more.

mod corpus;

use std::collections::BTreeSet;

use corpus::{line, message, Lcg};
use uuid::Uuid;
use xin_core::{cache::AccountDb, cache_key::CacheKey};

static KEY: std::sync::LazyLock<CacheKey> = std::sync::LazyLock::new(CacheKey::random);
use xin_proto::Message;

/// The ground truth: a plain LIKE scan over the same cache file.
fn like(path: &std::path::Path, q: &str) -> BTreeSet<Uuid> {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch(&format!("PRAGMA key = \"x'{}'\";", KEY.hex()))
        .unwrap();
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let mut stmt = c
        .prepare(
            "SELECT id FROM messages WHERE json_extract(body, '$.recalled') = 0
               AND json_extract(body, '$.content.text') LIKE '%' || ?1 || '%' ESCAPE '\\'",
        )
        .unwrap();
    stmt.query_map([escaped], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|id| id.unwrap().parse().unwrap())
        .collect()
}

fn found(db: &AccountDb, q: &str) -> BTreeSet<Uuid> {
    db.search_messages(q, 1_000_000)
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect()
}

#[test]
fn every_query_finds_what_a_like_scan_finds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("account.db");
    let mut db = AccountDb::open(&path, &KEY).unwrap();
    let mut r = Lcg(7);
    let conv = Uuid::now_v7();
    let texts: Vec<String> = (0..3000).map(|_| line(&mut r)).collect();
    let messages: Vec<Message> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| message(conv, i as i64 + 1, t))
        .collect();
    db.store_history(&messages).unwrap();

    let mut queries: Vec<String> = vec![
        "天".into(),
        "好".into(),
        "山".into(),
        "天气".into(),
        "天天".into(),
        "没问".into(),
        "月亮山".into(),
        "今天天气".into(),
        "hello".into(),
        "HELLO".into(),
        "Coffee".into(),
        "o".into(),
        "ok".into(),
        "OK".into(),
        "e c".into(),
        "好的，".into(),
        "zzz".into(),
        "鲸鱼".into(),
        "鲸".into(),
        "100%".into(),
        "a_b".into(),
    ];
    // Substrings of real lines, of every length from 1 to 6.
    for len in 1..=6 {
        for _ in 0..40 {
            let t: Vec<char> = texts[(r.next() as usize) % texts.len()].chars().collect();
            if t.len() < len {
                continue;
            }
            let at = (r.next() as usize) % (t.len() - len + 1);
            queries.push(t[at..at + len].iter().collect());
        }
    }
    let mut checked = 0;
    for q in &queries {
        let q = q.trim();
        if q.is_empty() {
            continue;
        }
        let truth = like(&path, q);
        assert_eq!(found(&db, q), truth, "query {q:?}");
        checked += 1;
    }
    assert!(checked > 200, "{checked} queries");
    // Found things, too: a test that only ever agrees on "nothing" proves nothing.
    assert!(found(&db, "天").len() > 500);
    assert!(found(&db, "天气").len() > 100);

    // Newest first, and a page is the newest page.
    let page = db.search_messages("天", 10).unwrap();
    let seqs: Vec<i64> = page.iter().map(|m| m.seq).collect();
    let mut sorted = seqs.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seqs, sorted);
    assert!(seqs[0] > 2900);

    // A new message is found at once; recalled or hidden, it is gone.
    let new = message(conv, 3001, "鲸鱼 whale watching");
    db.store_history(std::slice::from_ref(&new)).unwrap();
    assert_eq!(found(&db, "鲸"), BTreeSet::from([new.id]));
    assert_eq!(found(&db, "whale"), BTreeSet::from([new.id]));
    let mut recalled = new.clone();
    recalled.recalled = true;
    db.store_history(std::slice::from_ref(&recalled)).unwrap();
    assert!(found(&db, "鲸").is_empty() && found(&db, "whale").is_empty());
}
