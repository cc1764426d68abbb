//! The upload worker: one file at a time, oldest first, over tus with verified pieces: one
//! request streams a blob's 8 MiB pieces, each followed by its checksum, and the server keeps
//! each piece as it checks out. It resumes from the server's verified offset after a cut, a
//! pause or a restart, so at most the piece in flight is sent twice; once every blob is up, the
//! message joins the outbox.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use futures_util::StreamExt;

use uuid::Uuid;
use xin_proto::{
    pieces::{piece_checksum, piece_len},
    Content, ErrorCode, SendMessage, PIECE,
};

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
    let mut mismatches = 0;
    loop {
        let offset = account
            .with_access(|a| {
                let (api, location) = (account.api.clone(), location.clone());
                async move { api.upload_offset(&a, &location).await }
            })
            .await;
        let offset = match offset {
            Ok(o) if o >= part.size => break,
            Ok(o) if o.is_multiple_of(PIECE) => o,
            // Pieces start at a multiple of PIECE; an upload left elsewhere (by a client that
            // sent tus chunks of another size) starts again, like one the server collected.
            Ok(_) => return start_over(account, id, parts, index, base).await,
            Err(e) if e.api_code() == Some(ErrorCode::UploadNotFound) => {
                return start_over(account, id, parts, index, base).await
            }
            Err(e) => return Err(e),
        };
        let sent = send_pieces(engine, account, id, parts, index, base, offset, progress).await;
        match sent {
            Ok(o) if o >= part.size => break,
            Ok(_) => {}
            // A piece damaged on the way: the ones before it are kept; send the rest again.
            Err(e) if e.api_code() == Some(ErrorCode::ChecksumMismatch) && mismatches < 3 => {
                mismatches += 1;
            }
            Err(e) if e.api_code() == Some(ErrorCode::HashMismatch) => {
                return Err(CoreError::File(
                    "The file changed while it was being sent. Send it again.".into(),
                ))
            }
            Err(e) => return Err(e),
        }
    }
    finish_part(account, id, parts, index, base + part.size).await
}

/// Forgets the server's upload of this blob (expired or unusable): the next try creates one.
async fn start_over(
    account: &AccountSession,
    id: Uuid,
    parts: &mut [Part],
    index: usize,
    base: u64,
) -> CoreResult<()> {
    parts[index].location = None;
    account.db.lock().await.save_parts(id, parts, base)?;
    Err(CoreError::Protocol(
        "the upload expired; starting again".into(),
    ))
}

/// How long the server may take no bytes before the upload's connection is given up.
const SILENCE: Duration = Duration::from_secs(30);

type Unreadable = Arc<std::sync::Mutex<Option<std::io::Error>>>;

/// Sends the blob's pieces from `offset` to its end in one request, reporting progress as they
/// go; answers the server's verified offset. The request has no time limit, only one on silence:
/// if the server takes no bytes for [`SILENCE`], the connection is given up (and resumed).
#[allow(clippy::too_many_arguments)]
async fn send_pieces(
    engine: &Engine,
    account: &AccountSession,
    id: Uuid,
    parts: &mut [Part],
    index: usize,
    base: u64,
    offset: u64,
    progress: &mut Progress,
) -> CoreResult<u64> {
    let part = parts[index].clone();
    let location = part.location.clone().unwrap_or_default();
    let handed = Arc::new(AtomicU64::new(offset));
    let unreadable: Unreadable = Arc::default();
    let sending = account.with_access(|a| {
        let body = pieces_body(&part, offset, handed.clone(), unreadable.clone());
        let (api, location) = (account.api.clone(), location.clone());
        let len = body_len(offset, part.size);
        async move { api.upload_pieces(&a, &location, offset, len, body).await }
    });
    tokio::pin!(sending);
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let (mut seen, mut quiet_since) = (offset, Instant::now());
    let sent = loop {
        tokio::select! {
            r = &mut sending => break r,
            _ = tick.tick() => {
                let now = handed.load(Ordering::Relaxed);
                if now != seen {
                    (seen, quiet_since) = (now, Instant::now());
                } else if quiet_since.elapsed() >= SILENCE {
                    break Err(CoreError::Unreachable(
                        "the server stopped taking the file's bytes".into(),
                    ));
                }
                if let Some(t) = progress.advance(base + now) {
                    // Progress on disk only as often as it is shown: a restart asks the server.
                    let db = account.db.lock().await;
                    db.save_parts(id, parts, base + now)?;
                    // Reported under the lock and only while open: a report must not land
                    // after the pause's own event and show a paused transfer as running.
                    if db.transfer_is_open(id)? {
                        engine.emit(CoreEvent::Transfer { transfer: t });
                    }
                }
            }
        }
    };
    let unread = unreadable.lock().unwrap_or_else(|p| p.into_inner()).take();
    match unread {
        Some(e) => Err(CoreError::File(format!(
            "Could not read {}: {e}",
            part.path
        ))),
        None => sent,
    }
}

/// The request body's length: the bytes from `offset` on, and a checksum per piece.
fn body_len(offset: u64, size: u64) -> u64 {
    let pieces = size.div_ceil(PIECE) - offset / PIECE;
    size - offset + 32 * pieces
}

/// The part's pieces from `offset` on, each followed by its checksum. A blocking thread reads
/// and hashes each piece while the one before is on the wire (at most three pieces are in
/// memory); `handed` counts the file's bytes given to the connection. A read error ends the
/// body short and is left in `unreadable`.
fn pieces_body(
    part: &Part,
    offset: u64,
    handed: Arc<AtomicU64>,
    unreadable: Unreadable,
) -> reqwest::Body {
    handed.store(offset, Ordering::Relaxed);
    let (tx, rx) = tokio::sync::mpsc::channel::<(bytes::Bytes, u64)>(1);
    let (path, size) = (part.path.clone(), part.size);
    tokio::task::spawn_blocking(move || {
        let read = (|| -> std::io::Result<()> {
            use std::io::{Read, Seek};
            let mut file = std::fs::File::open(&path)?;
            file.seek(std::io::SeekFrom::Start(offset))?;
            let mut at = offset;
            while at < size {
                let len = piece_len(at, size);
                let mut piece = vec![0u8; usize::try_from(len).unwrap_or(0)];
                file.read_exact(&mut piece)?;
                let checksum = bytes::Bytes::copy_from_slice(&piece_checksum(&piece, at, size));
                // The request was dropped: stop reading.
                if tx.blocking_send((piece.into(), len)).is_err()
                    || tx.blocking_send((checksum, 0)).is_err()
                {
                    break;
                }
                at += len;
            }
            Ok(())
        })();
        if let Err(e) = read {
            *unreadable.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        let item = rx.recv().await?;
        Some((item, rx))
    })
    .map(move |(bytes, data)| {
        handed.fetch_add(data, Ordering::Relaxed);
        Ok::<_, std::io::Error>(bytes)
    });
    reqwest::Body::wrap_stream(stream)
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
