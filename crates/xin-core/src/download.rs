//! Downloads: files a user asked for go to their download folder through a resumable,
//! verified transfer; photos, thumbnails and voice go to the media cache on demand.
//!
//! Bytes stream to disk as they arrive (never whole in memory), into a hidden `.part` file
//! next to the target. After a cut the download continues from the part's length with a Range
//! request; at the end the BLAKE3 must match the blob's or nothing is kept.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use futures_util::StreamExt;
use xin_proto::file_name;

use crate::{
    cache::AccountDb,
    engine::Engine,
    error::{CoreError, CoreResult},
    events::CoreEvent,
    media::hash_file,
    progress::Progress,
    session::AccountSession,
    transfer_cache::{DownloadJob, TransferState},
    transfer_worker,
};

fn file_error(path: &Path, e: impl std::fmt::Display) -> CoreError {
    CoreError::File(format!("Could not write {}: {e}", path.display()))
}

/// A free name for `name` in `dir`: "a.txt", else "a (1).txt", "a (2).txt", ...
pub fn free_name(dir: &Path, name: &str) -> PathBuf {
    let name = file_name::sanitize(name);
    (0..10_000)
        .map(|n| dir.join(file_name::numbered(&name, n)))
        .find(|p| !p.exists())
        .unwrap_or_else(|| dir.join(format!("{}-{name}", uuid::Uuid::now_v7())))
}

/// Appends the blob to `part` from its current length on; answers the bytes now in it.
/// Where a download reports its progress: the UI and the cache (so a restart, or a reload of
/// the chat, shows how far it got).
struct Report<'a> {
    engine: &'a Engine,
    progress: &'a mut Progress,
}

/// Bytes of frames handed to the writing thread at once: one wake-up per batch, not per frame.
const BATCH: usize = 256 << 10;
/// Batches queued between the connection and the thread that writes and hashes them.
const BATCHES_IN_FLIGHT: usize = 8;

/// Appends the blob to `part` from its current length on; answers the BLAKE3 of everything
/// then in it (hashed as it is written, so the check at the end needs no second pass).
async fn fetch_into(
    account: &AccountSession,
    hash: &str,
    part: &Path,
    mut report: Option<Report<'_>>,
) -> CoreResult<blake3::Hash> {
    // An earlier try that was dropped (the app stopping) may still be writing what it had
    // received: the part's lock waits for it, so its length is final when read.
    let locked = {
        let path = part.to_path_buf();
        tokio::task::spawn_blocking(move || -> std::io::Result<(std::fs::File, u64)> {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .read(true)
                .write(true)
                .open(&path)?;
            file.lock()?;
            let len = file.metadata()?.len();
            Ok((file, len))
        })
        .await
        .map_err(|e| CoreError::File(e.to_string()))?
        .map_err(|e| file_error(part, e))?
    };
    let (file, from) = locked;
    let resp = account
        .with_access(|a| {
            let (api, hash) = (account.api.clone(), hash.to_string());
            async move { api.download(&a, &hash, from).await }
        })
        .await?;
    // A server that ignores Range answers the whole file: start over.
    let resume = resp.status() == reqwest::StatusCode::PARTIAL_CONTENT;
    let (write_tx, write_rx) = tokio::sync::mpsc::channel::<Batch>(BATCHES_IN_FLIGHT);
    let (hash_tx, hash_rx) = tokio::sync::mpsc::channel::<Batch>(BATCHES_IN_FLIGHT);
    let writer = write_part(file, resume, write_rx);
    let hasher = hash_part(part.to_path_buf(), if resume { from } else { 0 }, hash_rx);
    let hand_over = async |batch: Batch| {
        hash_tx.send(batch.clone()).await.is_ok() && write_tx.send(batch).await.is_ok()
    };
    let mut done = if resume { from } else { 0 };
    let mut body = resp.bytes_stream();
    let mut cut = None;
    let mut batch = Batch::new();
    let mut batched = 0;
    loop {
        let bytes = match body.next().await {
            Some(Ok(b)) => b,
            Some(Err(e)) => {
                cut = Some(CoreError::Unreachable(crate::api::without_url(e)));
                break;
            }
            None => break,
        };
        done += bytes.len() as u64;
        batched += bytes.len();
        batch.push(bytes);
        if batched < BATCH {
            continue;
        }
        batched = 0;
        if !hand_over(std::mem::take(&mut batch)).await {
            break;
        }
        if let Some(r) = report.as_mut() {
            if let Some(t) = r.progress.advance(done) {
                let db = account.db.lock().await;
                db.set_download_progress(t.id, done, None)?;
                // As for uploads: never a running report after the pause's event.
                if db.transfer_is_open(t.id)? {
                    r.engine.emit(CoreEvent::Transfer { transfer: t });
                }
            }
        }
    }
    // What arrived before a cut is written first: the next try resumes after it.
    if !batch.is_empty() {
        hand_over(batch).await;
    }
    drop((write_tx, hash_tx));
    let joined = |e: tokio::task::JoinError| CoreError::File(e.to_string());
    writer
        .await
        .map_err(joined)?
        .map_err(|e| file_error(part, e))?;
    let hashed = hasher
        .await
        .map_err(joined)?
        .map_err(|e| file_error(part, e))?;
    match cut {
        Some(e) => Err(e),
        None => Ok(hashed),
    }
}

/// Frames, in order.
type Batch = Vec<bytes::Bytes>;

/// Writes batches to the (locked) part, after what it holds when resuming, on a blocking
/// thread. The lock goes with the file when it is done.
fn write_part(
    mut file: std::fs::File,
    resume: bool,
    mut batches: tokio::sync::mpsc::Receiver<Batch>,
) -> tokio::task::JoinHandle<std::io::Result<()>> {
    tokio::task::spawn_blocking(move || {
        use std::io::{Seek, Write};
        if resume {
            file.seek(std::io::SeekFrom::End(0))?;
        } else if file.metadata()?.len() > 0 {
            // Only when there is something to drop: ext4 writes back a file truncated to
            // nothing and written again when it is closed (0.35 s for 1 GiB).
            file.set_len(0)?;
        }
        while let Some(batch) = batches.blocking_recv() {
            for frame in batch {
                file.write_all(&frame)?;
            }
        }
        file.flush()
    })
}

/// Hashes the part's first `held` bytes and then the batches, on a blocking thread of its own
/// (beside the writing one, so neither waits for the other): the check at the end needs no
/// second pass over the file.
fn hash_part(
    part: PathBuf,
    held: u64,
    mut batches: tokio::sync::mpsc::Receiver<Batch>,
) -> tokio::task::JoinHandle<std::io::Result<blake3::Hash>> {
    tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let mut hasher = blake3::Hasher::new();
        if held > 0 {
            hasher.update_reader(std::fs::File::open(&part)?.take(held))?;
        }
        while let Some(batch) = batches.blocking_recv() {
            for frame in batch {
                hasher.update(&frame);
            }
        }
        Ok(hasher.finalize())
    })
}

/// Checks the finished part (whose BLAKE3 is `got`) against its hash and moves it to `target`.
async fn verify_and_place(
    part: &Path,
    got: blake3::Hash,
    hash: &str,
    target: &Path,
) -> CoreResult<()> {
    if got.to_hex().as_str() != hash {
        let _ = tokio::fs::remove_file(part).await;
        return Err(CoreError::Protocol(
            "the downloaded file did not match its hash; downloading it again".into(),
        ));
    }
    tokio::fs::rename(part, target)
        .await
        .map_err(|e| file_error(target, e))
}

/// The media cache's copy of `hash`, downloaded and verified first if needed.
pub async fn media_file(account: &AccountSession, dir: &Path, hash: &str) -> CoreResult<PathBuf> {
    if !xin_proto::is_blob_hash(hash) {
        return Err(CoreError::File("not a file of this app".into()));
    }
    let target = dir.join(hash);
    if tokio::fs::try_exists(&target).await.unwrap_or(false) {
        return Ok(target);
    }
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| file_error(dir, e))?;
    // A unique part per request: two views asking for the same photo do not collide.
    let part = dir.join(format!(".{hash}.{}.part", uuid::Uuid::now_v7()));
    let result = async {
        let got = fetch_into(account, hash, &part, None).await?;
        verify_and_place(&part, got, hash, &target).await
    }
    .await;
    if result.is_err() {
        let _ = tokio::fs::remove_file(&part).await;
    }
    result.map(|_| target)
}

fn part_of(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.xin-part"))
}

/// The download worker: one file at a time, oldest first; woken by new downloads.
pub fn run(
    engine: Engine,
    account: Arc<AccountSession>,
) -> futures_util::future::BoxFuture<'static, ()> {
    Box::pin(transfer_worker::run(
        engine,
        account,
        |a| &a.downloads_wake,
        AccountDb::next_download,
        |engine, account, job| async move { download(&engine, &account, job).await },
    ))
}

async fn download(engine: &Engine, account: &AccountSession, job: DownloadJob) -> CoreResult<()> {
    let id = job.transfer.id;
    let planned = PathBuf::from(&job.transfer.path);
    let part = part_of(&planned);
    account
        .db
        .lock()
        .await
        .set_transfer_state(id, TransferState::Running, None)?;
    let mut progress = Progress::new(job.transfer.clone());
    progress.transfer.state = TransferState::Running;
    let on_disk = tokio::fs::metadata(&part)
        .await
        .map(|m| m.len())
        .unwrap_or(0);
    // All there already (the app stopped between the last byte and the check): just check it.
    let got = if on_disk < job.transfer.size {
        let report = Report {
            engine,
            progress: &mut progress,
        };
        fetch_into(account, &job.hash, &part, Some(report)).await?
    } else {
        let p = part.clone();
        let hex = tokio::task::spawn_blocking(move || hash_file(&p))
            .await
            .map_err(|e| CoreError::File(e.to_string()))??;
        blake3::Hash::from_hex(hex).map_err(|e| CoreError::File(e.to_string()))?
    };
    // The name is settled only now: a file that appeared meanwhile is not overwritten.
    let dir = planned.parent().map(Path::to_path_buf).unwrap_or_default();
    let target = if planned.exists() {
        free_name(&dir, &job.transfer.name)
    } else {
        planned
    };
    verify_and_place(&part, got, &job.hash, &target).await?;
    let db = account.db.lock().await;
    db.set_download_progress(id, job.transfer.size, Some(&target.display().to_string()))?;
    db.set_transfer_state(id, TransferState::Done, None)
}
