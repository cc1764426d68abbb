//! What applying events to the cache changed, so the shell tells the UI only that.

use uuid::Uuid;
use xin_proto::Message;

/// What applying events changed, so the shell tells the UI only that.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// The chat list changed.
    pub chats: bool,
    /// Contacts or friend requests changed.
    pub contacts: bool,
    /// The wallet's balance or a transfer changed.
    pub wallet: bool,
    /// A friend posted, someone liked or commented, or a post was deleted.
    pub moments: bool,
    /// An official account sent me a broadcast or a message.
    pub subscriptions: bool,
    /// Conversations whose messages changed.
    pub conversations: Vec<Uuid>,
    /// New messages applied, for notifications.
    pub new_messages: Vec<Message>,
}
