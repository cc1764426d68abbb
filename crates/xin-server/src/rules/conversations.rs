//! Conversations and messages: group permissions, recall, and what a message may hold.

use uuid::Uuid;
use xin_proto::{Content, ConversationKind, ErrorCode, Role};

use crate::error::{ApiError, ApiResult};

/// Recall is allowed this long after sending.
pub const RECALL_WINDOW_MS: i64 = 120_000;

/// A group holds at most this many members, owner included (WeChat's limit).
pub const MAX_GROUP_MEMBERS: usize = 500;

/// Whether the two people in a direct chat may message each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectState {
    /// Friends, neither blocking the other.
    Open,
    /// One blocked the other.
    Blocked,
    /// No longer friends.
    NotFriends,
}

fn not_allowed(message: &str) -> ApiError {
    ApiError::new(ErrorCode::NotAllowed, message)
}

/// A group of `members` (owner included) is within the limit.
pub fn group_size(members: usize) -> ApiResult<()> {
    if members > MAX_GROUP_MEMBERS {
        return Err(ApiError::new(
            ErrorCode::GroupFull,
            format!("A group holds at most {MAX_GROUP_MEMBERS} members."),
        ));
    }
    Ok(())
}

/// Group settings (`what`: "a name", "members to add", …) exist only in groups.
pub fn group_only(kind: ConversationKind, what: &str) -> ApiResult<()> {
    if kind != ConversationKind::Group {
        return Err(not_allowed(&format!("Only groups have {what}.")));
    }
    Ok(())
}

/// The name and the announcement are the owner's and the admins'.
pub fn may_edit_group(role: Role) -> ApiResult<()> {
    if role == Role::Member {
        return Err(not_allowed(
            "Only the group owner or an admin can change this.",
        ));
    }
    Ok(())
}

/// Adding members is the owner's and the admins'.
pub fn may_add_members(role: Role) -> ApiResult<()> {
    if role == Role::Member {
        return Err(not_allowed(
            "Only the group owner or an admin can add members.",
        ));
    }
    Ok(())
}

/// Anyone may leave, except an owner with others still in the group; the owner removes
/// anyone, an admin removes members only.
pub fn may_remove(actor: Role, target: Role, leaving: bool, members: usize) -> ApiResult<()> {
    if leaving && actor == Role::Owner && members > 1 {
        return Err(not_allowed(
            "Hand the group over to someone else before leaving.",
        ));
    }
    let allowed = leaving
        || matches!(
            (actor, target),
            (Role::Owner, _) | (Role::Admin, Role::Member)
        );
    if !allowed {
        return Err(not_allowed(
            "Only the group owner or an admin can remove members.",
        ));
    }
    Ok(())
}

/// Only the owner changes roles, of someone else in the group. Handing over ownership makes the
/// old owner an admin: the changes to make, in order.
pub fn role_changes(
    actor: Uuid,
    actor_role: Role,
    target: Uuid,
    target_is_member: bool,
    new: Role,
) -> ApiResult<Vec<(Uuid, Role)>> {
    if actor_role != Role::Owner {
        return Err(not_allowed("Only the group owner can change roles."));
    }
    if !target_is_member || target == actor {
        return Err(ApiError::new(
            ErrorCode::UserNotFound,
            "That person is not in this group.",
        ));
    }
    let mut changes = vec![(target, new)];
    if new == Role::Owner {
        changes.push((actor, Role::Admin));
    }
    Ok(changes)
}

/// A direct chat is opened only with a friend.
pub fn may_open_direct(friends: bool) -> ApiResult<()> {
    if !friends {
        return Err(ApiError::new(
            ErrorCode::NotFriends,
            "You can only chat with friends.",
        ));
    }
    Ok(())
}

/// Only friends (of the one adding them) are added to a group.
pub fn may_add_to_group(friends: bool) -> ApiResult<()> {
    if !friends {
        return Err(ApiError::new(
            ErrorCode::NotFriends,
            "You can only add friends to a group.",
        ));
    }
    Ok(())
}

/// A direct chat takes messages only between friends who do not block each other.
pub fn may_message(direct: Option<DirectState>) -> ApiResult<()> {
    may_reach(
        direct,
        "You are no longer friends: send a friend request first.",
    )
}

/// A direct chat's other person can be reached (by a message, or money) unless one blocks the
/// other or they are no longer friends; `not_friends` says what the refusal tells the sender.
pub fn may_reach(direct: Option<DirectState>, not_friends: &str) -> ApiResult<()> {
    match direct {
        Some(DirectState::Blocked) => Err(ApiError::new(
            ErrorCode::Blocked,
            "This person does not accept your messages.",
        )),
        Some(DirectState::NotFriends) => Err(ApiError::new(ErrorCode::NotFriends, not_friends)),
        _ => Ok(()),
    }
}

/// What recalling a message does.
#[derive(Debug, PartialEq, Eq)]
pub enum Recall {
    /// Take it back now.
    Now,
    /// It already was: nothing to do.
    AlreadyDone,
}

/// Only the sender recalls, within [`RECALL_WINDOW_MS`] of sending.
pub fn may_recall(is_sender: bool, recalled: bool, sent_at: i64, now: i64) -> ApiResult<Recall> {
    if !is_sender {
        return Err(not_allowed("You can only recall your own messages."));
    }
    if recalled {
        return Ok(Recall::AlreadyDone);
    }
    if now - sent_at > RECALL_WINDOW_MS {
        return Err(ApiError::new(
            ErrorCode::RecallWindowPassed,
            "Messages can be recalled only within 2 minutes.",
        ));
    }
    Ok(Recall::Now)
}

/// Refuses what a sender may not put in this conversation.
pub fn check_content(
    content: &Content,
    role: Role,
    kind: ConversationKind,
    is_member: impl Fn(Uuid) -> bool,
) -> ApiResult<()> {
    match content {
        Content::Text {
            mention_all: true, ..
        } if role == Role::Member || kind != ConversationKind::Group => Err(ApiError::new(
            ErrorCode::NotAllowed,
            "Only the group owner or an admin can mention everyone.",
        )),
        Content::Text { mentions, .. } if mentions.iter().any(|m| !is_member(*m)) => Err(
            ApiError::invalid("mentions: everyone mentioned must be in the conversation"),
        ),
        Content::System { .. } => Err(ApiError::invalid(
            "content: system lines are written by the server",
        )),
        Content::Call { .. } => Err(ApiError::invalid(
            "content: a call's line is written by the server when the call ends",
        )),
        Content::Transfer { .. } => Err(ApiError::invalid(
            "content: a transfer card is made by sending a transfer (POST /wallet/transfers)",
        )),
        Content::RedEnvelope { .. } => Err(ApiError::invalid(
            "content: a red envelope is made by sending one (POST /wallet/envelopes)",
        )),
        Content::Unsupported => Err(ApiError::invalid(
            "content: this server does not know that kind of message",
        )),
        Content::History { title, items } => check_history(title, items),
        media => check_media(media),
    }
}

/// A merged forward: a short title, 1–100 messages of the kinds a sender may write (no money,
/// no system lines, no history inside a history), each checked like a message of its own.
fn check_history(title: &str, items: &[xin_proto::HistoryItem]) -> ApiResult<()> {
    let short = |s: &str| {
        !s.trim().is_empty() && s.chars().count() <= 64 && !s.chars().any(char::is_control)
    };
    if !short(title) {
        return Err(ApiError::invalid(
            "content.title: 1–64 characters on one line",
        ));
    }
    if items.is_empty() || items.len() > xin_proto::MAX_HISTORY_ITEMS {
        return Err(ApiError::invalid(format!(
            "content.items: 1–{} messages",
            xin_proto::MAX_HISTORY_ITEMS
        )));
    }
    for item in items {
        if !short(&item.sender_name) {
            return Err(ApiError::invalid(
                "content.items.sender_name: 1–64 characters on one line",
            ));
        }
        match &item.content {
            Content::Text { text, mentions, mention_all } => {
                if text.trim().is_empty() || text.chars().count() > 5_000 || !mentions.is_empty() || *mention_all {
                    return Err(ApiError::invalid("content.items: a text of 1–5000 characters, without mentions"));
                }
            }
            Content::Image { .. } | Content::File { .. } | Content::Voice { .. } | Content::Video { .. } => {
                check_media(&item.content)?
            }
            Content::Article { .. } | Content::MiniProgram { .. } => {}
            _ => {
                return Err(ApiError::invalid(
                    "content.items: only texts, pictures, files, voice, videos, articles and mini-programs can be forwarded",
                ))
            }
        }
    }
    Ok(())
}

pub fn check_media(content: &Content) -> ApiResult<()> {
    for b in content.blobs() {
        if !xin_proto::is_blob_hash(&b.hash) {
            return Err(ApiError::invalid(
                "content: a blob hash is 64 lowercase hex digits (BLAKE3)",
            ));
        }
    }
    let dims_ok = |w: &u32, h: &u32| (1..=65_535).contains(w) && (1..=65_535).contains(h);
    match content {
        Content::Image {
            width,
            height,
            placeholder,
            ..
        } if !dims_ok(width, height) || placeholder.len() > 128 => Err(ApiError::invalid(
            "content: an image needs a width and height of 1–65535 and a short placeholder",
        )),
        Content::File {
            name, media_type, ..
        } if *name != xin_proto::file_name::sanitize(name) || media_type.len() > 127 => {
            Err(ApiError::invalid(
                "content: the file name must be a plain name (no folders, no control characters, at most 255 bytes)",
            ))
        }
        Content::Voice {
            duration_ms,
            waveform,
            ..
        } if *duration_ms == 0 || *duration_ms > xin_proto::MAX_VOICE_MS || waveform.len() > 128 => Err(
            ApiError::invalid("content: a voice message lasts up to 60 seconds"),
        ),
        Content::Video {
            width,
            height,
            name,
            ..
        } if !dims_ok(width, height) || *name != xin_proto::file_name::sanitize(name) => {
            Err(ApiError::invalid(
                "content: a video needs a width and height of 1–65535 and a plain file name",
            ))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::refusal;
    use xin_proto::{BlobRef, HistoryItem};

    #[test]
    fn a_group_holds_five_hundred_with_its_owner() {
        assert!(group_size(MAX_GROUP_MEMBERS).is_ok());
        assert_eq!(
            refusal(group_size(MAX_GROUP_MEMBERS + 1)),
            Some(ErrorCode::GroupFull)
        );
        assert_eq!(
            refusal(group_only(ConversationKind::Direct, "a name")),
            Some(ErrorCode::NotAllowed)
        );
        assert!(group_only(ConversationKind::Group, "a name").is_ok());
    }

    #[test]
    fn owners_and_admins_run_the_group_members_chat() {
        for role in [Role::Owner, Role::Admin] {
            assert!(may_edit_group(role).is_ok() && may_add_members(role).is_ok());
        }
        assert_eq!(
            refusal(may_edit_group(Role::Member)),
            Some(ErrorCode::NotAllowed)
        );
        assert_eq!(
            refusal(may_add_members(Role::Member)),
            Some(ErrorCode::NotAllowed)
        );
    }

    #[test]
    fn who_may_remove_whom() {
        // Leaving is always allowed, except for an owner who is not alone.
        assert!(may_remove(Role::Member, Role::Member, true, 3).is_ok());
        assert!(may_remove(Role::Owner, Role::Owner, true, 1).is_ok());
        assert_eq!(
            refusal(may_remove(Role::Owner, Role::Owner, true, 2)),
            Some(ErrorCode::NotAllowed)
        );
        // The owner removes anyone; an admin only members; a member nobody.
        assert!(may_remove(Role::Owner, Role::Admin, false, 5).is_ok());
        assert!(may_remove(Role::Admin, Role::Member, false, 5).is_ok());
        assert_eq!(
            refusal(may_remove(Role::Admin, Role::Admin, false, 5)),
            Some(ErrorCode::NotAllowed)
        );
        assert_eq!(
            refusal(may_remove(Role::Admin, Role::Owner, false, 5)),
            Some(ErrorCode::NotAllowed)
        );
        assert_eq!(
            refusal(may_remove(Role::Member, Role::Member, false, 5)),
            Some(ErrorCode::NotAllowed)
        );
    }

    #[test]
    fn only_the_owner_changes_roles_and_handing_over_makes_them_admin() {
        let (owner, other) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(
            role_changes(owner, Role::Owner, other, true, Role::Admin).ok(),
            Some(vec![(other, Role::Admin)])
        );
        assert_eq!(
            role_changes(owner, Role::Owner, other, true, Role::Owner).ok(),
            Some(vec![(other, Role::Owner), (owner, Role::Admin)])
        );
        assert_eq!(
            refusal(role_changes(owner, Role::Admin, other, true, Role::Admin)),
            Some(ErrorCode::NotAllowed)
        );
        assert_eq!(
            refusal(role_changes(owner, Role::Owner, other, false, Role::Admin)),
            Some(ErrorCode::UserNotFound)
        );
        assert_eq!(
            refusal(role_changes(owner, Role::Owner, owner, true, Role::Admin)),
            Some(ErrorCode::UserNotFound)
        );
    }

    #[test]
    fn chats_and_groups_are_among_friends() {
        assert!(may_open_direct(true).is_ok() && may_add_to_group(true).is_ok());
        assert_eq!(refusal(may_open_direct(false)), Some(ErrorCode::NotFriends));
        assert_eq!(
            refusal(may_add_to_group(false)),
            Some(ErrorCode::NotFriends)
        );
    }

    #[test]
    fn direct_messages_need_friends_who_do_not_block() {
        assert!(may_message(None).is_ok() && may_message(Some(DirectState::Open)).is_ok());
        assert_eq!(
            refusal(may_message(Some(DirectState::Blocked))),
            Some(ErrorCode::Blocked)
        );
        assert_eq!(
            refusal(may_message(Some(DirectState::NotFriends))),
            Some(ErrorCode::NotFriends)
        );
    }

    #[test]
    fn only_the_sender_recalls_within_two_minutes() {
        assert_eq!(
            may_recall(true, false, 0, RECALL_WINDOW_MS).ok(),
            Some(Recall::Now)
        );
        assert_eq!(
            refusal(may_recall(true, false, 0, RECALL_WINDOW_MS + 1)),
            Some(ErrorCode::RecallWindowPassed)
        );
        assert_eq!(
            refusal(may_recall(false, false, 0, 1)),
            Some(ErrorCode::NotAllowed)
        );
        // A second recall (a retry) is no error, even late.
        assert_eq!(
            may_recall(true, true, 0, RECALL_WINDOW_MS * 10).ok(),
            Some(Recall::AlreadyDone)
        );
    }

    fn text(mentions: Vec<Uuid>, mention_all: bool) -> Content {
        Content::Text {
            text: "hi".into(),
            mentions,
            mention_all,
        }
    }

    #[test]
    fn what_a_sender_may_put_in_a_message() {
        let member = Uuid::now_v7();
        let is_member = |u: Uuid| u == member;
        let group = ConversationKind::Group;
        assert!(check_content(&text(vec![member], false), Role::Member, group, is_member).is_ok());
        assert_eq!(
            refusal(check_content(
                &text(vec![Uuid::now_v7()], false),
                Role::Member,
                group,
                is_member
            )),
            Some(ErrorCode::InvalidRequest)
        );
        // @everyone is for owners and admins, in groups.
        assert!(check_content(&text(vec![], true), Role::Admin, group, is_member).is_ok());
        assert_eq!(
            refusal(check_content(
                &text(vec![], true),
                Role::Member,
                group,
                is_member
            )),
            Some(ErrorCode::NotAllowed)
        );
        assert_eq!(
            refusal(check_content(
                &text(vec![], true),
                Role::Owner,
                ConversationKind::Direct,
                is_member
            )),
            Some(ErrorCode::NotAllowed)
        );
        // Lines only the server writes, and money cards, cannot be sent as content.
        let system = Content::System {
            text: "x".into(),
            event: None,
        };
        assert_eq!(
            refusal(check_content(&system, Role::Owner, group, is_member)),
            Some(ErrorCode::InvalidRequest)
        );
    }

    #[test]
    fn media_must_be_well_formed() {
        let blob = |hash: &str| BlobRef {
            hash: hash.into(),
            size: 1,
        };
        let good = "a".repeat(64);
        let image = |hash: &str, width| Content::Image {
            blob: blob(hash),
            thumbnail: None,
            width,
            height: 10,
            placeholder: String::new(),
        };
        assert!(check_media(&image(&good, 10)).is_ok());
        assert_eq!(
            refusal(check_media(&image("nothex", 10))),
            Some(ErrorCode::InvalidRequest)
        );
        assert_eq!(
            refusal(check_media(&image(&good, 0))),
            Some(ErrorCode::InvalidRequest)
        );
        let file = |name: &str| Content::File {
            blob: blob(&good),
            name: name.into(),
            media_type: "text/plain".into(),
        };
        assert!(check_media(&file("notes.txt")).is_ok());
        assert_eq!(
            refusal(check_media(&file("../etc/passwd"))),
            Some(ErrorCode::InvalidRequest)
        );
    }

    #[test]
    fn a_merged_forward_holds_one_to_a_hundred_plain_messages() {
        let item = |content| HistoryItem {
            sender_name: "Bob".into(),
            created_at: 0,
            content,
        };
        let history = |items: Vec<HistoryItem>| Content::History {
            title: "Chat with Bob".into(),
            items,
        };
        let ok = history(vec![item(text(vec![], false))]);
        assert!(check_content(&ok, Role::Member, ConversationKind::Direct, |_| true).is_ok());
        for bad in [
            history(vec![]),
            history(vec![item(history(vec![item(text(vec![], false))]))]),
            history(vec![item(text(vec![Uuid::now_v7()], false))]),
        ] {
            assert_eq!(
                refusal(check_content(
                    &bad,
                    Role::Member,
                    ConversationKind::Direct,
                    |_| true
                )),
                Some(ErrorCode::InvalidRequest)
            );
        }
    }
}
