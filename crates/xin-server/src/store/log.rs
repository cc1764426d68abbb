//! The per-user event log: gap-free seq allocated inside the writer's transaction. An entry is
//! small: a message or a conversation snapshot is a reference (`kind` m / c) resolved when the
//! log is read; only small changes are stored inline (`kind` j).

use sqlx::Row;
use uuid::Uuid;
use xin_proto::{Event, EventBody, EventPage, Message};

use super::{
    chats::{self, message_from_row, MESSAGE_COLUMNS},
    parse_uuid,
    writer::Conn,
    Store,
};
use crate::{
    error::{ApiError, ApiResult},
    time::now_ms,
};

/// Users per multi-row statement (7 parameters a row stays far below SQLite's limit).
const CHUNK: usize = 400;

/// Events written by one write, pushed to the users' sockets once its batch commits.
#[derive(Default)]
pub struct Outbox(pub Vec<(Uuid, Event)>);

/// One log entry to insert.
struct Entry<'a> {
    user: Uuid,
    seq: i64,
    kind: &'static str,
    ref_id: Option<String>,
    unread: Option<i64>,
    body: Option<&'a str>,
}

/// Bumps each user's log head in one UPSERT and returns the new seqs. Row-locked on
/// PostgreSQL too, so the seq stays gap-free with several writers.
async fn next_seqs(c: &mut Conn, users: &[Uuid]) -> ApiResult<Vec<(Uuid, i64)>> {
    let mut seqs = Vec::with_capacity(users.len());
    for chunk in users.chunks(CHUNK) {
        let values = (1..=chunk.len())
            .map(|i| format!("(${i}, 1)"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO user_log (user_id, last_seq) VALUES {values}
             ON CONFLICT (user_id) DO UPDATE SET last_seq = user_log.last_seq + 1
             RETURNING user_id, last_seq"
        );
        let mut q = sqlx::query_as::<_, (String, i64)>(&sql);
        for u in chunk {
            q = q.bind(u.to_string());
        }
        for (u, seq) in q.fetch_all(&mut *c).await? {
            seqs.push((parse_uuid(&u)?, seq));
        }
    }
    Ok(seqs)
}

async fn insert(c: &mut Conn, entries: &[Entry<'_>], at: i64) -> ApiResult<()> {
    for chunk in entries.chunks(CHUNK) {
        let values = (0..chunk.len())
            .map(|i| {
                let p = i * 7;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5,
                    p + 6,
                    p + 7
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO user_events (user_id, seq, kind, ref_id, unread, body, created_at) VALUES {values}"
        );
        let mut q = sqlx::query(&sql);
        for e in chunk {
            q = q
                .bind(e.user.to_string())
                .bind(e.seq)
                .bind(e.kind)
                .bind(e.ref_id.clone())
                .bind(e.unread)
                .bind(e.body)
                .bind(at);
        }
        q.execute(&mut *c).await?;
    }
    Ok(())
}

impl Outbox {
    /// Appends the same small change to each of `users`' logs: O(users) small rows.
    pub async fn append_all(
        &mut self,
        c: &mut Conn,
        users: &[Uuid],
        body: EventBody,
    ) -> ApiResult<()> {
        if users.is_empty() {
            return Ok(());
        }
        let json = serde_json::to_string(&body).map_err(|e| ApiError::Internal(e.to_string()))?;
        let seqs = next_seqs(c, users).await?;
        let at = now_ms();
        let entries: Vec<Entry> = seqs
            .iter()
            .map(|&(user, seq)| Entry {
                user,
                seq,
                kind: "j",
                ref_id: None,
                unread: None,
                body: Some(&json),
            })
            .collect();
        insert(c, &entries, at).await?;
        for (user, seq) in seqs {
            self.0.push((
                user,
                Event {
                    seq,
                    at,
                    body: body.clone(),
                },
            ));
        }
        Ok(())
    }

    pub async fn append(&mut self, c: &mut Conn, user: Uuid, body: EventBody) -> ApiResult<()> {
        self.append_all(c, &[user], body).await
    }

    /// A new message for every active member: two statements whatever the group's size, each
    /// entry a reference to the one stored message with that member's unread count.
    pub async fn message(&mut self, c: &mut Conn, message: &Message) -> ApiResult<()> {
        let conv = message.conversation_id.to_string();
        sqlx::query(
            "INSERT INTO user_log (user_id, last_seq)
             SELECT user_id, 1 FROM members WHERE conversation_id = $1 AND active = 1
             ON CONFLICT (user_id) DO UPDATE SET last_seq = user_log.last_seq + 1",
        )
        .bind(&conv)
        .execute(&mut *c)
        .await?;
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "INSERT INTO user_events (user_id, seq, kind, ref_id, unread, body, created_at)
             SELECT m.user_id, l.last_seq, 'm', $2,
                    CASE WHEN m.read_seq < $3 THEN $3 - m.read_seq ELSE 0 END, NULL, $4
             FROM members m JOIN user_log l ON l.user_id = m.user_id
             WHERE m.conversation_id = $1 AND m.active = 1
             RETURNING user_id, seq, unread",
        )
        .bind(&conv)
        .bind(message.id.to_string())
        .bind(message.seq)
        .bind(message.created_at)
        .fetch_all(&mut *c)
        .await?;
        for (user, seq, unread) in rows {
            self.0.push((
                parse_uuid(&user)?,
                Event {
                    seq,
                    at: message.created_at,
                    body: EventBody::MessageNew {
                        message: message.clone(),
                        unread,
                    },
                },
            ));
        }
        Ok(())
    }

    /// Tells each of `users` how the conversation now looks to them. Stored as a reference
    /// (rebuilt when read); the live push carries the snapshot built here.
    pub async fn conversation(
        &mut self,
        c: &mut Conn,
        conv: Uuid,
        users: &[Uuid],
    ) -> ApiResult<()> {
        if users.is_empty() {
            return Ok(());
        }
        let seqs = next_seqs(c, users).await?;
        let at = now_ms();
        let entries: Vec<Entry> = seqs
            .iter()
            .map(|&(user, seq)| Entry {
                user,
                seq,
                kind: "c",
                ref_id: Some(conv.to_string()),
                unread: None,
                body: None,
            })
            .collect();
        insert(c, &entries, at).await?;
        let shared = chats::shared(c, conv).await?;
        for (user, seq) in seqs {
            let conversation = chats::for_user(c, conv, &shared, user).await?;
            self.0.push((
                user,
                Event {
                    seq,
                    at,
                    body: EventBody::ConversationUpdated { conversation },
                },
            ));
        }
        Ok(())
    }
}

/// Whether a v1 client (before group deltas) needs this event rewritten as a snapshot.
fn delta_conversation(body: &EventBody) -> Option<Uuid> {
    match body {
        EventBody::ConversationChanged {
            conversation_id, ..
        }
        | EventBody::MembersAdded {
            conversation_id, ..
        }
        | EventBody::MemberRemoved {
            conversation_id, ..
        }
        | EventBody::MemberRoleChanged {
            conversation_id, ..
        } => Some(*conversation_id),
        _ => None,
    }
}

impl Store {
    /// Events after `after`, oldest first, at most `limit`, in the shapes of wire version
    /// `wire` (see `xin_proto::WIRE_VERSION`).
    pub async fn events(
        &self,
        user: Uuid,
        after: i64,
        limit: i64,
        wire: u32,
    ) -> ApiResult<EventPage> {
        let mut tx = self.read().await?;
        let rows = sqlx::query(&format!(
            "SELECT e.seq AS e_seq, e.kind AS e_kind, e.ref_id AS e_ref, e.unread AS e_unread,
                    e.body AS e_body, e.created_at AS e_at, {}
             FROM user_events e LEFT JOIN messages m ON e.kind = 'm' AND m.id = e.ref_id
             WHERE e.user_id = $1 AND e.seq > $2 ORDER BY e.seq LIMIT $3",
            MESSAGE_COLUMNS
                .split(", ")
                .map(|col| format!("m.{col}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .bind(user.to_string())
        .bind(after)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        let mut events = Vec::with_capacity(rows.len());
        for row in rows {
            let seq: i64 = row.try_get("e_seq")?;
            let at: i64 = row.try_get("e_at")?;
            let kind: String = row.try_get("e_kind")?;
            let body = match kind.as_str() {
                "m" => EventBody::MessageNew {
                    message: message_from_row(&row)?,
                    unread: row.try_get::<Option<i64>, _>("e_unread")?.unwrap_or(0),
                },
                "c" => {
                    let conv = parse_uuid(&row.try_get::<String, _>("e_ref")?)?;
                    EventBody::ConversationUpdated {
                        conversation: chats::view(&mut tx, conv, user).await?,
                    }
                }
                _ => {
                    let json: String = row.try_get("e_body")?;
                    serde_json::from_str(&json)
                        .map_err(|e| ApiError::Internal(format!("event {seq}: {e}")))?
                }
            };
            events.push(Event { seq, at, body });
        }
        let head: Option<i64> =
            sqlx::query_scalar("SELECT last_seq FROM user_log WHERE user_id = $1")
                .bind(user.to_string())
                .fetch_optional(&mut *tx)
                .await?;
        if wire < 2 {
            for e in &mut events {
                if let Some(conv) = delta_conversation(&e.body) {
                    e.body = EventBody::ConversationUpdated {
                        conversation: chats::view(&mut tx, conv, user).await?,
                    };
                }
            }
        }
        tx.commit().await?;
        Ok(EventPage {
            events,
            head: head.unwrap_or(0),
        })
    }

    /// A live event in the shape a v1 socket understands: group deltas become the whole
    /// conversation as `user` sees it now.
    pub async fn for_wire_v1(&self, user: Uuid, event: Event) -> ApiResult<Event> {
        let Some(conv) = delta_conversation(&event.body) else {
            return Ok(event);
        };
        let mut tx = self.read().await?;
        let conversation = chats::view(&mut tx, conv, user).await?;
        tx.commit().await?;
        Ok(Event {
            body: EventBody::ConversationUpdated { conversation },
            ..event
        })
    }
}
