//! What the UI renders for chats and contacts, read from the cache.

use serde::Serialize;
use ts_rs::TS;
use xin_proto::{Contact, Conversation, FriendRequest, Message, UserProfile};

/// One row of the chat list.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ChatSummary {
    /// The conversation.
    pub conversation: Conversation,
    /// The last message as one line ("Bob: see you at 9").
    pub preview: String,
    /// When that last message is a system line: what happened, for the UI to say it in the
    /// reader's language (`preview` has the English words).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preview_event: Option<xin_proto::SystemEvent>,
    /// When the chat last saw a message (Unix ms); the list is ordered by it.
    #[ts(type = "number")]
    pub last_activity: i64,
    /// Text typed but not sent, kept across restarts.
    pub draft: String,
}

/// How far a message of mine got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SendState {
    /// The server has it.
    Sent,
    /// In the outbox, going out as soon as the server is reachable.
    Pending,
    /// Refused by the server; the user may retry.
    Failed,
}

/// A message with how far it got.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ChatMessage {
    /// The message.
    pub message: Message,
    /// Sent, pending or failed.
    pub state: SendState,
    /// Its file's upload or download, when there is one.
    pub transfer: Option<crate::transfer_cache::Transfer>,
}

/// The contacts page: friends and friend requests.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ContactsView {
    /// Friends, by name.
    pub contacts: Vec<Contact>,
    /// Newest first.
    pub requests: Vec<FriendRequest>,
}

/// "Receive money": scanning it on a phone opens the companion's pay page for me, with the
/// amount and note filled in when I set them.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ReceiveCode {
    /// What the QR code holds.
    pub url: String,
    /// The QR code, as SVG.
    pub svg: String,
    /// The amount asked for, if set.
    #[ts(type = "number | null")]
    pub amount_fen: Option<i64>,
    /// The note shown to the payer.
    pub note: String,
}

/// A QR code to open something on the phone companion (a mini-program's code).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PhoneCode {
    /// What the QR code holds.
    pub url: String,
    /// The QR code, as SVG.
    pub svg: String,
}

/// "My QR code": scanning it on a phone opens the companion's add-friend page.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FriendCard {
    /// Whose card it is.
    pub user: UserProfile,
    /// What the QR code holds.
    pub url: String,
    /// The QR code, as SVG.
    pub svg: String,
}
