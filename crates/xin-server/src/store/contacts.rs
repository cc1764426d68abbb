//! Friends: search, requests, remarks, deletion, blocking. Each write also logs events.

use uuid::Uuid;
use xin_proto::{
    Contact, ContactList, ErrorCode, EventBody, FriendRequest, FriendRequestState, UserProfile,
};

use super::{
    parse_uuid,
    sql::{self, Conn},
    writer::WriteCx,
    Store,
};
use crate::{
    error::{ApiError, ApiResult},
    rules::contacts as rules,
    time::now_ms,
};

pub(crate) fn profile(c: &Conn, id: Uuid) -> ApiResult<UserProfile> {
    let row: Option<(String, String, i64)> = sql::one(
        c,
        "SELECT handle, display_name, avatar_hue FROM users WHERE id = $1",
        &[&id.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let (handle, display_name, hue) =
        row.ok_or_else(|| ApiError::new(ErrorCode::UserNotFound, "No such user."))?;
    Ok(UserProfile {
        id,
        handle,
        display_name,
        avatar_hue: u16::try_from(hue).unwrap_or(0),
    })
}

/// True when `a` has `b` in their contacts.
pub(crate) fn has_contact(c: &Conn, a: Uuid, b: Uuid) -> ApiResult<bool> {
    Ok(sql::one(
        c,
        "SELECT 1 FROM contacts WHERE user_id = $1 AND friend_id = $2",
        &[&a.to_string(), &b.to_string()],
        |_| Ok(()),
    )?
    .is_some())
}

/// Friends both ways and neither blocked the other: whom one may add to a group. A contact row
/// alone is one-sided: someone you deleted, or who blocked you, still has theirs.
pub(crate) fn mutual_friends(c: &Conn, a: Uuid, b: Uuid) -> ApiResult<bool> {
    Ok(has_contact(c, a, b)? && has_contact(c, b, a)? && !blocked_between(c, a, b)?)
}

/// True when either blocked the other.
pub(crate) fn blocked_between(c: &Conn, a: Uuid, b: Uuid) -> ApiResult<bool> {
    Ok(sql::one(
        c,
        "SELECT 1 FROM blocks WHERE (user_id = $1 AND blocked_id = $2) OR (user_id = $2 AND blocked_id = $1)",
        &[&a.to_string(), &b.to_string()],
        |_| Ok(()),
    )?
    .is_some())
}

pub(crate) fn contact(c: &Conn, user: Uuid, friend: Uuid) -> ApiResult<Contact> {
    let (remark, since): (Option<String>, i64) = sql::one(
        c,
        "SELECT remark, since FROM contacts WHERE user_id = $1 AND friend_id = $2",
        &[&user.to_string(), &friend.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?
    .ok_or_else(|| {
        ApiError::new(
            ErrorCode::NotFriends,
            "This person is not in your contacts.",
        )
    })?;
    let tags = sql::all(
        c,
        "SELECT tag FROM contact_tags WHERE user_id = $1 AND friend_id = $2 ORDER BY tag",
        &[&user.to_string(), &friend.to_string()],
        |r| r.get(0),
    )?;
    let blocked = sql::one(
        c,
        "SELECT 1 FROM blocks WHERE user_id = $1 AND blocked_id = $2",
        &[&user.to_string(), &friend.to_string()],
        |_| Ok(()),
    )?
    .is_some();
    Ok(Contact {
        user: profile(c, friend)?,
        remark,
        since,
        tags,
        blocked,
    })
}

fn request(c: &Conn, id: Uuid) -> ApiResult<Option<FriendRequest>> {
    let row: Option<(String, String, String, String, i64)> = sql::one(
        c,
        "SELECT from_user, to_user, greeting, state, created_at FROM friend_requests WHERE id = $1",
        &[&id.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    )?;
    let Some((from, to, greeting, state, created_at)) = row else {
        return Ok(None);
    };
    Ok(Some(FriendRequest {
        id,
        from: profile(c, parse_uuid(&from)?)?,
        to: profile(c, parse_uuid(&to)?)?,
        greeting,
        state: match state.as_str() {
            "accepted" => FriendRequestState::Accepted,
            "declined" => FriendRequestState::Declined,
            _ => FriendRequestState::Pending,
        },
        created_at,
    }))
}

/// Friendship and blocks decide who may message whom: a change forgets every cached view.
fn contacts_changed(cx: &mut WriteCx) {
    cx.members.clear();
}

impl Store {
    /// Exact match on handle (any case) or phone number.
    pub async fn search_users(&self, handle_key: &str, phone: &str) -> ApiResult<Vec<UserProfile>> {
        let (handle_key, phone) = (handle_key.to_owned(), phone.to_owned());
        let rows: Vec<(String, String, String, i64)> = self
            .reads
            .run(move |c| {
                sql::all(
                    c,
                    "SELECT id, handle, display_name, avatar_hue FROM users WHERE handle_key = $1 OR phone = $2 LIMIT 10",
                    &[&handle_key, &phone],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
            })
            .await?;
        rows.into_iter()
            .map(|(id, handle, display_name, hue)| {
                Ok(UserProfile {
                    id: parse_uuid(&id)?,
                    handle,
                    display_name,
                    avatar_hue: u16::try_from(hue).unwrap_or(0),
                })
            })
            .collect()
    }

    pub async fn send_friend_request(
        &self,
        from: Uuid,
        to: Uuid,
        greeting: String,
    ) -> ApiResult<FriendRequest> {
        self.write(move |cx| {
            let c = &cx.conn;
            profile(c, to)?;
            rules::may_ask(
                from == to,
                blocked_between(c, from, to)?,
                has_contact(c, from, to)? && has_contact(c, to, from)?,
            )?;
            let id = Uuid::now_v7();
            sql::exec(
                c,
                "INSERT INTO friend_requests (id, from_user, to_user, greeting, state, created_at) VALUES ($1, $2, $3, $4, 'pending', $5)",
                &[&id.to_string(), &from.to_string(), &to.to_string(), &greeting, &now_ms()],
            )?;
            let req = request(c, id)?.ok_or_else(|| ApiError::Internal("request vanished".into()))?;
            let event = EventBody::FriendRequest {
                request: req.clone(),
            };
            cx.out.append_all(&cx.conn, &[to, from], event)?;
            Ok(req)
        })
        .await
    }

    pub async fn answer_friend_request(
        &self,
        user: Uuid,
        id: Uuid,
        accept: bool,
    ) -> ApiResult<FriendRequest> {
        self.write(move |cx| {
            let req = request(&cx.conn, id)?.ok_or_else(rules::request_not_found)?;
            rules::may_answer(req.to.id == user, req.state == FriendRequestState::Pending)?;
            let state = if accept { "accepted" } else { "declined" };
            sql::exec(
                &cx.conn,
                "UPDATE friend_requests SET state = $1 WHERE id = $2 AND state = 'pending'",
                &[&state, &id.to_string()],
            )?;
            if accept {
                contacts_changed(cx);
                let now = now_ms();
                let pairs = [(req.from.id, req.to.id), (req.to.id, req.from.id)];
                for (a, b) in pairs {
                    sql::exec(
                        &cx.conn,
                        "INSERT INTO contacts (user_id, friend_id, remark, since) VALUES ($1, $2, NULL, $3)
                         ON CONFLICT (user_id, friend_id) DO NOTHING",
                        &[&a.to_string(), &b.to_string(), &now],
                    )?;
                }
                for (a, b) in pairs {
                    let contact = contact(&cx.conn, a, b)?;
                    cx.out
                        .append(&cx.conn, a, EventBody::ContactUpdated { contact })?;
                }
            }
            let req = request(&cx.conn, id)?.ok_or_else(rules::request_not_found)?;
            let event = EventBody::FriendRequest {
                request: req.clone(),
            };
            cx.out.append_all(&cx.conn, &[req.from.id, req.to.id], event)?;
            Ok(req)
        })
        .await
    }

    pub async fn set_remark(
        &self,
        user: Uuid,
        friend: Uuid,
        remark: Option<String>,
    ) -> ApiResult<Contact> {
        self.write(move |cx| {
            if !has_contact(&cx.conn, user, friend)? {
                return Err(ApiError::new(
                    ErrorCode::NotFriends,
                    "This person is not in your contacts.",
                ));
            }
            sql::exec(
                &cx.conn,
                "UPDATE contacts SET remark = $1 WHERE user_id = $2 AND friend_id = $3",
                &[&remark, &user.to_string(), &friend.to_string()],
            )?;
            let c = contact(&cx.conn, user, friend)?;
            let event = EventBody::ContactUpdated { contact: c.clone() };
            cx.out.append(&cx.conn, user, event)?;
            super::conversations::refresh_direct(cx, user, friend)?;
            Ok(c)
        })
        .await
    }

    /// Removes `friend` from `user`'s contacts (WeChat-style: one side; messaging needs both).
    pub async fn delete_contact(&self, user: Uuid, friend: Uuid) -> ApiResult<()> {
        self.write(move |cx| {
            let deleted = sql::exec(
                &cx.conn,
                "DELETE FROM contacts WHERE user_id = $1 AND friend_id = $2",
                &[&user.to_string(), &friend.to_string()],
            )?;
            if deleted == 0 {
                return Err(ApiError::new(
                    ErrorCode::NotFriends,
                    "This person is not in your contacts.",
                ));
            }
            contacts_changed(cx);
            let event = EventBody::ContactRemoved { user_id: friend };
            cx.out.append(&cx.conn, user, event)
        })
        .await
    }

    pub async fn set_blocked(&self, user: Uuid, target: Uuid, blocked: bool) -> ApiResult<()> {
        self.write(move |cx| {
            profile(&cx.conn, target)?;
            let query = if blocked {
                "INSERT INTO blocks (user_id, blocked_id) VALUES ($1, $2) ON CONFLICT (user_id, blocked_id) DO NOTHING"
            } else {
                "DELETE FROM blocks WHERE user_id = $1 AND blocked_id = $2"
            };
            sql::exec(&cx.conn, query, &[&user.to_string(), &target.to_string()])?;
            contacts_changed(cx);
            // My other devices learn it with the contact (its profile offers Unblock).
            let is_contact = sql::one(
                &cx.conn,
                "SELECT 1 FROM contacts WHERE user_id = $1 AND friend_id = $2",
                &[&user.to_string(), &target.to_string()],
                |_| Ok(()),
            )?
            .is_some();
            if is_contact {
                let contact = contact(&cx.conn, user, target)?;
                cx.out
                    .append(&cx.conn, user, EventBody::ContactUpdated { contact })?;
            }
            Ok(())
        })
        .await
    }

    pub async fn contacts(&self, user: Uuid) -> ApiResult<ContactList> {
        self.reads
            .run(move |c| {
                let id = user.to_string();
                let friends: Vec<String> = sql::all(
                    c,
                    "SELECT friend_id FROM contacts WHERE user_id = $1",
                    &[&id],
                    |r| r.get(0),
                )?;
                let contacts = friends
                    .iter()
                    .map(|f| contact(c, user, parse_uuid(f)?))
                    .collect::<ApiResult<Vec<_>>>()?;
                let ids: Vec<String> = sql::all(
                    c,
                    "SELECT id FROM friend_requests WHERE (to_user = $1 OR from_user = $1) ORDER BY created_at DESC LIMIT 100",
                    &[&id],
                    |r| r.get(0),
                )?;
                let mut requests = Vec::with_capacity(ids.len());
                for id in ids {
                    if let Some(r) = request(c, parse_uuid(&id)?)? {
                        requests.push(r);
                    }
                }
                Ok(ContactList { contacts, requests })
            })
            .await
    }
}
