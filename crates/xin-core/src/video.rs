//! Videos: length, size and a first-frame picture, read with GStreamer — the decoders the
//! desktop's WebView plays videos with, so a video that cannot be read here could not be played
//! in Xin either, and is sent as a file instead.

use std::{path::Path, time::Duration};

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app::AppSink;
use gstreamer_video::{VideoCapsBuilder, VideoFormat, VideoInfo};
use image::RgbImage;

/// A readable video's shape and its first frame.
pub struct Probed {
    pub duration_ms: u32,
    pub width: u32,
    pub height: u32,
    pub first_frame: RgbImage,
}

/// Largest frame decoded for the picture (8K), so a crafted file cannot make us allocate more.
const MAX_SIDE: u32 = 8192;
/// How long a video may take to show its first frame before it is sent as a file.
const PREROLL: Duration = Duration::from_secs(15);

/// Whether the file's first bytes say it is a video (the name may lie).
pub fn is_video(path: &Path) -> bool {
    infer::get_from_path(path)
        .ok()
        .flatten()
        .is_some_and(|t| t.matcher_type() == infer::MatcherType::Video)
}

/// Reads the video at `path` up to its first frame.
pub fn probe(path: &Path) -> Result<Probed, String> {
    gst::init().map_err(|e| format!("GStreamer: {e}"))?;
    let uri = gst::glib::filename_to_uri(path, None).map_err(|e| e.to_string())?;
    let sink = AppSink::builder()
        .caps(&VideoCapsBuilder::new().format(VideoFormat::Rgb).build())
        .build();
    let silent = gst::ElementFactory::make("fakesink")
        .build()
        .map_err(|e| e.to_string())?;
    let player = gst::ElementFactory::make("playbin")
        .property("uri", uri.as_str())
        .property("video-sink", &sink)
        .property("audio-sink", &silent)
        .build()
        .map_err(|e| format!("GStreamer has no playbin: {e}"))?;
    let probed = first_frame(&player, &sink);
    let _ = player.set_state(gst::State::Null);
    probed
}

fn first_frame(player: &gst::Element, sink: &AppSink) -> Result<Probed, String> {
    player
        .set_state(gst::State::Paused)
        .map_err(|_| "the video cannot be opened".to_string())?;
    let bus = player.bus().ok_or("no bus")?;
    let deadline = gst::ClockTime::from_mseconds(PREROLL.as_millis() as u64);
    loop {
        let Some(msg) = bus.timed_pop(deadline) else {
            return Err("the video took too long to open".into());
        };
        match msg.view() {
            gst::MessageView::AsyncDone(_) => break,
            gst::MessageView::Error(e) => return Err(e.error().to_string()),
            _ => {}
        }
    }
    let sample = sink
        .try_pull_preroll(gst::ClockTime::from_seconds(1))
        .ok_or("the video has no picture")?;
    let caps = sample.caps().ok_or("no caps")?;
    let info = VideoInfo::from_caps(caps).map_err(|e| e.to_string())?;
    let (width, height) = (info.width(), info.height());
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(format!("a {width}×{height} video is not shown inline"));
    }
    let buffer = sample.buffer().ok_or("no frame")?;
    let map = buffer.map_readable().map_err(|e| e.to_string())?;
    let stride = usize::try_from(info.stride()[0]).map_err(|e| e.to_string())?;
    let row = width as usize * 3;
    let mut pixels = Vec::with_capacity(row * height as usize);
    for y in 0..height as usize {
        let line = map
            .get(y * stride..y * stride + row)
            .ok_or("a short frame")?;
        pixels.extend_from_slice(line);
    }
    let first_frame = RgbImage::from_raw(width, height, pixels).ok_or("a short frame")?;
    let duration = player
        .query_duration::<gst::ClockTime>()
        .ok_or("the video's length is unknown")?;
    Ok(Probed {
        duration_ms: u32::try_from(duration.mseconds()).unwrap_or(u32::MAX),
        width,
        height,
        first_frame,
    })
}
