//! Receiving one request's bytes of an upload: written to the staged file, hashed into the
//! file's pieces and checked, each on its own blocking thread fed frame by frame, so neither
//! holds up reading the next bytes off the connection.
//!
//! Two shapes of request body are taken (see `xin_proto::upload`):
//! - a tus chunk with its `Upload-Checksum` (the chunk's plain BLAKE3, checked on a third
//!   thread): all of it is kept or none;
//! - a stream of verified pieces, each followed by its checksum: every piece that checks out is
//!   kept, so a cut or a bad piece loses at most the piece it happened in, and the connection
//!   never waits for an answer between pieces.
//!
//! The verified offset is checkpointed to the database every `checkpoint` bytes, each time after
//! the bytes are on disk, so after a crash the file always holds what the database promises.

use std::{
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use axum::body::Body;
use bytes::Bytes;
use futures_util::StreamExt;
use tokio::{
    sync::{mpsc, watch},
    time::Instant,
};
use uuid::Uuid;
use xin_proto::{
    pieces::{piece_len, Pieces},
    ErrorCode,
};

use super::upload_parts::{Shipped, Shipper};
use crate::{
    error::{ApiError, ApiResult},
    store::Store,
};

/// Bytes of frames handed to the threads at once: one wake-up each instead of one per frame.
/// Bigger batches were slower (frames held longer make hyper allocate fresh read buffers).
const BATCH: usize = 256 << 10;
/// Batches queued between receiving and the thread that writes them.
const BATCHES_IN_FLIGHT: usize = 8;

/// How a request's bytes are checked.
pub enum Checks {
    /// A tus chunk: the whole body must hash (plain BLAKE3) to this.
    Chunk([u8; 32]),
    /// Pieces, each followed by its 32-byte checksum.
    Pieces,
}

/// The upload a request adds to.
pub struct Target<'a> {
    pub id: Uuid,
    pub path: &'a Path,
    pub size: u64,
    /// Where this request's bytes start: the verified offset.
    pub offset: u64,
    /// The offset the database holds.
    pub persisted: u64,
    /// Verified bytes between two checkpoints.
    pub checkpoint: u64,
    /// How long the request may send nothing before it is taken as gone.
    pub silence: Duration,
    /// Changes when a newer request for the upload arrives: this one stops.
    pub superseded: watch::Receiver<u64>,
    /// For an upload staged in the object store: its parts are the checkpoints.
    pub shipper: Option<Shipper>,
}

/// What a request left behind.
pub struct Received {
    /// The verified offset now.
    pub verified: u64,
    /// The file's pieces hashed up to `verified`.
    pub pieces: Pieces,
    /// The offset the database holds now.
    pub persisted: u64,
    /// How far the parts in the object store reach now, for an upload staged there.
    pub shipped: Option<Shipped>,
    /// The staged file, holding exactly `verified` bytes.
    pub file: std::fs::File,
    /// Why the request stopped short, if it did (what was verified before is kept).
    pub failure: Option<ApiError>,
}

/// Frames, in order.
type Batch = Vec<Bytes>;

/// What the hashing thread is fed.
enum Feed {
    Data(Batch),
    /// The checksum the sender gives for the piece that just ended.
    Claim([u8; 32]),
}

pub async fn receive(
    store: &Store,
    target: Target<'_>,
    pieces: Pieces,
    checks: Checks,
    body: Body,
) -> ApiResult<Received> {
    let offset = target.offset;
    let before = matches!(checks, Checks::Chunk(_)).then(|| pieces.clone());
    let (write_tx, write_rx) = mpsc::channel::<Batch>(BATCHES_IN_FLIGHT);
    let (feed_tx, feed_rx) = mpsc::unbounded_channel::<Feed>();
    let (sum_tx, summing) = match checks {
        Checks::Chunk(_) => {
            let (tx, rx) = mpsc::unbounded_channel::<Batch>();
            (Some(tx), Some(sum_frames(rx)))
        }
        Checks::Pieces => (None, None),
    };
    let (verified_tx, verified_rx) = watch::channel(offset);
    let verified_tx = Arc::new(verified_tx);
    let (written_tx, written_rx) = watch::channel(offset);
    let bad = Arc::new(AtomicBool::new(false));
    let writer = write_frames(target.path.to_path_buf(), offset, write_rx, written_tx);
    let hasher = hash_pieces(pieces, feed_rx, verified_tx.clone(), bad.clone());
    let checkpointer = tokio::spawn(checkpoints(
        Checkpoints {
            store: store.clone(),
            id: target.id,
            path: target.path.to_path_buf(),
            persisted: target.persisted,
            every: target.checkpoint,
            shipper: target.shipper,
        },
        verified_rx,
        written_rx,
    ));

    let mut reader =
        matches!(checks, Checks::Pieces).then(|| PieceReader::new(offset, target.size));
    let room = target.size - offset;
    let mut len: u64 = 0;
    let mut failure = None;
    let mut stream = body.into_data_stream();
    let mut parts = Vec::new();
    let mut batch = Batch::new();
    let mut batched = 0;
    let mut superseded = target.superseded;
    let mut heard = Instant::now();
    let silence = tokio::time::sleep(target.silence);
    tokio::pin!(silence);
    'frames: loop {
        let frame = tokio::select! {
            frame = stream.next() => frame,
            Ok(()) = superseded.changed() => {
                failure = Some(ApiError::new(
                    ErrorCode::OffsetMismatch,
                    "A newer request for this upload took over; what was verified is kept.",
                ));
                break;
            }
            () = &mut silence => {
                // Reset once per silence, not once per frame: a timer per frame costs more.
                if heard.elapsed() < target.silence {
                    silence.as_mut().reset(heard + target.silence);
                    continue;
                }
                failure = Some(ApiError::invalid(
                    "Nothing arrived for too long; resume from the verified offset.",
                ));
                break;
            }
        };
        let Some(frame) = frame else { break };
        heard = Instant::now();
        if bad.load(Ordering::Relaxed) {
            break;
        }
        let frame = match frame {
            Ok(f) => f,
            Err(e) => {
                failure = Some(ApiError::invalid(format!(
                    "The chunk was cut off before its end ({e}); resume from the verified offset."
                )));
                break;
            }
        };
        match &mut reader {
            Some(r) => {
                if let Err(e) = r.split(frame, &mut parts) {
                    failure = Some(e);
                    break;
                }
            }
            None => parts.push(Piece::Data(frame)),
        }
        for part in parts.drain(..) {
            match part {
                Piece::Data(data) => {
                    len += data.len() as u64;
                    if len > room {
                        failure = Some(past_the_end(target.size));
                        break 'frames;
                    }
                    batched += data.len();
                    batch.push(data);
                    if batched < BATCH {
                        continue;
                    }
                }
                Piece::Claim(claim) => {
                    // The piece's bytes go before its checksum.
                    if !hand_over(&mut batch, &write_tx, &feed_tx, sum_tx.as_ref()).await {
                        break 'frames;
                    }
                    let _ = feed_tx.send(Feed::Claim(claim));
                }
            }
            batched = 0;
            if !hand_over(&mut batch, &write_tx, &feed_tx, sum_tx.as_ref()).await {
                break 'frames;
            }
        }
    }
    if failure.is_none() {
        hand_over(&mut batch, &write_tx, &feed_tx, sum_tx.as_ref()).await;
    }
    drop((write_tx, feed_tx, sum_tx));

    let file = writer
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| io_error("write staged upload", e))?;
    let mut pieces = hasher
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let verified = match (checks, summing) {
        (Checks::Chunk(want), Some(summing)) => {
            let sum = summing
                .await
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            if failure.is_none() && sum.as_bytes() != &want {
                failure = Some(checksum_mismatch());
            }
            if failure.is_none() {
                offset + len
            } else {
                pieces = before.unwrap_or(pieces);
                offset
            }
        }
        _ => {
            if failure.is_none() && bad.load(Ordering::Relaxed) {
                failure = Some(checksum_mismatch());
            }
            if failure.is_none() && reader.is_some_and(|r| r.mid_piece()) {
                failure = Some(ApiError::invalid(
                    "The stream ended inside a piece; resume from the verified offset.",
                ));
            }
            let verified = *verified_tx.borrow();
            pieces.rewind(verified);
            verified
        }
    };
    verified_tx.send_replace(verified);
    drop(verified_tx);
    let (persisted, shipped) = checkpointer
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let file = cut_back(file, verified).await?;
    Ok(Received {
        verified,
        pieces,
        persisted,
        shipped,
        file,
        failure,
    })
}

/// Gives the gathered frames to the writing and hashing threads; false when the writer is gone.
async fn hand_over(
    batch: &mut Batch,
    write_tx: &mpsc::Sender<Batch>,
    feed_tx: &mpsc::UnboundedSender<Feed>,
    sum_tx: Option<&mpsc::UnboundedSender<Batch>>,
) -> bool {
    if batch.is_empty() {
        return true;
    }
    let frames = std::mem::take(batch);
    if let Some(sum) = sum_tx {
        let _ = sum.send(frames.clone());
    }
    let _ = feed_tx.send(Feed::Data(frames.clone()));
    write_tx.send(frames).await.is_ok()
}

fn checksum_mismatch() -> ApiError {
    ApiError::new(
        ErrorCode::ChecksumMismatch,
        "The chunk's BLAKE3 does not match its bytes; nothing of it was kept. Send it again.",
    )
}

fn past_the_end(size: u64) -> ApiError {
    ApiError::invalid(format!(
        "The chunk goes past the upload's length ({size} bytes)."
    ))
}

pub(super) fn io_error(what: &str, e: std::io::Error) -> ApiError {
    ApiError::Internal(format!("{what}: {e}"))
}

/// A stretch of a request body.
enum Piece {
    Data(Bytes),
    /// The checksum that follows a piece.
    Claim([u8; 32]),
}

/// Splits a stream of pieces into their bytes and their checksums, wherever frames break.
struct PieceReader {
    size: u64,
    /// The file offset of the next byte of piece data.
    at: u64,
    /// Bytes of the current piece still to come; then its checksum.
    piece_left: u64,
    claim: Vec<u8>,
    /// Some of the current piece (or its checksum) has come.
    started: bool,
}

impl PieceReader {
    fn new(offset: u64, size: u64) -> Self {
        Self {
            size,
            at: offset,
            piece_left: piece_len(offset, size),
            claim: Vec::with_capacity(32),
            started: false,
        }
    }

    fn mid_piece(&self) -> bool {
        self.started
    }

    fn split(&mut self, mut frame: Bytes, out: &mut Vec<Piece>) -> ApiResult<()> {
        while !frame.is_empty() {
            if self.at >= self.size && !self.started {
                return Err(past_the_end(self.size));
            }
            self.started = true;
            if self.piece_left > 0 {
                let n = usize::try_from(self.piece_left)
                    .unwrap_or(usize::MAX)
                    .min(frame.len());
                out.push(Piece::Data(frame.split_to(n)));
                self.piece_left -= n as u64;
                self.at += n as u64;
                continue;
            }
            let n = (32 - self.claim.len()).min(frame.len());
            self.claim.extend_from_slice(&frame.split_to(n));
            if let Ok(claim) = <[u8; 32]>::try_from(self.claim.as_slice()) {
                out.push(Piece::Claim(claim));
                self.claim.clear();
                self.started = false;
                self.piece_left = piece_len(self.at, self.size);
            }
        }
        Ok(())
    }
}

/// Writes batches of frames to the staged file from `offset` on, and says how far it has
/// written.
fn write_frames(
    path: PathBuf,
    offset: u64,
    mut batches: mpsc::Receiver<Batch>,
    written: watch::Sender<u64>,
) -> tokio::task::JoinHandle<std::io::Result<std::fs::File>> {
    tokio::task::spawn_blocking(move || {
        use std::io::Seek;
        let mut file = std::fs::OpenOptions::new().write(true).open(&path)?;
        file.seek(std::io::SeekFrom::Start(offset))?;
        let mut at = offset;
        while let Some(mut batch) = batches.blocking_recv() {
            at += batch.iter().map(|b| b.len() as u64).sum::<u64>();
            write_batch(&mut file, &mut batch)?;
            written.send_replace(at);
        }
        Ok(file)
    })
}

/// Hashes the pieces as their bytes come; each checksum the sender gives must be the one of
/// the piece that just ended, and moves the verified offset to its end. The first that is not
/// stops the hashing and raises `bad`.
fn hash_pieces(
    mut pieces: Pieces,
    mut feed: mpsc::UnboundedReceiver<Feed>,
    verified: Arc<watch::Sender<u64>>,
    bad: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<Pieces> {
    tokio::task::spawn_blocking(move || {
        while let Some(part) = feed.blocking_recv() {
            match part {
                Feed::Data(batch) => batch.iter().for_each(|data| pieces.update(data)),
                Feed::Claim(claim) if pieces.last() == Some(claim) => {
                    verified.send_replace(pieces.len());
                }
                Feed::Claim(_) => {
                    bad.store(true, Ordering::Relaxed);
                    break;
                }
            }
        }
        pieces
    })
}

/// The plain BLAKE3 of every frame sent to it (a tus chunk's checksum).
fn sum_frames(
    mut batches: mpsc::UnboundedReceiver<Batch>,
) -> tokio::task::JoinHandle<blake3::Hash> {
    tokio::task::spawn_blocking(move || {
        let mut hasher = blake3::Hasher::new();
        while let Some(batch) = batches.blocking_recv() {
            batch.iter().for_each(|frame| {
                hasher.update(frame);
            });
        }
        hasher.finalize()
    })
}

/// Where a request's checkpoints go.
struct Checkpoints {
    store: Store,
    id: Uuid,
    path: PathBuf,
    /// The offset the database holds.
    persisted: u64,
    every: u64,
    shipper: Option<Shipper>,
}

/// Records the verified offset in the database each time it has moved `every` bytes, once those
/// bytes are written and synced; or, for an upload staged in the object store, sends each part
/// the verified bytes complete (the database then records the part). Answers the offset the
/// database holds at the end, and how far the parts reach.
async fn checkpoints(
    mut at: Checkpoints,
    mut verified: watch::Receiver<u64>,
    mut written: watch::Receiver<u64>,
) -> (u64, Option<Shipped>) {
    while verified.changed().await.is_ok() {
        let offset = *verified.borrow_and_update();
        let due = match &at.shipper {
            Some(shipper) => shipper.due(offset),
            None => offset >= at.persisted.saturating_add(at.every),
        };
        if !due {
            continue;
        }
        if written.wait_for(|w| *w >= offset).await.is_err() {
            break;
        }
        if let Some(shipper) = &mut at.shipper {
            if let Err(e) = shipper.ship_up_to(offset).await {
                tracing::warn!(id = %at.id, "upload part: {e}");
            }
            at.persisted = at.persisted.max(shipper.shipped.end);
            continue;
        }
        let path = at.path.clone();
        let synced = tokio::task::spawn_blocking(move || std::fs::File::open(path)?.sync_data())
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))
            .and_then(|r| r.map_err(|e| io_error("sync staged upload", e)));
        let recorded = match synced {
            Ok(()) => at.store.upload_received(at.id, offset).await,
            Err(e) => Err(e),
        };
        match recorded {
            Ok(()) => at.persisted = offset,
            Err(e) => tracing::warn!(id = %at.id, "upload checkpoint: {e}"),
        }
    }
    (at.persisted, at.shipper.map(|s| s.shipped))
}

/// Writes the frames as they came (no copy into a buffer), several per system call.
fn write_batch(file: &mut std::fs::File, batch: &mut Batch) -> std::io::Result<()> {
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

/// Drops whatever the file holds past `len` (bytes that were not verified).
async fn cut_back(file: std::fs::File, len: u64) -> ApiResult<std::fs::File> {
    tokio::task::spawn_blocking(move || {
        if file.metadata()?.len() > len {
            file.set_len(len)?;
        }
        Ok(file)
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .map_err(|e| io_error("truncate staged upload", e))
}
