//! The per-user event log: gap-free seq allocated inside the writer's transaction. An entry is
//! small: a message or a conversation snapshot is a reference (`kind` m / c) resolved when the
//! log is read; only small changes are stored inline (`kind` j).

use uuid::Uuid;
use xin_proto::{Event, EventBody, EventPage, Message};

use super::{
    conversations as chats,
    messages::message_from_row,
    parse_uuid,
    sql::{self, Conn},
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
pub struct NewEvents(pub Vec<(Uuid, Event)>);

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
fn next_seqs(c: &Conn, users: &[Uuid]) -> ApiResult<Vec<(Uuid, i64)>> {
    // Heads are locked in id order by every writer (no deadlock between two writes to the
    // same people), and each once (PostgreSQL refuses to update a row twice in one statement).
    let mut users = users.to_vec();
    users.sort_unstable();
    users.dedup();
    let mut seqs = Vec::with_capacity(users.len());
    for chunk in users.chunks(CHUNK) {
        let values = (1..=chunk.len())
            .map(|i| format!("(${i}, 1)"))
            .collect::<Vec<_>>()
            .join(", ");
        let query = format!(
            "INSERT INTO user_log (user_id, last_seq) VALUES {values}
             ON CONFLICT (user_id) DO UPDATE SET last_seq = user_log.last_seq + 1
             RETURNING user_id, last_seq"
        );
        let ids: Vec<String> = chunk.iter().map(Uuid::to_string).collect();
        let params: Vec<&dyn sql::Param> = ids.iter().map(|s| s as &dyn sql::Param).collect();
        for (u, seq) in sql::all(c, &query, &params, |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })? {
            seqs.push((parse_uuid(&u)?, seq));
        }
    }
    Ok(seqs)
}

fn insert(c: &Conn, entries: &[Entry<'_>], at: i64) -> ApiResult<()> {
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
        let query = format!(
            "INSERT INTO user_events (user_id, seq, kind, ref_id, unread, body, created_at) VALUES {values}"
        );
        let users: Vec<String> = chunk.iter().map(|e| e.user.to_string()).collect();
        let mut params: Vec<&dyn sql::Param> = Vec::with_capacity(chunk.len() * 7);
        for (e, user) in chunk.iter().zip(&users) {
            params.extend([
                user as &dyn sql::Param,
                &e.seq,
                &e.kind,
                &e.ref_id,
                &e.unread,
                &e.body,
                &at,
            ]);
        }
        sql::exec(c, &query, &params)?;
    }
    Ok(())
}

/// One entry of the same kind in each of `users`' logs; returns their seqs and the time.
fn log_each(
    c: &Conn,
    users: &[Uuid],
    kind: &'static str,
    ref_id: Option<String>,
    body: Option<&str>,
) -> ApiResult<(Vec<(Uuid, i64)>, i64)> {
    let at = now_ms();
    if users.is_empty() {
        return Ok((Vec::new(), at));
    }
    let seqs = next_seqs(c, users)?;
    let entries: Vec<Entry> = seqs
        .iter()
        .map(|&(user, seq)| Entry {
            user,
            seq,
            kind,
            ref_id: ref_id.clone(),
            unread: None,
            body,
        })
        .collect();
    insert(c, &entries, at)?;
    Ok((seqs, at))
}

impl NewEvents {
    /// Appends the same small change to each of `users`' logs: O(users) small rows.
    pub(crate) fn append_all(
        &mut self,
        c: &Conn,
        users: &[Uuid],
        body: EventBody,
    ) -> ApiResult<()> {
        let json = serde_json::to_string(&body).map_err(|e| ApiError::Internal(e.to_string()))?;
        let (seqs, at) = log_each(c, users, "j", None, Some(&json))?;
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

    pub(crate) fn append(&mut self, c: &Conn, user: Uuid, body: EventBody) -> ApiResult<()> {
        self.append_all(c, &[user], body)
    }

    /// A new message for every active member: two statements whatever the group's size, each
    /// entry a reference to the one stored message with that member's unread count.
    pub(crate) fn message(&mut self, c: &Conn, message: &Message) -> ApiResult<()> {
        let conv = message.conversation_id.to_string();
        sql::exec(
            c,
            "INSERT INTO user_log (user_id, last_seq)
             SELECT user_id, 1 FROM members WHERE conversation_id = $1 AND active = 1
             ON CONFLICT (user_id) DO UPDATE SET last_seq = user_log.last_seq + 1",
            &[&conv],
        )?;
        let rows: Vec<(String, i64, i64)> = sql::all(
            c,
            "INSERT INTO user_events (user_id, seq, kind, ref_id, unread, body, created_at)
             SELECT m.user_id, l.last_seq, 'm', $2,
                    CASE WHEN m.read_seq < $3 THEN $3 - m.read_seq ELSE 0 END, NULL, $4
             FROM members m JOIN user_log l ON l.user_id = m.user_id
             WHERE m.conversation_id = $1 AND m.active = 1
             RETURNING user_id, seq, unread",
            &[
                &conv,
                &message.id.to_string(),
                &message.seq,
                &message.created_at,
            ],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
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
    pub(crate) fn conversation(&mut self, c: &Conn, conv: Uuid, users: &[Uuid]) -> ApiResult<()> {
        let (seqs, at) = log_each(c, users, "c", Some(conv.to_string()), None)?;
        if seqs.is_empty() {
            return Ok(());
        }
        let shared = chats::shared(c, conv)?;
        for (user, seq) in seqs {
            let conversation = chats::for_user(c, conv, &shared, user)?;
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

/// A page of a user's log, each message reference joined to its one stored row (the
/// message columns are those `message_from_row` reads).
const LOG_PAGE: &str = "SELECT e.seq AS e_seq, e.kind AS e_kind, e.ref_id AS e_ref,
        e.unread AS e_unread, e.body AS e_body, e.created_at AS e_at,
        m.id, m.conversation_id, m.seq, m.sender_id, m.client_id, m.content, m.reply_to,
        m.recalled, m.created_at
     FROM user_events e LEFT JOIN messages m ON e.kind = 'm' AND m.id = e.ref_id
     WHERE e.user_id = $1 AND e.seq > $2 ORDER BY e.seq LIMIT $3";

/// One stored log entry as the wire shows it.
fn entry(c: &Conn, user: Uuid, r: &sql::Row) -> ApiResult<Event> {
    let seq: i64 = r.get("e_seq")?;
    let at: i64 = r.get("e_at")?;
    let kind: String = r.get("e_kind")?;
    let body = match kind.as_str() {
        "m" => EventBody::MessageNew {
            message: message_from_row(r)?,
            unread: r.get::<_, Option<i64>>("e_unread")?.unwrap_or(0),
        },
        "c" => {
            let conv = parse_uuid(&r.get::<_, String>("e_ref")?)?;
            EventBody::ConversationUpdated {
                conversation: chats::view(c, conv, user)?,
            }
        }
        _ => {
            let json: String = r.get("e_body")?;
            serde_json::from_str(&json)
                .map_err(|e| ApiError::Internal(format!("event {seq}: {e}")))?
        }
    };
    Ok(Event { seq, at, body })
}

/// A v1 client's shape of an event: group deltas become the conversation as `user` sees it.
fn for_v1(c: &Conn, user: Uuid, event: Event) -> ApiResult<Event> {
    match delta_conversation(&event.body) {
        Some(conv) => Ok(Event {
            body: EventBody::ConversationUpdated {
                conversation: chats::view(c, conv, user)?,
            },
            ..event
        }),
        None => Ok(event),
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
        self.reads
            .run(move |c| {
                let id = user.to_string();
                let events = sql::all(c, LOG_PAGE, &[&id, &after, &limit], |r| {
                    let event = entry(c, user, r)?;
                    if wire < 2 {
                        for_v1(c, user, event)
                    } else {
                        Ok(event)
                    }
                })?;
                let head: Option<i64> = sql::one(
                    c,
                    "SELECT last_seq FROM user_log WHERE user_id = $1",
                    &[&id],
                    |r| r.get(0),
                )?;
                Ok(EventPage {
                    events,
                    head: head.unwrap_or(0),
                })
            })
            .await
    }

    /// The log heads of `users` (those with no log yet are left out).
    pub async fn log_heads(&self, users: Vec<Uuid>) -> ApiResult<Vec<(Uuid, i64)>> {
        self.reads
            .run(move |c| {
                let mut heads = Vec::with_capacity(users.len());
                for user in users {
                    if let Some(head) = sql::one(
                        c,
                        "SELECT last_seq FROM user_log WHERE user_id = $1",
                        &[&user.to_string()],
                        |r| r.get(0),
                    )? {
                        heads.push((user, head));
                    }
                }
                Ok(heads)
            })
            .await
    }

    /// A live event in the shape a v1 socket understands.
    pub async fn for_wire_v1(&self, user: Uuid, event: Event) -> ApiResult<Event> {
        if delta_conversation(&event.body).is_none() {
            return Ok(event);
        }
        self.reads.run(move |c| for_v1(c, user, event)).await
    }
}
