//! tus uploads: verified bytes appended to a staged file, made a blob once the whole file's
//! BLAKE3 matches. How a request's bytes are taken and checked is in `receive`.
//!
//! The verified offset and the file's pieces hashed so far live in memory while the server
//! runs; the database holds a checkpoint of the offset (see `receive`). After a restart both are
//! rebuilt from the staged file, so the hash state never needs to be stored.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::body::Body;
use tokio::sync::watch;
use uuid::Uuid;
use xin_proto::{pieces::Pieces, ErrorCode, PIECE};

use super::{
    receive::{io_error, receive, Checks, Target},
    receiving::ReceivingBounds,
    storage::{BlobStore, Staging},
    upload_parts::{staged_in_parts, Shipped, Shipper, PART},
};
use crate::{
    error::{ApiError, ApiResult},
    store::{BlobLocks, OpenMultipart, StagedParts, Store, UploadRow},
};

/// How long a request waits for an earlier one on the same upload (a client that reconnects
/// while its old request is still being torn down).
const LOCK_WAIT: Duration = Duration::from_secs(30);

/// What the server knows of an upload it is receiving.
struct Live {
    /// The verified offset.
    received: u64,
    /// What the database holds (synced to disk first).
    persisted: u64,
    /// The file's pieces hashed up to `received`.
    pieces: Pieces,
    /// For an upload staged in the object store part by part: how far the parts reach.
    shipped: Option<Shipped>,
}

/// An upload this server is receiving: its state, which one request at a time holds, and how a
/// request that arrives tells the one holding it to stop.
#[derive(Clone)]
struct Slot {
    live: Arc<tokio::sync::Mutex<Option<Live>>>,
    /// Counts the requests that arrived. Only the uploader sends them, and it sends a new one
    /// (or asks for the offset) only once it has given the last one up: after a reconnect,
    /// when the old connection may never tell the server it died. So the request receiving
    /// bytes stops at once, rather than holding the upload until its bytes time out.
    arrivals: Arc<watch::Sender<u64>>,
}

impl Default for Slot {
    fn default() -> Self {
        Self {
            live: Arc::default(),
            arrivals: Arc::new(watch::channel(0).0),
        }
    }
}

/// A request's hold on an upload.
struct Turn {
    live: tokio::sync::OwnedMutexGuard<Option<Live>>,
    /// Changes when a newer request arrives.
    superseded: watch::Receiver<u64>,
}

impl Slot {
    /// Stops the request holding the upload, if any, and takes its place.
    async fn take_turn(&self) -> Option<Turn> {
        self.arrivals.send_modify(|n| *n += 1);
        let live = tokio::time::timeout(LOCK_WAIT, self.live.clone().lock_owned())
            .await
            .ok()?;
        Some(Turn {
            live,
            superseded: self.arrivals.subscribe(),
        })
    }
}

pub struct Uploads {
    staging: Staging,
    blobs: Arc<dyn BlobStore>,
    /// Verified bytes between two durable checkpoints of an upload's offset.
    checkpoint: u64,
    /// How long a request may send nothing before it is taken as gone.
    silence: Duration,
    live: Mutex<HashMap<Uuid, Slot>>,
    receiving: ReceivingBounds,
    /// Held while a blob is committed and while garbage is collected, so a collection can never
    /// delete the bytes of a blob committed at the same moment.
    pub(super) commit_lock: tokio::sync::Mutex<()>,
}

/// What a chunk must hash to: `Upload-Checksum: blake3 <base64 digest>`.
pub struct Checksum(pub [u8; 32]);

impl Checksum {
    pub fn parse(header: Option<&str>) -> ApiResult<Self> {
        use base64::Engine;
        let bad = || {
            ApiError::invalid(
                "Upload-Checksum: send `blake3 <base64 of the chunk's BLAKE3>` with every chunk",
            )
        };
        let (algo, value) = header.and_then(|h| h.split_once(' ')).ok_or_else(bad)?;
        if algo != xin_proto::CHECKSUM_ALGORITHM {
            return Err(bad());
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(value.trim())
            .map_err(|_| bad())?;
        Ok(Self(bytes.try_into().map_err(|_| bad())?))
    }
}

impl Uploads {
    pub fn new(
        staging: Staging,
        blobs: Arc<dyn BlobStore>,
        checkpoint: u64,
        silence: Duration,
        receiving: ReceivingBounds,
    ) -> Self {
        Self {
            staging,
            blobs,
            checkpoint: checkpoint.max(1),
            silence: silence.max(Duration::from_secs(1)),
            live: Mutex::default(),
            receiving,
            commit_lock: tokio::sync::Mutex::new(()),
        }
    }

    /// Upload requests receiving bytes right now, for the metrics.
    pub fn receiving(&self) -> usize {
        self.receiving.in_all()
    }

    pub fn staging(&self) -> &Staging {
        &self.staging
    }

    pub fn blobs(&self) -> &dyn BlobStore {
        self.blobs.as_ref()
    }

    fn slot(&self, id: Uuid) -> Slot {
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        live.entry(id).or_default().clone()
    }

    /// The verified offset of an upload this server is receiving (the database may be behind).
    /// A request still receiving bytes is stopped and its whole pieces kept, so the answer is
    /// where the next request must start.
    pub async fn live_offset(&self, id: Uuid) -> Option<u64> {
        let slot = self
            .live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .cloned()?;
        let turn = slot.take_turn().await?;
        turn.live.as_ref().map(|l| l.received)
    }

    /// Where an upload that is not being received here stands. Staged in the object store
    /// part by part: the end of its last part, whichever node sent it. Otherwise the database's
    /// checkpoint, as far as this node's staged copy holds it: a node without a copy (the
    /// upload was staged on another, which died or the balancer moved away from) has it start
    /// over here.
    pub async fn resting_offset(&self, store: &Store, upload: &UploadRow) -> ApiResult<u64> {
        if staged_in_parts(self.blobs.as_ref(), upload.size) {
            return Ok(parts_end(
                &store.staged_parts(upload.id).await?,
                upload.size,
            ));
        }
        let here = tokio::fs::metadata(self.staging.staged(upload.id))
            .await
            .map(|m| m.len())
            .unwrap_or(0);
        Ok(upload.received.min(here))
    }

    fn forget(&self, id: Uuid) {
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        live.remove(&id);
    }

    /// Creates the empty staged file of a new upload.
    pub async fn stage(&self, id: Uuid) -> ApiResult<()> {
        tokio::fs::File::create(self.staging.staged(id))
            .await
            .map_err(|e| io_error("stage upload", e))?;
        Ok(())
    }

    /// Takes one request's bytes at `offset`; answers the new verified offset. Completes the
    /// upload when that is its size.
    pub async fn append(
        &self,
        store: &Store,
        upload: UploadRow,
        offset: u64,
        checks: Checks,
        body: Body,
    ) -> ApiResult<u64> {
        let _receiving = self.receiving.enter(upload.user_id)?;
        let Turn {
            live: mut guard,
            superseded,
        } = self.slot(upload.id).take_turn().await.ok_or_else(|| {
            ApiError::new(
                ErrorCode::OffsetMismatch,
                "Another chunk of this upload is still being received; ask for the offset and retry.",
            )
        })?;
        let path = self.staging.staged(upload.id);
        let live = match guard.as_mut() {
            Some(l) => l,
            None if staged_in_parts(self.blobs.as_ref(), upload.size) => {
                let parts = store.staged_parts(upload.id).await?;
                guard.insert(continue_from_parts(&path, &upload, &parts).await?)
            }
            None => guard.insert(rebuild(&path, &upload).await?),
        };
        if offset != live.received {
            return Err(ApiError::new(
                ErrorCode::OffsetMismatch,
                format!(
                    "The server has {} verified bytes of this upload: resume from there.",
                    live.received
                ),
            ));
        }
        if matches!(checks, Checks::Pieces) && !offset.is_multiple_of(PIECE) {
            return Err(ApiError::invalid(format!(
                "Upload-Offset: a stream of pieces starts at a piece's start (a multiple of {PIECE} bytes)"
            )));
        }
        let target = Target {
            id: upload.id,
            path: &path,
            size: upload.size,
            offset,
            persisted: live.persisted,
            checkpoint: self.checkpoint,
            silence: self.silence,
            superseded,
            shipper: live.shipped.clone().map(|shipped| Shipper {
                store: store.clone(),
                blobs: self.blobs.clone(),
                id: upload.id,
                hash: upload.hash.clone(),
                size: upload.size,
                path: path.clone(),
                shipped,
            }),
        };
        let got = receive(store, target, live.pieces.clone(), checks, body).await?;
        live.received = got.verified;
        live.pieces = got.pieces;
        live.persisted = got.persisted;
        live.shipped = got.shipped;
        if live.received == upload.size {
            // The blob must be on disk before any message can point at it.
            sync(got.file).await?;
            store.upload_received(upload.id, upload.size).await?;
            let hash = live.pieces.finish().ok_or_else(|| {
                ApiError::Internal("an upload's pieces do not add up to its size".into())
            })?;
            let shipped = live.shipped.take();
            drop(guard);
            self.forget(upload.id);
            match shipped {
                Some(shipped) => self.complete_parts(store, &upload, hash, shipped).await?,
                None => self.complete(store, &upload, hash).await?,
            }
            return Ok(upload.size);
        }
        match got.failure {
            Some(e) => Err(e),
            None => Ok(live.received),
        }
    }

    /// Checks the whole file's hash and makes it a blob the uploader holds.
    pub async fn complete(
        &self,
        store: &Store,
        upload: &UploadRow,
        hash: blake3::Hash,
    ) -> ApiResult<()> {
        if hash.to_hex().as_str() != upload.hash {
            return self.refuse_hash(store, upload.id).await;
        }
        let media_type = sniff(&self.staging.staged(upload.id)).await;
        let _commit = self.commit_lock.lock().await;
        let _locks = self.lock_blob(store, &upload.hash).await?;
        let stored = self
            .blobs
            .put(&self.staging.staged(upload.id), &upload.hash, &media_type)
            .await
            .map_err(|e| io_error("commit blob", e))?;
        store.finish_upload(upload, &media_type).await?;
        if !stored {
            // A duplicate of a blob already held: dropping a big file's pages takes a while
            // (0.2 s per GiB here), and the sender need not wait for it.
            let (staging, id) = (self.staging.clone(), upload.id);
            tokio::task::spawn_blocking(move || {
                if let Err(e) = staging.discard(id) {
                    tracing::warn!(%id, "drop a duplicate upload: {e}");
                }
            });
        }
        Ok(())
    }

    /// Completes an upload staged in the object store: its last part goes, then the parts
    /// become the blob (or are dropped when someone else's upload made the same blob first).
    async fn complete_parts(
        &self,
        store: &Store,
        upload: &UploadRow,
        hash: blake3::Hash,
        shipped: Shipped,
    ) -> ApiResult<()> {
        if hash.to_hex().as_str() != upload.hash {
            return self.refuse_hash(store, upload.id).await;
        }
        let mut shipper = Shipper {
            store: store.clone(),
            blobs: self.blobs.clone(),
            id: upload.id,
            hash: upload.hash.clone(),
            size: upload.size,
            path: self.staging.staged(upload.id),
            shipped,
        };
        shipper.ship_up_to(upload.size).await?;
        let staged = store.staged_parts(upload.id).await?;
        let (Some(multipart), true) = (
            staged.multipart.clone(),
            parts_end(&staged, upload.size) == upload.size,
        ) else {
            return Err(ApiError::Internal(
                "an upload's parts do not add up to its size".into(),
            ));
        };
        let parts = self
            .blobs
            .parts()
            .ok_or_else(|| ApiError::Internal("the blob store stages no parts".into()))?;
        let media_type = staged
            .media_type
            .unwrap_or_else(|| "application/octet-stream".to_owned());
        let _commit = self.commit_lock.lock().await;
        let _locks = self.lock_blob(store, &upload.hash).await?;
        let joined = if parts
            .exists(&upload.hash)
            .await
            .map_err(|e| io_error("check blob", e))?
        {
            parts.abort(&upload.hash, &multipart).await
        } else {
            let etags = staged.parts.into_iter().map(|p| p.etag).collect();
            parts.finish(&upload.hash, &multipart, etags).await
        };
        joined.map_err(|e| io_error("join the parts of a blob", e))?;
        store.finish_upload(upload, &media_type).await?;
        let (staging, id) = (self.staging.clone(), upload.id);
        tokio::task::spawn_blocking(move || {
            if let Err(e) = staging.discard(id) {
                tracing::warn!(%id, "drop a staged upload: {e}");
            }
        });
        Ok(())
    }

    /// Held until the blob's row is written: no collector on any node deletes these bytes
    /// between "stored already" and the row that keeps them (dropped, it is released).
    async fn lock_blob(&self, store: &Store, hash: &str) -> ApiResult<Option<BlobLocks>> {
        match store.blob_locks().await? {
            Some(locks) => {
                locks.lock(hash).await?;
                Ok(Some(locks))
            }
            None => Ok(None),
        }
    }

    async fn refuse_hash(&self, store: &Store, id: Uuid) -> ApiResult<()> {
        self.abandon(store, id).await?;
        Err(ApiError::new(
            ErrorCode::HashMismatch,
            "The file's BLAKE3 is not the one announced; the upload was discarded. Start again.",
        ))
    }

    /// Cancels an upload: its row, staged bytes and parts in the object store go.
    pub async fn abandon(&self, store: &Store, id: Uuid) -> ApiResult<()> {
        self.forget(id);
        if let Some(open) = store.delete_upload(id).await? {
            self.abort_parts(&open).await;
        }
        self.staging
            .discard(id)
            .map_err(|e| io_error("discard upload", e))
    }

    /// Drops the parts of an upload that is gone (a failure only costs the bucket's space until
    /// its lifecycle rule for unfinished multipart uploads runs).
    pub async fn abort_parts(&self, open: &OpenMultipart) {
        if let Some(parts) = self.blobs.parts() {
            if let Err(e) = parts.abort(&open.hash, &open.multipart).await {
                tracing::warn!(hash = %open.hash, "abort the parts of an upload: {e}");
            }
        }
    }
}

async fn sync(file: std::fs::File) -> ApiResult<()> {
    tokio::task::spawn_blocking(move || file.sync_data())
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| io_error("sync staged upload", e))
}

/// What the server knows of an upload after a restart: the staged file cut back to the offset
/// the database holds (bytes past it are from a request cut off by the crash) and hashed again.
async fn rebuild(path: &std::path::Path, upload: &UploadRow) -> ApiResult<Live> {
    let (path, recorded, size) = (path.to_path_buf(), upload.received, upload.size);
    tokio::task::spawn_blocking(move || {
        use std::io::Read;
        // Staged on another node (see `resting_offset`): an empty copy here, from the start.
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)?;
        // Never more than the file holds, whatever the database says.
        let received = recorded.min(file.metadata()?.len());
        file.set_len(received)?;
        let mut pieces = Pieces::new(size);
        let mut buf = vec![0u8; 1 << 20];
        while pieces.len() < received {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            pieces.update(&buf[..n]);
        }
        Ok::<_, std::io::Error>(Live {
            received: pieces.len(),
            persisted: recorded,
            pieces,
            shipped: None,
        })
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .map_err(|e| io_error("rehash staged upload", e))
}

/// Bytes the parts in the object store hold, from the start.
fn parts_end(staged: &StagedParts, size: u64) -> u64 {
    (staged.parts.len() as u64 * PART).min(size)
}

/// What a node knows of an upload staged in the object store when it takes it over (or after a
/// restart): the parts' piece checksums, and the staged file cut back to their end. Its own
/// bytes past the parts may be from a request cut off, or older than another node's parts.
async fn continue_from_parts(
    path: &std::path::Path,
    upload: &UploadRow,
    staged: &StagedParts,
) -> ApiResult<Live> {
    let end = parts_end(staged, upload.size);
    let checksums: Vec<[u8; 32]> = staged
        .parts
        .iter()
        .flat_map(|p| p.checksums.iter().copied())
        .collect();
    let pieces = Pieces::resume(upload.size, &checksums);
    if pieces.len() != end {
        return Err(ApiError::Internal(format!(
            "upload {}: its parts' checksums cover {} bytes, not {end}",
            upload.id,
            pieces.len()
        )));
    }
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        // The bytes before `end` are in the parts: the file only needs its length (sparse).
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)?;
        file.set_len(end)
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .map_err(|e| io_error("stage a continued upload", e))?;
    Ok(Live {
        received: end,
        persisted: end,
        pieces,
        shipped: Some(Shipped {
            multipart: staged.multipart.clone(),
            end,
        }),
    })
}

/// The media type the bytes say they are (never what a client claims).
async fn sniff(path: &std::path::Path) -> String {
    use tokio::io::AsyncReadExt;
    let mut head = vec![0u8; 8192];
    let n = match tokio::fs::File::open(path).await {
        Ok(mut f) => f.read(&mut head).await.unwrap_or(0),
        Err(_) => 0,
    };
    sniff_bytes(&head[..n])
}

/// The media type a file's first bytes say it is.
pub(super) fn sniff_bytes(head: &[u8]) -> String {
    infer::get(&head[..head.len().min(8192)])
        .map(|t| t.mime_type().to_string())
        .unwrap_or_else(|| "application/octet-stream".to_string())
}
