//! Conversations, members and messages. Every change appends events for the members it concerns.

use uuid::Uuid;
use xin_proto::{
    Content, Conversation, ConversationKind, ErrorCode, EventBody, Member, Message, Role,
    SendMessage, UserProfile,
};

use super::{
    contacts::{blocked_between, has_contact, profile},
    log::{Outbox, Tx},
    parse_uuid, Store,
};
use crate::{
    error::{ApiError, ApiResult},
    time::now_ms,
};

/// Recall is allowed this long after sending.
pub const RECALL_WINDOW_MS: i64 = 120_000;

fn not_found() -> ApiError {
    ApiError::new(
        ErrorCode::ConversationNotFound,
        "No such conversation, or you are not in it.",
    )
}

fn kind_str(k: ConversationKind) -> &'static str {
    match k {
        ConversationKind::Direct => "direct",
        ConversationKind::Group => "group",
        ConversationKind::SelfNote => "self_note",
    }
}

fn parse_kind(s: &str) -> ConversationKind {
    match s {
        "group" => ConversationKind::Group,
        "self_note" => ConversationKind::SelfNote,
        _ => ConversationKind::Direct,
    }
}

fn role_str(r: Role) -> &'static str {
    match r {
        Role::Owner => "owner",
        Role::Admin => "admin",
        Role::Member => "member",
    }
}

fn parse_role(s: &str) -> Role {
    match s {
        "owner" => Role::Owner,
        "admin" => Role::Admin,
        _ => Role::Member,
    }
}

/// (role, active) of `user` in `conv`, if they ever were a member.
async fn membership(tx: &mut Tx<'_>, conv: Uuid, user: Uuid) -> ApiResult<Option<(Role, bool)>> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT role, active FROM members WHERE conversation_id = $1 AND user_id = $2",
    )
    .bind(conv.to_string())
    .bind(user.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|(r, a)| (parse_role(&r), a != 0)))
}

/// The caller's role, refusing anyone who is not an active member.
async fn active_role(tx: &mut Tx<'_>, conv: Uuid, user: Uuid) -> ApiResult<Role> {
    match membership(tx, conv, user).await? {
        Some((role, true)) => Ok(role),
        _ => Err(not_found()),
    }
}

async fn active_members(tx: &mut Tx<'_>, conv: Uuid) -> ApiResult<Vec<Uuid>> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT user_id FROM members WHERE conversation_id = $1 AND active = 1 ORDER BY joined_at, user_id")
            .bind(conv.to_string())
            .fetch_all(&mut **tx)
            .await?;
    rows.iter().map(|(u,)| parse_uuid(u)).collect()
}

/// What every member sees alike: one read however many members a change is announced to.
struct Shared {
    kind: ConversationKind,
    title: String,
    announcement: String,
    last_seq: i64,
    members: Vec<Member>,
}

async fn shared(tx: &mut Tx<'_>, conv: Uuid) -> ApiResult<Shared> {
    let (kind, title, announcement, last_seq): (String, String, String, i64) = sqlx::query_as(
        "SELECT kind, title, announcement, last_seq FROM conversations WHERE id = $1",
    )
    .bind(conv.to_string())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(not_found)?;
    let rows: Vec<(String, String, String, i64, String)> = sqlx::query_as(
        "SELECT u.id, u.handle, u.display_name, u.avatar_hue, m.role
         FROM members m JOIN users u ON u.id = m.user_id
         WHERE m.conversation_id = $1 AND m.active = 1 ORDER BY m.joined_at, m.user_id",
    )
    .bind(conv.to_string())
    .fetch_all(&mut **tx)
    .await?;
    let members = rows
        .into_iter()
        .map(|(id, handle, display_name, hue, role)| {
            Ok(Member {
                user: UserProfile {
                    id: parse_uuid(&id)?,
                    handle,
                    display_name,
                    avatar_hue: u16::try_from(hue).unwrap_or(0),
                },
                role: parse_role(&role),
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(Shared {
        kind: parse_kind(&kind),
        title,
        announcement,
        last_seq,
        members,
    })
}

/// The shared part plus what is `user`'s own: read marker, pin, mute, and a direct chat's title.
async fn for_user(tx: &mut Tx<'_>, conv: Uuid, s: &Shared, user: Uuid) -> ApiResult<Conversation> {
    let (read_seq, pinned, muted, active): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT read_seq, pinned, muted, active FROM members WHERE conversation_id = $1 AND user_id = $2",
    )
    .bind(conv.to_string())
    .bind(user.to_string())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(not_found)?;
    let title = match s.kind {
        ConversationKind::Direct => match s.members.iter().find(|m| m.user.id != user) {
            Some(other) => {
                let remark: Option<Option<String>> = sqlx::query_scalar(
                    "SELECT remark FROM contacts WHERE user_id = $1 AND friend_id = $2",
                )
                .bind(user.to_string())
                .bind(other.user.id.to_string())
                .fetch_optional(&mut **tx)
                .await?;
                remark
                    .flatten()
                    .unwrap_or_else(|| other.user.display_name.clone())
            }
            None => s.title.clone(),
        },
        ConversationKind::SelfNote => "File Transfer".to_string(),
        ConversationKind::Group => s.title.clone(),
    };
    Ok(Conversation {
        id: conv,
        kind: s.kind,
        title,
        announcement: s.announcement.clone(),
        members: s.members.clone(),
        last_seq: s.last_seq,
        read_seq,
        unread: (s.last_seq - read_seq).max(0),
        pinned: pinned != 0,
        muted: muted != 0,
        active: active != 0,
    })
}

/// The conversation as `user` sees it.
pub(crate) async fn view(tx: &mut Tx<'_>, conv: Uuid, user: Uuid) -> ApiResult<Conversation> {
    let s = shared(tx, conv).await?;
    for_user(tx, conv, &s, user).await
}

/// Tells each of `users` how the conversation now looks to them.
async fn announce(tx: &mut Tx<'_>, out: &mut Outbox, conv: Uuid, users: &[Uuid]) -> ApiResult<()> {
    let s = shared(tx, conv).await?;
    for &u in users {
        let conversation = for_user(tx, conv, &s, u).await?;
        out.append(tx, u, EventBody::ConversationUpdated { conversation })
            .await?;
    }
    Ok(())
}

/// Whether `message` is in `conv`.
async fn message_in(tx: &mut Tx<'_>, conv: Uuid, message: Uuid) -> ApiResult<bool> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE id = $1 AND conversation_id = $2")
            .bind(message.to_string())
            .bind(conv.to_string())
            .fetch_one(&mut **tx)
            .await?;
    Ok(n > 0)
}

/// After a remark change, the direct chat's title changes for `user`.
pub(crate) async fn refresh_direct(
    tx: &mut Tx<'_>,
    out: &mut Outbox,
    user: Uuid,
    friend: Uuid,
) -> ApiResult<()> {
    let id: Option<String> = sqlx::query_scalar("SELECT id FROM conversations WHERE pair_key = $1")
        .bind(pair_key(user, friend))
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(id) = id {
        announce(tx, out, parse_uuid(&id)?, &[user]).await?;
    }
    Ok(())
}

fn pair_key(a: Uuid, b: Uuid) -> String {
    let (x, y) = if a < b { (a, b) } else { (b, a) };
    format!("{x}:{y}")
}

async fn insert_conversation(
    tx: &mut Tx<'_>,
    kind: ConversationKind,
    title: &str,
    pair: Option<&str>,
) -> ApiResult<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO conversations (id, kind, title, pair_key, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id.to_string())
        .bind(kind_str(kind))
        .bind(title)
        .bind(pair)
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
    Ok(id)
}

async fn add_member(tx: &mut Tx<'_>, conv: Uuid, user: Uuid, role: Role) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO members (conversation_id, user_id, role, active, joined_at) VALUES ($1, $2, $3, 1, $4)
         ON CONFLICT (conversation_id, user_id) DO UPDATE SET active = 1, role = excluded.role",
    )
    .bind(conv.to_string())
    .bind(user.to_string())
    .bind(role_str(role))
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

struct NewMessage<'a> {
    conv: Uuid,
    sender: Uuid,
    device: &'a str,
    client_id: Uuid,
    content: &'a Content,
    reply_to: Option<Uuid>,
}

/// Writes a message with the next conversation seq and logs it for every active member.
async fn post(tx: &mut Tx<'_>, out: &mut Outbox, m: NewMessage<'_>) -> ApiResult<Message> {
    let seq: i64 = sqlx::query_scalar(
        "UPDATE conversations SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq",
    )
    .bind(m.conv.to_string())
    .fetch_one(&mut **tx)
    .await?;
    let message = Message {
        id: Uuid::now_v7(),
        conversation_id: m.conv,
        seq,
        sender_id: m.sender,
        client_id: m.client_id,
        content: m.content.clone(),
        reply_to: m.reply_to,
        recalled: false,
        created_at: now_ms(),
    };
    let content =
        serde_json::to_string(&message.content).map_err(|e| ApiError::Internal(e.to_string()))?;
    sqlx::query(
        "INSERT INTO messages (id, conversation_id, seq, sender_id, sender_device, client_id, content, reply_to, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(message.id.to_string())
    .bind(m.conv.to_string())
    .bind(seq)
    .bind(m.sender.to_string())
    .bind(m.device)
    .bind(m.client_id.to_string())
    .bind(content)
    .bind(m.reply_to.map(|r| r.to_string()))
    .bind(message.created_at)
    .execute(&mut **tx)
    .await?;
    // Sending reads the conversation up to one's own message.
    sqlx::query("UPDATE members SET read_seq = $1 WHERE conversation_id = $2 AND user_id = $3 AND read_seq < $1")
        .bind(seq)
        .bind(m.conv.to_string())
        .bind(m.sender.to_string())
        .execute(&mut **tx)
        .await?;
    let readers: Vec<(String, i64)> = sqlx::query_as(
        "SELECT user_id, read_seq FROM members WHERE conversation_id = $1 AND active = 1",
    )
    .bind(m.conv.to_string())
    .fetch_all(&mut **tx)
    .await?;
    for (u, read_seq) in readers {
        out.append(
            tx,
            parse_uuid(&u)?,
            EventBody::MessageNew {
                message: message.clone(),
                unread: (seq - read_seq).max(0),
            },
        )
        .await?;
    }
    Ok(message)
}

async fn system(
    tx: &mut Tx<'_>,
    out: &mut Outbox,
    conv: Uuid,
    actor: Uuid,
    text: String,
) -> ApiResult<()> {
    post(
        tx,
        out,
        NewMessage {
            conv,
            sender: actor,
            device: "system",
            client_id: Uuid::now_v7(),
            content: &Content::System { text },
            reply_to: None,
        },
    )
    .await
    .map(|_| ())
}

async fn names(tx: &mut Tx<'_>, users: &[Uuid]) -> ApiResult<String> {
    let mut names = Vec::new();
    for &u in users {
        names.push(profile(tx, u).await?.display_name);
    }
    Ok(names.join(", "))
}

/// A `messages` row in `MESSAGE_COLUMNS` order.
type MessageRow = (
    String,
    String,
    i64,
    String,
    String,
    String,
    Option<String>,
    i64,
    i64,
);

fn message_row(row: MessageRow) -> ApiResult<Message> {
    let (id, conv, seq, sender, client_id, content, reply_to, recalled, created_at) = row;
    Ok(Message {
        id: parse_uuid(&id)?,
        conversation_id: parse_uuid(&conv)?,
        seq,
        sender_id: parse_uuid(&sender)?,
        client_id: parse_uuid(&client_id)?,
        content: serde_json::from_str(&content).map_err(|e| ApiError::Internal(e.to_string()))?,
        reply_to: reply_to.as_deref().map(parse_uuid).transpose()?,
        recalled: recalled != 0,
        created_at,
    })
}

const MESSAGE_COLUMNS: &str =
    "id, conversation_id, seq, sender_id, client_id, content, reply_to, recalled, created_at";

impl Store {
    /// The direct chat with a friend, created on first use.
    pub async fn open_direct(&self, user: Uuid, other: Uuid) -> ApiResult<(Conversation, Outbox)> {
        let mut tx = self.begin().await?;
        let mut out = Outbox::default();
        if user == other {
            return self.self_note(user).await;
        }
        if !(has_contact(&mut tx, user, other).await? && has_contact(&mut tx, other, user).await?) {
            return Err(ApiError::new(
                ErrorCode::NotFriends,
                "You can only chat with friends.",
            ));
        }
        let key = pair_key(user, other);
        let existing: Option<String> =
            sqlx::query_scalar("SELECT id FROM conversations WHERE pair_key = $1")
                .bind(&key)
                .fetch_optional(&mut *tx)
                .await?;
        let conv = match existing {
            Some(id) => parse_uuid(&id)?,
            None => {
                let id =
                    insert_conversation(&mut tx, ConversationKind::Direct, "", Some(&key)).await?;
                add_member(&mut tx, id, user, Role::Member).await?;
                add_member(&mut tx, id, other, Role::Member).await?;
                announce(&mut tx, &mut out, id, &[user, other]).await?;
                id
            }
        };
        let view = view(&mut tx, conv, user).await?;
        tx.commit().await?;
        Ok((view, out))
    }

    /// "File Transfer": the user's chat with their own devices.
    pub async fn self_note(&self, user: Uuid) -> ApiResult<(Conversation, Outbox)> {
        let mut tx = self.begin().await?;
        let mut out = Outbox::default();
        let key = user.to_string();
        let existing: Option<String> =
            sqlx::query_scalar("SELECT id FROM conversations WHERE pair_key = $1")
                .bind(&key)
                .fetch_optional(&mut *tx)
                .await?;
        let conv = match existing {
            Some(id) => parse_uuid(&id)?,
            None => {
                let id = insert_conversation(
                    &mut tx,
                    ConversationKind::SelfNote,
                    "File Transfer",
                    Some(&key),
                )
                .await?;
                add_member(&mut tx, id, user, Role::Owner).await?;
                announce(&mut tx, &mut out, id, &[user]).await?;
                id
            }
        };
        let view = view(&mut tx, conv, user).await?;
        tx.commit().await?;
        Ok((view, out))
    }

    pub async fn create_group(
        &self,
        owner: Uuid,
        title: &str,
        members: &[Uuid],
    ) -> ApiResult<(Conversation, Outbox)> {
        let mut tx = self.begin().await?;
        let mut out = Outbox::default();
        let mut others: Vec<Uuid> = members.iter().copied().filter(|m| *m != owner).collect();
        others.sort();
        others.dedup();
        for &m in &others {
            if !has_contact(&mut tx, owner, m).await? {
                return Err(ApiError::new(
                    ErrorCode::NotFriends,
                    "You can only add friends to a group.",
                ));
            }
        }
        let conv = insert_conversation(&mut tx, ConversationKind::Group, title, None).await?;
        add_member(&mut tx, conv, owner, Role::Owner).await?;
        for &m in &others {
            add_member(&mut tx, conv, m, Role::Member).await?;
        }
        let mut everyone = vec![owner];
        everyone.extend(&others);
        announce(&mut tx, &mut out, conv, &everyone).await?;
        let text = format!(
            "{} created the group with {}",
            names(&mut tx, &[owner]).await?,
            names(&mut tx, &others).await?
        );
        system(&mut tx, &mut out, conv, owner, text).await?;
        let view = view(&mut tx, conv, owner).await?;
        tx.commit().await?;
        Ok((view, out))
    }

    pub async fn update_conversation(
        &self,
        user: Uuid,
        conv: Uuid,
        title: Option<&str>,
        announcement: Option<&str>,
    ) -> ApiResult<Outbox> {
        let mut tx = self.begin().await?;
        let mut out = Outbox::default();
        let role = active_role(&mut tx, conv, user).await?;
        if role == Role::Member || view(&mut tx, conv, user).await?.kind != ConversationKind::Group
        {
            return Err(ApiError::new(
                ErrorCode::NotAllowed,
                "Only the group owner or an admin can change this.",
            ));
        }
        let who = names(&mut tx, &[user]).await?;
        if let Some(t) = title {
            sqlx::query("UPDATE conversations SET title = $1 WHERE id = $2")
                .bind(t)
                .bind(conv.to_string())
                .execute(&mut *tx)
                .await?;
            system(
                &mut tx,
                &mut out,
                conv,
                user,
                format!("{who} renamed the group to \"{t}\""),
            )
            .await?;
        }
        if let Some(a) = announcement {
            sqlx::query("UPDATE conversations SET announcement = $1 WHERE id = $2")
                .bind(a)
                .bind(conv.to_string())
                .execute(&mut *tx)
                .await?;
            system(
                &mut tx,
                &mut out,
                conv,
                user,
                format!("{who} updated the announcement"),
            )
            .await?;
        }
        let members = active_members(&mut tx, conv).await?;
        announce(&mut tx, &mut out, conv, &members).await?;
        tx.commit().await?;
        Ok(out)
    }

    pub async fn add_members(&self, user: Uuid, conv: Uuid, users: &[Uuid]) -> ApiResult<Outbox> {
        let mut tx = self.begin().await?;
        let mut out = Outbox::default();
        let role = active_role(&mut tx, conv, user).await?;
        if role == Role::Member || view(&mut tx, conv, user).await?.kind != ConversationKind::Group
        {
            return Err(ApiError::new(
                ErrorCode::NotAllowed,
                "Only the group owner or an admin can add members.",
            ));
        }
        let mut added = Vec::new();
        for &u in users {
            if matches!(membership(&mut tx, conv, u).await?, Some((_, true))) {
                continue;
            }
            if !has_contact(&mut tx, user, u).await? {
                return Err(ApiError::new(
                    ErrorCode::NotFriends,
                    "You can only add friends to a group.",
                ));
            }
            add_member(&mut tx, conv, u, Role::Member).await?;
            added.push(u);
        }
        if !added.is_empty() {
            let text = format!(
                "{} added {}",
                names(&mut tx, &[user]).await?,
                names(&mut tx, &added).await?
            );
            system(&mut tx, &mut out, conv, user, text).await?;
            let members = active_members(&mut tx, conv).await?;
            announce(&mut tx, &mut out, conv, &members).await?;
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Removes `target` (or leaves, when `target == user`).
    pub async fn remove_member(&self, user: Uuid, conv: Uuid, target: Uuid) -> ApiResult<Outbox> {
        let mut tx = self.begin().await?;
        let mut out = Outbox::default();
        let role = active_role(&mut tx, conv, user).await?;
        if view(&mut tx, conv, user).await?.kind != ConversationKind::Group {
            return Err(ApiError::new(
                ErrorCode::NotAllowed,
                "Only groups have members to remove.",
            ));
        }
        let leaving = user == target;
        let target_role = match membership(&mut tx, conv, target).await? {
            Some((r, true)) => r,
            _ => {
                return Err(ApiError::new(
                    ErrorCode::UserNotFound,
                    "That person is not in this group.",
                ))
            }
        };
        let members = active_members(&mut tx, conv).await?;
        if leaving && role == Role::Owner && members.len() > 1 {
            return Err(ApiError::new(
                ErrorCode::NotAllowed,
                "Hand the group over to someone else before leaving.",
            ));
        }
        let allowed = leaving
            || matches!(
                (role, target_role),
                (Role::Owner, _) | (Role::Admin, Role::Member)
            );
        if !allowed {
            return Err(ApiError::new(
                ErrorCode::NotAllowed,
                "Only the group owner or an admin can remove members.",
            ));
        }
        // The line goes out while they are still in, so the one leaving sees it too.
        let text = if leaving {
            format!("{} left the group", names(&mut tx, &[user]).await?)
        } else {
            format!(
                "{} removed {}",
                names(&mut tx, &[user]).await?,
                names(&mut tx, &[target]).await?
            )
        };
        system(&mut tx, &mut out, conv, user, text).await?;
        sqlx::query("UPDATE members SET active = 0 WHERE conversation_id = $1 AND user_id = $2")
            .bind(conv.to_string())
            .bind(target.to_string())
            .execute(&mut *tx)
            .await?;
        // Everyone still in, and the one who left (who now sees it inactive).
        announce(&mut tx, &mut out, conv, &members).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Owner hands over ownership (becoming an admin) or sets someone's admin role.
    pub async fn set_role(
        &self,
        user: Uuid,
        conv: Uuid,
        target: Uuid,
        new: Role,
    ) -> ApiResult<Outbox> {
        let mut tx = self.begin().await?;
        let mut out = Outbox::default();
        if active_role(&mut tx, conv, user).await? != Role::Owner {
            return Err(ApiError::new(
                ErrorCode::NotAllowed,
                "Only the group owner can change roles.",
            ));
        }
        if !matches!(membership(&mut tx, conv, target).await?, Some((_, true))) || target == user {
            return Err(ApiError::new(
                ErrorCode::UserNotFound,
                "That person is not in this group.",
            ));
        }
        let set = |u: Uuid, r: Role| {
            sqlx::query("UPDATE members SET role = $1 WHERE conversation_id = $2 AND user_id = $3")
                .bind(role_str(r))
                .bind(conv.to_string())
                .bind(u.to_string())
        };
        set(target, new).execute(&mut *tx).await?;
        let who = names(&mut tx, &[target]).await?;
        let text = match new {
            Role::Owner => {
                set(user, Role::Admin).execute(&mut *tx).await?;
                format!("{who} is now the group owner")
            }
            Role::Admin => format!("{who} is now an admin"),
            Role::Member => format!("{who} is no longer an admin"),
        };
        system(&mut tx, &mut out, conv, user, text).await?;
        let members = active_members(&mut tx, conv).await?;
        announce(&mut tx, &mut out, conv, &members).await?;
        tx.commit().await?;
        Ok(out)
    }

    pub async fn member_settings(
        &self,
        user: Uuid,
        conv: Uuid,
        pinned: bool,
        muted: bool,
    ) -> ApiResult<Outbox> {
        let mut tx = self.begin().await?;
        let mut out = Outbox::default();
        membership(&mut tx, conv, user)
            .await?
            .ok_or_else(not_found)?;
        sqlx::query("UPDATE members SET pinned = $1, muted = $2 WHERE conversation_id = $3 AND user_id = $4")
            .bind(i64::from(pinned))
            .bind(i64::from(muted))
            .bind(conv.to_string())
            .bind(user.to_string())
            .execute(&mut *tx)
            .await?;
        announce(&mut tx, &mut out, conv, &[user]).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Sends once per (device, client id): a retry answers with the first result.
    pub async fn send_message(
        &self,
        user: Uuid,
        device: Uuid,
        conv: Uuid,
        req: &SendMessage,
    ) -> ApiResult<(Message, Outbox)> {
        let mut tx = self.begin().await?;
        let mut out = Outbox::default();
        let existing: Option<MessageRow> = sqlx::query_as(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE sender_device = $1 AND client_id = $2"
        ))
        .bind(device.to_string())
        .bind(req.client_id.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = existing {
            return Ok((message_row(row)?, out));
        }
        let role = active_role(&mut tx, conv, user).await?;
        let view = view(&mut tx, conv, user).await?;
        if view.kind == ConversationKind::Direct {
            let other = view
                .members
                .iter()
                .map(|m| m.user.id)
                .find(|id| *id != user)
                .ok_or_else(not_found)?;
            if blocked_between(&mut tx, user, other).await? {
                return Err(ApiError::new(
                    ErrorCode::Blocked,
                    "This person does not accept your messages.",
                ));
            }
            if !(has_contact(&mut tx, user, other).await?
                && has_contact(&mut tx, other, user).await?)
            {
                return Err(ApiError::new(
                    ErrorCode::NotFriends,
                    "You are no longer friends: send a friend request first.",
                ));
            }
        }
        match &req.content {
            Content::Text {
                mention_all: true, ..
            } if role == Role::Member || view.kind != ConversationKind::Group => {
                return Err(ApiError::new(
                    ErrorCode::NotAllowed,
                    "Only the group owner or an admin can mention everyone.",
                ));
            }
            Content::Text { mentions, .. }
                if mentions
                    .iter()
                    .any(|m| !view.members.iter().any(|x| x.user.id == *m)) =>
            {
                return Err(ApiError::invalid(
                    "mentions: everyone mentioned must be in the conversation",
                ));
            }
            Content::System { .. } => {
                return Err(ApiError::invalid(
                    "content: system lines are written by the server",
                ))
            }
            _ => {}
        }
        if let Some(r) = req.reply_to {
            if !message_in(&mut tx, conv, r).await? {
                return Err(ApiError::new(
                    ErrorCode::MessageNotFound,
                    "The quoted message is not in this conversation.",
                ));
            }
        }
        let message = post(
            &mut tx,
            &mut out,
            NewMessage {
                conv,
                sender: user,
                device: &device.to_string(),
                client_id: req.client_id,
                content: &req.content,
                reply_to: req.reply_to,
            },
        )
        .await?;
        tx.commit().await?;
        Ok((message, out))
    }

    pub async fn recall(&self, user: Uuid, conv: Uuid, message: Uuid) -> ApiResult<Outbox> {
        let mut tx = self.begin().await?;
        let mut out = Outbox::default();
        active_role(&mut tx, conv, user).await?;
        let row: Option<(String, i64, i64)> = sqlx::query_as(
            "SELECT sender_id, created_at, recalled FROM messages WHERE id = $1 AND conversation_id = $2",
        )
        .bind(message.to_string())
        .bind(conv.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        let Some((sender, created_at, recalled)) = row else {
            return Err(ApiError::new(
                ErrorCode::MessageNotFound,
                "No such message.",
            ));
        };
        if parse_uuid(&sender)? != user {
            return Err(ApiError::new(
                ErrorCode::NotAllowed,
                "You can only recall your own messages.",
            ));
        }
        if recalled != 0 {
            return Ok(out);
        }
        if now_ms() - created_at > RECALL_WINDOW_MS {
            return Err(ApiError::new(
                ErrorCode::RecallWindowPassed,
                "Messages can be recalled only within 2 minutes.",
            ));
        }
        // The text is gone from the server too, not just hidden.
        sqlx::query("UPDATE messages SET recalled = 1, content = $1 WHERE id = $2")
            .bind(r#"{"type":"text","text":"","mentions":[],"mention_all":false}"#)
            .bind(message.to_string())
            .execute(&mut *tx)
            .await?;
        for u in active_members(&mut tx, conv).await? {
            out.append(
                &mut tx,
                u,
                EventBody::MessageRecalled {
                    conversation_id: conv,
                    message_id: message,
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(out)
    }

    pub async fn hide_message(&self, user: Uuid, conv: Uuid, message: Uuid) -> ApiResult<Outbox> {
        let mut tx = self.begin().await?;
        let mut out = Outbox::default();
        membership(&mut tx, conv, user)
            .await?
            .ok_or_else(not_found)?;
        if !message_in(&mut tx, conv, message).await? {
            return Err(ApiError::new(
                ErrorCode::MessageNotFound,
                "No such message.",
            ));
        }
        sqlx::query("INSERT INTO hidden_messages (user_id, message_id) VALUES ($1, $2) ON CONFLICT (user_id, message_id) DO NOTHING")
            .bind(user.to_string())
            .bind(message.to_string())
            .execute(&mut *tx)
            .await?;
        out.append(
            &mut tx,
            user,
            EventBody::MessageHidden {
                conversation_id: conv,
                message_id: message,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Moves the read marker forward (never back).
    pub async fn mark_read(&self, user: Uuid, conv: Uuid, seq: i64) -> ApiResult<Outbox> {
        let mut tx = self.begin().await?;
        let mut out = Outbox::default();
        membership(&mut tx, conv, user)
            .await?
            .ok_or_else(not_found)?;
        let last_seq: i64 = sqlx::query_scalar("SELECT last_seq FROM conversations WHERE id = $1")
            .bind(conv.to_string())
            .fetch_one(&mut *tx)
            .await?;
        let moved = sqlx::query(
            "UPDATE members SET read_seq = $1 WHERE conversation_id = $2 AND user_id = $3 AND read_seq < $1",
        )
        .bind(seq.min(last_seq))
        .bind(conv.to_string())
        .bind(user.to_string())
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() == 1 {
            let v = view(&mut tx, conv, user).await?;
            out.append(
                &mut tx,
                user,
                EventBody::ReadMarker {
                    conversation_id: conv,
                    read_seq: v.read_seq,
                    unread: v.unread,
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Newest first, before `before`, skipping what this user deleted.
    pub async fn history(
        &self,
        user: Uuid,
        conv: Uuid,
        before: i64,
        limit: i64,
    ) -> ApiResult<Vec<Message>> {
        let mut tx = self.read().await?;
        active_role(&mut tx, conv, user).await?;
        let rows: Vec<MessageRow> = sqlx::query_as(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m
             WHERE conversation_id = $1 AND seq < $2
               AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.user_id = $3 AND h.message_id = m.id)
             ORDER BY seq DESC LIMIT $4"
        ))
        .bind(conv.to_string())
        .bind(before)
        .bind(user.to_string())
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.into_iter().map(message_row).collect()
    }

    pub async fn conversations(&self, user: Uuid) -> ApiResult<Vec<Conversation>> {
        let mut tx = self.read().await?;
        let ids: Vec<(String,)> =
            sqlx::query_as("SELECT conversation_id FROM members WHERE user_id = $1")
                .bind(user.to_string())
                .fetch_all(&mut *tx)
                .await?;
        let mut list = Vec::with_capacity(ids.len());
        for (id,) in ids {
            list.push(view(&mut tx, parse_uuid(&id)?, user).await?);
        }
        tx.commit().await?;
        Ok(list)
    }
}
