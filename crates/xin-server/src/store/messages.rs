//! Messages: sending (once per client id), recalling, hiding, read markers and history. A
//! message is written once and logged as a reference for every member. The decisions (what a
//! message may hold, who may recall) are `rules::conversations`; this file reads and writes.

use uuid::Uuid;
use xin_proto::{Content, ErrorCode, EventBody, Message, SendMessage, SystemEvent};

use super::{
    blobs,
    conversations::{active_members, membership, not_found},
    parse_uuid,
    sql::{self, Conn},
    writer::WriteCx,
    Store,
};
use crate::{
    error::{ApiError, ApiResult},
    rules::conversations as rules,
    time::now_ms,
};

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
pub(super) fn system(
    cx: &mut WriteCx,
    conv: Uuid,
    actor: Uuid,
    event: SystemEvent,
) -> ApiResult<()> {
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

pub(crate) fn message_from_row(row: &sql::Row) -> ApiResult<Message> {
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

impl Store {
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
            let v = cx.members.get(&cx.conn, conv)?;
            let role = v.role_of(user)?;
            rules::may_message(v.direct)?;
            rules::check_content(&req.content, role, v.kind, |m| v.members.contains_key(&m))?;
            let mut req = req.clone();
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
            cx.members.get(&cx.conn, conv)?.role_of(user)?;
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
            let is_sender = parse_uuid(&sender)? == user;
            if rules::may_recall(is_sender, recalled != 0, created_at, now_ms())?
                == rules::Recall::AlreadyDone
            {
                return Ok(());
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
}
