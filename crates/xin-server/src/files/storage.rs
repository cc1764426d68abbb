//! Where file bytes live. Uploads are staged on the server's own disk — chunks are appended and
//! verified there, whatever keeps the blobs — and a verified file is handed to a [`BlobStore`],
//! which keeps it under its BLAKE3.
//!
//! [`LocalBlobs`] keeps blobs under the data directory. An S3-compatible store (through the
//! `object_store` crate) implements the same trait: `put` streams the staged file up as a
//! multipart upload, `delete` removes the object, and `locate` answers a short-lived presigned
//! URL, so downloads go to the object store directly instead of through this server.

use std::{
    io,
    path::{Path, PathBuf},
    time::SystemTime,
};

use uuid::Uuid;

/// Where a download of a blob is served from.
pub enum BlobLocation {
    /// A file this server streams itself (with Range).
    File(PathBuf),
    /// Somewhere the client is redirected to (a presigned object-store URL).
    Redirect(String),
}

/// Keeps verified blobs, content-addressed. Calls may block: callers run them off the async
/// threads. `hash` is always 64 lowercase hex digits, checked before it gets here.
pub trait BlobStore: Send + Sync {
    /// Takes the verified file at `staged` as the blob `hash`, and answers true. When the blob
    /// exists already (someone else uploaded the same bytes), answers false and leaves the
    /// staged copy for the caller to drop: the hash proved them equal.
    fn put(&self, staged: &Path, hash: &str) -> io::Result<bool>;
    /// Removes a blob; a missing one is not an error.
    fn delete(&self, hash: &str) -> io::Result<()>;
    fn locate(&self, hash: &str) -> BlobLocation;
}

/// Uploads in progress, one file each, on local disk.
#[derive(Clone)]
pub struct Staging {
    root: PathBuf,
}

impl Staging {
    pub fn open(root: &Path) -> io::Result<Self> {
        std::fs::create_dir_all(root)?;
        Ok(Self {
            root: root.to_path_buf(),
        })
    }

    pub fn staged(&self, upload: Uuid) -> PathBuf {
        self.root.join(upload.to_string())
    }

    pub fn discard(&self, upload: Uuid) -> io::Result<()> {
        ignore_missing(std::fs::remove_file(self.staged(upload)))
    }

    /// The staged files last written before `cutoff`: uploads, or what a crash left of one.
    pub fn untouched_since(&self, cutoff: SystemTime) -> io::Result<Vec<Uuid>> {
        let mut old = Vec::new();
        for entry in std::fs::read_dir(&self.root)? {
            let entry = entry?;
            let Some(id) = entry
                .file_name()
                .to_str()
                .and_then(|n| Uuid::parse_str(n).ok())
            else {
                continue;
            };
            match entry.metadata().and_then(|m| m.modified()) {
                Ok(written) if written < cutoff => old.push(id),
                Ok(_) => {}
                // Gone since the listing: dropped by its own upload.
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(old)
    }
}

/// Blobs as files under the data directory, fanned out over 256 folders so no folder grows huge.
pub struct LocalBlobs {
    root: PathBuf,
}

impl LocalBlobs {
    pub fn open(root: &Path) -> io::Result<Self> {
        std::fs::create_dir_all(root)?;
        Ok(Self {
            root: root.to_path_buf(),
        })
    }

    fn path(&self, hash: &str) -> PathBuf {
        self.root.join(&hash[..2]).join(hash)
    }
}

impl BlobStore for LocalBlobs {
    fn put(&self, staged: &Path, hash: &str) -> io::Result<bool> {
        let target = self.path(hash);
        if target.exists() {
            return Ok(false);
        }
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::rename(staged, target).map(|()| true)
    }

    fn delete(&self, hash: &str) -> io::Result<()> {
        ignore_missing(std::fs::remove_file(self.path(hash)))
    }

    fn locate(&self, hash: &str) -> BlobLocation {
        BlobLocation::File(self.path(hash))
    }
}

fn ignore_missing(r: io::Result<()>) -> io::Result<()> {
    match r {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}
