use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

use crate::{DeviceInfo, Session, UserProfile};

/// `POST /api/v1/login-tickets`: the desktop asks for a QR.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct CreateTicketRequest {
    /// The computer asking to log in.
    pub device: DeviceInfo,
}

/// `POST /api/v1/login-tickets/remembered`: a remembered desktop asks the phone for one tap.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct RememberedLoginRequest {
    /// The token this computer was given when it was remembered.
    pub remember_token: String,
    /// The computer asking to log in.
    pub device: DeviceInfo,
}

/// The answer to creating a ticket. Only the desktop ever sees `poll_secret`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct TicketCreated {
    /// 128+ random bits, base64url; goes into the QR.
    pub ticket_id: String,
    /// Never in the QR; needed to learn the ticket's state and to receive the session.
    pub poll_secret: String,
    /// What the QR encodes: `<public url>/m/l/<ticket_id>`.
    pub qr_url: String,
    /// Unix milliseconds.
    #[ts(type = "number")]
    pub expires_at: i64,
}

/// `POST /api/v1/login-tickets/{id}/wait`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct WaitTicketRequest {
    /// The secret only the desktop that created the ticket knows.
    pub poll_secret: String,
    /// The state the desktop already knows; the call returns as soon as the state differs
    /// from it, or after about 25 s with the same state.
    pub known: TicketPhase,
}

/// How far a login ticket got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TicketPhase {
    /// Shown, not scanned.
    Pending,
    /// Scanned by a phone, waiting for its confirmation.
    Scanned,
    /// Confirmed: the desktop is signed in.
    Confirmed,
    /// Declined on the phone.
    Declined,
    /// Expired unconfirmed.
    Expired,
}

impl TicketPhase {
    /// The phase as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Scanned => "scanned",
            Self::Confirmed => "confirmed",
            Self::Declined => "declined",
            Self::Expired => "expired",
        }
    }

    /// A phase from its stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "scanned" => Self::Scanned,
            "confirmed" => Self::Confirmed,
            "declined" => Self::Declined,
            "expired" => Self::Expired,
            _ => return None,
        })
    }

    /// Whether the ticket can change no more.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Confirmed | Self::Declined | Self::Expired)
    }
}

/// What the desktop learns about its ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum TicketState {
    /// Waiting to be scanned.
    Pending {
        /// When the QR code stops working (Unix ms).
        #[ts(type = "number")]
        expires_at: i64,
    },
    /// Scanned on a phone: show who, and the code to match.
    Scanned {
        /// Who scanned it.
        user: UserProfile,
        /// Two digits, "07".
        code: String,
        /// When the confirmation must come by (Unix ms).
        #[ts(type = "number")]
        expires_at: i64,
    },
    /// Delivered once, to the poll-secret holder.
    Confirmed {
        /// The session for the desktop.
        session: Session,
    },
    /// Declined on the phone.
    Declined,
    /// Expired unconfirmed.
    Expired,
}

impl TicketState {
    /// The phase this state is in.
    pub fn phase(&self) -> TicketPhase {
        match self {
            Self::Pending { .. } => TicketPhase::Pending,
            Self::Scanned { .. } => TicketPhase::Scanned,
            Self::Confirmed { .. } => TicketPhase::Confirmed,
            Self::Declined => TicketPhase::Declined,
            Self::Expired => TicketPhase::Expired,
        }
    }
}

/// What the phone sees after scanning: who is asking to sign in, and three codes to pick from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct TicketDetails {
    /// The ticket.
    pub ticket_id: String,
    /// The computer asking.
    pub device: DeviceInfo,
    /// The address the desktop asked from.
    pub ip: String,
    /// Unix milliseconds.
    #[ts(type = "number")]
    pub created_at: i64,
    /// When it expires (Unix ms).
    #[ts(type = "number")]
    pub expires_at: i64,
    /// Three two-digit codes; exactly one is on the computer's screen. Empty for a remembered
    /// device, which the phone confirms with one tap.
    pub choices: Vec<String>,
    /// True when this is a remembered device asking for one-tap sign-in.
    pub remembered: bool,
}

/// `POST /api/v1/login-tickets/{id}/confirm`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct ConfirmTicketRequest {
    /// The code the user tapped; required unless the ticket is for a remembered device.
    #[serde(default)]
    #[ts(optional)]
    pub code: Option<String>,
}

/// `GET /api/v1/login-tickets/waiting`: remembered devices waiting for this account's tap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct PendingLogins {
    /// Logins waiting for this account's confirmation.
    pub tickets: Vec<TicketDetails>,
}
