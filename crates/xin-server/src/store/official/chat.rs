//! Chatting with official accounts: the menu under the chat, auto-replies (on follow, by
//! keyword, by default), and the staff's answers, allowed within 48 hours of the follower's last
//! message (WeChat's customer-service window).

use uuid::Uuid;
use xin_proto::{
    AutoReplies, ErrorCode, EventBody, Inbox, InboxEntry, OfficialChat, OfficialMenu,
    OfficialMessage, SendOfficialMessage, WebhookKind, SERVICE_WINDOW_HOURS,
};

use crate::store::{
    official::{account, owned},
    sql::{self, Conn},
    writer::WriteCx,
    Store,
};
use crate::{
    error::{ApiError, ApiResult},
    rules::official as rules,
    time::now_ms,
};

const WINDOW_MS: i64 = SERVICE_WINDOW_HOURS * 3_600_000;

fn setting<T: serde::de::DeserializeOwned + Default>(
    c: &Conn,
    account: Uuid,
    column: &str,
) -> ApiResult<T> {
    let raw: Option<String> = sql::one(
        c,
        &format!("SELECT {column} FROM official_settings WHERE account_id = $1"),
        &[&account.to_string()],
        |r| r.get(0),
    )?;
    raw.map(|s| serde_json::from_str(&s))
        .transpose()
        .map_err(|e| ApiError::Internal(format!("official {column}: {e}")))
        .map(Option::unwrap_or_default)
}

fn put_setting(c: &Conn, account: Uuid, column: &str, value: &str) -> ApiResult<()> {
    sql::exec(
        c,
        &format!(
            "INSERT INTO official_settings (account_id, {column}) VALUES ($1, $2)
             ON CONFLICT (account_id) DO UPDATE SET {column} = excluded.{column}"
        ),
        &[&account.to_string(), &value],
    )?;
    Ok(())
}

fn message_row(r: &sql::Row) -> ApiResult<(String, String, String, bool, String, i64)> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

fn message(row: (String, String, String, bool, String, i64)) -> ApiResult<OfficialMessage> {
    let (id, account, user, from_account, text, created_at) = row;
    Ok(OfficialMessage {
        id: crate::store::parse_uuid(&id)?,
        account_id: crate::store::parse_uuid(&account)?,
        user_id: crate::store::parse_uuid(&user)?,
        from_account,
        text,
        created_at,
    })
}

const MESSAGE: &str =
    "SELECT id, account_id, user_id, from_account, text, created_at FROM official_messages";

/// Stores a message; one from the account reaches the follower through their event log.
pub(in crate::store) fn put_message(
    cx: &mut WriteCx,
    account: Uuid,
    user: Uuid,
    from_account: bool,
    text: &str,
) -> ApiResult<OfficialMessage> {
    let m = OfficialMessage {
        id: Uuid::now_v7(),
        account_id: account,
        user_id: user,
        from_account,
        text: text.to_string(),
        created_at: now_ms(),
    };
    sql::exec(
        &cx.conn,
        "INSERT INTO official_messages (id, account_id, user_id, from_account, text, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &m.id.to_string(),
            &account.to_string(),
            &user.to_string(),
            &from_account,
            &m.text,
            &m.created_at,
        ],
    )?;
    if from_account {
        cx.out.append(
            &cx.conn,
            user,
            EventBody::OfficialMessage { message: m.clone() },
        )?;
    }
    Ok(m)
}

/// The welcome a new follower gets, if the account set one.
pub(in crate::store) fn welcome(cx: &mut WriteCx, account: Uuid, user: Uuid) -> ApiResult<()> {
    let replies: AutoReplies = setting(&cx.conn, account, "auto_replies")?;
    if let Some(text) = replies.on_follow {
        put_message(cx, account, user, true, &text)?;
    }
    Ok(())
}

pub(in crate::store) fn follows(c: &Conn, account: Uuid, user: Uuid) -> ApiResult<bool> {
    Ok(sql::one(
        c,
        "SELECT 1 FROM official_follows WHERE account_id = $1 AND user_id = $2",
        &[&account.to_string(), &user.to_string()],
        |_| Ok(()),
    )?
    .is_some())
}

/// Whether the follower wrote to the account within the last 48 hours.
fn in_window(c: &Conn, account: Uuid, user: &str, now: i64) -> ApiResult<bool> {
    let wrote: Option<i64> = sql::one(
        c,
        "SELECT MAX(created_at) FROM official_messages
         WHERE account_id = $1 AND user_id = $2 AND from_account = 0",
        &[&account.to_string(), &user],
        |r| r.get(0),
    )?
    .flatten();
    Ok(wrote.is_some_and(|t| now - t <= WINDOW_MS))
}

/// The account as `viewer` sees it, with the newest message of their chat.
pub(in crate::store) fn with_last_message(
    c: &Conn,
    viewer: Uuid,
    mut a: xin_proto::OfficialAccount,
) -> ApiResult<xin_proto::OfficialAccount> {
    a.last_message = sql::one(
        c,
        &format!("{MESSAGE} WHERE account_id = $1 AND user_id = $2 ORDER BY id DESC LIMIT 1"),
        &[&a.id.to_string(), &viewer.to_string()],
        message_row,
    )?
    .map(message)
    .transpose()?;
    Ok(a)
}

/// The account answers a follower (staff in the console, or its server through the API),
/// within 48 hours of the follower's last message.
pub(in crate::store) fn answer(
    cx: &mut WriteCx,
    account: Uuid,
    follower: Uuid,
    text: &str,
) -> ApiResult<OfficialMessage> {
    let follows = follows(&cx.conn, account, follower)?;
    rules::may_answer(
        follows,
        follows && in_window(&cx.conn, account, &follower.to_string(), now_ms())?,
    )?;
    put_message(cx, account, follower, true, text)
}

impl Store {
    pub async fn official_menu(&self, viewer: Uuid, id: Uuid) -> ApiResult<OfficialMenu> {
        self.reads
            .run(move |c| {
                account(c, viewer, id)?;
                setting(c, id, "menu")
            })
            .await
    }

    pub async fn set_official_menu(
        &self,
        owner: Uuid,
        id: Uuid,
        menu: OfficialMenu,
    ) -> ApiResult<()> {
        self.write(move |cx| {
            owned(&cx.conn, owner, id)?;
            for item in menu.menus.iter().flat_map(|m| &m.items) {
                if let xin_proto::MenuAction::Article { article_id } = item.action {
                    let ours = sql::one(
                        &cx.conn,
                        "SELECT 1 FROM official_articles WHERE id = $1 AND account_id = $2",
                        &[&article_id.to_string(), &id.to_string()],
                        |_| Ok(()),
                    )?;
                    if ours.is_none() {
                        return Err(ApiError::new(
                            ErrorCode::ArticleNotFound,
                            format!("menu \"{}\": no such article of this account", item.name),
                        ));
                    }
                }
            }
            let json =
                serde_json::to_string(&menu).map_err(|e| ApiError::Internal(e.to_string()))?;
            put_setting(&cx.conn, id, "menu", &json)
        })
        .await
    }

    pub async fn auto_replies(&self, owner: Uuid, id: Uuid) -> ApiResult<AutoReplies> {
        self.reads
            .run(move |c| {
                owned(c, owner, id)?;
                setting(c, id, "auto_replies")
            })
            .await
    }

    pub async fn set_auto_replies(&self, owner: Uuid, id: Uuid, r: AutoReplies) -> ApiResult<()> {
        self.write(move |cx| {
            owned(&cx.conn, owner, id)?;
            let json = serde_json::to_string(&r).map_err(|e| ApiError::Internal(e.to_string()))?;
            put_setting(&cx.conn, id, "auto_replies", &json)
        })
        .await
    }

    /// A follower's chat with the account, oldest first: the follower's own, or (for the
    /// owner) the one with `user`.
    pub async fn official_chat(
        &self,
        viewer: Uuid,
        id: Uuid,
        user: Option<Uuid>,
    ) -> ApiResult<OfficialChat> {
        self.reads
            .run(move |c| {
                let acct = account(c, viewer, id)?;
                rules::may_read_chat(user.is_some(), acct.mine)?;
                let follower = user.unwrap_or(viewer);
                let rows = sql::all(
                    c,
                    &format!(
                        "{MESSAGE} WHERE account_id = $1 AND user_id = $2 ORDER BY id DESC LIMIT 200"
                    ),
                    &[&id.to_string(), &follower.to_string()],
                    message_row,
                )?;
                let mut messages = rows.into_iter().map(message).collect::<ApiResult<Vec<_>>>()?;
                messages.reverse();
                Ok(OfficialChat {
                    messages,
                    menu: setting(c, id, "menu")?,
                })
            })
            .await
    }

    /// A follower writes (or taps a menu keyword): the message, then the account's automatic
    /// answer if it has one.
    pub async fn message_account(
        &self,
        user: Uuid,
        id: Uuid,
        m: SendOfficialMessage,
    ) -> ApiResult<Vec<OfficialMessage>> {
        self.write(move |cx| {
            account(&cx.conn, user, id)?;
            if !follows(&cx.conn, id, user)? {
                return Err(rules::not_following());
            }
            let mut out = Vec::new();
            if !m.from_menu {
                out.push(put_message(cx, id, user, false, &m.text)?);
            }
            let kind = if m.from_menu {
                WebhookKind::MenuKeyword
            } else {
                WebhookKind::Message
            };
            crate::store::official::developer::enqueue(
                cx,
                id,
                user,
                kind,
                Some(m.text.clone()),
                None,
            )?;
            let replies: AutoReplies = setting(&cx.conn, id, "auto_replies")?;
            let said = m.text.trim().to_lowercase();
            let answer = replies
                .keywords
                .iter()
                .find(|k| k.keyword.trim().to_lowercase() == said)
                .map(|k| k.reply.clone())
                .or(replies.default);
            if let Some(text) = answer {
                out.push(put_message(cx, id, user, true, &text)?);
            }
            Ok(out)
        })
        .await
    }

    /// The account's staff answer a follower, within 48 hours of the follower's last message.
    pub async fn staff_message(
        &self,
        owner: Uuid,
        id: Uuid,
        follower: Uuid,
        text: String,
    ) -> ApiResult<OfficialMessage> {
        self.write(move |cx| {
            owned(&cx.conn, owner, id)?;
            answer(cx, id, follower, &text)
        })
        .await
    }

    /// Followers' chats with the account, the newest first, with whether staff may answer.
    pub async fn inbox(&self, owner: Uuid, id: Uuid) -> ApiResult<Inbox> {
        self.reads
            .run(move |c| {
                owned(c, owner, id)?;
                let users: Vec<String> = sql::all(
                    c,
                    "SELECT user_id FROM official_messages WHERE account_id = $1
                     GROUP BY user_id ORDER BY MAX(id) DESC LIMIT 100",
                    &[&id.to_string()],
                    |r| r.get(0),
                )?;
                let now = now_ms();
                let mut chats = Vec::with_capacity(users.len());
                for u in users {
                    let last = sql::one(
                        c,
                        &format!("{MESSAGE} WHERE account_id = $1 AND user_id = $2 ORDER BY id DESC LIMIT 1"),
                        &[&id.to_string(), &u],
                        message_row,
                    )?
                    .map(message)
                    .transpose()?
                    .ok_or_else(|| ApiError::Internal("a chat without messages".into()))?;
                    chats.push(InboxEntry {
                        user: crate::store::contacts::profile(c, crate::store::parse_uuid(&u)?)?,
                        last,
                        can_reply: in_window(c, id, &u, now)?,
                    });
                }
                Ok(Inbox { chats })
            })
            .await
    }
}
