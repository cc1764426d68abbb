//! The microphones, speakers and cameras a call can use (PulseAudio/PipeWire and Video4Linux,
//! as GStreamer's device monitor sees them), the user's choice among them, and quick tests:
//! hear a tone on a speaker, see a microphone's level.

use std::time::Duration;

use gstreamer as gst;
use gstreamer::prelude::*;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One device: what GStreamer opens it by, and its name for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MediaDevice {
    pub id: String,
    pub name: String,
}

/// What this computer has.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct CallDevices {
    pub microphones: Vec<MediaDevice>,
    pub speakers: Vec<MediaDevice>,
    pub cameras: Vec<MediaDevice>,
}

/// The devices the user picked; `None` is the system's default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CallDeviceChoice {
    #[ts(optional)]
    pub microphone: Option<String>,
    #[ts(optional)]
    pub speaker: Option<String>,
    #[ts(optional)]
    pub camera: Option<String>,
}

/// Lists the devices now present.
pub fn list() -> CallDevices {
    if gst::init().is_err() {
        return CallDevices::default();
    }
    let monitor = gst::DeviceMonitor::new();
    for class in ["Audio/Source", "Audio/Sink", "Video/Source"] {
        let _ = monitor.add_filter(Some(class), None);
    }
    if monitor.start().is_err() {
        return CallDevices::default();
    }
    let mut found = CallDevices::default();
    for device in monitor.devices() {
        let Some(id) = device_id(&device) else {
            continue;
        };
        let entry = MediaDevice {
            id,
            name: device.display_name().to_string(),
        };
        if device.has_classes("Audio/Source") {
            // PulseAudio lists each speaker's monitor as a source too; it is not a microphone.
            if !entry.id.ends_with(".monitor") {
                found.microphones.push(entry);
            }
        } else if device.has_classes("Audio/Sink") {
            found.speakers.push(entry);
        } else if device.has_classes("Video/Source") {
            found.cameras.push(entry);
        }
    }
    monitor.stop();
    found
}

/// PulseAudio's source or sink name, or the camera's `/dev/video*` path: what `pulsesrc`,
/// `pulsesink` and `v4l2src` take as `device`.
fn device_id(device: &gst::Device) -> Option<String> {
    if device.has_property("internal-name", None) {
        return device.property::<Option<String>>("internal-name");
    }
    let props = device.properties()?;
    ["api.v4l2.path", "device.path"]
        .iter()
        .find_map(|k| props.get::<String>(*k).ok())
}

/// Plays a one-second tone on `speaker` (the default when `None`).
pub fn test_speaker(speaker: Option<&str>) -> Result<(), String> {
    let sink = with_device("pulsesink", speaker);
    run_for(
        &format!(
            "audiotestsrc wave=sine freq=660 volume=0.3 num-buffers=50 ! audioconvert ! {sink}"
        ),
        Duration::from_secs(3),
    )
    .map(|_| ())
}

/// Listens to `microphone` for a second and a half; answers its loudest level (dBFS).
pub fn test_microphone(microphone: Option<&str>) -> Result<f64, String> {
    let src = with_device("pulsesrc", microphone);
    let peak = run_for(
        &format!(
            "{src} num-buffers=150 ! audioconvert ! level interval=50000000 post-messages=true ! fakesink"
        ),
        Duration::from_secs(4),
    )?;
    peak.ok_or_else(|| "The microphone gave no sound.".to_string())
}

fn with_device(element: &str, device: Option<&str>) -> String {
    match device {
        Some(d) if !d.contains('"') => format!("{element} device=\"{d}\""),
        _ => element.to_string(),
    }
}

/// Runs a launch line until it ends (or `limit`), answering the loudest level it measured.
fn run_for(line: &str, limit: Duration) -> Result<Option<f64>, String> {
    gst::init().map_err(|e| format!("GStreamer: {e}"))?;
    let pipeline = gst::parse::launch(line).map_err(|e| e.to_string())?;
    let bus = pipeline.bus().ok_or("no bus")?;
    pipeline
        .set_state(gst::State::Playing)
        .map_err(|_| "The device cannot be opened.".to_string())?;
    let mut peak: Option<f64> = None;
    let deadline = std::time::Instant::now() + limit;
    let result = loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            break Ok(peak);
        }
        let Some(msg) = bus.timed_pop(gst::ClockTime::from_mseconds(left.as_millis() as u64))
        else {
            break Ok(peak);
        };
        match msg.view() {
            gst::MessageView::Eos(_) => break Ok(peak),
            gst::MessageView::Error(e) => break Err(e.error().to_string()),
            gst::MessageView::Element(e) => {
                let level = e
                    .structure()
                    .filter(|s| s.name() == "level")
                    .and_then(|s| s.get::<gst::glib::ValueArray>("peak").ok())
                    .and_then(|a| a.first().and_then(|v| v.get::<f64>().ok()));
                if let Some(db) = level {
                    peak = Some(peak.map_or(db, |p| p.max(db)));
                }
            }
            _ => {}
        }
    };
    let _ = pipeline.set_state(gst::State::Null);
    result
}
