//! Call media figures: two call engines (webrtcbin) in two processes, as two computers would
//! run them, talking over the loopback interface only. The caller's process drives; the
//! callee's is this same program started with `--callee`, and they exchange signals over its
//! stdin and stdout, as the server would carry them.
//!
//! Per call (the median of `XIN_BENCH_CALLS`, 5 by default): accept → connected and → first
//! sound packet at each end; mouth-to-ear latency (the caller's tone switched on, until the
//! callee's level meter hears it rise out of silence: Opus encoding, RTP, the 60 ms jitter
//! buffer, decoding; not a sound card's own buffers); loss and jitter; the Opus bitrate; the
//! callee process's CPU and memory during the call. Then the same for a 640×480 video call:
//! frames decoded per second at each end.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    io::{BufRead, BufReader, Write},
    process::{Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc::unbounded_channel;
use xin_core::{
    call_media::{CallMedia, MediaEvent, MediaSetup},
    call_pipeline::MediaStats,
};
use xin_proto::Signal;

/// What the two processes say to each other, one JSON object per line.
#[derive(Serialize, Deserialize)]
enum Line {
    Start { video: bool },
    Signal(Signal),
    Stats,
    Report(Report),
    Stop,
}

#[derive(Serialize, Deserialize, Clone, Default)]
struct Report {
    stats: MediaStats,
    lost: i64,
    jitter_ms: f64,
    /// This process's CPU time (ms) and resident memory (KiB) so far.
    cpu_ms: u64,
    rss_kib: u64,
}

fn report(media: &CallMedia) -> Report {
    let (lost, jitter_ms) = media.audio_loss().unwrap_or((0, 0.0));
    let (cpu_ms, rss_kib) = own_usage();
    Report {
        stats: media.stats(),
        lost,
        jitter_ms,
        cpu_ms,
        rss_kib,
    }
}

/// utime + stime from /proc/self/stat (clock ticks of 10 ms), VmRSS from /proc/self/status.
fn own_usage() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let cpu_ms = (ticks(11) + ticks(12)) * 10;
    let rss = std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next().and_then(|n| n.parse().ok()))
        .unwrap_or(0);
    (cpu_ms, rss)
}

fn send(out: &mut impl Write, line: &Line) {
    let _ = writeln!(out, "{}", serde_json::to_string(line).unwrap_or_default());
    let _ = out.flush();
}

/// The callee: answers, reports when asked, until stdin closes.
fn callee() {
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout();
    let (tx, mut rx) = unbounded_channel();
    let mut media: Option<CallMedia> = None;
    let (lines_tx, lines) = mpsc::channel::<Line>();
    std::thread::spawn(move || {
        for line in stdin.lock().lines().map_while(Result::ok) {
            if let Ok(l) = serde_json::from_str::<Line>(&line) {
                let _ = lines_tx.send(l);
            }
        }
    });
    loop {
        while let Ok(event) = rx.try_recv() {
            if let MediaEvent::Signal(s) = event {
                send(&mut stdout, &Line::Signal(s));
            }
        }
        match lines.recv_timeout(Duration::from_millis(5)) {
            Ok(Line::Start { video }) => {
                media = CallMedia::start(MediaSetup::loopback_test(false, video, 1000), tx.clone())
                    .ok();
            }
            Ok(Line::Signal(s)) => {
                if let Some(m) = &media {
                    let _ = m.receive(s);
                }
            }
            Ok(Line::Stats) => {
                let r = media.as_ref().map(report).unwrap_or_default();
                send(&mut stdout, &Line::Report(r));
            }
            Ok(Line::Stop) => media = None,
            Ok(Line::Report(_)) | Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
    }
}

struct Peer {
    input: std::process::ChildStdin,
    lines: mpsc::Receiver<Line>,
    child: std::process::Child,
}

impl Peer {
    fn spawn() -> Self {
        let mut child = Command::new(std::env::current_exe().expect("own path"))
            .arg("--callee")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the callee process");
        let input = child.stdin.take().expect("stdin");
        let output = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(output).lines().map_while(Result::ok) {
                if let Ok(l) = serde_json::from_str::<Line>(&line) {
                    let _ = tx.send(l);
                }
            }
        });
        Self {
            input,
            lines,
            child,
        }
    }

    fn say(&mut self, line: &Line) {
        send(&mut self.input, line);
    }
}

/// Passes signals both ways while waiting for `until` (given the callee's latest report).
fn run(
    peer: &mut Peer,
    me: &CallMedia,
    events: &mut tokio::sync::mpsc::UnboundedReceiver<MediaEvent>,
    within: Duration,
    mut until: impl FnMut(&Report, &MediaStats) -> bool,
) -> Report {
    let deadline = Instant::now() + within;
    let mut last = Report::default();
    let mut asked = Instant::now() - Duration::from_secs(1);
    loop {
        while let Ok(event) = events.try_recv() {
            if let MediaEvent::Signal(s) = event {
                peer.say(&Line::Signal(s));
            }
        }
        while let Ok(line) = peer.lines.try_recv() {
            match line {
                Line::Signal(s) => {
                    let _ = me.receive(s);
                }
                Line::Report(r) => last = r,
                _ => {}
            }
        }
        if until(&last, &me.stats()) || Instant::now() > deadline {
            return last;
        }
        if asked.elapsed() > Duration::from_millis(20) {
            peer.say(&Line::Stats);
            asked = Instant::now();
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn unix_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

#[derive(Default)]
struct Figures {
    caller_first_audio: Vec<f64>,
    callee_first_audio: Vec<f64>,
    connect: Vec<f64>,
    mouth_to_ear: Vec<f64>,
    lost: Vec<f64>,
    jitter: Vec<f64>,
    kbps: Vec<f64>,
    cpu: Vec<f64>,
    rss_mib: Vec<f64>,
    fps_callee: Vec<f64>,
    fps_caller: Vec<f64>,
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

const STEADY: Duration = Duration::from_secs(4);

fn one_call(peer: &mut Peer, video: bool, f: &mut Figures) {
    let (tx, mut rx) = unbounded_channel();
    // The answer: both ends start their media at the same moment.
    peer.say(&Line::Start { video });
    let me =
        CallMedia::start(MediaSetup::loopback_test(true, video, 440), tx).expect("caller media");
    let heard = run(peer, &me, &mut rx, Duration::from_secs(20), |r, s| {
        r.stats.audio_packets > 0 && s.audio_packets > 0
    });
    f.connect
        .push(f64::from(me.stats().connect_ms.unwrap_or(0)));
    f.caller_first_audio
        .push(f64::from(me.stats().first_audio_ms.unwrap_or(0)));
    f.callee_first_audio
        .push(f64::from(heard.stats.first_audio_ms.unwrap_or(0)));

    // Steady state: bitrate, frames, CPU and memory of the callee's process.
    let before = run(peer, &me, &mut rx, Duration::from_millis(500), |_, _| false);
    let mine_before = me.stats();
    let t = Instant::now();
    let after = run(peer, &me, &mut rx, STEADY, |_, _| false);
    let secs = t.elapsed().as_secs_f64();
    let mine_after = me.stats();
    f.kbps.push(
        (after
            .stats
            .audio_bytes
            .saturating_sub(before.stats.audio_bytes)) as f64
            * 8.0
            / secs
            / 1000.0,
    );
    f.cpu
        .push((after.cpu_ms.saturating_sub(before.cpu_ms)) as f64 / 10.0 / secs);
    f.rss_mib.push(after.rss_kib as f64 / 1024.0);
    f.lost.push(after.lost as f64);
    f.jitter.push(after.jitter_ms);
    if video {
        f.fps_callee.push(
            (after
                .stats
                .frames_decoded
                .saturating_sub(before.stats.frames_decoded)) as f64
                / secs,
        );
        f.fps_caller.push(
            (mine_after
                .frames_decoded
                .saturating_sub(mine_before.frames_decoded)) as f64
                / secs,
        );
    } else {
        // Mouth to ear: silence, then the tone again; when does the far end hear it?
        me.set_muted(true);
        let quiet = run(peer, &me, &mut rx, Duration::from_secs(3), |r, _| {
            r.stats.level_db.is_some_and(|db| db < -70.0)
        });
        let was = quiet.stats.rose_at_us;
        let on = unix_us();
        me.set_muted(false);
        let loud = run(peer, &me, &mut rx, Duration::from_secs(3), |r, _| {
            r.stats.rose_at_us.is_some() && r.stats.rose_at_us != was
        });
        if let Some(at) = loud
            .stats
            .rose_at_us
            .filter(|_| loud.stats.rose_at_us != was)
        {
            f.mouth_to_ear.push((at - on) as f64 / 1000.0);
        }
    }
    peer.say(&Line::Stop);
    drop(me);
    std::thread::sleep(Duration::from_millis(300));
}

fn main() {
    if std::env::args().any(|a| a == "--callee") {
        return callee();
    }
    let calls: usize = std::env::var("XIN_BENCH_CALLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5);
    let mut peer = Peer::spawn();
    let mut voice = Figures::default();
    let mut video = Figures::default();
    for _ in 0..calls {
        one_call(&mut peer, false, &mut voice);
    }
    for _ in 0..calls {
        one_call(&mut peer, true, &mut video);
    }
    drop(peer.input);
    let _ = peer.child.wait();

    let mut md = String::new();
    md.push_str(&format!(
        "## Call media — median of {calls} calls, two processes over loopback\n\n"
    ));
    md.push_str("| figure | voice call | 640×480 video call |\n|---|---|---|\n");
    let row = |name: &str, unit: &str, a: &[f64], b: &[f64]| {
        let cell = |v: &[f64]| {
            if v.is_empty() {
                "—".to_string()
            } else {
                format!("{:.1} {unit}", median(v))
            }
        };
        format!("| {name} | {} | {} |\n", cell(a), cell(b))
    };
    md.push_str(&row(
        "accept → connected (ICE + DTLS)",
        "ms",
        &voice.connect,
        &video.connect,
    ));
    md.push_str(&row(
        "accept → first sound packet, caller",
        "ms",
        &voice.caller_first_audio,
        &video.caller_first_audio,
    ));
    md.push_str(&row(
        "accept → first sound packet, callee",
        "ms",
        &voice.callee_first_audio,
        &video.callee_first_audio,
    ));
    md.push_str(&row(
        "mouth → ear (tone on → heard)",
        "ms",
        &voice.mouth_to_ear,
        &video.mouth_to_ear,
    ));
    md.push_str(&row("sound packets lost", "", &voice.lost, &video.lost));
    md.push_str(&row(
        "interarrival jitter",
        "ms",
        &voice.jitter,
        &video.jitter,
    ));
    md.push_str(&row(
        "Opus received (with RTP headers)",
        "kbit/s",
        &voice.kbps,
        &video.kbps,
    ));
    md.push_str(&row(
        "frames decoded at the callee",
        "fps",
        &voice.fps_callee,
        &video.fps_callee,
    ));
    md.push_str(&row(
        "frames decoded at the caller",
        "fps",
        &voice.fps_caller,
        &video.fps_caller,
    ));
    md.push_str(&row(
        "callee process CPU",
        "% of a core",
        &voice.cpu,
        &video.cpu,
    ));
    md.push_str(&row(
        "callee process RSS",
        "MiB",
        &voice.rss_mib,
        &video.rss_mib,
    ));
    println!("{md}");
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-calls.md");
    let _ = std::fs::write(&out, &md);
}
