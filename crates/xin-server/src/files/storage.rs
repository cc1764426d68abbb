//! Where file bytes live. Uploads are staged on the server's own disk — chunks are appended and
//! verified there, whatever keeps the blobs — and a verified file is handed to a [`BlobStore`],
//! which keeps it under its BLAKE3.
//!
//! [`LocalBlobs`] keeps blobs under the data directory. [`super::s3_blobs::S3Blobs`] keeps them
//! in S3-compatible storage (`--blobs s3://…`): `put` streams the staged file up as a multipart
//! upload, `delete` removes the object, and `locate` answers a short-lived presigned URL, so
//! downloads go to the object store directly instead of through this server. It is also a
//! [`PartStore`]: a big upload's verified parts go up while it arrives, so another node can
//! finish it (see `upload_parts`).

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

/// Media a browser may show inline. Anything else is served as an attachment of an opaque
/// type, so a file can never run as a page on the origin that serves it.
pub const INLINE: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "audio/ogg",
    "audio/webm",
    "audio/mpeg",
    "audio/x-wav",
    "audio/mp4",
    "video/mp4",
    "video/webm",
];

/// How a blob of `media_type` is served: its `Content-Type` and `Content-Disposition`.
pub fn served_as(media_type: &str) -> (&str, &'static str) {
    if INLINE.contains(&media_type) {
        (media_type, "inline")
    } else {
        ("application/octet-stream", "attachment")
    }
}

/// Keeps verified blobs, content-addressed. `hash` is always 64 lowercase hex digits, checked
/// before it gets here.
#[async_trait::async_trait]
pub trait BlobStore: Send + Sync {
    /// Takes the verified file at `staged`, of `media_type`, as the blob `hash`, and answers
    /// true (the staged file is gone). When the blob exists already (someone else uploaded the
    /// same bytes), answers false and leaves the staged copy for the caller to drop: the hash
    /// proved them equal.
    async fn put(&self, staged: &Path, hash: &str, media_type: &str) -> io::Result<bool>;
    /// Removes a blob; a missing one is not an error.
    async fn delete(&self, hash: &str) -> io::Result<()>;
    /// Where a download of `hash`, served as `media_type`, comes from.
    async fn locate(&self, hash: &str, media_type: &str) -> io::Result<BlobLocation>;
    /// The store's own staging for uploads, when it has one that every node reaches.
    fn parts(&self) -> Option<&dyn PartStore> {
        None
    }
}

/// Uploads staged in the blob store itself, part by part, so that when the node receiving an
/// upload dies, whichever node the uploader reaches next continues from the last part sent
/// (S3 multipart uploads). Parts go to the blob's own key and become the blob at `finish`.
#[async_trait::async_trait]
pub trait PartStore: Send + Sync {
    /// Starts the staging of blob `hash`; answers its id in the store.
    async fn begin(&self, hash: &str) -> io::Result<String>;
    /// Sends part `part` (0, 1, …) of the staging `multipart`; answers the store's tag for it.
    async fn put_part(
        &self,
        hash: &str,
        multipart: &str,
        part: u64,
        bytes: bytes::Bytes,
    ) -> io::Result<String>;
    /// Joins the parts, in order, into the blob.
    async fn finish(&self, hash: &str, multipart: &str, etags: Vec<String>) -> io::Result<()>;
    /// Drops a staging and the parts it holds.
    async fn abort(&self, hash: &str, multipart: &str) -> io::Result<()>;
    /// Whether blob `hash` exists already (its bytes need not be staged again).
    async fn exists(&self, hash: &str) -> io::Result<bool>;
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

#[async_trait::async_trait]
impl BlobStore for LocalBlobs {
    async fn put(&self, staged: &Path, hash: &str, _media_type: &str) -> io::Result<bool> {
        let target = self.path(hash);
        if tokio::fs::try_exists(&target).await? {
            return Ok(false);
        }
        if let Some(dir) = target.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        tokio::fs::rename(staged, target).await.map(|()| true)
    }

    async fn delete(&self, hash: &str) -> io::Result<()> {
        ignore_missing(tokio::fs::remove_file(self.path(hash)).await)
    }

    async fn locate(&self, hash: &str, _media_type: &str) -> io::Result<BlobLocation> {
        Ok(BlobLocation::File(self.path(hash)))
    }
}

pub(super) fn ignore_missing(r: io::Result<()>) -> io::Result<()> {
    match r {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}
