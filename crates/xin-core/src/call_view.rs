//! What the call window is told: the call as this device sees it.

use serde::Serialize;
use ts_rs::TS;
use xin_proto::{Call, UserProfile};

/// What the call window shows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CallView {
    pub call: Call,
    /// The other person, under the name this user gave them.
    pub peer: UserProfile,
    /// They are calling me (rather than I them).
    pub incoming: bool,
    /// The media is up (ICE and DTLS): the timer runs.
    pub connected: bool,
    /// When this device learned of the answer (Unix ms): both ends count from their own receipt
    /// of the same push, so their timers agree within the push's latency.
    #[ts(optional, type = "number")]
    pub answered_seen_at: Option<i64>,
    pub muted: bool,
    pub camera_on: bool,
    /// Whether the other person's camera is on (they say when they turn it off).
    pub peer_camera_on: bool,
    /// Whether pictures are exchanged: a video call not switched to voice.
    pub video: bool,
}

/// A video call's two pictures as MJPEG streams (`multipart/x-mixed-replace`), which WebKitGTK
/// shows live in an `<img>`: the other person, and this computer's camera.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CallVideo {
    pub remote: String,
    pub local: String,
}
