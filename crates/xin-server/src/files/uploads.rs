//! tus uploads: append verified chunks to a staged file, and make it a blob once the whole
//! file's BLAKE3 matches.
//!
//! A chunk is kept only whole and verified: it is hashed as it streams to disk, and if its
//! checksum does not match, or the connection drops half-way, the file is cut back to the last
//! verified offset. The offset in the database is only moved after the bytes are synced, so
//! after a crash the file always holds at least what the database promises.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::body::Body;
use futures_util::StreamExt;
use tokio::io::{AsyncSeekExt, AsyncWriteExt};
use uuid::Uuid;
use xin_proto::ErrorCode;

use super::storage::LocalStorage;
use crate::{
    error::{ApiError, ApiResult},
    store::{Store, UploadRow},
};

/// Bytes gathered before one write to the staged file.
const WRITE_BUFFER: usize = 1 << 20;
/// How long a chunk waits for an earlier one on the same upload (a client that reconnects
/// while its old request is still being torn down).
const LOCK_WAIT: Duration = Duration::from_secs(30);

/// The running hash of what an upload has verified so far. Rebuilt from the staged file when
/// missing (after a restart), so it never needs to be stored.
struct Live {
    received: u64,
    hasher: blake3::Hasher,
}

pub struct Uploads {
    storage: Arc<LocalStorage>,
    live: Mutex<HashMap<Uuid, Arc<tokio::sync::Mutex<Option<Live>>>>>,
    /// Held while a blob is committed and while garbage is collected, so a collection can never
    /// delete the bytes of a blob committed at the same moment.
    pub(super) commit_lock: tokio::sync::Mutex<()>,
}

fn io_error(what: &str, e: std::io::Error) -> ApiError {
    ApiError::Internal(format!("{what}: {e}"))
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
    pub fn new(storage: Arc<LocalStorage>) -> Self {
        Self {
            storage,
            live: Mutex::default(),
            commit_lock: tokio::sync::Mutex::new(()),
        }
    }

    pub fn storage(&self) -> &LocalStorage {
        &self.storage
    }

    fn slot(&self, id: Uuid) -> Arc<tokio::sync::Mutex<Option<Live>>> {
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        live.entry(id).or_default().clone()
    }

    fn forget(&self, id: Uuid) {
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        live.remove(&id);
    }

    /// Creates the empty staged file of a new upload.
    pub async fn stage(&self, id: Uuid) -> ApiResult<()> {
        tokio::fs::File::create(self.storage.staged(id))
            .await
            .map_err(|e| io_error("stage upload", e))?;
        Ok(())
    }

    /// Appends one chunk at `offset`; answers the new verified offset. Completes the upload
    /// when that is its size.
    pub async fn append(
        &self,
        store: &Store,
        upload: UploadRow,
        offset: u64,
        checksum: Checksum,
        body: Body,
    ) -> ApiResult<u64> {
        let slot = self.slot(upload.id);
        let mut guard = tokio::time::timeout(LOCK_WAIT, slot.lock())
            .await
            .map_err(|_| {
                ApiError::new(
                    ErrorCode::OffsetMismatch,
                    "Another chunk of this upload is still being received; ask for the offset and retry.",
                )
            })?;
        let path = self.storage.staged(upload.id);
        let live = match guard.take() {
            Some(l) if l.received == upload.received => l,
            _ => rebuild(&path, upload.received).await?,
        };
        if offset != live.received {
            let received = live.received;
            *guard = Some(live);
            return Err(ApiError::new(
                ErrorCode::OffsetMismatch,
                format!(
                    "The server has {received} verified bytes of this upload: resume from there."
                ),
            ));
        }
        let mut whole = live.hasher.clone();
        let written = receive(&path, &upload, offset, checksum, body, &mut whole).await;
        let received = match written {
            Ok(n) => offset + n,
            Err(e) => {
                truncate(&path, offset).await?;
                *guard = Some(live);
                return Err(e);
            }
        };
        store.upload_received(upload.id, received).await?;
        *guard = Some(Live {
            received,
            hasher: whole.clone(),
        });
        if received == upload.size {
            drop(guard);
            self.forget(upload.id);
            self.complete(store, &upload, whole.finalize()).await?;
        }
        Ok(received)
    }

    /// Checks the whole file's hash and makes it a blob the uploader holds.
    pub async fn complete(
        &self,
        store: &Store,
        upload: &UploadRow,
        hash: blake3::Hash,
    ) -> ApiResult<()> {
        if hash.to_hex().as_str() != upload.hash {
            self.abandon(store, upload.id).await?;
            return Err(ApiError::new(
                ErrorCode::HashMismatch,
                "The file's BLAKE3 is not the one announced; the upload was discarded. Start again.",
            ));
        }
        let media_type = sniff(&self.storage.staged(upload.id)).await;
        let _commit = self.commit_lock.lock().await;
        let storage = self.storage.clone();
        let (id, h) = (upload.id, upload.hash.clone());
        tokio::task::spawn_blocking(move || storage.commit(id, &h))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?
            .map_err(|e| io_error("commit blob", e))?;
        store.finish_upload(upload, &media_type).await
    }

    /// Cancels an upload: its row and staged bytes go.
    pub async fn abandon(&self, store: &Store, id: Uuid) -> ApiResult<()> {
        self.forget(id);
        store.delete_upload(id).await?;
        self.storage
            .discard(id)
            .map_err(|e| io_error("discard upload", e))
    }
}

/// Streams `body` onto the staged file at `offset`, hashing it twice: alone (the chunk's
/// checksum) and into `whole`. Answers the chunk's length once it is verified and synced.
async fn receive(
    path: &std::path::Path,
    upload: &UploadRow,
    offset: u64,
    checksum: Checksum,
    body: Body,
    whole: &mut blake3::Hasher,
) -> ApiResult<u64> {
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .await
        .map_err(|e| io_error("open staged upload", e))?;
    file.seek(std::io::SeekFrom::Start(offset))
        .await
        .map_err(|e| io_error("seek staged upload", e))?;
    let room = upload.size - offset;
    let mut chunk = blake3::Hasher::new();
    let mut len: u64 = 0;
    let mut buffer: Vec<u8> = Vec::with_capacity(WRITE_BUFFER);
    let mut stream = body.into_data_stream();
    while let Some(frame) = stream.next().await {
        let frame = frame.map_err(|e| {
            ApiError::invalid(format!(
                "The chunk was cut off before its end ({e}); resume from the verified offset."
            ))
        })?;
        len += frame.len() as u64;
        if len > room {
            return Err(ApiError::invalid(format!(
                "The chunk goes past the upload's length ({} bytes).",
                upload.size
            )));
        }
        chunk.update(&frame);
        whole.update(&frame);
        buffer.extend_from_slice(&frame);
        if buffer.len() >= WRITE_BUFFER {
            file.write_all(&buffer)
                .await
                .map_err(|e| io_error("write staged upload", e))?;
            buffer.clear();
        }
    }
    if chunk.finalize().as_bytes() != &checksum.0 {
        return Err(ApiError::new(
            ErrorCode::ChecksumMismatch,
            "The chunk's BLAKE3 does not match its bytes; nothing of it was kept. Send it again.",
        ));
    }
    file.write_all(&buffer)
        .await
        .map_err(|e| io_error("write staged upload", e))?;
    file.sync_data()
        .await
        .map_err(|e| io_error("sync staged upload", e))?;
    Ok(len)
}

async fn truncate(path: &std::path::Path, len: u64) -> ApiResult<()> {
    let file = tokio::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .await
        .map_err(|e| io_error("open staged upload", e))?;
    file.set_len(len)
        .await
        .map_err(|e| io_error("truncate staged upload", e))
}

/// The running hash of the first `received` bytes, read back from the staged file (bytes past
/// them, from a chunk cut off by a crash, are dropped).
async fn rebuild(path: &std::path::Path, received: u64) -> ApiResult<Live> {
    truncate(path, received).await?;
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut hasher = blake3::Hasher::new();
        hasher
            .update_reader(std::fs::File::open(&path)?)
            .map(|_| ())?;
        Ok::<_, std::io::Error>(Live { received, hasher })
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .map_err(|e| io_error("rehash staged upload", e))
}

/// The media type the bytes say they are (never what a client claims).
async fn sniff(path: &std::path::Path) -> String {
    use tokio::io::AsyncReadExt;
    let mut head = vec![0u8; 8192];
    let n = match tokio::fs::File::open(path).await {
        Ok(mut f) => f.read(&mut head).await.unwrap_or(0),
        Err(_) => 0,
    };
    infer::get(&head[..n])
        .map(|t| t.mime_type().to_string())
        .unwrap_or_else(|| "application/octet-stream".to_string())
}
