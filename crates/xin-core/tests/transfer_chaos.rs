#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A 200 MiB file through a proxy that cuts every connection twice, and an app restart: it
//! arrives once, BLAKE3-equal, with at most one chunk sent again per interruption, and the
//! engine's memory stays flat. Alone in its test binary, so nothing else moves the memory
//! figure.
mod common;

use std::{
    future::Future,
    pin::Pin,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    task::{Context, Poll},
    time::Duration,
};

use common::*;
use tokio::{
    io::{AsyncRead, ReadBuf},
    net::TcpListener,
    task::JoinHandle,
    time::Instant,
};
use uuid::Uuid;
use xin_core::transfer_cache::{Transfer, TransferState};
use xin_proto::Content;

/// Bytes per second the proxy passes each way: slow enough that every interruption lands
/// mid-transfer, whatever the build.
const RATE: f64 = 40.0 * (1 << 20) as f64;

/// Counts the bytes read through it, passing them at most at `RATE` (shared by all
/// connections one way, like one link).
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
    link: Arc<Mutex<Instant>>,
    wait: Pin<Box<tokio::time::Sleep>>,
}

impl<R> Counting<R> {
    fn new(inner: R, count: Arc<AtomicU64>, link: Arc<Mutex<Instant>>) -> Self {
        Self {
            inner,
            count,
            link,
            wait: Box::pin(tokio::time::sleep(Duration::ZERO)),
        }
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for Counting<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        // The link is free again at `link`: wait for it before reading more.
        let free_at = *self.link.lock().unwrap();
        if free_at > Instant::now() {
            self.wait.as_mut().reset(free_at);
            std::task::ready!(self.wait.as_mut().poll(cx));
        }
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        let n = buf.filled().len() - before;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        let mut link = self.link.lock().unwrap();
        // An idle link saves up no more than a moment's worth of bytes.
        let from = (*link).max(Instant::now() - Duration::from_millis(10));
        *link = from + Duration::from_secs_f64(n as f64 / RATE);
        r
    }
}

/// A TCP proxy that counts what clients send and can cut every connection.
struct CuttingProxy {
    url: String,
    sent: Arc<AtomicU64>,
    received: Arc<AtomicU64>,
    conns: Arc<Mutex<Vec<JoinHandle<()>>>>,
    _accept: JoinHandle<()>,
}

impl CuttingProxy {
    async fn start(upstream: std::net::SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let sent = Arc::new(AtomicU64::new(0));
        let received = Arc::new(AtomicU64::new(0));
        let conns: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (count, count_down, list) = (sent.clone(), received.clone(), conns.clone());
        let (link_up, link_down) = (
            Arc::new(Mutex::new(Instant::now())),
            Arc::new(Mutex::new(Instant::now())),
        );
        let accept = tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                let (count, count_down) = (count.clone(), count_down.clone());
                let (link_up, link_down) = (link_up.clone(), link_down.clone());
                let task = tokio::spawn(async move {
                    let Ok(outbound) = tokio::net::TcpStream::connect(upstream).await else {
                        return;
                    };
                    let (ri, mut wi) = inbound.into_split();
                    let (ro, mut wo) = outbound.into_split();
                    // A client's close is not passed on: its connection to the server stays
                    // open, as when a link dies without a word reaching the server.
                    let mut up = Counting::new(ri, count, link_up);
                    let mut down = Counting::new(ro, count_down, link_down);
                    let _ = tokio::join!(
                        tokio::io::copy(&mut up, &mut wo),
                        tokio::io::copy(&mut down, &mut wi)
                    );
                });
                let mut l = list.lock().unwrap();
                l.retain(|t| !t.is_finished());
                l.push(task);
            }
        });
        Self {
            url,
            sent,
            received,
            conns,
            _accept: accept,
        }
    }

    fn cut(&self) {
        for t in self.conns.lock().unwrap().drain(..) {
            t.abort();
        }
    }
}

/// Anonymous memory of this process (heap, not file pages the kernel can drop), in bytes.
fn anon_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("RssAnon:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap()
        * 1024
}

async fn upload_of(p: &Person, id: Uuid) -> Option<Transfer> {
    p.engine
        .transfers()
        .await
        .ok()?
        .into_iter()
        .find(|t| t.id == id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "heavy: moves 200 MiB twice; run by `cargo xtask test`"]
async fn a_200_mib_file_survives_cuts_and_a_restart_and_arrives_once() {
    const SIZE: u64 = 200 << 20;
    let server = Server::start().await;
    let proxy = CuttingProxy::start(server.addr).await;
    let mut alice = Person::join_at(&proxy.url, "alice", "13800000001").await;
    let bob = Person::join(&server, "bob", "13800000002").await;
    alice.befriend(&bob).await;
    let conv = alice.chat_with(&bob).await;

    let path = alice.data_dir().join("holiday.mkv");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let mut block = [0u8; 4096];
        for i in 0..SIZE / 4096 {
            block[..8].copy_from_slice(&i.to_le_bytes());
            f.write_all(&block).unwrap();
        }
    }
    let want = blake3::hash(&std::fs::read(&path).unwrap());
    let baseline = anon_rss();
    let peak = Arc::new(AtomicU64::new(baseline));
    let sampler = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                peak.fetch_max(anon_rss(), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let sent_before = proxy.sent.load(Ordering::Relaxed);
    let id = alice.engine.send_files(conv, vec![path]).await.unwrap()[0].id;

    // Cut every connection at 25 % and 50 %, restart the app at 75 %.
    let mut interruptions = 0u64;
    for (fraction, restart) in [(0.25, false), (0.5, false), (0.75, true)] {
        let done = wait_for("progress", Duration::from_secs(120), async || {
            let t = upload_of(&alice, id).await?;
            (t.done as f64 >= fraction * SIZE as f64).then_some(t.done)
        })
        .await;
        assert!(
            done < SIZE,
            "the upload was over before interruption {interruptions}"
        );
        if restart {
            alice.relaunch().await;
        } else {
            proxy.cut();
        }
        interruptions += 1;
    }
    let got = wait_for("bob's file", Duration::from_secs(180), async || {
        sent_media(&bob, conv).await.into_iter().next()
    })
    .await;
    let sent = proxy.sent.load(Ordering::Relaxed) - sent_before;
    sampler.abort();

    // Exactly one message, and byte-equal.
    assert_eq!(sent_media(&bob, conv).await.len(), 1);
    let Content::File { blob, .. } = &got.message.content else {
        panic!("not a file")
    };
    assert_eq!(blob.hash, want.to_hex().as_str());
    assert_eq!(blob.size, SIZE);
    let t = bob.engine.download_file(&got.message).await.unwrap();
    let done = wait_for("bob's download", Duration::from_secs(120), async || {
        let t = upload_of(&bob, t.id).await?;
        (t.state == TransferState::Done).then_some(t)
    })
    .await;
    let mut hasher = blake3::Hasher::new();
    hasher
        .update_reader(std::fs::File::open(&done.path).unwrap())
        .unwrap();
    assert_eq!(hasher.finalize(), want);

    // At most one chunk again per interruption (plus headers and the app's other calls).
    let chunk = 8u64 << 20;
    let extra = sent.saturating_sub(SIZE);
    println!(
        "sent {sent} bytes for {SIZE} ({:.2} MiB extra over {interruptions} interruptions); anonymous memory peak +{} MiB",
        extra as f64 / (1 << 20) as f64,
        (peak.load(Ordering::Relaxed) - baseline) >> 20
    );
    assert!(
        extra <= interruptions * chunk + (1 << 20),
        "sent {extra} bytes more than the file"
    );
    // Flat memory: the file never sits in memory whole (server and both engines in this process).
    let grown = peak.load(Ordering::Relaxed).saturating_sub(baseline);
    assert!(grown < 96 << 20, "memory grew by {} MiB", grown >> 20);

    // Alice downloads it again through the same proxy: a cut at 30 % and a restart at 60 %
    // resume from what is on disk (Range), they do not start over.
    let received_before = proxy.received.load(Ordering::Relaxed);
    let t = alice.engine.download_file(&got.message).await.unwrap();
    for (fraction, restart) in [(0.3, false), (0.6, true)] {
        let done = wait_for("download progress", Duration::from_secs(120), async || {
            let t = upload_of(&alice, t.id).await?;
            (t.done as f64 >= fraction * SIZE as f64 || t.state == TransferState::Done)
                .then_some(t.done)
        })
        .await;
        assert!(
            done < SIZE,
            "the download was over before it was interrupted"
        );
        if restart {
            alice.relaunch().await;
        } else {
            proxy.cut();
        }
    }
    let fetched = wait_for("alice's download", Duration::from_secs(120), async || {
        let t = upload_of(&alice, t.id).await?;
        (t.state == TransferState::Done).then_some(t)
    })
    .await;
    let mut hasher = blake3::Hasher::new();
    hasher
        .update_reader(std::fs::File::open(&fetched.path).unwrap())
        .unwrap();
    assert_eq!(hasher.finalize(), want);
    let down = proxy.received.load(Ordering::Relaxed) - received_before;
    println!("received {down} bytes for {SIZE} through two interruptions");
    assert!(
        down < SIZE + SIZE / 10,
        "the download started over: {down} bytes for {SIZE}"
    );
}
