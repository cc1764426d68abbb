//! The GStreamer branches around a call's `webrtcbin`: what is sent (microphone or a test tone,
//! camera or a test picture, each gated until the transport is up) and what is done with what
//! arrives (played, or measured: packets, level, the strongest frequency, decoded frames).

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::Instant,
};

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app::AppSink;
use serde::Serialize;
use ts_rs::TS;

/// Where a call's sound and picture come from and go to.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// The system's microphone, speaker and camera (PulseAudio/PipeWire, Video4Linux); `None`
    /// is the system's default.
    Devices {
        microphone: Option<String>,
        speaker: Option<String>,
        camera: Option<String>,
    },
    /// A steady sine tone and a moving test picture; what arrives is measured, not played.
    Test { tone_hz: u32 },
}

/// Opus at a bitrate for speech; VP8 at a size and rate a laptop camera gives.
const OPUS_BITRATE: u32 = 32_000;
const OPUS_PT: u32 = 111;
const VP8_PT: u32 = 96;
pub const VIDEO_WIDTH: u32 = 640;
pub const VIDEO_HEIGHT: u32 = 480;
const VIDEO_FPS: u32 = 30;
const VP8_BITRATE: u32 = 700_000;
/// Pictures for the call window: a few per second are enough for the self-view, and the remote
/// picture is re-encoded at most this often.
const PREVIEW_FPS: u32 = 15;

/// The send side's switches.
#[derive(Clone)]
pub struct Senders {
    gates: Vec<gst::Element>,
    mute: gst::Element,
    camera: Option<gst::Element>,
    preview: Arc<Mutex<Option<Arc<Vec<u8>>>>>,
}

impl Senders {
    /// Lets media through once the transport is up.
    pub fn open(&self) {
        for gate in &self.gates {
            gate.set_property("drop", false);
        }
    }

    pub fn set_muted(&self, muted: bool) {
        self.mute.set_property("mute", muted);
    }

    pub fn set_camera(&self, on: bool) {
        if let Some(camera) = &self.camera {
            camera.set_property("drop", !on);
        }
    }

    pub fn frame(&self) -> Option<Arc<Vec<u8>>> {
        self.preview.lock().ok().and_then(|f| f.clone())
    }
}

/// Adds the send branches and links them to new transceivers of `webrtc`.
pub fn add_senders(
    pipeline: &gst::Pipeline,
    webrtc: &gst::Element,
    source: &Source,
    video: bool,
) -> Result<Senders, String> {
    let (microphone, dsp) = match source {
        Source::Test { tone_hz } => (
            format!("audiotestsrc is-live=true wave=sine freq={tone_hz} volume=0.3"),
            "",
        ),
        Source::Devices { microphone, .. } => (
            format!("pulsesrc{}", device_property(microphone)),
            // Echo cancellation, noise suppression and gain control; its probe sits in front of
            // the speaker (`on_remote_streams`).
            " ! webrtcdsp echo-cancel=true noise-suppression=true gain-control=true",
        ),
    };
    let audio = format!(
        "{microphone} ! audioconvert ! audioresample ! audio/x-raw,rate=48000,channels=1{dsp} \
         ! volume name=mute ! opusenc bitrate={OPUS_BITRATE} audio-type=voice \
         ! rtpopuspay pt={OPUS_PT} ! {caps} \
         ! valve name=gate drop=true drop-mode=forward-sticky-events",
        caps = audio_caps()
    );
    let audio = add_branch(pipeline, &audio)?;
    link_to_webrtc(&audio, webrtc, &audio_caps())?;
    let mute = by_name(&audio, "mute")?;
    let mut gates = vec![by_name(&audio, "gate")?];
    let preview = Arc::new(Mutex::new(None));
    let mut camera = None;
    if video {
        let src = match source {
            Source::Test { .. } => "videotestsrc is-live=true pattern=ball".to_string(),
            Source::Devices { camera, .. } => format!("v4l2src{}", device_property(camera)),
        };
        let desc = format!(
            "{src} ! videoconvert ! videoscale ! videorate \
             ! video/x-raw,width={VIDEO_WIDTH},height={VIDEO_HEIGHT},framerate={VIDEO_FPS}/1 \
             ! tee name=split \
             split. ! queue ! valve name=camera drop=false \
               ! vp8enc deadline=1 cpu-used=8 target-bitrate={VP8_BITRATE} keyframe-max-dist=60 \
                 error-resilient=partitions \
               ! rtpvp8pay pt={VP8_PT} picture-id-mode=15-bit ! {caps} \
               ! valve name=gate drop=true drop-mode=forward-sticky-events \
             split. ! queue leaky=downstream max-size-buffers=2 ! {preview_tail}",
            caps = video_caps(),
            preview_tail = preview_tail("preview"),
        );
        let branch = add_branch(pipeline, &desc)?;
        link_to_webrtc(&branch, webrtc, &video_caps())?;
        gates.push(by_name(&branch, "gate")?);
        camera = Some(by_name(&branch, "camera")?);
        keep_latest_frame(&by_name(&branch, "preview")?, preview.clone());
    }
    Ok(Senders {
        gates,
        mute,
        camera,
        preview,
    })
}

/// Counts and keeps what arrives.
#[derive(Default)]
pub struct Meters {
    packets: AtomicU64,
    bytes: AtomicU64,
    frames: AtomicU64,
    inner: Mutex<MeterTimes>,
    remote_frame: Arc<Mutex<Option<Arc<Vec<u8>>>>>,
}

#[derive(Default)]
struct MeterTimes {
    started: Option<Instant>,
    connected: Option<Instant>,
    first_packet: Option<Instant>,
    level_db: Option<f64>,
    /// When the received sound last rose out of silence (Unix µs: comparable across processes).
    rose_at_us: Option<i64>,
    tone_hz: Option<f64>,
    video_size: Option<(i32, i32)>,
}

/// Below this the received sound counts as silence; above [`SOUND_DB`] as sound.
const SILENCE_DB: f64 = -60.0;
const SOUND_DB: f64 = -40.0;

/// What one end has received so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize, TS)]
pub struct MediaStats {
    /// Whether ICE and DTLS are up.
    pub connected: bool,
    /// RTP packets and bytes of sound received.
    #[ts(type = "number")]
    pub audio_packets: u64,
    #[ts(type = "number")]
    pub audio_bytes: u64,
    /// From the start of this end's media (the answer) to the first sound packet.
    #[ts(optional)]
    pub first_audio_ms: Option<u32>,
    /// From the start of this end's media to "connected".
    #[ts(optional)]
    pub connect_ms: Option<u32>,
    /// When the received sound last rose out of silence (Unix µs), for latency measurements.
    #[ts(optional, type = "number")]
    pub rose_at_us: Option<i64>,
    /// The received sound's loudness (RMS, dBFS) and its strongest frequency, in test mode.
    #[ts(optional)]
    pub level_db: Option<f64>,
    #[ts(optional)]
    pub tone_hz: Option<f64>,
    /// Video frames decoded, and their size.
    #[ts(type = "number")]
    pub frames_decoded: u64,
    #[ts(optional)]
    pub video_width: Option<i32>,
    #[ts(optional)]
    pub video_height: Option<i32>,
}

impl Meters {
    pub fn mark_started(&self) {
        if let Ok(mut t) = self.inner.lock() {
            t.started.get_or_insert_with(Instant::now);
        }
    }

    pub fn mark_connected(&self) {
        if let Ok(mut t) = self.inner.lock() {
            t.connected.get_or_insert_with(Instant::now);
        }
    }

    pub fn read(&self) -> MediaStats {
        let t = self.inner.lock();
        let t = t.as_deref();
        let since_start = |at: Option<Instant>| {
            t.ok().and_then(|t| match (t.started, at) {
                (Some(s), Some(a)) => Some(a.saturating_duration_since(s).as_millis() as u32),
                _ => None,
            })
        };
        let first = since_start(t.ok().and_then(|t| t.first_packet));
        let connect = since_start(t.ok().and_then(|t| t.connected));
        MediaStats {
            connected: t.is_ok_and(|t| t.connected.is_some()),
            audio_packets: self.packets.load(Ordering::Relaxed),
            audio_bytes: self.bytes.load(Ordering::Relaxed),
            first_audio_ms: first,
            connect_ms: connect,
            rose_at_us: t.ok().and_then(|t| t.rose_at_us),
            level_db: t.ok().and_then(|t| t.level_db),
            tone_hz: t.ok().and_then(|t| t.tone_hz),
            frames_decoded: self.frames.load(Ordering::Relaxed),
            video_width: t.ok().and_then(|t| t.video_size.map(|s| s.0)),
            video_height: t.ok().and_then(|t| t.video_size.map(|s| s.1)),
        }
    }

    pub fn frame(&self) -> Option<Arc<Vec<u8>>> {
        self.remote_frame.lock().ok().and_then(|f| f.clone())
    }

    /// Reads the measuring elements' messages (level and spectrum post on the bus).
    pub fn on_message(&self, msg: &gst::MessageRef) {
        let gst::MessageView::Element(e) = msg.view() else {
            return;
        };
        let Some(s) = e.structure() else {
            return;
        };
        let Ok(mut t) = self.inner.lock() else {
            return;
        };
        match s.name().as_str() {
            "level" => {
                if let Some(rms) = s
                    .get::<glib::ValueArray>("rms")
                    .ok()
                    .and_then(|a| a.first().and_then(|v| v.get::<f64>().ok()))
                {
                    if rms > SOUND_DB && t.level_db.is_some_and(|db| db < SILENCE_DB) {
                        t.rose_at_us = Some(unix_us());
                    }
                    t.level_db = Some(rms);
                }
            }
            "spectrum" => {
                if let Ok(list) = s.get::<gst::List>("magnitude") {
                    let magnitudes: Vec<f32> =
                        list.iter().filter_map(|v| v.get::<f32>().ok()).collect();
                    t.tone_hz = peak_frequency(&magnitudes);
                }
            }
            _ => {}
        }
    }
}

fn unix_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

const SPECTRUM_BANDS: usize = 2048;
const AUDIO_RATE: f64 = 48_000.0;

/// The strongest band's centre frequency, refined between its neighbours (a parabola through
/// three dB values), when anything stands above the floor.
fn peak_frequency(magnitudes: &[f32]) -> Option<f64> {
    let (i, &peak) = magnitudes
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))?;
    if peak <= -70.0 || i == 0 || i + 1 >= magnitudes.len() {
        return None;
    }
    let (a, b, c) = (
        f64::from(magnitudes[i - 1]),
        f64::from(peak),
        f64::from(magnitudes[i + 1]),
    );
    let denominator = a - 2.0 * b + c;
    let offset = if denominator.abs() > f64::EPSILON {
        0.5 * (a - c) / denominator
    } else {
        0.0
    };
    let band = AUDIO_RATE / 2.0 / magnitudes.len() as f64;
    Some((i as f64 + 0.5 + offset) * band)
}

/// Plays (or measures) each stream that arrives.
pub fn on_remote_streams(
    pipeline: &gst::Pipeline,
    webrtc: &gst::Element,
    source: &Source,
    meters: Arc<Meters>,
) {
    let pipeline = pipeline.downgrade();
    let source = source.clone();
    webrtc.connect_pad_added(move |_, pad| {
        if pad.direction() != gst::PadDirection::Src {
            return;
        }
        let Some(pipeline) = pipeline.upgrade() else {
            return;
        };
        let media = pad
            .current_caps()
            .and_then(|c| c.structure(0).and_then(|s| s.get::<String>("media").ok()))
            .unwrap_or_default();
        let linked = match media.as_str() {
            "audio" => play_audio(&pipeline, pad, &source, &meters),
            "video" => show_video(&pipeline, pad, &meters),
            _ => Ok(()),
        };
        if let Err(e) = linked {
            tracing::warn!("call media: cannot play the {media} that arrives: {e}");
        }
    });
}

fn play_audio(
    pipeline: &gst::Pipeline,
    pad: &gst::Pad,
    source: &Source,
    meters: &Arc<Meters>,
) -> Result<(), String> {
    let out = match source {
        Source::Test { .. } => format!(
            "level interval=10000000 post-messages=true \
             ! spectrum bands={SPECTRUM_BANDS} interval=100000000 threshold=-90 post-messages=true \
             ! fakesink sync=true"
        ),
        Source::Devices { speaker, .. } => format!(
            "webrtcechoprobe ! audioconvert ! pulsesink{}",
            device_property(speaker)
        ),
    };
    let desc = format!(
        "queue ! rtpopusdepay ! opusdec plc=true ! audioconvert ! audioresample \
         ! audio/x-raw,rate=48000 ! {out}"
    );
    let branch = add_branch(pipeline, &desc)?;
    count_packets(pad, meters.clone());
    link_branch(pad, &branch)
}

fn show_video(
    pipeline: &gst::Pipeline,
    pad: &gst::Pad,
    meters: &Arc<Meters>,
) -> Result<(), String> {
    let desc = format!(
        "queue ! rtpvp8depay ! vp8dec name=decoder ! videoconvert \
         ! queue leaky=downstream max-size-buffers=2 ! {}",
        preview_tail("remote")
    );
    let branch = add_branch(pipeline, &desc)?;
    let decoder = by_name(&branch, "decoder")?;
    if let Some(src) = decoder.static_pad("src") {
        let meters = meters.clone();
        src.add_probe(gst::PadProbeType::BUFFER, move |pad, _| {
            meters.frames.fetch_add(1, Ordering::Relaxed);
            if let Some(caps) = pad.current_caps() {
                if let Some(s) = caps.structure(0) {
                    if let (Ok(w), Ok(h)) = (s.get::<i32>("width"), s.get::<i32>("height")) {
                        if let Ok(mut t) = meters.inner.lock() {
                            t.video_size = Some((w, h));
                        }
                    }
                }
            }
            gst::PadProbeReturn::Ok
        });
    }
    keep_latest_frame(&by_name(&branch, "remote")?, meters.remote_frame.clone());
    link_branch(pad, &branch)
}

fn count_packets(pad: &gst::Pad, meters: Arc<Meters>) {
    pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(buffer) = info.buffer() {
            meters.packets.fetch_add(1, Ordering::Relaxed);
            meters
                .bytes
                .fetch_add(buffer.size() as u64, Ordering::Relaxed);
            if let Ok(mut t) = meters.inner.lock() {
                t.first_packet.get_or_insert_with(Instant::now);
            }
        }
        gst::PadProbeReturn::Ok
    });
}

/// A few JPEG pictures a second into an app sink named `name`, for the call window.
fn preview_tail(name: &str) -> String {
    format!(
        "videorate max-rate={PREVIEW_FPS} ! videoconvert \
         ! jpegenc quality=70 ! appsink name={name} max-buffers=1 drop=true sync=false"
    )
}

fn keep_latest_frame(sink: &gst::Element, slot: Arc<Mutex<Option<Arc<Vec<u8>>>>>) {
    let Ok(sink) = sink.clone().downcast::<AppSink>() else {
        return;
    };
    sink.set_callbacks(
        gstreamer_app::AppSinkCallbacks::builder()
            .new_sample(move |sink| {
                let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                if let Some(map) = sample.buffer().and_then(|b| b.map_readable().ok()) {
                    if let Ok(mut slot) = slot.lock() {
                        *slot = Some(Arc::new(map.as_slice().to_vec()));
                    }
                }
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
}

fn audio_caps() -> gst::Caps {
    gst::Caps::builder("application/x-rtp")
        .field("media", "audio")
        .field("encoding-name", "OPUS")
        .field("payload", OPUS_PT as i32)
        .field("clock-rate", 48_000i32)
        // RTP Opus is always written "opus/48000/2" (RFC 7587): browsers refuse the m-line
        // without the channel count.
        .field("encoding-params", "2")
        .build()
}

fn video_caps() -> gst::Caps {
    gst::Caps::builder("application/x-rtp")
        .field("media", "video")
        .field("encoding-name", "VP8")
        .field("payload", VP8_PT as i32)
        .field("clock-rate", 90_000i32)
        .build()
}

fn device_property(device: &Option<String>) -> String {
    match device {
        // GStreamer's parser takes a quoted value; device names hold no quotes.
        Some(d) if !d.contains('"') => format!(" device=\"{d}\""),
        _ => String::new(),
    }
}

/// A bin from a launch line, its unlinked pads made its own, added to the pipeline and started.
fn add_branch(pipeline: &gst::Pipeline, desc: &str) -> Result<gst::Bin, String> {
    let bin = gst::parse::bin_from_description(desc, true).map_err(|e| {
        format!("the call's media cannot be built ({e}); are the GStreamer plugins installed?")
    })?;
    pipeline.add(&bin).map_err(|e| e.to_string())?;
    Ok(bin)
}

fn link_to_webrtc(
    branch: &gst::Bin,
    webrtc: &gst::Element,
    caps: &gst::Caps,
) -> Result<(), String> {
    let src = branch
        .static_pad("src")
        .ok_or("the send branch has no output")?;
    let sink = webrtc
        .request_pad_simple("sink_%u")
        .ok_or("webrtcbin gave no input")?;
    // The codec is fixed here, so an answer to a browser's offer picks the same one.
    if let Some(transceiver) = sink.property::<Option<glib::Object>>("transceiver") {
        transceiver.set_property("codec-preferences", caps);
        transceiver.set_property_from_str("direction", "sendrecv");
    }
    src.link(&sink)
        .map_err(|e| format!("linking to webrtcbin: {e}"))?;
    Ok(())
}

fn link_branch(pad: &gst::Pad, branch: &gst::Bin) -> Result<(), String> {
    let sink = branch
        .static_pad("sink")
        .ok_or("the receive branch has no input")?;
    branch
        .sync_state_with_parent()
        .map_err(|e| format!("starting the receive branch: {e}"))?;
    pad.link(&sink)
        .map_err(|e| format!("linking from webrtcbin: {e}"))?;
    Ok(())
}

fn by_name(bin: &gst::Bin, name: &str) -> Result<gst::Element, String> {
    bin.by_name(name)
        .ok_or_else(|| format!("the call's media has no {name}"))
}

use gstreamer::glib;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peak_of_a_spectrum_lands_between_bands() {
        let band = AUDIO_RATE / 2.0 / SPECTRUM_BANDS as f64;
        let mut m = vec![-90.0f32; SPECTRUM_BANDS];
        let i = (1000.0 / band) as usize;
        m[i] = -20.0;
        m[i + 1] = -25.0;
        m[i - 1] = -40.0;
        let hz = peak_frequency(&m).expect("a peak");
        assert!((hz - 1000.0).abs() < band, "{hz}");
        assert_eq!(peak_frequency(&vec![-90.0; SPECTRUM_BANDS]), None);
    }
}
