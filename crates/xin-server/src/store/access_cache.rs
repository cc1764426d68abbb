//! Access checks answered from memory, so an ordinary request does not read the database.
//!
//! A valid session is remembered for at most a minute (the precision of a device's "last
//! active"), and every change that could end one on this node — a sign-in on the device, a
//! refresh, a sign-out, a device removed — forgets them all once it has committed. A check that
//! read the database before such a change cannot put its stale answer back: entries carry the
//! generation they were read in. With several nodes a revocation elsewhere reaches this cache
//! within that minute, or at once through the broker that carries events between nodes.

use std::{collections::HashMap, sync::Mutex};

use super::sessions::Authed;

/// How long a check is trusted, in milliseconds.
const TRUST_MS: i64 = 60_000;
/// Entries kept at most; past it the cache starts over.
const CAPACITY: usize = 100_000;

struct Entry {
    authed: Authed,
    expires_at: i64,
    checked_at: i64,
}

#[derive(Default)]
struct Inner {
    generation: u64,
    entries: HashMap<String, Entry>,
}

#[derive(Default)]
pub(crate) struct AccessCache(Mutex<Inner>);

impl AccessCache {
    /// The generation a check starts in.
    pub fn generation(&self) -> u64 {
        self.0.lock().map(|i| i.generation).unwrap_or(u64::MAX)
    }

    pub fn get(&self, access_hash: &str, now: i64) -> Option<Authed> {
        let inner = self.0.lock().ok()?;
        let e = inner.entries.get(access_hash)?;
        (now < e.expires_at && now - e.checked_at < TRUST_MS).then(|| e.authed.clone())
    }

    /// Remembers a valid check, unless something ended sessions since it started.
    pub fn put(
        &self,
        generation: u64,
        access_hash: &str,
        authed: Authed,
        expires_at: i64,
        now: i64,
    ) {
        let Ok(mut inner) = self.0.lock() else {
            return;
        };
        if inner.generation != generation {
            return;
        }
        if inner.entries.len() >= CAPACITY {
            inner.entries.clear();
        }
        inner.entries.insert(
            access_hash.to_string(),
            Entry {
                authed,
                expires_at,
                checked_at: now,
            },
        );
    }

    /// After a committed change that may end sessions.
    pub fn forget_all(&self) {
        if let Ok(mut inner) = self.0.lock() {
            inner.generation = inner.generation.wrapping_add(1);
            inner.entries.clear();
        }
    }
}
