//! What the engine tells the UI. The shell forwards every [`CoreEvent`] unchanged.

use serde::Serialize;
use ts_rs::TS;
use xin_proto::UserProfile;

/// Typed events from the engine to the UI.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CoreEvent {
    /// The app's top-level view changed: login progress, signed in, signed out.
    View { view: AppView },
    /// The cached device list changed; read it again.
    DevicesChanged,
    /// The realtime link to the server went up or down.
    Connection { online: bool },
    /// The chat list changed (order, previews, unread counts, titles).
    ChatsChanged,
    /// Messages of one conversation changed; read them again from the cache.
    MessagesChanged {
        #[ts(type = "string")]
        conversation_id: uuid::Uuid,
    },
    /// Contacts or friend requests changed.
    ContactsChanged,
    /// A file transfer moved on (progress, speed) or changed state.
    Transfer {
        transfer: crate::transfer_cache::Transfer,
    },
    /// The wallet's balance or one of my transfers changed; read them again.
    WalletChanged,
    /// Moments changed (a friend's post, a like or comment, a deletion); read the feed again.
    MomentsChanged,
    /// An official account I follow sent a broadcast or a message; read them again.
    SubscriptionsChanged,
    /// Someone paid me, live (the receive-code window shows "received ¥X from Y").
    PaymentReceived { payment: xin_proto::Payment },
    /// A chat export moved on, or finished (its folder is then set).
    ExportProgress {
        progress: crate::export::ExportProgress,
    },
    /// A message from someone else arrived live (the shell may notify).
    Incoming { message: crate::notify::Incoming },
}

/// App-wide preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
pub struct AppSettings {
    /// Show the sender and text in desktop notifications.
    pub notification_previews: bool,
}

/// Which window the app shows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum AppView {
    SignedOut {
        login: LoginView,
        /// Why the user is here, when it is not obvious ("signed out from another device").
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none")]
        notice: Option<String>,
    },
    SignedIn {
        user: UserProfile,
    },
}

/// What the login window shows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum LoginView {
    /// Asking the server for a QR code.
    Starting,
    /// A QR code to scan: an SVG rendered in Rust, and the URL it holds.
    Qr {
        svg: String,
        url: String,
        #[ts(type = "number")]
        expires_at: i64,
    },
    /// Scanned on a phone: show who, and the number to match (empty for a remembered device).
    Scanned {
        user: UserProfile,
        code: String,
        remembered: bool,
    },
    /// The QR expired and nobody scanned it for a while: show "Refresh".
    Expired,
    /// The phone declined (or a wrong number was picked).
    Declined,
    /// The server cannot be reached; the engine retries by itself.
    Unreachable { message: String, retry_in_secs: u32 },
    /// This computer remembers an account: big avatar and a "Log in" button.
    Remembered { user: UserProfile },
}
