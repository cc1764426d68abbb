//! The messaging part of an account's cache: conversations, messages, outbox, contacts.

use rusqlite::{params, OptionalExtension, Transaction};
use uuid::Uuid;
use xin_proto::{
    Contact, Content, Conversation, Event, EventBody, FriendRequest, Message, SendMessage,
};

use crate::{
    cache::AccountDb,
    error::{CoreError, CoreResult},
    language::Language,
    preview::Preview,
    views::{ChatMessage, ChatSummary, ContactsView, SendState},
};

pub use crate::{
    changes::Changes,
    json::{from_json, to_json},
};

impl Changes {
    fn conversation(&mut self, id: Uuid) {
        self.chats = true;
        if !self.conversations.contains(&id) {
            self.conversations.push(id);
        }
    }
}

fn upsert_conversation(tx: &Transaction<'_>, c: &Conversation) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO conversations (id, body, pinned, last_activity) VALUES (?1, ?2, ?3, 0)
         ON CONFLICT (id) DO UPDATE SET body = excluded.body, pinned = excluded.pinned",
        params![c.id.to_string(), to_json(c)?, c.pinned],
    )?;
    Ok(())
}

fn conversation(tx: &Transaction<'_>, id: Uuid) -> CoreResult<Option<Conversation>> {
    tx.query_row(
        "SELECT body FROM conversations WHERE id = ?1",
        params![id.to_string()],
        |r| r.get::<_, String>(0),
    )
    .optional()?
    .map(|b| from_json(&b))
    .transpose()
}

/// Stores a sent message, replacing its pending copy (same client id) if there is one.
fn put_message(tx: &Transaction<'_>, m: &Message) -> CoreResult<()> {
    // Cached statements: a catch-up or a history page stores thousands in a row.
    tx.prepare_cached("DELETE FROM messages WHERE client_id = ?1 AND id <> ?2")?
        .execute(params![m.client_id.to_string(), m.id.to_string()])?;
    tx.prepare_cached(
        "INSERT INTO messages (id, conversation_id, seq, client_id, sender_id, body, state, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'sent', ?7)
         ON CONFLICT (id) DO UPDATE SET body = excluded.body",
    )?
    .execute(params![
        m.id.to_string(),
        m.conversation_id.to_string(),
        m.seq,
        m.client_id.to_string(),
        m.sender_id.to_string(),
        to_json(m)?,
        m.created_at
    ])?;
    tx.prepare_cached("DELETE FROM outbox WHERE client_id = ?1")?
        .execute(params![m.client_id.to_string()])?;
    Ok(())
}

fn touch(tx: &Transaction<'_>, m: &Message, unread: Option<i64>) -> CoreResult<()> {
    let Some(mut c) = conversation(tx, m.conversation_id)? else {
        return Ok(());
    };
    // Only group previews name the sender: my remark for them if I gave one, else their name.
    let name = if c.kind == xin_proto::ConversationKind::Group {
        let remark = tx
            .query_row(
                "SELECT body FROM contacts WHERE user_id = ?1",
                params![m.sender_id.to_string()],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .and_then(|b| from_json::<Contact>(&b).ok())
            .and_then(|c| c.remark);
        remark.or_else(|| {
            c.members
                .iter()
                .find(|x| x.user.id == m.sender_id)
                .map(|x| x.user.display_name.clone())
        })
    } else {
        None
    };
    if m.seq >= c.last_seq {
        c.last_seq = m.seq;
        if let Some(u) = unread {
            c.unread = u;
        }
        tx.execute(
            "UPDATE conversations SET body = ?1, last_activity = MAX(last_activity, ?2),
               last_message = ?3 WHERE id = ?4",
            params![
                to_json(&c)?,
                m.created_at,
                to_json(&Preview::of(m, name.as_deref()))?,
                c.id.to_string()
            ],
        )?;
    }
    Ok(())
}

/// Fills every chat's last message from its newest cached one (the migration from English
/// previews).
pub fn refill_last_messages(tx: &Transaction<'_>) -> CoreResult<()> {
    let newest: Vec<String> = tx
        .prepare(
            "SELECT m.body FROM conversations c JOIN messages m ON m.id = (
               SELECT id FROM messages WHERE conversation_id = c.id AND seq IS NOT NULL
               ORDER BY seq DESC LIMIT 1)",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for body in newest {
        touch(tx, &from_json(&body)?, None)?;
    }
    Ok(())
}

impl AccountDb {
    /// The last event sequence number applied.
    pub fn last_seq(&self) -> CoreResult<i64> {
        Ok(self
            .0
            .query_row("SELECT last_seq FROM sync_state WHERE id = 1", [], |r| {
                r.get(0)
            })?)
    }

    /// Applies events in seq order, all in one transaction. Stops at a gap and returns
    /// whether it found one (the caller then fetches the missing range).
    pub fn apply(&mut self, events: &[Event]) -> CoreResult<(Changes, bool)> {
        let tx = self.0.transaction()?;
        let mut last: i64 =
            tx.query_row("SELECT last_seq FROM sync_state WHERE id = 1", [], |r| {
                r.get(0)
            })?;
        let mut changes = Changes::default();
        let mut gap = false;
        for e in events {
            if e.seq <= last {
                continue; // already applied: applying twice is harmless, skipping is cheaper
            }
            if e.seq != last + 1 {
                gap = true;
                break;
            }
            apply_one(&tx, e.seq, &e.body, &mut changes)?;
            last = e.seq;
        }
        tx.execute(
            "UPDATE sync_state SET last_seq = ?1 WHERE id = 1",
            params![last],
        )?;
        tx.commit()?;
        Ok((changes, gap))
    }

    /// Every conversation, in the chat list's order, without its last message.
    pub fn conversations(&self) -> CoreResult<Vec<Conversation>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT body FROM conversations ORDER BY pinned DESC, last_activity DESC",
        )?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|body| from_json(&body?)).collect()
    }

    /// The chat list, its last messages worded in `lang`.
    pub fn chats(&self, lang: Language) -> CoreResult<Vec<ChatSummary>> {
        let mut stmt = self.0.prepare(
            "SELECT body, last_message, last_activity, draft FROM conversations
             ORDER BY pinned DESC, last_activity DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get(2)?,
                r.get(3)?,
            ))
        })?;
        rows.map(|row| {
            let (body, last, last_activity, draft) = row?;
            let last: Option<Preview> = last.map(|l| from_json(&l)).transpose()?;
            Ok(ChatSummary {
                conversation: from_json(&body)?,
                preview: last.as_ref().map(|l| l.words(lang)).unwrap_or_default(),
                preview_event: last.and_then(|l| l.system_event()),
                last_activity,
                draft,
            })
        })
        .collect()
    }

    /// One cached conversation.
    pub fn conversation(&mut self, id: Uuid) -> CoreResult<Option<Conversation>> {
        let tx = self.0.transaction()?;
        let c = conversation(&tx, id)?;
        tx.commit()?;
        Ok(c)
    }

    /// Stores a conversation as the server sent it.
    pub fn save_conversation(&mut self, c: &Conversation) -> CoreResult<()> {
        let tx = self.0.transaction()?;
        upsert_conversation(&tx, c)?;
        tx.commit()?;
        Ok(())
    }

    /// Messages before `before_seq` (newest page when None), oldest first, then anything
    /// still in the outbox for this chat.
    pub fn messages(
        &self,
        conv: Uuid,
        before_seq: Option<i64>,
        limit: u32,
    ) -> CoreResult<Vec<ChatMessage>> {
        let mut stmt = self.0.prepare(
            "SELECT body, state FROM messages WHERE conversation_id = ?1 AND seq IS NOT NULL AND seq < ?2
             ORDER BY seq DESC LIMIT ?3",
        )?;
        let mut out: Vec<ChatMessage> = stmt
            .query_map(
                params![conv.to_string(), before_seq.unwrap_or(i64::MAX), limit],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )?
            .map(|row| {
                let (body, state) = row?;
                Ok(ChatMessage {
                    message: from_json(&body)?,
                    state: parse_state(&state),
                    transfer: None,
                })
            })
            .collect::<CoreResult<_>>()?;
        out.reverse();
        if before_seq.is_none() {
            let mut stmt = self.0.prepare(
                "SELECT body, state FROM messages WHERE conversation_id = ?1 AND seq IS NULL ORDER BY created_at, client_id",
            )?;
            let pending = stmt
                .query_map(params![conv.to_string()], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })?
                .map(|row| {
                    let (body, state) = row?;
                    Ok(ChatMessage {
                        message: from_json(&body)?,
                        state: parse_state(&state),
                        transfer: None,
                    })
                })
                .collect::<CoreResult<Vec<_>>>()?;
            out.extend(pending);
        }
        let mut transfers = self.conversation_transfers(conv)?;
        if !transfers.is_empty() {
            for m in &mut out {
                m.transfer = transfers
                    .remove(&m.message.client_id)
                    .or_else(|| transfers.remove(&m.message.id));
            }
        }
        Ok(out)
    }

    /// The cached messages of `conv` with these ids (any that are not cached are left out).
    pub fn messages_by_id(&self, conv: Uuid, ids: &[Uuid]) -> CoreResult<Vec<Message>> {
        let mut stmt = self
            .0
            .prepare_cached("SELECT body FROM messages WHERE id = ?1 AND conversation_id = ?2")?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let body: Option<String> = stmt
                .query_row(params![id.to_string(), conv.to_string()], |r| r.get(0))
                .optional()?;
            if let Some(b) = body {
                out.push(from_json(&b)?);
            }
        }
        Ok(out)
    }

    /// Older history fetched from the server.
    pub fn store_history(&mut self, messages: &[Message]) -> CoreResult<()> {
        let tx = self.0.transaction()?;
        for m in messages {
            put_message(&tx, m)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Puts a send in the outbox and shows it as pending, atomically.
    pub fn enqueue(&mut self, conv: Uuid, me: Uuid, req: &SendMessage) -> CoreResult<ChatMessage> {
        let now = crate::time::now_ms();
        let message = Message {
            id: req.client_id,
            conversation_id: conv,
            seq: 0,
            sender_id: me,
            client_id: req.client_id,
            content: req.content.clone(),
            reply_to: req.reply_to,
            recalled: false,
            created_at: now,
        };
        let tx = self.0.transaction()?;
        tx.execute(
            "INSERT INTO outbox (client_id, conversation_id, request, state, created_at) VALUES (?1, ?2, ?3, 'pending', ?4)",
            params![req.client_id.to_string(), conv.to_string(), to_json(req)?, now],
        )?;
        tx.execute(
            "INSERT INTO messages (id, conversation_id, seq, client_id, sender_id, body, state, created_at)
             VALUES (?1, ?2, NULL, ?3, ?4, ?5, 'pending', ?6)",
            params![message.id.to_string(), conv.to_string(), req.client_id.to_string(), me.to_string(), to_json(&message)?, now],
        )?;
        tx.execute("UPDATE conversations SET draft = '', last_activity = MAX(last_activity, ?1) WHERE id = ?2", params![now, conv.to_string()])?;
        tx.commit()?;
        Ok(ChatMessage {
            message,
            state: SendState::Pending,
            transfer: None,
        })
    }

    /// The oldest send still waiting, if any.
    pub fn next_outgoing(&self) -> CoreResult<Option<(Uuid, SendMessage)>> {
        self.0
            .query_row(
                "SELECT conversation_id, request FROM outbox WHERE state = 'pending' ORDER BY created_at, client_id LIMIT 1",
                [],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()?
            .map(|(c, r)| Ok((parse_uuid(&c)?, from_json(&r)?)))
            .transpose()
    }

    /// The server acknowledged a send.
    pub fn sent(&mut self, m: &Message) -> CoreResult<()> {
        let tx = self.0.transaction()?;
        put_message(&tx, m)?;
        touch(&tx, m, None)?;
        tx.commit()?;
        Ok(())
    }

    /// The server refused a send: keep it, marked failed, for the user to retry or delete.
    pub fn failed(&mut self, client_id: Uuid, error: &str) -> CoreResult<()> {
        let tx = self.0.transaction()?;
        tx.execute(
            "UPDATE outbox SET state = 'failed', error = ?1 WHERE client_id = ?2",
            params![error, client_id.to_string()],
        )?;
        tx.execute(
            "UPDATE messages SET state = 'failed' WHERE client_id = ?1 AND seq IS NULL",
            params![client_id.to_string()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Puts a failed send back in the outbox.
    pub fn retry(&mut self, client_id: Uuid) -> CoreResult<()> {
        let tx = self.0.transaction()?;
        tx.execute(
            "UPDATE outbox SET state = 'pending', error = NULL WHERE client_id = ?1",
            params![client_id.to_string()],
        )?;
        tx.execute(
            "UPDATE messages SET state = 'pending' WHERE client_id = ?1 AND seq IS NULL",
            params![client_id.to_string()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Keeps what was typed in a chat but not sent.
    pub fn set_draft(&self, conv: Uuid, draft: &str) -> CoreResult<()> {
        self.0.execute(
            "UPDATE conversations SET draft = ?1 WHERE id = ?2",
            params![draft, conv.to_string()],
        )?;
        Ok(())
    }

    /// Contacts and friend requests, as the contacts page shows them.
    pub fn contacts(&self) -> CoreResult<ContactsView> {
        let mut stmt = self.0.prepare("SELECT body FROM contacts")?;
        let contacts = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .map(|b| from_json::<Contact>(&b?))
            .collect::<CoreResult<Vec<_>>>()?;
        let mut stmt = self
            .0
            .prepare("SELECT body FROM friend_requests ORDER BY created_at DESC")?;
        let requests = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .map(|b| from_json::<FriendRequest>(&b?))
            .collect::<CoreResult<Vec<_>>>()?;
        Ok(ContactsView { contacts, requests })
    }

    /// Replaces contacts and requests with the server's list (first sync of an account).
    pub fn save_contacts(
        &mut self,
        contacts: &[Contact],
        requests: &[FriendRequest],
    ) -> CoreResult<()> {
        let tx = self.0.transaction()?;
        tx.execute("DELETE FROM contacts", [])?;
        for c in contacts {
            tx.execute(
                "INSERT INTO contacts (user_id, body) VALUES (?1, ?2)",
                params![c.user.id.to_string(), to_json(c)?],
            )?;
        }
        for r in requests {
            put_request(&tx, r)?;
        }
        tx.commit()?;
        Ok(())
    }
}

fn put_request(tx: &Transaction<'_>, r: &FriendRequest) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO friend_requests (id, body, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET body = excluded.body",
        params![r.id.to_string(), to_json(r)?, r.created_at],
    )?;
    Ok(())
}

fn apply_one(
    tx: &Transaction<'_>,
    seq: i64,
    body: &EventBody,
    changes: &mut Changes,
) -> CoreResult<()> {
    match body {
        EventBody::MessageNew { message, unread } => {
            changes.new_messages.push(message.clone());
            put_message(tx, message)?;
            touch(tx, message, Some(*unread))?;
            changes.conversation(message.conversation_id);
        }
        EventBody::MessageRecalled {
            conversation_id,
            message_id,
        } => {
            let body: Option<String> = tx
                .query_row(
                    "SELECT body FROM messages WHERE id = ?1",
                    params![message_id.to_string()],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(body) = body {
                let mut m: Message = from_json(&body)?;
                m.recalled = true;
                m.content = Content::Text {
                    text: String::new(),
                    mentions: vec![],
                    mention_all: false,
                };
                tx.execute(
                    "UPDATE messages SET body = ?1 WHERE id = ?2",
                    params![to_json(&m)?, message_id.to_string()],
                )?;
                touch(tx, &m, None)?;
            }
            changes.conversation(*conversation_id);
        }
        EventBody::MessageHidden {
            conversation_id,
            message_id,
        } => {
            tx.execute(
                "DELETE FROM messages WHERE id = ?1",
                params![message_id.to_string()],
            )?;
            changes.conversation(*conversation_id);
        }
        EventBody::ConversationUpdated { conversation: c } => {
            // Keep the newest last_seq/unread the cache already learned from messages.
            let mut c = c.clone();
            if let Some(old) = conversation(tx, c.id)? {
                if old.last_seq > c.last_seq {
                    c.last_seq = old.last_seq;
                    c.unread = old.unread;
                }
            }
            upsert_conversation(tx, &c)?;
            changes.conversation(c.id);
        }
        EventBody::ConversationChanged {
            conversation_id,
            title,
            announcement,
        } => {
            change_conversation(tx, *conversation_id, changes, |c| {
                if let Some(t) = title {
                    c.title = t.clone();
                }
                if let Some(a) = announcement {
                    c.announcement = a.clone();
                }
            })?;
        }
        EventBody::MembersAdded {
            conversation_id,
            members,
        } => {
            change_conversation(tx, *conversation_id, changes, |c| {
                for m in members {
                    match c.members.iter_mut().find(|x| x.user.id == m.user.id) {
                        Some(x) => *x = m.clone(),
                        None => c.members.push(m.clone()),
                    }
                }
            })?;
        }
        EventBody::MemberRemoved {
            conversation_id,
            user_id,
        } => {
            change_conversation(tx, *conversation_id, changes, |c| {
                c.members.retain(|m| m.user.id != *user_id);
            })?;
        }
        EventBody::MemberRoleChanged {
            conversation_id,
            user_id,
            role,
        } => {
            change_conversation(tx, *conversation_id, changes, |c| {
                if let Some(m) = c.members.iter_mut().find(|m| m.user.id == *user_id) {
                    m.role = *role;
                }
            })?;
        }
        // The wallet is not cached: the wallet page and the money cards read it from the server
        // when told it changed.
        EventBody::WalletChanged { .. }
        | EventBody::TransferChanged { .. }
        | EventBody::EnvelopeChanged { .. }
        | EventBody::Payment { .. }
        | EventBody::Charge { .. } => changes.wallet = true,
        EventBody::MomentPosted { .. }
        | EventBody::MomentNotice { .. }
        | EventBody::MomentDeleted { .. } => crate::moments_cache::apply(tx, seq, body, changes)?,
        // Counted here; the feed and chats themselves are read from the server when told.
        EventBody::OfficialBroadcast { .. } | EventBody::OfficialMessage { .. } => {
            crate::official_cache::apply(tx, body, changes)?
        }
        // From a newer server: nothing this build can show; the seq still advances.
        EventBody::Unknown => {}
        EventBody::ReadMarker {
            conversation_id,
            read_seq,
            unread,
        } => {
            if let Some(mut c) = conversation(tx, *conversation_id)? {
                if *read_seq >= c.read_seq {
                    c.read_seq = *read_seq;
                    c.unread = *unread;
                    upsert_conversation(tx, &c)?;
                }
            }
            changes.conversation(*conversation_id);
        }
        EventBody::FriendRequest { request } => {
            put_request(tx, request)?;
            changes.contacts = true;
        }
        EventBody::ContactUpdated { contact } => {
            tx.execute(
                "INSERT INTO contacts (user_id, body) VALUES (?1, ?2) ON CONFLICT (user_id) DO UPDATE SET body = excluded.body",
                params![contact.user.id.to_string(), to_json(contact)?],
            )?;
            changes.contacts = true;
        }
        EventBody::ContactRemoved { user_id } => {
            tx.execute(
                "DELETE FROM contacts WHERE user_id = ?1",
                params![user_id.to_string()],
            )?;
            changes.contacts = true;
        }
    }
    Ok(())
}

/// Applies a group change to the cached conversation (one this device has not seen yet is
/// skipped: its snapshot, which comes with catch-up, already holds the change).
fn change_conversation(
    tx: &Transaction<'_>,
    id: Uuid,
    changes: &mut Changes,
    f: impl FnOnce(&mut Conversation),
) -> CoreResult<()> {
    if let Some(mut c) = conversation(tx, id)? {
        f(&mut c);
        upsert_conversation(tx, &c)?;
    }
    changes.conversation(id);
    Ok(())
}

fn parse_state(s: &str) -> SendState {
    match s {
        "pending" => SendState::Pending,
        "failed" => SendState::Failed,
        _ => SendState::Sent,
    }
}

fn parse_uuid(s: &str) -> CoreResult<Uuid> {
    Uuid::parse_str(s).map_err(|e| CoreError::Cache(format!("bad id in cache: {e}")))
}

impl AccountDb {
    /// Sends not yet acknowledged by the server (failed ones included).
    pub fn outbox_len(&self) -> CoreResult<i64> {
        Ok(self
            .0
            .query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0))?)
    }

    /// Records that events up to `seq` are applied.
    pub fn set_last_seq(&self, seq: i64) -> CoreResult<()> {
        self.0.execute(
            "UPDATE sync_state SET last_seq = ?1 WHERE id = 1",
            params![seq],
        )?;
        Ok(())
    }

    /// Sets the chat-list preview and time from the newest cached message (after a snapshot).
    pub fn refresh_preview(&mut self, conv: Uuid) -> CoreResult<()> {
        let tx = self.0.transaction()?;
        let body: Option<String> = tx
            .query_row(
                "SELECT body FROM messages WHERE conversation_id = ?1 AND seq IS NOT NULL ORDER BY seq DESC LIMIT 1",
                params![conv.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(body) = body {
            touch(&tx, &from_json(&body)?, None)?;
        }
        tx.commit()?;
        Ok(())
    }
}
