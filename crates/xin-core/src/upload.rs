//! The upload worker: one file at a time, oldest first, chunk by chunk over tus. It resumes from
//! the server's verified offset after a cut, a pause or a restart, so at most the chunk in
//! flight is sent twice; once every blob is up, the message joins the outbox.

use std::sync::Arc;

use uuid::Uuid;
use xin_proto::{Content, ErrorCode, SendMessage};

use crate::{
    cache::AccountDb,
    engine::Engine,
    error::{CoreError, CoreResult},
    events::CoreEvent,
    media,
    progress::Progress,
    session::AccountSession,
    transfer_cache::{Part, TransferState, UploadJob},
    transfer_worker,
};

/// Bytes per PATCH. Big enough that per-request costs vanish on a LAN, small enough that a cut
/// costs little: the most a cut makes us send twice.
pub const CHUNK: u64 = 8 << 20;

/// Runs for the life of the account; woken by new uploads, resumes and reconnects.
pub fn run(
    engine: Engine,
    account: Arc<AccountSession>,
) -> futures_util::future::BoxFuture<'static, ()> {
    Box::pin(transfer_worker::run(
        engine,
        account,
        |a| &a.uploads_wake,
        AccountDb::next_upload,
        |engine, account, job| async move { upload(&engine, &account, job).await },
    ))
}

async fn upload(engine: &Engine, account: &AccountSession, job: UploadJob) -> CoreResult<()> {
    let id = job.transfer.id;
    let conv = job.transfer.conversation_id;
    let (mut parts, req) = match job.request {
        Some(req) if !job.parts.is_empty() => (job.parts, req),
        _ => {
            let shown = account.db.lock().await.cached_message(id)?;
            let prepared = match shown.map(|m| m.content) {
                // A recording stays a voice message: only its hash is needed.
                Some(Content::Voice {
                    duration_ms,
                    waveform,
                    ..
                }) => {
                    let path = std::path::PathBuf::from(&job.transfer.path);
                    blocking(move || media::prepare_voice(&path, duration_ms, waveform)).await?
                }
                _ => {
                    let path = std::path::PathBuf::from(&job.transfer.path);
                    let (name, dir) = (job.transfer.name.clone(), engine.media_dir(account));
                    blocking(move || media::prepare(&path, &name, &dir)).await?
                }
            };
            let req = SendMessage {
                client_id: id,
                content: prepared.content,
                reply_to: None,
            };
            account
                .db
                .lock()
                .await
                .prepared(id, &prepared.parts, &req)?;
            engine.emit(CoreEvent::MessagesChanged {
                conversation_id: conv,
            });
            (prepared.parts, req)
        }
    };
    let mut progress = Progress::new(job.transfer.clone());
    progress.transfer.state = TransferState::Running;
    let mut base = 0;
    for i in 0..parts.len() {
        if !parts[i].uploaded {
            send_part(engine, account, id, &mut parts, i, base, &mut progress).await?;
        }
        base += parts[i].size;
    }
    account.db.lock().await.uploaded(id, conv, &req)?;
    account.outbox_wake.notify_one();
    Ok(())
}

/// Hashing and decoding read whole files: off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> CoreResult<T> + Send + 'static,
) -> CoreResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| CoreError::File(e.to_string()))?
}

/// Sends one blob from the verified offset on.
async fn send_part(
    engine: &Engine,
    account: &AccountSession,
    id: Uuid,
    parts: &mut [Part],
    index: usize,
    base: u64,
    progress: &mut Progress,
) -> CoreResult<()> {
    let part = parts[index].clone();
    let location = match &part.location {
        Some(l) => l.clone(),
        None => {
            let name = std::path::Path::new(&part.path)
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let created = account
                .with_access(|a| {
                    let (api, hash, name) = (account.api.clone(), part.hash.clone(), name.clone());
                    async move { api.create_upload(&a, part.size, &hash, &name).await }
                })
                .await?;
            match created.location {
                Some(l) if !created.complete => {
                    parts[index].location = Some(l.clone());
                    account.db.lock().await.save_parts(id, parts, base)?;
                    l
                }
                _ => return finish_part(account, id, parts, index, base + part.size).await,
            }
        }
    };
    let offset = account
        .with_access(|a| {
            let (api, location) = (account.api.clone(), location.clone());
            async move { api.upload_offset(&a, &location).await }
        })
        .await;
    let mut offset = match offset {
        Ok(o) => o,
        Err(e) if e.api_code() == Some(ErrorCode::UploadNotFound) => {
            // Abandoned and collected by the server: start this blob again.
            parts[index].location = None;
            account.db.lock().await.save_parts(id, parts, base)?;
            return Err(CoreError::Protocol(
                "the upload expired; starting again".into(),
            ));
        }
        Err(e) => return Err(e),
    };
    // The next chunk is read and hashed while the current one is on the wire.
    let mut next = Some(read_chunk(&part, offset));
    while offset < part.size {
        let chunk = match next.take() {
            Some(pending) => pending.await,
            None => read_chunk(&part, offset).await,
        }?;
        let following = offset + chunk.bytes.len() as u64;
        if following < part.size {
            next = Some(read_chunk(&part, following));
        }
        let sent = account
            .with_access(|a| {
                let (api, location, bytes) =
                    (account.api.clone(), location.clone(), chunk.bytes.clone());
                async move {
                    api.upload_chunk(&a, &location, offset, bytes, chunk.checksum)
                        .await
                }
            })
            .await;
        offset = match sent {
            Ok(o) => o,
            Err(e) if e.api_code() == Some(ErrorCode::ChecksumMismatch) => offset,
            Err(e) if e.api_code() == Some(ErrorCode::HashMismatch) => {
                return Err(CoreError::File(
                    "The file changed while it was being sent. Send it again.".into(),
                ))
            }
            Err(e) => return Err(e),
        };
        if offset != following {
            next = None;
        }
        if let Some(t) = progress.advance(base + offset) {
            // Progress on disk only as often as it is shown: a restart asks the server anyway.
            account
                .db
                .lock()
                .await
                .save_parts(id, parts, base + offset)?;
            engine.emit(CoreEvent::Transfer { transfer: t });
        }
    }
    finish_part(account, id, parts, index, base + part.size).await
}

struct Chunk {
    bytes: bytes::Bytes,
    checksum: [u8; 32],
}

/// Reads and hashes the chunk at `offset` on a blocking thread (one read, no copies after).
fn read_chunk(
    part: &Part,
    offset: u64,
) -> impl std::future::Future<Output = CoreResult<Chunk>> + use<> {
    let path = part.path.clone();
    let len = CHUNK.min(part.size.saturating_sub(offset));
    let task = tokio::task::spawn_blocking(move || -> std::io::Result<Chunk> {
        use std::io::{Read, Seek};
        let mut file = std::fs::File::open(&path)?;
        file.seek(std::io::SeekFrom::Start(offset))?;
        let mut buf = vec![0u8; usize::try_from(len).unwrap_or(0)];
        file.read_exact(&mut buf)?;
        let checksum = *blake3::hash(&buf).as_bytes();
        Ok(Chunk {
            bytes: buf.into(),
            checksum,
        })
    });
    let shown = part.path.clone();
    async move {
        task.await
            .map_err(|e| CoreError::File(e.to_string()))?
            .map_err(|e| CoreError::File(format!("Could not read {shown}: {e}")))
    }
}

async fn finish_part(
    account: &AccountSession,
    id: Uuid,
    parts: &mut [Part],
    index: usize,
    done: u64,
) -> CoreResult<()> {
    parts[index].uploaded = true;
    account.db.lock().await.save_parts(id, parts, done)
}
