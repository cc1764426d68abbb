//! Friends: search, requests, remarks, deletion, blocking. Each write also logs events.

use uuid::Uuid;
use xin_proto::{
    Contact, ContactList, ErrorCode, EventBody, FriendRequest, FriendRequestState, UserProfile,
};

use super::{
    parse_uuid,
    writer::{Conn, WriteCx},
    Store,
};
use crate::{
    error::{ApiError, ApiResult},
    time::now_ms,
};

pub(crate) async fn profile(c: &mut Conn, id: Uuid) -> ApiResult<UserProfile> {
    let row: Option<(String, String, i64)> =
        sqlx::query_as("SELECT handle, display_name, avatar_hue FROM users WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *c)
            .await?;
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
pub(crate) async fn has_contact(c: &mut Conn, a: Uuid, b: Uuid) -> ApiResult<bool> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM contacts WHERE user_id = $1 AND friend_id = $2")
            .bind(a.to_string())
            .bind(b.to_string())
            .fetch_one(&mut *c)
            .await?;
    Ok(n > 0)
}

/// True when either blocked the other.
pub(crate) async fn blocked_between(c: &mut Conn, a: Uuid, b: Uuid) -> ApiResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM blocks WHERE (user_id = $1 AND blocked_id = $2) OR (user_id = $2 AND blocked_id = $1)",
    )
    .bind(a.to_string())
    .bind(b.to_string())
    .fetch_one(&mut *c)
    .await?;
    Ok(n > 0)
}

async fn contact(c: &mut Conn, user: Uuid, friend: Uuid) -> ApiResult<Contact> {
    let (remark, since): (Option<String>, i64) =
        sqlx::query_as("SELECT remark, since FROM contacts WHERE user_id = $1 AND friend_id = $2")
            .bind(user.to_string())
            .bind(friend.to_string())
            .fetch_one(&mut *c)
            .await?;
    Ok(Contact {
        user: profile(c, friend).await?,
        remark,
        since,
    })
}

async fn request(c: &mut Conn, id: Uuid) -> ApiResult<Option<FriendRequest>> {
    let row: Option<(String, String, String, String, i64)> = sqlx::query_as(
        "SELECT from_user, to_user, greeting, state, created_at FROM friend_requests WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *c)
    .await?;
    let Some((from, to, greeting, state, created_at)) = row else {
        return Ok(None);
    };
    Ok(Some(FriendRequest {
        id,
        from: profile(c, parse_uuid(&from)?).await?,
        to: profile(c, parse_uuid(&to)?).await?,
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
    cx.views.clear();
}

impl Store {
    /// Exact match on handle (any case) or phone number.
    pub async fn search_users(&self, handle_key: &str, phone: &str) -> ApiResult<Vec<UserProfile>> {
        let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
            "SELECT id, handle, display_name, avatar_hue FROM users WHERE handle_key = $1 OR phone = $2 LIMIT 10",
        )
        .bind(handle_key)
        .bind(phone)
        .fetch_all(&self.pool)
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
        if from == to {
            return Err(ApiError::invalid("You cannot add yourself."));
        }
        self.write(move |cx| {
            Box::pin(async move {
                let c = &mut cx.conn;
                profile(c, to).await?;
                if blocked_between(c, from, to).await? {
                    return Err(ApiError::new(
                        ErrorCode::Blocked,
                        "You cannot add this person.",
                    ));
                }
                if has_contact(c, from, to).await? && has_contact(c, to, from).await? {
                    return Err(ApiError::new(
                        ErrorCode::AlreadyFriends,
                        "You are already friends.",
                    ));
                }
                let id = Uuid::now_v7();
                sqlx::query(
                    "INSERT INTO friend_requests (id, from_user, to_user, greeting, state, created_at) VALUES ($1, $2, $3, $4, 'pending', $5)",
                )
                .bind(id.to_string())
                .bind(from.to_string())
                .bind(to.to_string())
                .bind(&greeting)
                .bind(now_ms())
                .execute(&mut *c)
                .await?;
                let req = request(c, id)
                    .await?
                    .ok_or_else(|| ApiError::Internal("request vanished".into()))?;
                let event = EventBody::FriendRequest {
                    request: req.clone(),
                };
                cx.out.append_all(&mut cx.conn, &[to, from], event).await?;
                Ok(req)
            })
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
            Box::pin(async move {
                let not_found =
                    || ApiError::new(ErrorCode::RequestNotFound, "No such friend request.");
                let req = request(&mut cx.conn, id).await?.ok_or_else(not_found)?;
                if req.to.id != user {
                    return Err(not_found());
                }
                if req.state != FriendRequestState::Pending {
                    return Err(ApiError::new(
                        ErrorCode::RequestNotFound,
                        "This request was already answered.",
                    ));
                }
                let state = if accept { "accepted" } else { "declined" };
                sqlx::query(
                    "UPDATE friend_requests SET state = $1 WHERE id = $2 AND state = 'pending'",
                )
                .bind(state)
                .bind(id.to_string())
                .execute(&mut cx.conn)
                .await?;
                if accept {
                    contacts_changed(cx);
                    let now = now_ms();
                    let pairs = [(req.from.id, req.to.id), (req.to.id, req.from.id)];
                    for (a, b) in pairs {
                        sqlx::query(
                            "INSERT INTO contacts (user_id, friend_id, remark, since) VALUES ($1, $2, NULL, $3)
                             ON CONFLICT (user_id, friend_id) DO NOTHING",
                        )
                        .bind(a.to_string())
                        .bind(b.to_string())
                        .bind(now)
                        .execute(&mut cx.conn)
                        .await?;
                    }
                    for (a, b) in pairs {
                        let contact = contact(&mut cx.conn, a, b).await?;
                        cx.out
                            .append(&mut cx.conn, a, EventBody::ContactUpdated { contact })
                            .await?;
                    }
                }
                let req = request(&mut cx.conn, id).await?.ok_or_else(not_found)?;
                let event = EventBody::FriendRequest {
                    request: req.clone(),
                };
                cx.out
                    .append_all(&mut cx.conn, &[req.from.id, req.to.id], event)
                    .await?;
                Ok(req)
            })
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
            Box::pin(async move {
                if !has_contact(&mut cx.conn, user, friend).await? {
                    return Err(ApiError::new(
                        ErrorCode::NotFriends,
                        "This person is not in your contacts.",
                    ));
                }
                sqlx::query(
                    "UPDATE contacts SET remark = $1 WHERE user_id = $2 AND friend_id = $3",
                )
                .bind(&remark)
                .bind(user.to_string())
                .bind(friend.to_string())
                .execute(&mut cx.conn)
                .await?;
                let c = contact(&mut cx.conn, user, friend).await?;
                let event = EventBody::ContactUpdated { contact: c.clone() };
                cx.out.append(&mut cx.conn, user, event).await?;
                super::chats::refresh_direct(cx, user, friend).await?;
                Ok(c)
            })
        })
        .await
    }

    /// Removes `friend` from `user`'s contacts (WeChat-style: one side; messaging needs both).
    pub async fn delete_contact(&self, user: Uuid, friend: Uuid) -> ApiResult<()> {
        self.write(move |cx| {
            Box::pin(async move {
                let deleted =
                    sqlx::query("DELETE FROM contacts WHERE user_id = $1 AND friend_id = $2")
                        .bind(user.to_string())
                        .bind(friend.to_string())
                        .execute(&mut cx.conn)
                        .await?;
                if deleted.rows_affected() == 0 {
                    return Err(ApiError::new(
                        ErrorCode::NotFriends,
                        "This person is not in your contacts.",
                    ));
                }
                contacts_changed(cx);
                let event = EventBody::ContactRemoved { user_id: friend };
                cx.out.append(&mut cx.conn, user, event).await
            })
        })
        .await
    }

    pub async fn set_blocked(&self, user: Uuid, target: Uuid, blocked: bool) -> ApiResult<()> {
        self.write(move |cx| {
            Box::pin(async move {
                profile(&mut cx.conn, target).await?;
                let sql = if blocked {
                    "INSERT INTO blocks (user_id, blocked_id) VALUES ($1, $2) ON CONFLICT (user_id, blocked_id) DO NOTHING"
                } else {
                    "DELETE FROM blocks WHERE user_id = $1 AND blocked_id = $2"
                };
                sqlx::query(sql)
                    .bind(user.to_string())
                    .bind(target.to_string())
                    .execute(&mut cx.conn)
                    .await?;
                contacts_changed(cx);
                Ok(())
            })
        })
        .await
    }

    pub async fn contacts(&self, user: Uuid) -> ApiResult<ContactList> {
        let mut tx = self.read().await?;
        let friends: Vec<(String,)> =
            sqlx::query_as("SELECT friend_id FROM contacts WHERE user_id = $1")
                .bind(user.to_string())
                .fetch_all(&mut *tx)
                .await?;
        let mut contacts = Vec::with_capacity(friends.len());
        for (f,) in friends {
            contacts.push(contact(&mut tx, user, parse_uuid(&f)?).await?);
        }
        let ids: Vec<(String,)> = sqlx::query_as(
            "SELECT id FROM friend_requests WHERE (to_user = $1 OR from_user = $1) ORDER BY created_at DESC LIMIT 100",
        )
        .bind(user.to_string())
        .fetch_all(&mut *tx)
        .await?;
        let mut requests = Vec::with_capacity(ids.len());
        for (id,) in ids {
            if let Some(r) = request(&mut tx, parse_uuid(&id)?).await? {
                requests.push(r);
            }
        }
        tx.commit().await?;
        Ok(ContactList { contacts, requests })
    }
}
