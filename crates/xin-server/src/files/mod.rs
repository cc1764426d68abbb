//! Files: resumable uploads into content-addressed blobs, and their garbage collection.

mod receive;
mod receiving;
pub mod s3_blobs;
pub mod storage;
mod upload_parts;
pub mod uploads;

use std::time::{Duration, UNIX_EPOCH};

pub use receive::Checks;
pub use receiving::ReceivingBounds;
pub use uploads::{Checksum, Uploads};

use uuid::Uuid;

use crate::{state::AppState, store::Collected, time::now_ms};

/// Removes uploads untouched since `cutoff_ms` and blobs that no message points at and whose
/// owners have not touched them since; then deletes their bytes, and any staged file as old that
/// no upload owns any more. On a shared database one node at a time collects (the others only
/// sweep their own staged files), and a blob another node is committing the same bytes of is
/// left for the next round (see `store::BlobLocks`).
pub async fn collect_garbage(state: &AppState, cutoff_ms: i64) -> crate::ApiResult<Collected> {
    let uploads = &state.uploads;
    let _commit = uploads.commit_lock.lock().await;
    let locks = state.store.blob_locks().await?;
    let collector = match &locks {
        Some(l) => l.try_collect().await?,
        None => true,
    };
    let found = if collector {
        state.store.collect_garbage(cutoff_ms).await?
    } else {
        Collected::default()
    };
    for open in &found.multiparts {
        uploads.abort_parts(open).await;
    }
    let mut collected = Collected {
        uploads: found.uploads,
        blobs: Vec::new(),
        multiparts: found.multiparts,
    };
    for id in strays(state, cutoff_ms).await? {
        if !collected.uploads.contains(&id) {
            collected.uploads.push(id);
        }
    }
    for id in &collected.uploads {
        if let Err(e) = uploads.staging().discard(*id) {
            tracing::warn!(%id, "gc: staged upload: {e}");
        }
    }
    for hash in found.blobs {
        if let Some(l) = &locks {
            if !l.try_lock(&hash).await? {
                continue;
            }
        }
        if state.store.drop_blob(hash.clone()).await? {
            if let Err(e) = uploads.blobs().delete(&hash).await {
                tracing::warn!(%hash, "gc: blob: {e}");
            }
            collected.blobs.push(hash.clone());
        }
        if let Some(l) = &locks {
            l.unlock(&hash).await?;
        }
    }
    Ok(collected)
}

/// Staged files older than the cutoff whose upload is gone: a duplicate's copy is dropped after
/// the answer and an abandoned upload's after its row, so a crash in between leaves the file.
async fn strays(state: &AppState, cutoff_ms: i64) -> crate::ApiResult<Vec<Uuid>> {
    let cutoff = UNIX_EPOCH + Duration::from_millis(u64::try_from(cutoff_ms).unwrap_or(0));
    let staging = state.uploads.staging().clone();
    let old = tokio::task::spawn_blocking(move || staging.untouched_since(cutoff))
        .await
        .map_err(|e| crate::ApiError::Internal(e.to_string()))?
        .map_err(|e| receive::io_error("list staged uploads", e))?;
    let live = state.store.uploads_in_progress(&old).await?;
    Ok(old.into_iter().filter(|id| !live.contains(id)).collect())
}

/// Collects garbage every `interval`, with `grace` for anything still in use.
pub async fn run_collector(state: AppState, interval: Duration, grace: Duration) {
    let grace_ms = i64::try_from(grace.as_millis()).unwrap_or(i64::MAX);
    loop {
        tokio::time::sleep(interval).await;
        match collect_garbage(&state, now_ms().saturating_sub(grace_ms)).await {
            Ok(c) if c.uploads.is_empty() && c.blobs.is_empty() => {}
            Ok(c) => tracing::info!(
                uploads = c.uploads.len(),
                blobs = c.blobs.len(),
                "collected abandoned uploads and unreferenced files"
            ),
            Err(e) => tracing::warn!("gc: {e}"),
        }
    }
}
