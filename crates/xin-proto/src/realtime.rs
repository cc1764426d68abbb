use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

use crate::{Call, Event, Signal, TicketDetails};

/// Pushed over the realtime WebSocket (`GET /api/v1/realtime?token=...`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerEvent {
    /// The link is up for this device.
    Hello {
        /// This device.
        #[ts(type = "string")]
        device_id: uuid::Uuid,
    },
    /// This device was signed out (from another device, or its session was revoked).
    /// The server closes the socket right after.
    SignedOut {
        /// Why, in English.
        reason: String,
        /// The session reached the server's absolute lifetime (nobody signed it out).
        #[serde(default)]
        expired: bool,
    },
    /// A remembered desktop asks this account to confirm a sign-in.
    LoginRequest {
        /// The ticket waiting for confirmation.
        ticket: TicketDetails,
    },
    /// The list of devices changed (one signed in or out).
    DevicesChanged,
    /// A new entry in this user's event log.
    Event {
        /// The entry.
        event: Event,
    },
    /// A call of this user's rings, or changed: answered (on this device or another, which
    /// then stops ringing), or ended. Not in the event log: a device that connects while a
    /// call rings is sent it again.
    Call {
        /// The call as it stands now.
        call: Call,
    },
    /// The other device of a call this device is in sends its media set-up.
    CallSignal {
        /// The call.
        #[ts(type = "string")]
        call_id: uuid::Uuid,
        /// The device it comes from.
        #[ts(type = "string")]
        from_device: uuid::Uuid,
        /// What it sends.
        signal: Signal,
    },
}
