use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

use crate::{Event, TicketDetails};

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
}
