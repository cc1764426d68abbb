//! The account cache's encryption (SQLCipher): a random 256-bit key per account, kept in the
//! OS keyring next to the refresh token, never on disk. Opening a cache that predates
//! encryption migrates it; a cache whose key is gone is set aside (it is only a cache: the
//! server has the history) rather than read without a key.

use std::path::{Path, PathBuf};

use rand::RngCore;
use rusqlite::Connection;

use crate::error::{CoreError, CoreResult};

/// 32 random bytes, as the 64 hex digits SQLCipher takes as a raw key.
#[derive(Clone, PartialEq, Eq)]
pub struct CacheKey(String);

impl std::fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CacheKey(…)")
    }
}

impl CacheKey {
    /// A new key from the system's random source.
    pub fn random() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// A key as the keyring keeps it; None unless it is 64 hex digits.
    pub fn from_hex(s: &str) -> Option<Self> {
        (s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| Self(s.to_ascii_lowercase()))
    }

    /// The key as 64 hex digits, as the keyring keeps it.
    pub fn hex(&self) -> &str {
        &self.0
    }

    /// The `PRAGMA key` / `ATTACH … KEY` value: a raw key, no passphrase derivation.
    fn sql(&self) -> String {
        format!("\"x'{}'\"", self.0)
    }
}

/// The keyring entry for an account's cache key.
pub fn cache_key_name(server: &str, user_id: &uuid::Uuid) -> String {
    format!("cache:{server}:{user_id}")
}

/// Where an account's cache lives.
pub fn cache_path(data_dir: &Path, user: &uuid::Uuid) -> PathBuf {
    data_dir.join("accounts").join(format!("{user}.db"))
}

/// Deletes an account's cache (with its journal).
pub fn remove_cache(data_dir: &Path, user: &uuid::Uuid) {
    remove_with_journal(&cache_path(data_dir, user));
}

fn readable(conn: &Connection) -> bool {
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .is_ok()
}

fn keyed(path: &Path, key: &CacheKey) -> CoreResult<Connection> {
    let conn = Connection::open(path)?;
    conn.execute_batch(&format!("PRAGMA key = {};", key.sql()))?;
    Ok(conn)
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

fn remove_with_journal(path: &Path) {
    for p in [
        path.to_path_buf(),
        sibling(path, "-wal"),
        sibling(path, "-shm"),
    ] {
        let _ = std::fs::remove_file(p);
    }
}

/// Opens the cache at `path` with `key`: a new file is created encrypted; a plaintext one is
/// rewritten encrypted (and the plaintext removed); one that opens neither way is set aside.
pub fn open_encrypted(path: &Path, key: &CacheKey) -> CoreResult<Connection> {
    let conn = keyed(path, key)?;
    if readable(&conn) {
        return Ok(conn);
    }
    drop(conn);
    let plain = Connection::open(path)?;
    // Copying rows may fire the search index's triggers.
    crate::search_index::register(&plain)?;
    if readable(&plain) {
        let encrypted = sibling(path, ".encrypting");
        remove_with_journal(&encrypted);
        plain.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        plain.execute(
            &format!("ATTACH DATABASE ?1 AS encrypted KEY {}", key.sql()),
            [encrypted.to_string_lossy()],
        )?;
        plain.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        let version: i64 = plain.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        plain.execute_batch(&format!(
            "PRAGMA encrypted.user_version = {version}; DETACH DATABASE encrypted;"
        ))?;
        drop(plain);
        remove_with_journal(path);
        std::fs::rename(&encrypted, path).map_err(|e| CoreError::Cache(e.to_string()))?;
        tracing::info!("encrypted the account cache {}", path.display());
    } else {
        drop(plain);
        tracing::warn!(
            "the account cache {} opens with neither its key nor none: starting afresh",
            path.display()
        );
        remove_with_journal(path);
    }
    let conn = keyed(path, key)?;
    if !readable(&conn) {
        return Err(CoreError::Cache(
            "the encrypted cache cannot be read".into(),
        ));
    }
    Ok(conn)
}
