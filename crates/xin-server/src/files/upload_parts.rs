//! Uploads staged in the object store part by part (`--blobs s3://…`), so the death of the node
//! receiving an upload costs the uploader at most one part: whichever node it reaches next
//! continues from the end of the last part the database records, with the file's hash state
//! rebuilt from the parts' piece checksums (never from bytes it does not have).
//!
//! Only files bigger than one part go this way; a smaller one is sent whole when it completes,
//! as on local disk, and is cheap to send again.

use std::{path::PathBuf, sync::Arc};

use uuid::Uuid;
use xin_proto::{pieces::piece_checksum, PIECE};

use super::{
    receive::io_error,
    storage::{BlobStore, PartStore},
};
use crate::{
    error::{ApiError, ApiResult},
    store::{Store, UploadPart},
};

/// Bytes per part: whole pieces (their checksums are what a continuation rests on), and at
/// least the 5 MiB S3 asks of every part but the last.
pub const PART: u64 = 2 * PIECE;

/// How far an upload's parts in the object store reach.
#[derive(Debug, Clone, Default)]
pub struct Shipped {
    /// The object store's multipart upload, once the first part went.
    pub multipart: Option<String>,
    /// Bytes the parts hold, from the start.
    pub end: u64,
}

/// Sends an upload's verified bytes, part by part, from its staged file to the object store.
pub struct Shipper {
    pub store: Store,
    pub blobs: Arc<dyn BlobStore>,
    pub id: Uuid,
    pub hash: String,
    pub size: u64,
    pub path: PathBuf,
    pub shipped: Shipped,
}

/// Whether uploads of `size` bytes are staged in `blobs` part by part.
pub fn staged_in_parts(blobs: &dyn BlobStore, size: u64) -> bool {
    blobs.parts().is_some() && size > PART
}

impl Shipper {
    fn parts(&self) -> ApiResult<&dyn PartStore> {
        self.blobs
            .parts()
            .ok_or_else(|| ApiError::Internal("the blob store stages no parts".into()))
    }

    /// Whether `verified` bytes make a part that is not sent yet: a whole one, or the last.
    pub fn due(&self, verified: u64) -> bool {
        verified > self.shipped.end
            && (verified - self.shipped.end >= PART || verified == self.size)
    }

    /// Sends every part `verified` bytes complete that is not sent yet (the last, short part
    /// once `verified` is the whole file), each recorded in the database once the object store
    /// has it.
    pub async fn ship_up_to(&mut self, verified: u64) -> ApiResult<()> {
        while self.due(verified) {
            let start = self.shipped.end;
            let len = PART.min(self.size - start);
            let bytes = read_range(self.path.clone(), start, len).await?;
            let multipart = match &self.shipped.multipart {
                Some(m) => m.clone(),
                None => self.begin(&bytes).await?,
            };
            let checksums = (0..len)
                .step_by(usize::try_from(PIECE).unwrap_or(usize::MAX))
                .map(|at| {
                    let from = usize::try_from(at).unwrap_or(usize::MAX);
                    let to = usize::try_from((at + PIECE).min(len)).unwrap_or(usize::MAX);
                    piece_checksum(&bytes[from..to], start + at, self.size)
                })
                .collect();
            let part = start / PART;
            let etag = self
                .parts()?
                .put_part(&self.hash, &multipart, part, bytes)
                .await
                .map_err(|e| io_error("send a part to the bucket", e))?;
            let part = UploadPart {
                part,
                etag,
                checksums,
            };
            self.store.record_part(self.id, part, start + len).await?;
            self.shipped.end = start + len;
        }
        Ok(())
    }

    /// Opens the upload's staging in the object store with its first part's bytes in hand
    /// (their media type is recorded), unless another node opened one first.
    async fn begin(&mut self, first: &[u8]) -> ApiResult<String> {
        let media_type = super::uploads::sniff_bytes(first);
        let parts = self.parts()?;
        let ours = parts
            .begin(&self.hash)
            .await
            .map_err(|e| io_error("start a multipart upload", e))?;
        let kept = self
            .store
            .begin_multipart(self.id, ours.clone(), media_type)
            .await?;
        if kept != ours {
            if let Err(e) = parts.abort(&self.hash, &ours).await {
                tracing::warn!(id = %self.id, "abort a spare multipart upload: {e}");
            }
        }
        self.shipped.multipart = Some(kept.clone());
        Ok(kept)
    }
}

async fn read_range(path: PathBuf, start: u64, len: u64) -> ApiResult<bytes::Bytes> {
    tokio::task::spawn_blocking(move || {
        use std::io::{Read, Seek, SeekFrom};
        let mut file = std::fs::File::open(path)?;
        file.seek(SeekFrom::Start(start))?;
        let mut buf = vec![0u8; usize::try_from(len).unwrap_or(usize::MAX)];
        file.read_exact(&mut buf)?;
        Ok::<_, std::io::Error>(bytes::Bytes::from(buf))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .map_err(|e| io_error("read a part of a staged upload", e))
}
