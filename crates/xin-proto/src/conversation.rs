use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{CallFailure, CallKind, CallOutcome, UserProfile};

/// What kind of chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConversationKind {
    /// Two friends.
    Direct,
    /// A group of up to 500 members.
    Group,
    /// "File Transfer": between one user's own devices.
    SelfNote,
}

/// A member's role in a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Made the group or was handed it; can do everything.
    Owner,
    /// Can rename, announce, add and remove members.
    Admin,
    /// Can chat.
    Member,
}

/// A member of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Member {
    /// Who.
    pub user: UserProfile,
    /// Their role.
    pub role: Role,
}

/// A conversation as one member sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Conversation {
    /// The conversation's id.
    #[ts(type = "string")]
    pub id: Uuid,
    /// Direct, group or File Transfer.
    pub kind: ConversationKind,
    /// Group name; for a direct chat, the other person's name.
    pub title: String,
    /// The group's announcement (empty when none).
    pub announcement: String,
    /// Its members.
    pub members: Vec<Member>,
    /// Conversation seq of the newest message.
    #[ts(type = "number")]
    pub last_seq: i64,
    /// This member's read marker (a max-register).
    #[ts(type = "number")]
    pub read_seq: i64,
    /// Computed by the server: messages after the read marker.
    #[ts(type = "number")]
    pub unread: i64,
    /// Pinned to the top of my chat list.
    pub pinned: bool,
    /// Muted: no notifications, a grey badge.
    pub muted: bool,
    /// False once this user left or was removed: history stays, nothing new arrives.
    pub active: bool,
}

/// What a message holds. New kinds are added as variants; older apps see `Unsupported`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Content {
    /// Text, with @mentions.
    Text {
        /// The text.
        text: String,
        /// Users @-mentioned in the text.
        #[serde(default)]
        #[ts(type = "string[]")]
        mentions: Vec<Uuid>,
        /// "@all" (owner and admins only).
        #[serde(default)]
        mention_all: bool,
    },
    /// A grey line in the middle ("Alice added Bob"). `event` says what happened, for each
    /// reader to put in their own language; `text` is the English line, for clients that do not
    /// know the event.
    System {
        /// The English line.
        text: String,
        /// What happened.
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<SystemEvent>,
    },
    /// A voice or video call between the chat's two people, once it is over: the same line in
    /// both their histories; clicking it calls back.
    Call {
        /// The call.
        #[ts(type = "string")]
        call_id: Uuid,
        /// Voice or video.
        kind: CallKind,
        /// How it ended.
        outcome: CallOutcome,
        /// From the answer to the hang-up (0 unless completed).
        duration_secs: u32,
        /// Why it failed, when it did.
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        failure: Option<CallFailure>,
    },
    /// A photo: EXIF orientation applied and location stripped before upload; GIFs stay animated.
    Image {
        /// The picture.
        blob: BlobRef,
        /// Width in pixels, after orientation.
        width: u32,
        /// Height in pixels, after orientation.
        height: u32,
        /// A small JPEG/PNG shown until (or instead of) the full image.
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thumbnail: Option<BlobRef>,
        /// ThumbHash (base64): a blurred preview drawn before any byte is downloaded.
        #[serde(default)]
        placeholder: String,
    },
    /// Any file.
    File {
        /// The file.
        blob: BlobRef,
        /// Sanitised (see [`crate::file_name`]): no separators, no `..`, no control characters.
        name: String,
        /// Its media type.
        media_type: String,
    },
    /// A voice message (Opus).
    Voice {
        /// The recording.
        blob: BlobRef,
        /// Its length.
        duration_ms: u32,
        /// Loudness, 0–255 per bar, for the bubble's waveform.
        #[serde(default)]
        waveform: Vec<u8>,
    },
    /// A video.
    Video {
        /// The video file.
        blob: BlobRef,
        /// A still from it.
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thumbnail: Option<BlobRef>,
        /// Its length.
        duration_ms: u32,
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// The sender's file name (sanitised), for saving it.
        #[serde(default)]
        name: String,
    },
    /// A transfer card; its state is the transfer's (`GET /wallet/transfers/{id}`, and
    /// `transfer_changed` events). Only the server writes these.
    Transfer {
        /// The transfer.
        #[ts(type = "string")]
        transfer_id: Uuid,
        /// How much, in fen.
        #[ts(type = "number")]
        amount_fen: i64,
        /// The sender's note.
        note: String,
    },
    /// A red envelope; its details are `GET /wallet/envelopes/{id}`. Only the server writes these.
    RedEnvelope {
        /// The envelope.
        #[ts(type = "string")]
        envelope_id: Uuid,
        /// Lucky draw or equal shares.
        kind: crate::EnvelopeKind,
        /// The sender's wishes.
        note: String,
    },
    /// An official account's article shared into a chat: a card that opens the reader. The
    /// server fills the card from the article (whatever the sender wrote there).
    Article {
        /// The article.
        #[ts(type = "string")]
        article_id: Uuid,
        /// Its title.
        #[serde(default)]
        title: String,
        /// Its cover picture's address.
        #[serde(default)]
        cover: Option<String>,
        /// The official account that published it.
        #[serde(default)]
        account_name: String,
    },
    /// A mini-program shared into a chat: a card that opens it. The server fills the card from
    /// the mini-program (whatever the sender wrote there).
    MiniProgram {
        /// The mini-program.
        #[ts(type = "string")]
        mini_program_id: Uuid,
        /// Its name.
        #[serde(default)]
        name: String,
        /// Who publishes it.
        #[serde(default)]
        publisher: String,
    },
    /// Several messages forwarded as one card ("merge forward"): it opens into them. Its
    /// pictures and files stay readable to whoever may read the card.
    History {
        /// "Chat history of Alice and Bob", or the group's.
        title: String,
        /// The messages, in order.
        #[schema(no_recursion)]
        items: Vec<HistoryItem>,
    },
    /// A kind this build does not know (sent by a newer app): shown as "unsupported message".
    #[serde(other)]
    Unsupported,
}

/// Someone in a system line: their id, and their name when it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Named {
    /// The user.
    #[ts(type = "string")]
    pub id: Uuid,
    /// Their name when it happened.
    pub name: String,
}

/// What a system line reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SystemEvent {
    /// The group was made.
    GroupCreated {
        /// Who made it.
        by: Named,
        /// Who was in it.
        with: Vec<Named>,
    },
    /// The group was renamed.
    Renamed {
        /// Who renamed it.
        by: Named,
        /// The new name.
        title: String,
    },
    /// The announcement changed.
    AnnouncementUpdated {
        /// Who changed it.
        by: Named,
    },
    /// People were added.
    MembersAdded {
        /// Who added them.
        by: Named,
        /// Who was added.
        users: Vec<Named>,
    },
    /// Someone left.
    Left {
        /// Who.
        user: Named,
    },
    /// Someone was removed.
    Removed {
        /// Who removed them.
        by: Named,
        /// Who was removed.
        user: Named,
    },
    /// A member's role changed.
    RoleChanged {
        /// Whose.
        user: Named,
        /// The new role.
        role: Role,
    },
}

impl SystemEvent {
    /// The line in English.
    pub fn english(&self) -> String {
        let list = |people: &[Named]| {
            people
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Self::GroupCreated { by, with } => {
                format!("{} created the group with {}", by.name, list(with))
            }
            Self::Renamed { by, title } => format!("{} renamed the group to \"{title}\"", by.name),
            Self::AnnouncementUpdated { by } => format!("{} updated the announcement", by.name),
            Self::MembersAdded { by, users } => format!("{} added {}", by.name, list(users)),
            Self::Left { user } => format!("{} left the group", user.name),
            Self::Removed { by, user } => format!("{} removed {}", by.name, user.name),
            Self::RoleChanged { user, role } => match role {
                Role::Owner => format!("{} is now the group owner", user.name),
                Role::Admin => format!("{} is now an admin", user.name),
                Role::Member => format!("{} is no longer an admin", user.name),
            },
        }
    }
}

/// Messages in a merged forward, at most.
pub const MAX_HISTORY_ITEMS: usize = 100;

/// One message inside a merged forward, as it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct HistoryItem {
    /// The sender's name when it was sent.
    pub sender_name: String,
    /// When it was sent (Unix ms).
    #[ts(type = "number")]
    pub created_at: i64,
    /// What it said.
    #[schema(no_recursion)]
    pub content: Content,
}

/// Longest voice message: WeChat's 60 s, with a little slack for a recorder's rounding.
pub const MAX_VOICE_MS: u32 = 61_000;

/// A stored file a message points at: content-addressed by BLAKE3.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS, ToSchema)]
pub struct BlobRef {
    /// BLAKE3 of the whole file, 64 lowercase hex digits.
    pub hash: String,
    /// Its size in bytes.
    #[ts(type = "number")]
    pub size: u64,
}

impl Content {
    /// Every blob the message points at (downloading them needs to be allowed for its members).
    pub fn blobs(&self) -> Vec<&BlobRef> {
        match self {
            Content::Image {
                blob, thumbnail, ..
            }
            | Content::Video {
                blob, thumbnail, ..
            } => std::iter::once(blob).chain(thumbnail).collect(),
            Content::File { blob, .. } | Content::Voice { blob, .. } => vec![blob],
            Content::History { items, .. } => items.iter().flat_map(|i| i.content.blobs()).collect(),
            Content::Text { .. }
            | Content::System { .. }
            | Content::Call { .. }
            | Content::Transfer { .. }
            | Content::RedEnvelope { .. }
            // The cover is an article picture: public to anyone signed in.
            | Content::Article { .. }
            | Content::MiniProgram { .. }
            | Content::Unsupported => Vec::new(),
        }
    }
}

/// A message in a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Message {
    /// The message's id.
    #[ts(type = "string")]
    pub id: Uuid,
    /// The conversation it is in.
    #[ts(type = "string")]
    pub conversation_id: Uuid,
    /// Position in the conversation: gap-free, the order everyone sees.
    #[ts(type = "number")]
    pub seq: i64,
    /// Who sent it.
    #[ts(type = "string")]
    pub sender_id: Uuid,
    /// The sender's own id for it (UUIDv7); retries with the same id never make a second message.
    #[ts(type = "string")]
    pub client_id: Uuid,
    /// What it says or holds.
    pub content: Content,
    /// The message it quotes.
    #[ts(type = "string | null")]
    pub reply_to: Option<Uuid>,
    /// Recalled by its sender: the content is gone.
    pub recalled: bool,
    /// When the server stored it (Unix ms).
    #[ts(type = "number")]
    pub created_at: i64,
}

/// `POST /api/v1/conversations/{id}/messages`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct SendMessage {
    /// The sender's own id for it: a retry with the same id is answered with the first result.
    #[ts(type = "string")]
    pub client_id: Uuid,
    /// What to send.
    pub content: Content,
    /// A message of this conversation to quote.
    #[serde(default)]
    #[ts(type = "string | null")]
    pub reply_to: Option<Uuid>,
}

/// `POST /api/v1/conversations` (a group) or `POST /api/v1/conversations/direct`.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct CreateGroup {
    /// The group's name.
    #[schema(min_length = 1, max_length = 40)]
    pub title: String,
    /// Friends to add besides me.
    #[ts(type = "string[]")]
    #[schema(min_items = 1, max_items = 499)]
    pub members: Vec<Uuid>,
}

/// Opens (or creates) the direct chat with someone.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct OpenDirect {
    /// The other person.
    #[ts(type = "string")]
    pub with: Uuid,
}

/// `PATCH /api/v1/conversations/{id}`: any field left out is unchanged.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS, ToSchema)]
pub struct UpdateConversation {
    /// A new name.
    #[serde(default)]
    #[ts(optional)]
    #[schema(min_length = 1, max_length = 40)]
    pub title: Option<String>,
    /// A new announcement.
    #[serde(default)]
    #[ts(optional)]
    #[schema(max_length = 2000)]
    pub announcement: Option<String>,
}

/// `PUT /api/v1/conversations/{id}/settings`: this user's own pin and mute.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct MemberSettings {
    /// Pin it to the top.
    pub pinned: bool,
    /// Mute it.
    pub muted: bool,
}

/// `POST /api/v1/conversations/{id}/members`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct AddMembers {
    /// Friends to add.
    #[ts(type = "string[]")]
    #[schema(min_items = 1, max_items = 499)]
    pub users: Vec<Uuid>,
}

/// `PUT /api/v1/conversations/{id}/members/{user}/role`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct SetRole {
    /// The new role.
    pub role: Role,
}

/// `POST /api/v1/conversations/{id}/read`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct MarkRead {
    /// Everything up to this seq is read.
    #[ts(type = "number")]
    #[schema(minimum = 0)]
    pub seq: i64,
}

/// `GET /api/v1/conversations/{id}/messages?before=SEQ&limit=N`: newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct MessagePage {
    /// The messages, oldest first.
    pub messages: Vec<Message>,
}

/// My conversations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct ConversationList {
    /// Every conversation I am or was in.
    pub conversations: Vec<Conversation>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An app that meets a kind of message from a newer one shows "unsupported", and its sync
    /// goes on.
    #[test]
    fn an_unknown_kind_of_message_is_unsupported_not_an_error() {
        let m: Message = serde_json::from_str(
            r#"{"id":"0192c5a0-0000-7000-8000-000000000001","conversation_id":"0192c5a0-0000-7000-8000-000000000002",
                "seq":7,"sender_id":"0192c5a0-0000-7000-8000-000000000003","client_id":"0192c5a0-0000-7000-8000-000000000004",
                "content":{"type":"sticker","pack":"cats","id":12},"reply_to":null,"recalled":false,"created_at":1}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.content, Content::Unsupported);
        assert_eq!(m.seq, 7);
    }
}
