//! Online backup and restore of the embedded store, for an operator's `xin-server backup DIR`
//! and `xin-server restore DIR`.
//!
//! A backup is a directory: `xin.db`, a consistent snapshot made with SQLite's `VACUUM INTO`
//! (one read transaction, so a server writing at the same time neither waits nor tears it), and
//! `files/blobs/`, every file the snapshot names, each checked against its BLAKE3 name as it is
//! copied. The snapshot is written under a temporary name and renamed last: a directory with
//! `xin.db` in it is a whole backup. Blobs are immutable and named by their hash, so copying
//! them after the snapshot is safe; one the collector removed meanwhile was one no message
//! pointed at any more, and is reported, not fatal.
//!
//! PostgreSQL has its own tools for this (`pg_dump`, base backups); see docs/operations.md.

use std::{
    fs, io,
    path::{Path, PathBuf},
    time::Duration,
};

use rusqlite::{Connection, OpenFlags};

/// The store's file inside a data directory or a backup.
const DB: &str = "xin.db";

/// What a backup or restore did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Copied {
    /// Files copied and checked against their hash.
    pub blobs: usize,
    /// Their bytes, and the snapshot's.
    pub bytes: u64,
    /// Files the snapshot names that were gone from the data directory (collected while the
    /// backup ran): their rows stay, and the restored server's collector tidies them.
    pub missing: Vec<String>,
}

fn err(what: &str, path: &Path, e: impl std::fmt::Display) -> String {
    format!("{what} {}: {e}", path.display())
}

/// Backs up the store in `data_dir` (the server may be running) into `dest`, which must not
/// exist or be empty.
pub fn backup(data_dir: &Path, dest: &Path) -> Result<Copied, String> {
    let source = data_dir.join(DB);
    if !source.is_file() {
        return Err(format!(
            "no store to back up at {} (is --data-dir right?)",
            source.display()
        ));
    }
    ensure_empty(dest)?;
    let partial = dest.join("xin.db.partial");
    let db = Connection::open_with_flags(
        &source,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| err("open", &source, e))?;
    // The writer holds its lock only for a commit; waiting for it is fine.
    db.busy_timeout(Duration::from_secs(30))
        .map_err(|e| err("open", &source, e))?;
    let target = partial
        .to_str()
        .ok_or_else(|| err("use", &partial, "the path is not UTF-8"))?;
    db.execute("VACUUM INTO ?1", [target])
        .map_err(|e| err("snapshot", &source, e))?;
    drop(db);

    let snapshot = Connection::open(&partial).map_err(|e| err("open", &partial, e))?;
    let hashes = blob_hashes(&snapshot, &partial)?;
    drop(snapshot);
    let mut copied = copy_blobs(
        &hashes,
        &data_dir.join("files/blobs"),
        &dest.join("files/blobs"),
    )?;
    copied.bytes += fs::metadata(&partial)
        .map_err(|e| err("read", &partial, e))?
        .len();
    sync(&partial)?;
    fs::rename(&partial, dest.join(DB)).map_err(|e| err("finish", dest, e))?;
    sync(dest)?;
    Ok(copied)
}

/// Restores the backup in `backup` into `data_dir`, which must hold no store yet. Checks the
/// snapshot's integrity and every file's hash before anything is put in place.
pub fn restore(backup: &Path, data_dir: &Path) -> Result<Copied, String> {
    let snapshot_path = backup.join(DB);
    if !snapshot_path.is_file() {
        return Err(format!(
            "{} is not a whole backup: it has no {DB}",
            backup.display()
        ));
    }
    if data_dir.join(DB).exists() {
        return Err(format!(
            "{} already holds a store: restore into a fresh data directory",
            data_dir.display()
        ));
    }
    let snapshot = Connection::open_with_flags(&snapshot_path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| err("open", &snapshot_path, e))?;
    let integrity: String = snapshot
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| err("check", &snapshot_path, e))?;
    if integrity != "ok" {
        return Err(err("check", &snapshot_path, integrity));
    }
    let hashes = blob_hashes(&snapshot, &snapshot_path)?;
    drop(snapshot);
    fs::create_dir_all(data_dir).map_err(|e| err("create", data_dir, e))?;
    let mut copied = copy_blobs(
        &hashes,
        &backup.join("files/blobs"),
        &data_dir.join("files/blobs"),
    )?;
    // Under a temporary name first: a store appears only whole.
    let partial = data_dir.join("xin.db.partial");
    copied.bytes += fs::copy(&snapshot_path, &partial).map_err(|e| err("copy", &partial, e))?;
    sync(&partial)?;
    fs::rename(&partial, data_dir.join(DB)).map_err(|e| err("finish", data_dir, e))?;
    sync(data_dir)?;
    Ok(copied)
}

fn ensure_empty(dest: &Path) -> Result<(), String> {
    match fs::read_dir(dest) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(format!(
                    "{} is not empty: back up into a new directory",
                    dest.display()
                ));
            }
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::create_dir_all(dest).map_err(|e| err("create", dest, e))
        }
        Err(e) => Err(err("open", dest, e)),
    }
}

fn blob_hashes(db: &Connection, path: &Path) -> Result<Vec<String>, String> {
    let mut stmt = db
        .prepare("SELECT hash FROM blobs ORDER BY hash")
        .map_err(|e| err("read", path, e))?;
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(|e| err("read", path, e))?;
    let hashes = rows
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| err("read", path, e))?;
    // Names become paths: never trust one that is not a hash.
    match hashes.iter().find(|h| !is_hash(h)) {
        Some(bad) => Err(err("read", path, format!("a file named {bad:?}"))),
        None => Ok(hashes),
    }
}

fn is_hash(h: &str) -> bool {
    h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Where a blob lives under a blobs directory (as `LocalBlobs` keeps them).
fn blob_path(root: &Path, hash: &str) -> PathBuf {
    root.join(&hash[..2]).join(hash)
}

/// Copies each blob from `from` to `to`, checking each copy's hash; one whose bytes do not
/// match their name fails the whole copy.
fn copy_blobs(hashes: &[String], from: &Path, to: &Path) -> Result<Copied, String> {
    let mut copied = Copied::default();
    for hash in hashes {
        let src = blob_path(from, hash);
        let dst = blob_path(to, hash);
        if !src.exists() {
            copied.missing.push(hash.clone());
            continue;
        }
        if let Some(dir) = dst.parent() {
            fs::create_dir_all(dir).map_err(|e| err("create", dir, e))?;
        }
        copied.bytes += fs::copy(&src, &dst).map_err(|e| err("copy", &src, e))?;
        let mut hasher = blake3::Hasher::new();
        hasher
            .update_reader(fs::File::open(&dst).map_err(|e| err("read", &dst, e))?)
            .map_err(|e| err("read", &dst, e))?;
        if hasher.finalize().to_hex().as_str() != hash {
            return Err(err(
                "check",
                &src,
                "its bytes do not match its name (damaged on disk)",
            ));
        }
        sync(&dst)?;
        copied.blobs += 1;
    }
    Ok(copied)
}

/// Puts a file, or a directory's entries, on disk before the next step relies on them.
fn sync(path: &Path) -> Result<(), String> {
    fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| err("sync", path, e))
}
