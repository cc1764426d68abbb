//! The files of published mini-program versions, served from a copy extracted once per
//! package (by its hash) under the data directory. A page's request then reads just its file,
//! not the whole package (up to 32 MiB) and an inflation of the entry every time, which anyone
//! could otherwise ask for, without signing in, as often as they liked.

use std::{
    collections::HashMap,
    io::Read,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
};

use uuid::Uuid;

use crate::{
    error::{ApiError, ApiResult},
    store::Store,
};

/// Marks a package's directory as extracted whole.
const COMPLETE: &str = ".complete";

pub struct PackageFiles {
    dir: PathBuf,
    /// One extraction per package at a time; the others wait for it.
    extracting: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl PackageFiles {
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            extracting: Mutex::default(),
        }
    }

    /// The file `name` of the mini-program's `version`, or `None` when it has no such file.
    pub async fn file(
        &self,
        store: &Store,
        program: Uuid,
        version: String,
        name: &str,
    ) -> ApiResult<Option<Vec<u8>>> {
        if !xin_proto::safe_path(name) {
            return Ok(None);
        }
        let hash = store
            .mini_program_package_hash(program, version.clone())
            .await?;
        let dir = self.dir.join(&hash);
        if !dir.join(COMPLETE).exists() {
            let lock = {
                let mut all = self.extracting.lock().unwrap_or_else(|p| p.into_inner());
                all.entry(hash.clone()).or_default().clone()
            };
            let _turn = lock.lock().await;
            if !dir.join(COMPLETE).exists() {
                let package = store.mini_program_package(program, Some(version)).await?;
                let (root, target) = (self.dir.clone(), dir.clone());
                tokio::task::spawn_blocking(move || extract(&package.bytes, &root, &target))
                    .await
                    .map_err(|e| ApiError::Internal(e.to_string()))??;
            }
            self.extracting
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&hash);
        }
        match tokio::fs::read(dir.join(name)).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(ApiError::Internal(format!("mini-program file: {e}"))),
        }
    }
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(format!("extracting a stored package: {e}"))
}

/// Extracts every file of a (checked) package into `target`, each inflated no further than
/// the size its header states, through a temporary directory so a crash leaves no half copy.
fn extract(package: &[u8], root: &Path, target: &Path) -> ApiResult<()> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(package)).map_err(internal)?;
    let staging = root.join(format!(".extracting-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&staging).map_err(internal)?;
    let done = (|| {
        for i in 0..zip.len() {
            let file = zip.by_index(i).map_err(internal)?;
            let name = file.name().to_string();
            if file.is_dir() || !xin_proto::safe_path(&name) {
                continue;
            }
            let stated = file.size();
            let mut bytes = Vec::new();
            file.take(stated + 1)
                .read_to_end(&mut bytes)
                .map_err(internal)?;
            if bytes.len() as u64 > stated {
                return Err(internal(format!("{name} inflates past its stated size")));
            }
            let path = staging.join(&name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(internal)?;
            }
            std::fs::write(&path, &bytes).map_err(internal)?;
        }
        std::fs::write(staging.join(COMPLETE), b"").map_err(internal)?;
        let _ = std::fs::remove_dir_all(target);
        std::fs::rename(&staging, target).map_err(internal)
    })();
    if done.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    done
}
