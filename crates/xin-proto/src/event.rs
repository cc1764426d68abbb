use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{Contact, Conversation, FriendRequest, Member, Message, Role};

/// One entry of a user's event log. `seq` is gap-free per user: a client that has applied
/// `seq = n` applies `n + 1` next, and fetches what is missing when it sees a gap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Event {
    /// This user's sequence number for it: gap-free, in commit order.
    #[ts(type = "number")]
    pub seq: i64,
    /// When it happened (Unix ms).
    #[ts(type = "number")]
    pub at: i64,
    /// What happened.
    pub body: EventBody,
}

/// What an event says happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventBody {
    /// A new message (also the sender's own, for their other devices).
    MessageNew {
        /// The message.
        message: Message,
        /// The receiving user's unread count in that conversation after it.
        #[ts(type = "number")]
        unread: i64,
    },
    /// A message was recalled; show "<name> recalled a message".
    MessageRecalled {
        /// Its conversation.
        #[ts(type = "string")]
        conversation_id: Uuid,
        /// The message.
        #[ts(type = "string")]
        message_id: Uuid,
    },
    /// Deleted for this user only (from another of their devices).
    MessageHidden {
        /// Its conversation.
        #[ts(type = "string")]
        conversation_id: Uuid,
        /// The message.
        #[ts(type = "string")]
        message_id: Uuid,
    },
    /// The whole conversation as this user now sees it: when it appears for them (created,
    /// joined), when they leave it, and for their own pin, mute and a direct chat's title.
    /// Changes everyone sees alike travel as the small events below, never as this snapshot.
    ConversationUpdated {
        /// The whole conversation, as this user sees it.
        conversation: Conversation,
    },
    /// A group's name or announcement changed (a field left out is unchanged).
    ConversationChanged {
        /// The conversation.
        #[ts(type = "string")]
        conversation_id: Uuid,
        /// Its new name, if it changed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        title: Option<String>,
        /// Its new announcement, if it changed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        announcement: Option<String>,
    },
    /// People joined a group this user is in.
    MembersAdded {
        /// The conversation.
        #[ts(type = "string")]
        conversation_id: Uuid,
        /// Who joined, with their roles.
        members: Vec<Member>,
    },
    /// Someone left or was removed from a group this user is still in.
    MemberRemoved {
        /// The conversation.
        #[ts(type = "string")]
        conversation_id: Uuid,
        /// Who is no longer in it.
        #[ts(type = "string")]
        user_id: Uuid,
    },
    /// A member's role changed (an ownership hand-over is two of these).
    MemberRoleChanged {
        /// The conversation.
        #[ts(type = "string")]
        conversation_id: Uuid,
        /// Whose role changed.
        #[ts(type = "string")]
        user_id: Uuid,
        /// The new role.
        role: Role,
    },
    /// This user's read marker moved (on any of their devices).
    ReadMarker {
        /// The conversation.
        #[ts(type = "string")]
        conversation_id: Uuid,
        /// Everything up to this seq is read.
        #[ts(type = "number")]
        read_seq: i64,
        /// Messages still unread.
        #[ts(type = "number")]
        unread: i64,
    },
    /// A friend request was sent or answered.
    FriendRequest {
        /// The request.
        request: FriendRequest,
    },
    /// A friend was added or changed (remark, tags).
    ContactUpdated {
        /// The contact.
        contact: Contact,
    },
    /// A friend was deleted.
    ContactRemoved {
        /// Who.
        #[ts(type = "string")]
        user_id: Uuid,
    },
    /// My wallet's balance moved (a top-up, a withdrawal, a transfer in or out).
    WalletChanged {
        /// The new balance, in fen.
        #[ts(type = "number")]
        balance_fen: i64,
    },
    /// A transfer I sent or received was made, accepted, declined or refunded.
    TransferChanged {
        /// The transfer.
        transfer: crate::MoneyTransfer,
    },
    /// Someone grabbed from a red envelope in a chat of mine, or it finished or was returned.
    EnvelopeChanged {
        /// The envelope.
        #[ts(type = "string")]
        envelope_id: Uuid,
        /// The chat it is in.
        #[ts(type = "string")]
        conversation_id: Uuid,
    },
    /// A payment from or to me went through.
    Payment {
        /// The payment.
        payment: crate::Payment,
    },
    /// A shop charged my payment code for more than I let through without my PIN: confirm it
    /// (or decline it) on the phone. Also sent when it is settled, with its new state.
    Charge {
        /// The charge waiting for the payer.
        charge: crate::PendingCharge,
    },
    /// A friend posted in Moments (the Moments icon's badge).
    MomentPosted {
        /// The post.
        #[ts(type = "string")]
        post_id: Uuid,
        /// Who posted it.
        author: crate::MomentUser,
    },
    /// Someone liked or commented on my post, or replied to me.
    MomentNotice {
        /// The like, comment or reply.
        notice: crate::MomentNotice,
    },
    /// A post I could see was deleted.
    MomentDeleted {
        /// The post.
        #[ts(type = "string")]
        post_id: Uuid,
    },
    /// An official account I follow sent me a broadcast.
    OfficialBroadcast {
        /// The broadcast.
        broadcast: crate::Broadcast,
    },
    /// A message in my chat with an official account (its auto-reply or its staff's answer).
    OfficialMessage {
        /// The message.
        message: crate::OfficialMessage,
    },
    /// A kind this build does not know (from a newer server): skipped, never a failed sync.
    #[serde(other)]
    Unknown,
}

/// The event shapes a client understands, sent as `?v=` on `/events` and `/realtime`.
/// 1 (the default, engines before group deltas): every group change arrives as a whole
/// `ConversationUpdated`. 2: group changes arrive as `ConversationChanged`, `MembersAdded`,
/// `MemberRemoved` and `MemberRoleChanged`.
pub const WIRE_VERSION: u32 = 2;

/// `GET /api/v1/events?after=SEQ&limit=N&v=WIRE_VERSION`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct EventPage {
    /// The events, in seq order.
    pub events: Vec<Event>,
    /// The newest seq in this user's log (the client is current when it reaches it).
    #[ts(type = "number")]
    pub head: i64,
}
