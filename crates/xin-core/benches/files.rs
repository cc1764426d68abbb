//! File transfer benchmark: a 1 GiB file up and down through the real engine against a real
//! xin-server in its own process, next to `curl` against a bare HTTP server (`plain-http`) on
//! the same machine and disk in the same run; peak memory of server and engine; BLAKE3 speed.
//!
//! Run by `cargo xtask bench`, which starts the server and passes `XIN_BENCH_SERVER` (its URL)
//! and `XIN_BENCH_SERVER_PID`. `XIN_BENCH_FILE_MIB` changes the file's size.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::Command,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use common::Person;
use xin_core::transfer_cache::TransferState;
use xin_proto::Content;

fn status_kib(pid: &str, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// CPU seconds a process has used (user + system).
fn cpu_secs(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let f: Vec<u64> = after
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();
    // Fields 14 and 15 of stat; after the name and the state letter they are the 11th and 12th.
    (f.get(10).copied().unwrap_or(0) + f.get(11).copied().unwrap_or(0)) as f64 / 100.0
}

fn mib_per_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / (1 << 20) as f64 / d.as_secs_f64()
}

fn write_file(path: &Path, bytes: u64) {
    let mut f = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path).unwrap());
    let mut block = vec![0u8; 1 << 16];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..bytes / block.len() as u64 {
        for b in block.chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b.copy_from_slice(&x.to_le_bytes());
        }
        f.write_all(&block).unwrap();
    }
    f.into_inner().unwrap().sync_all().unwrap();
}

/// Writes `n` over the file's first bytes.
fn stamp(path: &Path, n: u64) {
    use std::os::unix::fs::FileExt;
    let f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.write_all_at(&n.to_le_bytes(), 0).unwrap();
}

fn timed(cmd: &mut Command) -> Duration {
    let t = Instant::now();
    let status = cmd.status().expect("run curl");
    assert!(status.success(), "{cmd:?} failed");
    t.elapsed()
}

/// Peak resident memory of the server process and of this one (the engine), sampled.
struct Peaks {
    server: Arc<AtomicU64>,
    engine: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Peaks {
    fn start(server_pid: String) -> Self {
        let (server, engine) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let (s, e) = (server.clone(), engine.clone());
        let task = tokio::spawn(async move {
            loop {
                s.fetch_max(status_kib(&server_pid, "VmRSS:"), Ordering::Relaxed);
                e.fetch_max(status_kib("self", "RssAnon:"), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        });
        Self {
            server,
            engine,
            task,
        }
    }

    fn stop(self) -> (u64, u64) {
        self.task.abort();
        (
            self.server.load(Ordering::Relaxed) >> 10,
            self.engine.load(Ordering::Relaxed) >> 10,
        )
    }
}

async fn wait_done(p: &Person, id: uuid::Uuid) {
    loop {
        let t = p.engine.transfers().await.unwrap();
        match t.iter().find(|t| t.id == id).map(|t| t.state) {
            Some(TransferState::Done) => return,
            Some(TransferState::Failed) => panic!("transfer failed: {t:?}"),
            _ => tokio::time::sleep(Duration::from_millis(5)).await,
        }
    }
}

const ROUNDS: usize = 3;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn median_f(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Writes back every dirty page before a timed transfer, so none pays for the one before it
/// (the kernel's writeback of a gigabyte lands on whatever runs next).
fn settle() {
    let _ = Command::new("sync").status();
}

/// curl up to and down from `plain-http`, as plain as HTTP gets.
fn plain_copy(root: &Path, dir: &Path, file: &Path) -> (Duration, Duration) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut plain = Command::new(root.join("target/release/plain-http"))
        .arg(format!("127.0.0.1:{port}"))
        .arg(dir.join("plain-stored.bin"))
        .spawn()
        .expect("target/release/plain-http (cargo build --release -p xin-load)");
    std::thread::sleep(Duration::from_millis(300));
    let url = format!("http://127.0.0.1:{port}/file");
    settle();
    let up = timed(
        Command::new("curl")
            .args(["-sSf", "-o", "/dev/null", "-T"])
            .arg(file)
            .arg(&url),
    );
    settle();
    let down = timed(
        Command::new("curl")
            .args(["-sSf", "-o"])
            .arg(dir.join("plain-fetched.bin"))
            .arg(&url),
    );
    let _ = plain.kill();
    let _ = plain.wait();
    let _ = std::fs::remove_file(dir.join("plain-stored.bin"));
    let _ = std::fs::remove_file(dir.join("plain-fetched.bin"));
    (up, down)
}

struct XinRound {
    up: Duration,
    down: Duration,
    up_cpu: (f64, f64),
    peaks: (u64, u64),
}

/// The engine sends the file to File Transfer and downloads it again. A new account each
/// round: "instant upload" never applies across accounts, so every byte travels each time.
async fn xin_copy(
    server: &str,
    server_pid: &str,
    file: &Path,
    want: &str,
    round: usize,
) -> XinRound {
    let n = (std::process::id() % 10_000) * 10 + round as u32;
    let alice = Person::join_at(server, &format!("bench{n}"), &format!("139{n:08}")).await;
    let conv = alice.engine.open_file_transfer().await.unwrap().id;
    let peaks = Peaks::start(server_pid.to_string());
    settle();
    let cpu_before = (cpu_secs(server_pid), cpu_secs("self"));
    let t = Instant::now();
    let id = alice
        .engine
        .send_files(conv, vec![file.to_path_buf()])
        .await
        .unwrap()[0]
        .id;
    wait_done(&alice, id).await;
    let up = t.elapsed();
    let up_cpu = (
        cpu_secs(server_pid) - cpu_before.0,
        cpu_secs("self") - cpu_before.1,
    );
    let message = loop {
        let sent = alice.engine.messages(conv, None).await.unwrap();
        if let Some(m) = sent.into_iter().find(|m| {
            m.state == xin_core::views::SendState::Sent
                && matches!(m.message.content, Content::File { .. })
        }) {
            break m.message;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    settle();
    let t = Instant::now();
    let fetched = alice.engine.download_file(&message).await.unwrap();
    wait_done(&alice, fetched.id).await;
    let down = t.elapsed();
    let peaks = peaks.stop();
    let saved = alice
        .engine
        .transfers()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.id == fetched.id)
        .unwrap()
        .path;
    assert_eq!(xin_core::media::hash_file(Path::new(&saved)).unwrap(), want);
    let _ = std::fs::remove_file(saved);
    alice.engine.shut_down().await;
    XinRound {
        up,
        down,
        up_cpu,
        peaks,
    }
}

async fn run(server: String, server_pid: String, mib: u64) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = root.join("target/bench-files");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let size = mib << 20;
    let file = dir.join("big.bin");
    write_file(&file, size);

    // BLAKE3 on this machine: one core reading the file, and memory-mapped on all cores.
    let t = Instant::now();
    let mut h = blake3::Hasher::new();
    h.update_reader(std::fs::File::open(&file).unwrap())
        .unwrap();
    let one_core = mib_per_s(size, t.elapsed());
    let t = Instant::now();
    let want = xin_core::media::hash_file(&file).unwrap();
    let all_cores = mib_per_s(size, t.elapsed());
    assert_eq!(want, h.finalize().to_hex().as_str());

    // Rounds alternate the yardstick and Xin, so both meet the same disk and page cache;
    // the table shows medians.
    let mut plain_times = (Vec::new(), Vec::new());
    let mut xin_times = (Vec::new(), Vec::new());
    let mut cpu = (Vec::new(), Vec::new());
    // The server may have served other benchmarks before: what counts is what it grows by.
    let server_before = status_kib(&server_pid, "VmRSS:") >> 10;
    let mut peaks_seen = (0, 0);
    for round in 0..ROUNDS {
        let (up, down) = plain_copy(&root, &dir, &file);
        plain_times.0.push(up);
        plain_times.1.push(down);
        // Other bytes each round, so every round stores a file the server has never seen (one
        // that is already there takes the duplicate's path instead).
        stamp(&file, round as u64 + 1);
        let want = xin_core::media::hash_file(&file).unwrap();
        let r = xin_copy(&server, &server_pid, &file, &want, round).await;
        xin_times.0.push(r.up);
        xin_times.1.push(r.down);
        cpu.0.push(r.up_cpu.0);
        cpu.1.push(r.up_cpu.1);
        peaks_seen = (peaks_seen.0.max(r.peaks.0), peaks_seen.1.max(r.peaks.1));
    }
    let _ = std::fs::remove_dir_all(&dir);
    let (plain_up, plain_down) = (median(plain_times.0), median(plain_times.1));
    let (xin_up, xin_down) = (median(xin_times.0), median(xin_times.1));
    let up_cpu = (median_f(cpu.0), median_f(cpu.1));
    let (server_peak, engine_peak) = peaks_seen;
    let row = |what: &str, plain: Duration, xin: Duration| {
        format!(
            "| {what} | {:.0} MiB/s ({:.2} s) | {:.0} MiB/s ({:.2} s) | **{:.0} %** |\n",
            mib_per_s(size, plain),
            plain.as_secs_f64(),
            mib_per_s(size, xin),
            xin.as_secs_f64(),
            100.0 * plain.as_secs_f64() / xin.as_secs_f64()
        )
    };
    let mut out = format!(
        "### File transfer, {mib} MiB over loopback (median of {ROUNDS} alternating rounds)\n\n| | curl ↔ bare HTTP server | Xin (engine ↔ xin-server) | Xin / plain |\n|---|---|---|---|\n"
    );
    out += &row("upload", plain_up, xin_up);
    out += &row("download", plain_down, xin_down);
    out += &format!(
        "\nCPU during the upload: server {:.2} s, engine {:.2} s (of {:.2} s × 2 cores).\n",
        up_cpu.0,
        up_cpu.1,
        xin_up.as_secs_f64()
    );
    out += &format!(
        "Peak memory while Xin moved the file: server {server_peak} MiB resident ({server_before} MiB before the first round), engine {engine_peak} MiB anonymous (heap).\n\
         BLAKE3 on this machine: {one_core:.0} MiB/s on one core (read), {all_cores:.0} MiB/s memory-mapped on all cores.\n"
    );
    out
}

fn main() {
    let (Ok(server), Ok(pid)) = (
        std::env::var("XIN_BENCH_SERVER"),
        std::env::var("XIN_BENCH_SERVER_PID"),
    ) else {
        println!("files bench: run it through `cargo xtask bench` (it starts the server)");
        return;
    };
    let mib = std::env::var("XIN_BENCH_FILE_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let table = rt.block_on(run(server, pid, mib));
    println!("{table}");
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-files.md");
    let _ = std::fs::write(out, &table);
}
