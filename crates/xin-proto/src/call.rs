//! One-to-one voice and video calls: how a call is rung, answered and ended, and the signals
//! (SDP offer/answer, trickle ICE) its two devices exchange through the server.
//!
//! The server owns each call's state: `ringing` until the first of the callee's devices accepts
//! (the others stop ringing), the caller cancels, the callee declines or the ring times out;
//! then `active` until either side hangs up. Signals go from one device of the call to the other
//! and are never stored; the outcome is, as a [`crate::Content::Call`] line in their chat.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;
use uuid::Uuid;

/// The most an SDP or a candidate may hold (a real offer with audio and video is 3–8 KB).
pub const MAX_SIGNAL_BYTES: usize = 32 * 1024;

/// Voice only, or voice and video.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallKind {
    /// Voice only.
    Voice,
    /// Voice and video.
    Video,
}

impl CallKind {
    /// Its name on the wire and in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Voice => "voice",
            Self::Video => "video",
        }
    }

    /// The kind named `s`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "voice" => Some(Self::Voice),
            "video" => Some(Self::Video),
            _ => None,
        }
    }
}

/// Where a call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallState {
    /// The callee's devices ring.
    Ringing,
    /// Answered: the two devices talk.
    Active,
    /// Over (see its outcome).
    Ended,
}

/// How a call ended: what both chats' call lines say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    /// Answered, then hung up: the line shows its duration.
    Completed,
    /// The caller hung up before an answer.
    Cancelled,
    /// The callee declined.
    Declined,
    /// Nobody answered before the ring timed out.
    NoAnswer,
    /// The callee was already in a call.
    Busy,
    /// It could not go on (see [`CallFailure`]).
    Failed,
}

/// Why a call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallFailure {
    /// The two devices could not connect (no route between them, no TURN server).
    Connection,
    /// A device in the call was signed out.
    SignedOut,
    /// A device's microphone or camera could not be opened.
    Media,
}

impl CallOutcome {
    /// Its name on the wire and in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
            Self::Declined => "declined",
            Self::NoAnswer => "no_answer",
            Self::Busy => "busy",
            Self::Failed => "failed",
        }
    }
}

impl CallFailure {
    /// Its name on the wire and in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connection => "connection",
            Self::SignedOut => "signed_out",
            Self::Media => "media",
        }
    }

    /// The failure named `s`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "connection" => Some(Self::Connection),
            "signed_out" => Some(Self::SignedOut),
            "media" => Some(Self::Media),
            _ => None,
        }
    }
}

/// A STUN or TURN server for the call's ICE (WebRTC's `RTCIceServer`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct IceServer {
    /// `stun:` / `turn:` / `turns:` URLs.
    pub urls: Vec<String>,
    /// Short-lived TURN credentials (TURN REST: `expiry:user`).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// The password that goes with `username`.
    pub credential: Option<String>,
}

/// A call, as its two people's devices see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Call {
    /// The call.
    #[ts(type = "string")]
    pub id: Uuid,
    /// Who rang.
    #[ts(type = "string")]
    pub caller: Uuid,
    /// The device the caller called from.
    #[ts(type = "string")]
    pub caller_device: Uuid,
    /// Who was rung.
    #[ts(type = "string")]
    pub callee: Uuid,
    /// The callee's device that took the call, once one has.
    #[ts(optional, type = "string")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callee_device: Option<Uuid>,
    /// The 1:1 chat the call's line goes to.
    #[ts(type = "string")]
    pub conversation_id: Uuid,
    /// Voice or video, as it was rung.
    pub kind: CallKind,
    /// Where it stands.
    pub state: CallState,
    /// Answered as a voice call (a video call taken with voice only).
    #[serde(default)]
    pub voice_only: bool,
    /// When it was rung, ms since the epoch (server clock).
    #[ts(type = "number")]
    pub created_at: i64,
    /// When it was answered: both sides count the duration from here.
    #[ts(optional, type = "number")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<i64>,
    /// How it ended, once it has.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<CallOutcome>,
    /// ICE servers for this call (empty on a LAN without TURN configured).
    #[serde(default)]
    pub ice_servers: Vec<IceServer>,
}

/// `POST /api/v1/calls`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct StartCall {
    /// The friend to call.
    #[ts(type = "string")]
    pub callee: Uuid,
    /// Voice or video.
    pub kind: CallKind,
}

/// `POST /api/v1/calls/{id}/accept`
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS, ToSchema)]
pub struct AcceptCall {
    /// Take a video call with voice only.
    #[serde(default)]
    pub voice_only: bool,
}

/// `POST /api/v1/calls/{id}/hangup`
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS, ToSchema)]
pub struct HangUp {
    /// Hung up because the call could not go on (the line then says why).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<CallFailure>,
}

/// What one device of a call tells the other to set up its media.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Signal {
    /// The caller's session description.
    Offer {
        /// SDP.
        sdp: String,
    },
    /// The callee's session description.
    Answer {
        /// SDP.
        sdp: String,
    },
    /// One ICE candidate (trickle ICE); an empty `candidate` ends the device's gathering.
    Candidate {
        /// The `candidate:` line.
        candidate: String,
        /// The media stream it is for.
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sdp_mid: Option<String>,
        /// The index of the media line it is for.
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sdp_m_line_index: Option<u32>,
    },
    /// The sender turned its camera off or on: the other side shows the avatar rather than the
    /// last picture frozen.
    Camera {
        /// Whether pictures come.
        on: bool,
    },
}

impl Signal {
    /// The bytes it carries, for the size limit.
    pub fn len(&self) -> usize {
        match self {
            Self::Offer { sdp } | Self::Answer { sdp } => sdp.len(),
            Self::Candidate {
                candidate, sdp_mid, ..
            } => candidate.len() + sdp_mid.as_ref().map_or(0, String::len),
            Self::Camera { .. } => 0,
        }
    }

    /// Whether it carries nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `POST /api/v1/calls/{id}/signal`: to the other device of the call.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct SendSignal {
    /// What to send.
    pub signal: Signal,
}
