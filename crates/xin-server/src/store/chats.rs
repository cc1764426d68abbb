//! Conversations, members and messages. Every change appends events for the members it
//! concerns: a message once for all of them (each log entry a reference), a group change as the
//! change itself (O(members) small rows), a whole snapshot only to whom it is new or personal.

use uuid::Uuid;
use xin_proto::{
    Content, Conversation, ConversationKind, ErrorCode, EventBody, Member, Message, Named, Role,
    SendMessage, SystemEvent, UserProfile,
};

use super::{
    blobs,
    contacts::{has_contact, mutual_friends, profile},
    parse_uuid,
    sql::{self, Conn},
    views::DirectState,
    writer::WriteCx,
    Store,
};
use crate::{
    error::{ApiError, ApiResult},
    time::now_ms,
};

/// Recall is allowed this long after sending.
pub const RECALL_WINDOW_MS: i64 = 120_000;

/// A group holds at most this many members, owner included (WeChat's limit).
pub const MAX_GROUP_MEMBERS: usize = 500;

pub(crate) fn not_found() -> ApiError {
    ApiError::new(
        ErrorCode::ConversationNotFound,
        "No such conversation, or you are not in it.",
    )
}

fn group_full() -> ApiError {
    ApiError::new(
        ErrorCode::GroupFull,
        format!("A group holds at most {MAX_GROUP_MEMBERS} members."),
    )
}

fn kind_str(k: ConversationKind) -> &'static str {
    match k {
        ConversationKind::Direct => "direct",
        ConversationKind::Group => "group",
        ConversationKind::SelfNote => "self_note",
    }
}

pub(crate) fn parse_kind(s: &str) -> ConversationKind {
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

pub(crate) fn parse_role(s: &str) -> Role {
    match s {
        "owner" => Role::Owner,
        "admin" => Role::Admin,
        _ => Role::Member,
    }
}

/// (role, active) of `user` in `conv`, if they ever were a member.
fn membership(c: &Conn, conv: Uuid, user: Uuid) -> ApiResult<Option<(Role, bool)>> {
    sql::one(
        c,
        "SELECT role, active FROM members WHERE conversation_id = $1 AND user_id = $2",
        &[&conv.to_string(), &user.to_string()],
        |r| {
            Ok((
                parse_role(&r.get::<_, String>(0)?),
                r.get::<_, i64>(1)? != 0,
            ))
        },
    )
}

fn active_members(c: &Conn, conv: Uuid) -> ApiResult<Vec<Uuid>> {
    let rows: Vec<String> = sql::all(
        c,
        "SELECT user_id FROM members WHERE conversation_id = $1 AND active = 1 ORDER BY joined_at, user_id",
        &[&conv.to_string()],
        |r| r.get(0),
    )?;
    rows.iter().map(|u| parse_uuid(u)).collect()
}

/// The caller's role in a group, refusing anyone not in it and any other kind of chat.
fn group_role(cx: &mut WriteCx, conv: Uuid, user: Uuid, what: &str) -> ApiResult<Role> {
    let v = cx.views.get(&cx.conn, conv)?;
    let role = v.role_of(user)?;
    if v.kind != ConversationKind::Group {
        return Err(ApiError::new(
            ErrorCode::NotAllowed,
            format!("Only groups have {what}."),
        ));
    }
    Ok(role)
}

/// What every member sees alike: one read however many members a change is announced to.
pub(crate) struct Shared {
    kind: ConversationKind,
    title: String,
    announcement: String,
    last_seq: i64,
    members: Vec<Member>,
}

pub(crate) fn shared(c: &Conn, conv: Uuid) -> ApiResult<Shared> {
    let id = conv.to_string();
    let (kind, title, announcement, last_seq): (String, String, String, i64) = sql::one(
        c,
        "SELECT kind, title, announcement, last_seq FROM conversations WHERE id = $1",
        &[&id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?
    .ok_or_else(not_found)?;
    let members = sql::all(
        c,
        "SELECT u.id, u.handle, u.display_name, u.avatar_hue, m.role
         FROM members m JOIN users u ON u.id = m.user_id
         WHERE m.conversation_id = $1 AND m.active = 1 ORDER BY m.joined_at, m.user_id",
        &[&id],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
            ))
        },
    )?
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
pub(crate) fn for_user(c: &Conn, conv: Uuid, s: &Shared, user: Uuid) -> ApiResult<Conversation> {
    let (read_seq, pinned, muted, active): (i64, i64, i64, i64) = sql::one(
        c,
        "SELECT read_seq, pinned, muted, active FROM members WHERE conversation_id = $1 AND user_id = $2",
        &[&conv.to_string(), &user.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?
    .ok_or_else(not_found)?;
    let title = match s.kind {
        ConversationKind::Direct => match s.members.iter().find(|m| m.user.id != user) {
            Some(other) => {
                let remark: Option<String> = sql::one(
                    c,
                    "SELECT remark FROM contacts WHERE user_id = $1 AND friend_id = $2",
                    &[&user.to_string(), &other.user.id.to_string()],
                    |r| r.get(0),
                )?
                .flatten();
                remark.unwrap_or_else(|| other.user.display_name.clone())
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
pub(crate) fn view(c: &Conn, conv: Uuid, user: Uuid) -> ApiResult<Conversation> {
    let s = shared(c, conv)?;
    for_user(c, conv, &s, user)
}

/// Whether `message` is in `conv`.
fn message_in(c: &Conn, conv: Uuid, message: Uuid) -> ApiResult<bool> {
    Ok(sql::one(
        c,
        "SELECT 1 FROM messages WHERE id = $1 AND conversation_id = $2",
        &[&message.to_string(), &conv.to_string()],
        |_| Ok(()),
    )?
    .is_some())
}

/// After a remark change, the direct chat's title changes for `user`.
pub(crate) fn refresh_direct(cx: &mut WriteCx, user: Uuid, friend: Uuid) -> ApiResult<()> {
    if let Some(id) = find_pair(&cx.conn, &pair_key(user, friend))? {
        cx.out.conversation(&cx.conn, id, &[user])?;
    }
    Ok(())
}

fn pair_key(a: Uuid, b: Uuid) -> String {
    let (x, y) = if a < b { (a, b) } else { (b, a) };
    format!("{x}:{y}")
}

fn insert_conversation(
    c: &Conn,
    kind: ConversationKind,
    title: &str,
    pair: Option<&str>,
) -> ApiResult<Uuid> {
    let id = Uuid::now_v7();
    sql::exec(
        c,
        "INSERT INTO conversations (id, kind, title, pair_key, created_at) VALUES ($1, $2, $3, $4, $5)",
        &[&id.to_string(), &kind_str(kind), &title, &pair, &now_ms()],
    )?;
    Ok(id)
}

/// Makes `user` an active member. In a group, someone (re)joining reads from the next message
/// on, and has nothing unread from before; in a direct chat the history stays whole.
fn add_member(c: &Conn, conv: Uuid, user: Uuid, role: Role) -> ApiResult<()> {
    sql::exec(
        c,
        "INSERT INTO members (conversation_id, user_id, role, active, joined_at, history_from, read_seq)
         SELECT $1, $2, $3, 1, $4,
                CASE WHEN kind = 'group' THEN last_seq + 1 ELSE 0 END,
                CASE WHEN kind = 'group' THEN last_seq ELSE 0 END
         FROM conversations WHERE id = $1
         ON CONFLICT (conversation_id, user_id) DO UPDATE SET active = 1, role = excluded.role,
           history_from = CASE WHEN members.active = 1 THEN members.history_from ELSE excluded.history_from END,
           read_seq = MAX(members.read_seq, excluded.read_seq)",
        &[&conv.to_string(), &user.to_string(), &role_str(role), &now_ms()],
    )?;
    Ok(())
}

/// The direct or File Transfer chat with this pair key, if it exists.
fn find_pair(c: &Conn, key: &str) -> ApiResult<Option<Uuid>> {
    let id: Option<String> = sql::one(
        c,
        "SELECT id FROM conversations WHERE pair_key = $1",
        &[&key],
        |r| r.get(0),
    )?;
    id.as_deref().map(parse_uuid).transpose()
}

pub(crate) struct NewMessage<'a> {
    pub conv: Uuid,
    pub sender: Uuid,
    pub device: &'a str,
    pub client_id: Uuid,
    pub content: &'a Content,
    pub reply_to: Option<Uuid>,
}

/// Writes a message once, with the next conversation seq, and logs a reference to it for every
/// active member.
pub(crate) fn post(cx: &mut WriteCx, m: NewMessage<'_>) -> ApiResult<Message> {
    let c = &cx.conn;
    let conv = m.conv.to_string();
    let seq: i64 = sql::one(
        c,
        "UPDATE conversations SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq",
        &[&conv],
        |r| r.get(0),
    )?
    .ok_or_else(not_found)?;
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
    let sender = m.sender.to_string();
    sql::exec(
        c,
        "INSERT INTO messages (id, conversation_id, seq, sender_id, sender_device, client_id, content, reply_to, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &[
            &message.id.to_string(),
            &conv,
            &seq,
            &sender,
            &m.device,
            &m.client_id.to_string(),
            &content,
            &m.reply_to.map(|r| r.to_string()),
            &message.created_at,
        ],
    )?;
    // Sending reads the conversation up to one's own message.
    sql::exec(
        c,
        "UPDATE members SET read_seq = $1 WHERE conversation_id = $2 AND user_id = $3 AND read_seq < $1",
        &[&seq, &conv, &sender],
    )?;
    cx.out.message(&cx.conn, &message)?;
    Ok(message)
}

/// A system line: the event, and its English words for clients that do not know it.
fn system(cx: &mut WriteCx, conv: Uuid, actor: Uuid, event: SystemEvent) -> ApiResult<()> {
    post(
        cx,
        NewMessage {
            conv,
            sender: actor,
            device: "system",
            client_id: Uuid::now_v7(),
            content: &Content::System {
                text: event.english(),
                event: Some(event),
            },
            reply_to: None,
        },
    )
    .map(|_| ())
}

fn named(c: &Conn, user: Uuid) -> ApiResult<Named> {
    Ok(Named {
        id: user,
        name: profile(c, user)?.display_name,
    })
}

fn all_named(c: &Conn, users: &[Uuid]) -> ApiResult<Vec<Named>> {
    users.iter().map(|&u| named(c, u)).collect()
}

/// The columns `message_from_row` reads, in a `messages` row.
macro_rules! message_columns {
    () => {
        "id, conversation_id, seq, sender_id, client_id, content, reply_to, recalled, created_at"
    };
}
const MESSAGE_COLUMNS: &str = message_columns!();
/// A send's first result for (device, client id), if it was already sent: the hot path, so
/// the text is built once, at compile time.
const SENT_BEFORE: &str = concat!(
    "SELECT ",
    message_columns!(),
    " FROM messages WHERE sender_device = $1 AND client_id = $2"
);

pub(crate) fn message_from_row(row: &rusqlite::Row) -> ApiResult<Message> {
    let reply_to: Option<String> = row.get("reply_to")?;
    let content: String = row.get("content")?;
    Ok(Message {
        id: parse_uuid(&row.get::<_, String>("id")?)?,
        conversation_id: parse_uuid(&row.get::<_, String>("conversation_id")?)?,
        seq: row.get("seq")?,
        sender_id: parse_uuid(&row.get::<_, String>("sender_id")?)?,
        client_id: parse_uuid(&row.get::<_, String>("client_id")?)?,
        content: serde_json::from_str(&content).map_err(|e| ApiError::Internal(e.to_string()))?,
        reply_to: reply_to.as_deref().map(parse_uuid).transpose()?,
        recalled: row.get::<_, i64>("recalled")? != 0,
        created_at: row.get("created_at")?,
    })
}

/// Refuses what a sender may not put in this conversation.
fn check_content(
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

/// A shared article's or mini-program's card, filled from the article or the mini-program
/// itself (whatever the sender wrote there).
fn fill_card(c: &super::sql::Conn, content: &mut Content) -> ApiResult<()> {
    match *content {
        Content::Article { article_id, .. } => {
            *content = super::official::article_content(c, article_id)?;
        }
        Content::MiniProgram {
            mini_program_id, ..
        } => *content = super::mini_programs::card(c, mini_program_id)?,
        _ => {}
    }
    Ok(())
}

fn check_media(content: &Content) -> ApiResult<()> {
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

impl Store {
    /// The direct chat with a friend, created on first use.
    pub async fn open_direct(&self, user: Uuid, other: Uuid) -> ApiResult<Conversation> {
        if user == other {
            return self.self_note(user).await;
        }
        self.write(move |cx| {
            let c = &cx.conn;
            if !(has_contact(c, user, other)? && has_contact(c, other, user)?) {
                return Err(ApiError::new(
                    ErrorCode::NotFriends,
                    "You can only chat with friends.",
                ));
            }
            let key = pair_key(user, other);
            let conv = match find_pair(c, &key)? {
                Some(id) => id,
                None => {
                    let id = insert_conversation(c, ConversationKind::Direct, "", Some(&key))?;
                    add_member(c, id, user, Role::Member)?;
                    add_member(c, id, other, Role::Member)?;
                    cx.out.conversation(&cx.conn, id, &[user, other])?;
                    id
                }
            };
            view(&cx.conn, conv, user)
        })
        .await
    }

    /// "File Transfer": the user's chat with their own devices.
    pub async fn self_note(&self, user: Uuid) -> ApiResult<Conversation> {
        self.write(move |cx| {
            let c = &cx.conn;
            let key = user.to_string();
            let conv = match find_pair(c, &key)? {
                Some(id) => id,
                None => {
                    let id = insert_conversation(
                        c,
                        ConversationKind::SelfNote,
                        "File Transfer",
                        Some(&key),
                    )?;
                    add_member(c, id, user, Role::Owner)?;
                    cx.out.conversation(&cx.conn, id, &[user])?;
                    id
                }
            };
            view(&cx.conn, conv, user)
        })
        .await
    }

    pub async fn create_group(
        &self,
        owner: Uuid,
        title: String,
        members: Vec<Uuid>,
    ) -> ApiResult<Conversation> {
        let mut others: Vec<Uuid> = members.into_iter().filter(|m| *m != owner).collect();
        others.sort();
        others.dedup();
        if others.len() + 1 > MAX_GROUP_MEMBERS {
            return Err(group_full());
        }
        self.write(move |cx| {
            let c = &cx.conn;
            for &m in &others {
                if !mutual_friends(c, owner, m)? {
                    return Err(ApiError::new(
                        ErrorCode::NotFriends,
                        "You can only add friends to a group.",
                    ));
                }
            }
            let conv = insert_conversation(c, ConversationKind::Group, &title, None)?;
            add_member(c, conv, owner, Role::Owner)?;
            for &m in &others {
                add_member(c, conv, m, Role::Member)?;
            }
            let mut everyone = vec![owner];
            everyone.extend(&others);
            cx.out.conversation(&cx.conn, conv, &everyone)?;
            let event = SystemEvent::GroupCreated {
                by: named(&cx.conn, owner)?,
                with: all_named(&cx.conn, &others)?,
            };
            system(cx, conv, owner, event)?;
            view(&cx.conn, conv, owner)
        })
        .await
    }

    pub async fn update_conversation(
        &self,
        user: Uuid,
        conv: Uuid,
        title: Option<String>,
        announcement: Option<String>,
    ) -> ApiResult<()> {
        self.write(move |cx| {
            if group_role(cx, conv, user, "a name")? == Role::Member {
                return Err(ApiError::new(
                    ErrorCode::NotAllowed,
                    "Only the group owner or an admin can change this.",
                ));
            }
            let who = named(&cx.conn, user)?;
            let id = conv.to_string();
            if let Some(t) = &title {
                sql::exec(
                    &cx.conn,
                    "UPDATE conversations SET title = $1 WHERE id = $2",
                    &[t, &id],
                )?;
                let event = SystemEvent::Renamed {
                    by: who.clone(),
                    title: t.clone(),
                };
                system(cx, conv, user, event)?;
            }
            if let Some(a) = &announcement {
                sql::exec(
                    &cx.conn,
                    "UPDATE conversations SET announcement = $1 WHERE id = $2",
                    &[a, &id],
                )?;
                system(cx, conv, user, SystemEvent::AnnouncementUpdated { by: who })?;
            }
            let members = active_members(&cx.conn, conv)?;
            let change = EventBody::ConversationChanged {
                conversation_id: conv,
                title,
                announcement,
            };
            cx.out.append_all(&cx.conn, &members, change)
        })
        .await
    }

    pub async fn add_members(&self, user: Uuid, conv: Uuid, users: Vec<Uuid>) -> ApiResult<()> {
        if users.len() >= MAX_GROUP_MEMBERS {
            return Err(group_full());
        }
        self.write(move |cx| {
            if group_role(cx, conv, user, "members to add")? == Role::Member {
                return Err(ApiError::new(
                    ErrorCode::NotAllowed,
                    "Only the group owner or an admin can add members.",
                ));
            }
            let before = active_members(&cx.conn, conv)?;
            let mut added: Vec<Uuid> = Vec::new();
            for &u in &users {
                if before.contains(&u) || added.contains(&u) {
                    continue;
                }
                if !mutual_friends(&cx.conn, user, u)? {
                    return Err(ApiError::new(
                        ErrorCode::NotFriends,
                        "You can only add friends to a group.",
                    ));
                }
                added.push(u);
            }
            if added.is_empty() {
                return Ok(());
            }
            if before.len() + added.len() > MAX_GROUP_MEMBERS {
                return Err(group_full());
            }
            let mut profiles = Vec::with_capacity(added.len());
            for &u in &added {
                add_member(&cx.conn, conv, u, Role::Member)?;
                profiles.push(Member {
                    user: profile(&cx.conn, u)?,
                    role: Role::Member,
                });
            }
            cx.views.forget(conv);
            let event = SystemEvent::MembersAdded {
                by: named(&cx.conn, user)?,
                users: all_named(&cx.conn, &added)?,
            };
            // Those already in learn who joined; the newcomers get the whole group once.
            let change = EventBody::MembersAdded {
                conversation_id: conv,
                members: profiles,
            };
            cx.out.append_all(&cx.conn, &before, change)?;
            cx.out.conversation(&cx.conn, conv, &added)?;
            system(cx, conv, user, event)
        })
        .await
    }

    /// Removes `target` (or leaves, when `target == user`).
    pub async fn remove_member(&self, user: Uuid, conv: Uuid, target: Uuid) -> ApiResult<()> {
        self.write(move |cx| {
            let role = group_role(cx, conv, user, "members to remove")?;
            let leaving = user == target;
            let target_role = match membership(&cx.conn, conv, target)? {
                Some((r, true)) => r,
                _ => {
                    return Err(ApiError::new(
                        ErrorCode::UserNotFound,
                        "That person is not in this group.",
                    ))
                }
            };
            let members = active_members(&cx.conn, conv)?;
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
            let event = if leaving {
                SystemEvent::Left {
                    user: named(&cx.conn, user)?,
                }
            } else {
                SystemEvent::Removed {
                    by: named(&cx.conn, user)?,
                    user: named(&cx.conn, target)?,
                }
            };
            system(cx, conv, user, event)?;
            sql::exec(
                &cx.conn,
                "UPDATE members SET active = 0 WHERE conversation_id = $1 AND user_id = $2",
                &[&conv.to_string(), &target.to_string()],
            )?;
            cx.views.forget(conv);
            let staying: Vec<Uuid> = members.into_iter().filter(|m| *m != target).collect();
            let change = EventBody::MemberRemoved {
                conversation_id: conv,
                user_id: target,
            };
            cx.out.append_all(&cx.conn, &staying, change)?;
            // The one who left now sees it inactive.
            cx.out.conversation(&cx.conn, conv, &[target])
        })
        .await
    }

    /// Owner hands over ownership (becoming an admin) or sets someone's admin role.
    pub async fn set_role(&self, user: Uuid, conv: Uuid, target: Uuid, new: Role) -> ApiResult<()> {
        self.write(move |cx| {
            let v = cx.views.get(&cx.conn, conv)?;
            if v.role_of(user)? != Role::Owner {
                return Err(ApiError::new(
                    ErrorCode::NotAllowed,
                    "Only the group owner can change roles.",
                ));
            }
            if !v.members.contains_key(&target) || target == user {
                return Err(ApiError::new(
                    ErrorCode::UserNotFound,
                    "That person is not in this group.",
                ));
            }
            let mut changes = vec![(target, new)];
            if new == Role::Owner {
                changes.push((user, Role::Admin));
            }
            for &(u, r) in &changes {
                sql::exec(
                    &cx.conn,
                    "UPDATE members SET role = $1 WHERE conversation_id = $2 AND user_id = $3",
                    &[&role_str(r), &conv.to_string(), &u.to_string()],
                )?;
            }
            cx.views.forget(conv);
            let event = SystemEvent::RoleChanged {
                user: named(&cx.conn, target)?,
                role: new,
            };
            system(cx, conv, user, event)?;
            let members = active_members(&cx.conn, conv)?;
            for (u, role) in changes {
                let change = EventBody::MemberRoleChanged {
                    conversation_id: conv,
                    user_id: u,
                    role,
                };
                cx.out.append_all(&cx.conn, &members, change)?;
            }
            Ok(())
        })
        .await
    }

    pub async fn member_settings(
        &self,
        user: Uuid,
        conv: Uuid,
        pinned: bool,
        muted: bool,
    ) -> ApiResult<()> {
        self.write(move |cx| {
            membership(&cx.conn, conv, user)?.ok_or_else(not_found)?;
            sql::exec(
                &cx.conn,
                "UPDATE members SET pinned = $1, muted = $2 WHERE conversation_id = $3 AND user_id = $4",
                &[&i64::from(pinned), &i64::from(muted), &conv.to_string(), &user.to_string()],
            )?;
            cx.out.conversation(&cx.conn, conv, &[user])
        })
        .await
    }

    /// Sends once per (device, client id): a retry answers with the first result. Every check
    /// comes before the first change, so it skips the per-write savepoint.
    pub async fn send_message(
        &self,
        user: Uuid,
        device: Uuid,
        conv: Uuid,
        req: SendMessage,
    ) -> ApiResult<Message> {
        self.write_checked(move |cx| {
            let device = device.to_string();
            let existing = sql::one(
                &cx.conn,
                SENT_BEFORE,
                &[&device, &req.client_id.to_string()],
                |r| Ok(message_from_row(r)),
            )?;
            if let Some(m) = existing {
                return m;
            }
            let v = cx.views.get(&cx.conn, conv)?;
            let role = v.role_of(user)?;
            match v.direct {
                Some(DirectState::Blocked) => {
                    return Err(ApiError::new(
                        ErrorCode::Blocked,
                        "This person does not accept your messages.",
                    ))
                }
                Some(DirectState::NotFriends) => {
                    return Err(ApiError::new(
                        ErrorCode::NotFriends,
                        "You are no longer friends: send a friend request first.",
                    ))
                }
                _ => {}
            }
            check_content(&req.content, role, v.kind, |m| v.members.contains_key(&m))?;
            let mut req = req;
            fill_card(&cx.conn, &mut req.content)?;
            // Cards inside a merged forward are filled from what they show too.
            if let Content::History { items, .. } = &mut req.content {
                for item in items {
                    fill_card(&cx.conn, &mut item.content)?;
                }
            }
            if let Some(r) = req.reply_to {
                if !message_in(&cx.conn, conv, r)? {
                    return Err(ApiError::new(
                        ErrorCode::MessageNotFound,
                        "The quoted message is not in this conversation.",
                    ));
                }
            }
            let blobs = req.content.blobs();
            blobs::check_attachable(&cx.conn, user, &blobs)?;
            let message = post(
                cx,
                NewMessage {
                    conv,
                    sender: user,
                    device: &device,
                    client_id: req.client_id,
                    content: &req.content,
                    reply_to: req.reply_to,
                },
            )?;
            blobs::link_blobs(&cx.conn, conv, message.id, &blobs)?;
            Ok(message)
        })
        .await
    }

    pub async fn recall(&self, user: Uuid, conv: Uuid, message: Uuid) -> ApiResult<()> {
        self.write(move |cx| {
            cx.views.get(&cx.conn, conv)?.role_of(user)?;
            let row: Option<(String, i64, i64)> = sql::one(
                &cx.conn,
                "SELECT sender_id, created_at, recalled FROM messages WHERE id = $1 AND conversation_id = $2",
                &[&message.to_string(), &conv.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
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
                return Ok(());
            }
            if now_ms() - created_at > RECALL_WINDOW_MS {
                return Err(ApiError::new(
                    ErrorCode::RecallWindowPassed,
                    "Messages can be recalled only within 2 minutes.",
                ));
            }
            // The text is gone from the server too, not just hidden.
            sql::exec(
                &cx.conn,
                "UPDATE messages SET recalled = 1, content = $1 WHERE id = $2",
                &[
                    &r#"{"type":"text","text":"","mentions":[],"mention_all":false}"#,
                    &message.to_string(),
                ],
            )?;
            let members = active_members(&cx.conn, conv)?;
            let change = EventBody::MessageRecalled {
                conversation_id: conv,
                message_id: message,
            };
            cx.out.append_all(&cx.conn, &members, change)
        })
        .await
    }

    pub async fn hide_message(&self, user: Uuid, conv: Uuid, message: Uuid) -> ApiResult<()> {
        self.write(move |cx| {
            membership(&cx.conn, conv, user)?.ok_or_else(not_found)?;
            if !message_in(&cx.conn, conv, message)? {
                return Err(ApiError::new(
                    ErrorCode::MessageNotFound,
                    "No such message.",
                ));
            }
            sql::exec(
                &cx.conn,
                "INSERT INTO hidden_messages (user_id, message_id) VALUES ($1, $2) ON CONFLICT (user_id, message_id) DO NOTHING",
                &[&user.to_string(), &message.to_string()],
            )?;
            let change = EventBody::MessageHidden {
                conversation_id: conv,
                message_id: message,
            };
            cx.out.append(&cx.conn, user, change)
        })
        .await
    }

    /// Moves the read marker forward (never back).
    pub async fn mark_read(&self, user: Uuid, conv: Uuid, seq: i64) -> ApiResult<()> {
        self.write(move |cx| {
            membership(&cx.conn, conv, user)?.ok_or_else(not_found)?;
            let id = conv.to_string();
            let last_seq: i64 = sql::one(
                &cx.conn,
                "SELECT last_seq FROM conversations WHERE id = $1",
                &[&id],
                |r| r.get(0),
            )?
            .ok_or_else(not_found)?;
            let read_seq = seq.min(last_seq);
            let moved = sql::exec(
                &cx.conn,
                "UPDATE members SET read_seq = $1 WHERE conversation_id = $2 AND user_id = $3 AND read_seq < $1",
                &[&read_seq, &id, &user.to_string()],
            )?;
            if moved == 1 {
                let change = EventBody::ReadMarker {
                    conversation_id: conv,
                    read_seq,
                    unread: (last_seq - read_seq).max(0),
                };
                cx.out.append(&cx.conn, user, change)?;
            }
            Ok(())
        })
        .await
    }

    /// Newest first, before `before`, from when this user joined, skipping what they deleted.
    pub async fn history(
        &self,
        user: Uuid,
        conv: Uuid,
        before: i64,
        limit: i64,
    ) -> ApiResult<Vec<Message>> {
        self.reads
            .run(move |c| {
                if !matches!(membership(c, conv, user)?, Some((_, true))) {
                    return Err(not_found());
                }
                sql::all(
                    c,
                    &format!(
                        "SELECT {MESSAGE_COLUMNS} FROM messages m
                         WHERE conversation_id = $1 AND seq < $2
                           AND seq >= (SELECT history_from FROM members
                                       WHERE conversation_id = $1 AND user_id = $3)
                           AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.user_id = $3 AND h.message_id = m.id)
                         ORDER BY seq DESC LIMIT $4"
                    ),
                    &[&conv.to_string(), &before, &user.to_string(), &limit],
                    |r| Ok(message_from_row(r)),
                )?
                .into_iter()
                .collect()
            })
            .await
    }

    pub async fn conversations(&self, user: Uuid) -> ApiResult<Vec<Conversation>> {
        self.reads
            .run(move |c| {
                let ids: Vec<String> = sql::all(
                    c,
                    "SELECT conversation_id FROM members WHERE user_id = $1",
                    &[&user.to_string()],
                    |r| r.get(0),
                )?;
                ids.iter()
                    .map(|id| view(c, parse_uuid(id)?, user))
                    .collect()
            })
            .await
    }
}
