#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `cargo xtask bench`, search: a cache of 1 000 000 messages (Chinese and English chat lines,
//! generated), the time to index them as they are stored, the index's size, and the time the
//! search box waits for contacts, chats and the newest 50 messages, by kind of query.
//! `XIN_BENCH_SEARCH_MESSAGES` sets a smaller cache (the quick run).

#[path = "../tests/corpus/mod.rs"]
mod corpus;

use std::time::{Duration, Instant};

use corpus::{line, message, Lcg, CHINESE, LATIN};
use uuid::Uuid;
use xin_core::{cache::AccountDb, cache_key::CacheKey};

static KEY: std::sync::LazyLock<CacheKey> = std::sync::LazyLock::new(CacheKey::random);

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let total: usize = std::env::var("XIN_BENCH_SEARCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("account.db");
    let mut db = AccountDb::open(&path, &KEY).unwrap();
    let mut r = Lcg(42);
    // 200 chats, lines spread over them; stored 10 000 at a time like a long catch-up.
    let chats: Vec<Uuid> = (0..200).map(|_| Uuid::now_v7()).collect();
    let started = Instant::now();
    let mut seq = 0i64;
    while (seq as usize) < total {
        let batch: Vec<_> = (0..10_000.min(total - seq as usize))
            .map(|_| {
                seq += 1;
                message(chats[(r.next() as usize) % chats.len()], seq, &line(&mut r))
            })
            .collect();
        db.store_history(&batch).unwrap();
    }
    let indexing = started.elapsed();
    let sizes = db.search_index_size().unwrap();

    let mut classes: Vec<(&str, Vec<String>)> = vec![
        ("Chinese, 1 character", Vec::new()),
        ("Chinese, 2 characters", Vec::new()),
        ("Chinese, 3+ characters", Vec::new()),
        ("Latin word", Vec::new()),
        ("nowhere (3+ characters)", Vec::new()),
    ];
    for _ in 0..200 {
        let w: Vec<char> = r.pick(CHINESE).chars().collect();
        classes[0].1.push(w[0].to_string());
        classes[1].1.push(w[..2].iter().collect());
        classes[2].1.push(
            format!("{}{}", r.pick(CHINESE), r.pick(CHINESE))
                .chars()
                .take(3 + (r.next() % 2) as usize)
                .collect(),
        );
        classes[3].1.push(r.pick(LATIN).to_lowercase());
        classes[4].1.push(format!("zq{}", r.next() % 1000));
    }
    let mut report = format!(
        "## Local search ({total} cached messages)\n\n- Indexing while storing: {:.1} s for {total} messages ({:.0} messages/s), \
         batches of 10 000 in one transaction each.\n- Index size: {:.0} MiB (trigrams {:.0} MiB, 1–2 character pieces {:.0} MiB); \
         the whole cache file {:.0} MiB.\n\n| query | p50 | p95 | max | hits (median) |\n|---|---|---|---|---|\n",
        indexing.as_secs_f64(),
        total as f64 / indexing.as_secs_f64(),
        (sizes.0 + sizes.1) as f64 / 1048576.0,
        sizes.0 as f64 / 1048576.0,
        sizes.1 as f64 / 1048576.0,
        std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64 / 1048576.0,
    );
    for (name, queries) in &classes {
        let mut times = Vec::new();
        let mut hits = Vec::new();
        for q in queries {
            let t = Instant::now();
            let found = db.search(q).unwrap();
            times.push(t.elapsed());
            hits.push(found.messages.len());
        }
        times.sort();
        hits.sort();
        report.push_str(&format!(
            "| {name} | {:.2} ms | {:.2} ms | {:.2} ms | {} |\n",
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.95).as_secs_f64() * 1e3,
            times.last().unwrap().as_secs_f64() * 1e3,
            hits[hits.len() / 2],
        ));
    }
    println!("{report}");
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-search.md");
    std::fs::write(&out, &report).unwrap();
}
