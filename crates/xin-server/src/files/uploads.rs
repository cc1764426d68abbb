//! tus uploads: append verified chunks to a staged file, and make it a blob once the whole
//! file's BLAKE3 matches.
//!
//! A chunk is kept only whole and verified: it is hashed as it streams to disk, and if its
//! checksum does not match, or the connection drops half-way, the file is cut back to the last
//! verified offset. The verified offset lives in memory and is checkpointed to the database
//! every `--upload-checkpoint-bytes` (64 MiB), each time after the bytes are synced to disk, so after a crash the
//! file always holds at least what the database promises (the client resumes from there). A
//! sync per chunk instead would keep the disk and the network taking turns.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::body::Body;
use futures_util::StreamExt;
use uuid::Uuid;
use xin_proto::ErrorCode;

use super::storage::{BlobStore, Staging};
use crate::{
    error::{ApiError, ApiResult},
    store::{Store, UploadRow},
};

/// Bytes of frames gathered into one write to the staged file.
const WRITE_BUFFER: usize = 1 << 20;
/// Frames queued between receiving and the thread that hashes and writes them.
const FRAMES_IN_FLIGHT: usize = 64;
/// How long a chunk waits for an earlier one on the same upload (a client that reconnects
/// while its old request is still being torn down).
const LOCK_WAIT: Duration = Duration::from_secs(30);

/// The running hash of what an upload has verified so far. Rebuilt from the staged file when
/// missing (after a restart), so it never needs to be stored.
struct Live {
    received: u64,
    /// What the database holds (synced to disk first).
    persisted: u64,
    whole: Whole,
    /// The thread writing the chunk being received, while there is one.
    writer: Option<Writer>,
}

type Written = std::io::Result<std::fs::File>;
type Writer = tokio::task::JoinHandle<Written>;

/// The whole file's running hash. It trails the verified chunks on its own thread, so a
/// chunk is answered once its own checksum is checked and its bytes written — the next chunk
/// does not wait for the second hash pass.
enum Whole {
    Ready(Box<blake3::Hasher>),
    Trailing(tokio::task::JoinHandle<blake3::Hasher>),
}

impl Live {
    /// The running hash of everything verified so far, once it has caught up.
    async fn hasher(&mut self) -> ApiResult<blake3::Hasher> {
        if let Whole::Trailing(task) = &mut self.whole {
            let hasher = task.await.map_err(|e| ApiError::Internal(e.to_string()))?;
            self.whole = Whole::Ready(Box::new(hasher));
        }
        match &self.whole {
            Whole::Ready(h) => Ok(h.as_ref().clone()),
            Whole::Trailing(_) => Err(ApiError::Internal("upload hash not ready".into())),
        }
    }
}

pub struct Uploads {
    staging: Staging,
    blobs: Arc<dyn BlobStore>,
    /// Verified bytes between two durable checkpoints of an upload's offset.
    checkpoint: u64,
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
    pub fn new(staging: Staging, blobs: Arc<dyn BlobStore>, checkpoint: u64) -> Self {
        Self {
            staging,
            blobs,
            checkpoint: checkpoint.max(1),
            live: Mutex::default(),
            commit_lock: tokio::sync::Mutex::new(()),
        }
    }

    pub fn staging(&self) -> &Staging {
        &self.staging
    }

    pub fn blobs(&self) -> &dyn BlobStore {
        self.blobs.as_ref()
    }

    fn slot(&self, id: Uuid) -> Arc<tokio::sync::Mutex<Option<Live>>> {
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        live.entry(id).or_default().clone()
    }

    /// The verified offset of an upload this server is receiving (the database may be behind).
    /// A chunk still arriving (or being torn down after a cut) is waited for, so the answer is
    /// where the next chunk must start.
    pub async fn live_offset(&self, id: Uuid) -> Option<u64> {
        let slot = self
            .live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .cloned()?;
        let guard = tokio::time::timeout(LOCK_WAIT, slot.lock()).await.ok()?;
        guard.as_ref().map(|l| l.received)
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
        let path = self.staging.staged(upload.id);
        // While the server runs, memory holds the truth; after a restart, the database. Live
        // stays in the slot throughout, so a request dropped half-way (the client vanished)
        // leaves the last verified state behind, not nothing.
        let live = match guard.as_mut() {
            Some(l) => l,
            None => guard.insert(rebuild(&path, upload.received).await?),
        };
        // A writer left running by such a dropped request finishes before anything else
        // touches the file.
        if let Some(mut writer) = live.writer.take() {
            let _ = (&mut writer).await;
        }
        if offset != live.received {
            return Err(ApiError::new(
                ErrorCode::OffsetMismatch,
                format!(
                    "The server has {} verified bytes of this upload: resume from there.",
                    live.received
                ),
            ));
        }
        let before = live.hasher().await?;
        let written = receive(
            &path,
            &upload,
            offset,
            checksum,
            body,
            before,
            &mut live.writer,
        )
        .await;
        let (received, whole, file) = match written {
            Ok((n, whole, file)) => (offset + n, whole, file),
            Err(e) => {
                truncate(&path, offset).await?;
                return Err(e);
            }
        };
        if received == upload.size {
            // The blob must be on disk before any message can point at it.
            sync(file).await?;
            store.upload_received(upload.id, received).await?;
            live.persisted = received;
        } else if received - live.persisted >= self.checkpoint {
            // In the background: the next chunk need not wait for the disk. The database's
            // offset only ever moves forward, and only past synced bytes.
            let (store, id) = (store.clone(), upload.id);
            tokio::spawn(async move {
                if let Err(e) = async {
                    sync(file).await?;
                    store.upload_received(id, received).await
                }
                .await
                {
                    tracing::warn!(%id, "upload checkpoint: {e}");
                }
            });
            live.persisted = received;
        }
        live.received = received;
        live.whole = Whole::Trailing(whole);
        if received == upload.size {
            let hash = live.hasher().await?.finalize();
            drop(guard);
            self.forget(upload.id);
            self.complete(store, &upload, hash).await?;
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
        let media_type = sniff(&self.staging.staged(upload.id)).await;
        let _commit = self.commit_lock.lock().await;
        let (blobs, staged, hash) = (
            self.blobs.clone(),
            self.staging.staged(upload.id),
            upload.hash.clone(),
        );
        tokio::task::spawn_blocking(move || blobs.put(&staged, &hash))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?
            .map_err(|e| io_error("commit blob", e))?;
        store.finish_upload(upload, &media_type).await
    }

    /// Cancels an upload: its row and staged bytes go.
    pub async fn abandon(&self, store: &Store, id: Uuid) -> ApiResult<()> {
        self.forget(id);
        store.delete_upload(id).await?;
        self.staging
            .discard(id)
            .map_err(|e| io_error("discard upload", e))
    }
}

/// Streams `body` onto the staged file at `offset`. Answers the chunk's length, the whole
/// file's running hash continued over it (still trailing), and the file to sync, once the chunk
/// is verified and written. Three blocking threads are fed frame by frame — one writes, one
/// hashes the chunk alone (its checksum), one continues `whole` — so they overlap with
/// receiving the next bytes and with each other.
async fn receive(
    path: &std::path::Path,
    upload: &UploadRow,
    offset: u64,
    checksum: Checksum,
    body: Body,
    whole: blake3::Hasher,
    writer_slot: &mut Option<Writer>,
) -> ApiResult<(u64, tokio::task::JoinHandle<blake3::Hasher>, std::fs::File)> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<bytes::Bytes>(FRAMES_IN_FLIGHT);
    let (sum_tx, sum_rx) = tokio::sync::mpsc::unbounded_channel::<bytes::Bytes>();
    let (whole_tx, whole_rx) = tokio::sync::mpsc::unbounded_channel::<bytes::Bytes>();
    let running = hash_frames(whole, whole_rx);
    let summing = hash_frames(blake3::Hasher::new(), sum_rx);
    let path_owned = path.to_path_buf();
    let writer = writer_slot.insert(tokio::task::spawn_blocking(move || -> Written {
        use std::io::Seek;
        let mut file = std::fs::OpenOptions::new().write(true).open(&path_owned)?;
        file.seek(std::io::SeekFrom::Start(offset))?;
        let mut batch = Vec::new();
        while let Some(frame) = rx.blocking_recv() {
            let mut queued = frame.len();
            batch.push(frame);
            while queued < WRITE_BUFFER {
                let Ok(f) = rx.try_recv() else { break };
                queued += f.len();
                batch.push(f);
            }
            write_batch(&mut file, &mut batch)?;
        }
        Ok(file)
    }));
    let room = upload.size - offset;
    let mut len: u64 = 0;
    let mut stream = body.into_data_stream();
    let mut failure = None;
    while let Some(frame) = stream.next().await {
        let frame = match frame {
            Ok(f) => f,
            Err(e) => {
                failure = Some(ApiError::invalid(format!(
                    "The chunk was cut off before its end ({e}); resume from the verified offset."
                )));
                break;
            }
        };
        len += frame.len() as u64;
        if len > room {
            failure = Some(ApiError::invalid(format!(
                "The chunk goes past the upload's length ({} bytes).",
                upload.size
            )));
            break;
        }
        // The trailing hash gets every frame; if the chunk fails it is dropped unfinished.
        let _ = whole_tx.send(frame.clone());
        let _ = sum_tx.send(frame.clone());
        if tx.send(frame).await.is_err() {
            break;
        }
    }
    drop((tx, sum_tx, whole_tx));
    let written = writer.await;
    *writer_slot = None;
    let written = written
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| io_error("write staged upload", e))?;
    if let Some(e) = failure {
        return Err(e);
    }
    let file = written;
    let sum = summing
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .finalize();
    if sum.as_bytes() != &checksum.0 {
        return Err(ApiError::new(
            ErrorCode::ChecksumMismatch,
            "The chunk's BLAKE3 does not match its bytes; nothing of it was kept. Send it again.",
        ));
    }
    Ok((len, running, file))
}

/// Continues `hasher` over every frame sent to it, on a blocking thread.
fn hash_frames(
    mut hasher: blake3::Hasher,
    mut frames: tokio::sync::mpsc::UnboundedReceiver<bytes::Bytes>,
) -> tokio::task::JoinHandle<blake3::Hasher> {
    tokio::task::spawn_blocking(move || {
        while let Some(frame) = frames.blocking_recv() {
            hasher.update(&frame);
        }
        hasher
    })
}

/// Writes the frames as they came (no copy into a buffer), several per system call.
fn write_batch(file: &mut std::fs::File, batch: &mut Vec<bytes::Bytes>) -> std::io::Result<()> {
    use std::io::{IoSlice, Write};
    let (mut done, mut skip) = (0, 0);
    while done < batch.len() {
        let slices: Vec<IoSlice> = std::iter::once(IoSlice::new(&batch[done][skip..]))
            .chain(batch[done + 1..].iter().map(|b| IoSlice::new(b)))
            .collect();
        let mut n = file.write_vectored(&slices)?;
        if n == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        while done < batch.len() && n >= batch[done].len() - skip {
            n -= batch[done].len() - skip;
            (done, skip) = (done + 1, 0);
        }
        skip += n;
    }
    batch.clear();
    Ok(())
}

async fn sync(file: std::fs::File) -> ApiResult<()> {
    tokio::task::spawn_blocking(move || file.sync_data())
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| io_error("sync staged upload", e))
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
        Ok::<_, std::io::Error>(Live {
            received,
            persisted: received,
            whole: Whole::Ready(Box::new(hasher)),
            writer: None,
        })
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
