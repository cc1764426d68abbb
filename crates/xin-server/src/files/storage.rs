//! Where file bytes live: verified blobs under their BLAKE3, and uploads being staged.
//!
//! Local files under the data directory now. The seam for an S3-compatible store (through the
//! `object_store` crate) is this type: a staged upload becomes a multipart upload whose parts
//! are tus chunks (Xin's 8 MiB chunks fit S3's 5 MiB minimum), `commit` completes it, and a
//! download redirects to a presigned URL instead of streaming from here.

use std::{
    io,
    path::{Path, PathBuf},
};

use uuid::Uuid;

pub struct LocalStorage {
    root: PathBuf,
}

impl LocalStorage {
    pub fn open(root: &Path) -> io::Result<Self> {
        std::fs::create_dir_all(root.join("blobs"))?;
        std::fs::create_dir_all(root.join("uploads"))?;
        Ok(Self {
            root: root.to_path_buf(),
        })
    }

    /// The staged bytes of an upload in progress.
    pub fn staged(&self, upload: Uuid) -> PathBuf {
        self.root.join("uploads").join(upload.to_string())
    }

    /// A verified blob (`hash` is checked to be 64 hex digits before it gets here), fanned out
    /// over 256 folders so no folder grows huge.
    pub fn blob(&self, hash: &str) -> PathBuf {
        self.root.join("blobs").join(&hash[..2]).join(hash)
    }

    /// Makes a verified upload the blob `hash`. When the blob exists already (someone else
    /// uploaded the same bytes), the staged copy is simply dropped: the hash proved them equal.
    pub fn commit(&self, upload: Uuid, hash: &str) -> io::Result<()> {
        let target = self.blob(hash);
        let staged = self.staged(upload);
        if target.exists() {
            return std::fs::remove_file(staged);
        }
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::rename(staged, target)
    }

    pub fn discard(&self, upload: Uuid) -> io::Result<()> {
        ignore_missing(std::fs::remove_file(self.staged(upload)))
    }

    pub fn delete_blob(&self, hash: &str) -> io::Result<()> {
        ignore_missing(std::fs::remove_file(self.blob(hash)))
    }
}

fn ignore_missing(r: io::Result<()>) -> io::Result<()> {
    match r {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}
