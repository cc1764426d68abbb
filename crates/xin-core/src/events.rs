//! What the engine tells the UI. The shell forwards every [`CoreEvent`] unchanged.

use serde::Serialize;
use ts_rs::TS;
use xin_proto::UserProfile;

/// How far an export is.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ExportProgress {
    #[ts(type = "string")]
    pub conversation_id: uuid::Uuid,
    /// Messages written so far, and in all (0 of 0 while the history is still being fetched).
    pub done: u32,
    pub total: u32,
    /// The export's folder, once it is finished.
    pub folder: Option<String>,
}

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
    ExportProgress { progress: ExportProgress },
    /// The call on this device rang, was answered, connected or ended; `None` when there is
    /// none any more (the call window closes).
    Call {
        #[ts(optional)]
        call: Option<crate::call_view::CallView>,
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
        notice: Option<LoginNotice>,
    },
    SignedIn {
        user: UserProfile,
    },
}

/// Why the login window is showing, for the UI to say in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LoginNotice {
    /// Another device signed this one out.
    SignedOutElsewhere,
    /// The session reached the server's absolute lifetime: scan to sign in again.
    SessionExpired,
    /// This computer remembers the account but has lost its key: scan instead.
    ScanToLogIn,
    /// The server no longer remembers this computer: scan instead.
    NoLongerRemembered,
    /// The phone declined the login.
    Declined,
    /// The phone did not confirm the login in time.
    NotConfirmed,
    /// The login failed for another reason.
    Failed { error: crate::error::UiError },
}

/// What the login window shows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum LoginView {
    /// Which server to use: asked on a first run (`current` is none) and by "Change server".
    ChooseServer {
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none")]
        current: Option<String>,
    },
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
    Unreachable {
        /// The server's address.
        server: String,
        /// What the server said, when it answered (e.g. too many tries); none when it is out of
        /// reach.
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<crate::error::UiError>,
        retry_in_secs: u32,
    },
    /// This computer remembers an account: big avatar and a "Log in" button.
    Remembered { user: UserProfile },
}
