use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{Contact, Conversation, FriendRequest, Message};

/// One entry of a user's event log. `seq` is gap-free per user: a client that has applied
/// `seq = n` applies `n + 1` next, and fetches what is missing when it sees a gap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Event {
    #[ts(type = "number")]
    pub seq: i64,
    #[ts(type = "number")]
    pub at: i64,
    pub body: EventBody,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventBody {
    /// A new message (also the sender's own, for their other devices).
    MessageNew {
        message: Message,
        /// The receiving user's unread count in that conversation after it.
        #[ts(type = "number")]
        unread: i64,
    },
    /// A message was recalled; show "<name> recalled a message".
    MessageRecalled {
        #[ts(type = "string")]
        conversation_id: Uuid,
        #[ts(type = "string")]
        message_id: Uuid,
    },
    /// Deleted for this user only (from another of their devices).
    MessageHidden {
        #[ts(type = "string")]
        conversation_id: Uuid,
        #[ts(type = "string")]
        message_id: Uuid,
    },
    /// The conversation as this user now sees it: created, renamed, members, pin, mute, left.
    ConversationUpdated {
        conversation: Conversation,
    },
    /// This user's read marker moved (on any of their devices).
    ReadMarker {
        #[ts(type = "string")]
        conversation_id: Uuid,
        #[ts(type = "number")]
        read_seq: i64,
        #[ts(type = "number")]
        unread: i64,
    },
    FriendRequest {
        request: FriendRequest,
    },
    ContactUpdated {
        contact: Contact,
    },
    ContactRemoved {
        #[ts(type = "string")]
        user_id: Uuid,
    },
}

/// `GET /api/v1/events?after=SEQ&limit=N`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct EventPage {
    pub events: Vec<Event>,
    /// The newest seq in this user's log (the client is current when it reaches it).
    #[ts(type = "number")]
    pub head: i64,
}
