use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::UserProfile;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConversationKind {
    /// Two friends.
    Direct,
    Group,
    /// "File Transfer": between one user's own devices.
    SelfNote,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Admin,
    Member,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Member {
    pub user: UserProfile,
    pub role: Role,
}

/// A conversation as one member sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Conversation {
    #[ts(type = "string")]
    pub id: Uuid,
    pub kind: ConversationKind,
    /// Group name; for a direct chat, the other person's name.
    pub title: String,
    pub announcement: String,
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
    pub pinned: bool,
    pub muted: bool,
    /// False once this user left or was removed: history stays, nothing new arrives.
    pub active: bool,
}

/// What a message holds. New kinds are added as variants; older apps see `Unsupported`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Content {
    Text {
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
        text: String,
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<SystemEvent>,
    },
    /// A photo: EXIF orientation applied and location stripped before upload; GIFs stay animated.
    Image {
        blob: BlobRef,
        width: u32,
        height: u32,
        /// A small JPEG/PNG shown until (or instead of) the full image.
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thumbnail: Option<BlobRef>,
        /// ThumbHash (base64): a blurred preview drawn before any byte is downloaded.
        #[serde(default)]
        placeholder: String,
    },
    File {
        blob: BlobRef,
        /// Sanitised (see [`crate::file_name`]): no separators, no `..`, no control characters.
        name: String,
        media_type: String,
    },
    Voice {
        blob: BlobRef,
        duration_ms: u32,
        /// Loudness, 0–255 per bar, for the bubble's waveform.
        #[serde(default)]
        waveform: Vec<u8>,
    },
    Video {
        blob: BlobRef,
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thumbnail: Option<BlobRef>,
        duration_ms: u32,
        width: u32,
        height: u32,
        /// The sender's file name (sanitised), for saving it.
        #[serde(default)]
        name: String,
    },
    /// A transfer card; its state is the transfer's (`GET /wallet/transfers/{id}`, and
    /// `transfer_changed` events). Only the server writes these.
    Transfer {
        #[ts(type = "string")]
        transfer_id: Uuid,
        #[ts(type = "number")]
        amount_fen: i64,
        note: String,
    },
    /// A red envelope; its details are `GET /wallet/envelopes/{id}`. Only the server writes these.
    RedEnvelope {
        #[ts(type = "string")]
        envelope_id: Uuid,
        kind: crate::EnvelopeKind,
        note: String,
    },
    /// An official account's article shared into a chat: a card that opens the reader. The
    /// server fills the card from the article (whatever the sender wrote there).
    Article {
        #[ts(type = "string")]
        article_id: Uuid,
        #[serde(default)]
        title: String,
        #[serde(default)]
        cover: Option<String>,
        #[serde(default)]
        account_name: String,
    },
    /// A mini-program shared into a chat: a card that opens it. The server fills the card from
    /// the mini-program (whatever the sender wrote there).
    MiniProgram {
        #[ts(type = "string")]
        mini_program_id: Uuid,
        #[serde(default)]
        name: String,
        #[serde(default)]
        publisher: String,
    },
    /// Several messages forwarded as one card ("merge forward"): it opens into them. Its
    /// pictures and files stay readable to whoever may read the card.
    History {
        /// "Chat history of Alice and Bob", or the group's.
        title: String,
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
    #[ts(type = "string")]
    pub id: Uuid,
    pub name: String,
}

/// What a system line reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SystemEvent {
    GroupCreated { by: Named, with: Vec<Named> },
    Renamed { by: Named, title: String },
    AnnouncementUpdated { by: Named },
    MembersAdded { by: Named, users: Vec<Named> },
    Left { user: Named },
    Removed { by: Named, user: Named },
    RoleChanged { user: Named, role: Role },
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
    pub sender_name: String,
    #[ts(type = "number")]
    pub created_at: i64,
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
            | Content::Transfer { .. }
            | Content::RedEnvelope { .. }
            // The cover is an article picture: public to anyone signed in.
            | Content::Article { .. }
            | Content::MiniProgram { .. }
            | Content::Unsupported => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Message {
    #[ts(type = "string")]
    pub id: Uuid,
    #[ts(type = "string")]
    pub conversation_id: Uuid,
    /// Position in the conversation: gap-free, the order everyone sees.
    #[ts(type = "number")]
    pub seq: i64,
    #[ts(type = "string")]
    pub sender_id: Uuid,
    /// The sender's own id for it (UUIDv7); retries with the same id never make a second message.
    #[ts(type = "string")]
    pub client_id: Uuid,
    pub content: Content,
    #[ts(type = "string | null")]
    pub reply_to: Option<Uuid>,
    pub recalled: bool,
    #[ts(type = "number")]
    pub created_at: i64,
}

/// `POST /api/v1/conversations/{id}/messages`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct SendMessage {
    #[ts(type = "string")]
    pub client_id: Uuid,
    pub content: Content,
    #[serde(default)]
    #[ts(type = "string | null")]
    pub reply_to: Option<Uuid>,
}

/// `POST /api/v1/conversations` (a group) or `POST /api/v1/conversations/direct`.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct CreateGroup {
    #[schema(min_length = 1, max_length = 40)]
    pub title: String,
    #[ts(type = "string[]")]
    #[schema(min_items = 1, max_items = 499)]
    pub members: Vec<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct OpenDirect {
    #[ts(type = "string")]
    pub with: Uuid,
}

/// `PATCH /api/v1/conversations/{id}`: any field left out is unchanged.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS, ToSchema)]
pub struct UpdateConversation {
    #[serde(default)]
    #[ts(optional)]
    #[schema(min_length = 1, max_length = 40)]
    pub title: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    #[schema(max_length = 2000)]
    pub announcement: Option<String>,
}

/// `PUT /api/v1/conversations/{id}/settings`: this user's own pin and mute.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct MemberSettings {
    pub pinned: bool,
    pub muted: bool,
}

/// `POST /api/v1/conversations/{id}/members`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct AddMembers {
    #[ts(type = "string[]")]
    #[schema(min_items = 1, max_items = 499)]
    pub users: Vec<Uuid>,
}

/// `PUT /api/v1/conversations/{id}/members/{user}/role`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct SetRole {
    pub role: Role,
}

/// `POST /api/v1/conversations/{id}/read`
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct MarkRead {
    #[ts(type = "number")]
    #[schema(minimum = 0)]
    pub seq: i64,
}

/// `GET /api/v1/conversations/{id}/messages?before=SEQ&limit=N`: newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct MessagePage {
    pub messages: Vec<Message>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct ConversationList {
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
