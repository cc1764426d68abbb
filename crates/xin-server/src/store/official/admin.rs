//! An official account as its owner manages it: the profile followers see (name, introduction,
//! picture) and the followers themselves, with the tags broadcasts are aimed at.

use uuid::Uuid;
use xin_proto::{Follower, FollowerList, OfficialAccount, UpdateOfficialAccount, FOLLOWERS_PAGE};

use crate::error::{ApiError, ApiResult};
use crate::store::{
    official::{account, owned},
    sql::{self},
    Store,
};

impl Store {
    /// Replaces the account's name, introduction and picture. The picture must be an image the
    /// owner may read (their own upload); from then on anyone signed in may read it.
    pub async fn update_official_account(
        &self,
        owner: Uuid,
        id: Uuid,
        update: UpdateOfficialAccount,
    ) -> ApiResult<OfficialAccount> {
        self.write(move |cx| {
            owned(&cx.conn, owner, id)?;
            if let Some(hash) = &update.avatar {
                let media_type = sql::one(
                    &cx.conn,
                    "SELECT media_type FROM blobs WHERE hash = $1",
                    &[hash],
                    |r| r.get::<_, String>(0),
                )?;
                let readable = crate::store::blobs::may_read(&cx.conn, &owner.to_string(), hash)?;
                if !readable || !media_type.is_some_and(|t| t.starts_with("image/")) {
                    return Err(ApiError::invalid(
                        "avatar: a picture you uploaded (PNG, JPEG, GIF or WebP)",
                    ));
                }
            }
            sql::exec(
                &cx.conn,
                "UPDATE official_accounts SET name = $2, intro = $3, avatar = $4 WHERE id = $1",
                &[&id.to_string(), &update.name, &update.intro, &update.avatar],
            )?;
            account(&cx.conn, owner, id)
        })
        .await
    }

    /// The account's followers, newest first, a page at a time.
    pub async fn official_followers(
        &self,
        owner: Uuid,
        id: Uuid,
        before: Option<i64>,
    ) -> ApiResult<FollowerList> {
        self.reads
            .run(move |c| {
                owned(c, owner, id)?;
                let a = id.to_string();
                let page = i64::try_from(FOLLOWERS_PAGE).unwrap_or(100);
                let rows: Vec<(String, i64, Option<String>)> = sql::all(
                    c,
                    "SELECT user_id, since, scene FROM official_follows
                      WHERE account_id = $1 AND since < $2
                      ORDER BY since DESC, user_id LIMIT $3",
                    &[&a, &before.unwrap_or(i64::MAX), &(page + 1)],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )?;
                let more = rows.len() > FOLLOWERS_PAGE;
                let mut followers = Vec::with_capacity(rows.len().min(FOLLOWERS_PAGE));
                for (user, since, scene) in rows.into_iter().take(FOLLOWERS_PAGE) {
                    let tags = sql::all(
                        c,
                        "SELECT tag FROM official_follower_tags
                          WHERE account_id = $1 AND user_id = $2 ORDER BY tag",
                        &[&a, &user],
                        |r| r.get(0),
                    )?;
                    followers.push(Follower {
                        user: crate::store::contacts::profile(c, crate::store::parse_uuid(&user)?)?,
                        since,
                        scene,
                        tags,
                    });
                }
                let tags = sql::all(
                    c,
                    "SELECT DISTINCT tag FROM official_follower_tags WHERE account_id = $1 ORDER BY tag",
                    &[&a],
                    |r| r.get(0),
                )?;
                let next = if more {
                    followers.last().map(|f| f.since)
                } else {
                    None
                };
                Ok(FollowerList {
                    followers,
                    tags,
                    next,
                })
            })
            .await
    }
}
