//! Files: resumable uploads into content-addressed blobs, and their garbage collection.

mod receive;
pub mod storage;
pub mod uploads;

use std::time::Duration;

pub use receive::Checks;
pub use uploads::{Checksum, Uploads};

use crate::{state::AppState, store::Collected, time::now_ms};

/// Removes uploads untouched since `cutoff_ms` and blobs that no message points at and whose
/// owners have not touched them since; then deletes their bytes.
pub async fn collect_garbage(state: &AppState, cutoff_ms: i64) -> crate::ApiResult<Collected> {
    let uploads = &state.uploads;
    let _commit = uploads.commit_lock.lock().await;
    let collected = state.store.collect_garbage(cutoff_ms).await?;
    for id in &collected.uploads {
        if let Err(e) = uploads.staging().discard(*id) {
            tracing::warn!(%id, "gc: staged upload: {e}");
        }
    }
    for hash in &collected.blobs {
        if let Err(e) = uploads.blobs().delete(hash) {
            tracing::warn!(%hash, "gc: blob: {e}");
        }
    }
    Ok(collected)
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
