//! Official accounts: creating them, following, articles (stored sanitised), reactions, and
//! broadcasts within WeChat's limits — one a day for a subscription account, four a month per
//! follower for a service account — delivered through each follower's event log.

use uuid::Uuid;
use xin_proto::{
    Article, ArticleCard, Broadcast, BroadcastList, ErrorCode, EventBody, NewArticle, NewBroadcast,
    NewOfficialAccount, OfficialAccount, OfficialKind, Reaction, WebhookKind,
    SERVICE_BROADCASTS_PER_MONTH,
};

mod admin;
mod chat;
mod developer;
mod qr;

pub(super) use developer::enqueue_body;
pub use developer::DueDelivery;

use super::{
    sql::{self, Conn},
    Store,
};
use crate::{
    error::{ApiError, ApiResult},
    rules::official as rules,
    time::now_ms,
};

fn account_not_found() -> ApiError {
    ApiError::new(
        ErrorCode::OfficialAccountNotFound,
        "No such official account.",
    )
}

fn article_not_found() -> ApiError {
    ApiError::new(ErrorCode::ArticleNotFound, "No such article.")
}

fn kind_str(k: OfficialKind) -> &'static str {
    match k {
        OfficialKind::Subscription => "subscription",
        OfficialKind::Service => "service",
    }
}

fn parse_kind(s: &str) -> OfficialKind {
    if s == "service" {
        OfficialKind::Service
    } else {
        OfficialKind::Subscription
    }
}

const ACCOUNT: &str = "SELECT a.id, a.handle, a.name, a.intro, a.kind, a.avatar_hue, a.owner_id,
       (SELECT COUNT(*) FROM official_follows f WHERE f.account_id = a.id),
       EXISTS (SELECT 1 FROM official_follows f WHERE f.account_id = a.id AND f.user_id = $1),
       a.avatar
     FROM official_accounts a";

fn account_row(r: &sql::Row, viewer: &str) -> ApiResult<(OfficialAccount, String)> {
    let id: String = r.get(0)?;
    let owner: String = r.get(6)?;
    Ok((
        OfficialAccount {
            id: Uuid::parse_str(&id).unwrap_or_default(),
            handle: r.get(1)?,
            name: r.get(2)?,
            intro: r.get(3)?,
            kind: parse_kind(&r.get::<_, String>(4)?),
            avatar_hue: u16::try_from(r.get::<_, i64>(5)?).unwrap_or(0),
            avatar: r.get(9)?,
            followers: r.get(7)?,
            following: r.get(8)?,
            mine: owner == viewer,
            last_message: None,
        },
        owner,
    ))
}

pub(super) fn account(c: &Conn, viewer: Uuid, id: Uuid) -> ApiResult<OfficialAccount> {
    let v = viewer.to_string();
    sql::one(
        c,
        &format!("{ACCOUNT} WHERE a.id = $2"),
        &[&v, &id.to_string()],
        |r| account_row(r, &v),
    )?
    .map(|(a, _)| a)
    .ok_or_else(account_not_found)
    .and_then(|a| chat::with_last_message(c, viewer, a))
}

/// The account, if `owner` owns it.
pub(super) fn owned(c: &Conn, owner: Uuid, id: Uuid) -> ApiResult<OfficialAccount> {
    let a = account(c, owner, id)?;
    rules::owner_only(a.mine)?;
    Ok(a)
}

type ArticleRow = (
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    i64,
);

fn article(c: &Conn, viewer: Uuid, id: Uuid) -> ApiResult<Article> {
    let row: ArticleRow = sql::one(
        c,
        "SELECT a.account_id, o.name, a.title, a.cover, a.digest, a.author, a.body_html,
                a.source_url, a.created_at
         FROM official_articles a JOIN official_accounts o ON o.id = a.account_id WHERE a.id = $1",
        &[&id.to_string()],
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
            ))
        },
    )?
    .ok_or_else(article_not_found)?;
    let (reads, likes, wows): (i64, i64, i64) = sql::one(
        c,
        "SELECT COUNT(*), COALESCE(SUM(liked), 0), COALESCE(SUM(wowed), 0)
         FROM official_reactions WHERE article_id = $1",
        &[&id.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?
    .unwrap_or_default();
    let (liked, wowed) = sql::one(
        c,
        "SELECT liked, wowed FROM official_reactions WHERE article_id = $1 AND user_id = $2",
        &[&id.to_string(), &viewer.to_string()],
        |r| Ok((r.get::<_, bool>(0)?, r.get::<_, bool>(1)?)),
    )?
    .unwrap_or_default();
    let (account_id, account_name, title, cover, digest, author, body_html, source_url, at) = row;
    Ok(Article {
        id,
        account_id: super::parse_uuid(&account_id)?,
        account_name,
        title,
        cover,
        digest,
        author,
        body_html,
        source_url,
        created_at: at,
        reads,
        likes,
        wows,
        liked,
        wowed,
    })
}

fn card(c: &Conn, id: &str) -> ApiResult<ArticleCard> {
    sql::one(
        c,
        "SELECT title, cover, digest FROM official_articles WHERE id = $1",
        &[&id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?
    .map(|(title, cover, digest)| -> ApiResult<ArticleCard> {
        Ok(ArticleCard {
            id: super::parse_uuid(id)?,
            title,
            cover,
            digest,
        })
    })
    .ok_or_else(article_not_found)?
}

type BroadcastRow = (
    String,
    String,
    String,
    String,
    i64,
    String,
    i64,
    i64,
    Option<String>,
);

const BROADCAST: &str =
    "SELECT b.id, b.account_id, o.name, o.kind, o.avatar_hue, b.articles, b.sent_at,
       (SELECT COUNT(*) FROM official_deliveries d WHERE d.broadcast_id = b.id), o.avatar
     FROM official_broadcasts b JOIN official_accounts o ON o.id = b.account_id";

fn broadcast_row(r: &sql::Row) -> ApiResult<BroadcastRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
    ))
}

fn broadcast(c: &Conn, row: BroadcastRow) -> ApiResult<Broadcast> {
    let (id, account, name, kind, hue, articles, sent_at, delivered, avatar) = row;
    let ids: Vec<String> = serde_json::from_str(&articles)
        .map_err(|e| ApiError::Internal(format!("broadcast articles: {e}")))?;
    Ok(Broadcast {
        id: super::parse_uuid(&id)?,
        account_id: super::parse_uuid(&account)?,
        account_name: name,
        account_kind: parse_kind(&kind),
        account_hue: u16::try_from(hue).unwrap_or(0),
        account_avatar: avatar,
        articles: ids.iter().map(|a| card(c, a)).collect::<ApiResult<_>>()?,
        sent_at,
        delivered,
    })
}

/// An article as a chat message's card, filled from the article itself.
pub(crate) fn article_content(c: &Conn, id: Uuid) -> ApiResult<xin_proto::Content> {
    sql::one(
        c,
        "SELECT a.title, a.cover, o.name FROM official_articles a
         JOIN official_accounts o ON o.id = a.account_id WHERE a.id = $1",
        &[&id.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?
    .map(|(title, cover, account_name)| xin_proto::Content::Article {
        article_id: id,
        title,
        cover,
        account_name,
    })
    .ok_or_else(article_not_found)
}

/// The newest 50 broadcasts matching `filter` (SQL after the joined `b`, one parameter $1).
fn broadcasts(c: &Conn, filter: &str, param: &str) -> ApiResult<BroadcastList> {
    let rows = sql::all(
        c,
        &format!("{BROADCAST} {filter} ORDER BY b.id DESC LIMIT 50"),
        &[&param],
        broadcast_row,
    )?;
    let broadcasts = rows
        .into_iter()
        .map(|r| broadcast(c, r))
        .collect::<ApiResult<_>>()?;
    Ok(BroadcastList { broadcasts })
}

/// A sanitised article ready to store: the caller cleaned the body and checked the sizes.
#[derive(Clone)]
pub struct ArticleDraft {
    pub owner: Uuid,
    pub account: Uuid,
    pub article: NewArticle,
    /// Pictures the clean body shows.
    pub pictures: Vec<String>,
}

impl Store {
    pub async fn create_official_account(
        &self,
        owner: Uuid,
        new: NewOfficialAccount,
    ) -> ApiResult<OfficialAccount> {
        self.write(move |cx| {
            let key = new.handle.to_lowercase();
            let taken = sql::one(
                &cx.conn,
                "SELECT 1 FROM official_accounts WHERE handle_key = $1
                 UNION SELECT 1 FROM users WHERE handle_key = $1",
                &[&key],
                |_| Ok(()),
            )?
            .is_some();
            if taken {
                return Err(ApiError::new(
                    ErrorCode::HandleTaken,
                    "That Xin ID is taken.",
                ));
            }
            let id = Uuid::now_v7();
            let hue = i64::from(id.as_bytes()[15]) * 360 / 256;
            sql::exec(
                &cx.conn,
                "INSERT INTO official_accounts (id, owner_id, handle, handle_key, name, intro, kind, avatar_hue, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[
                    &id.to_string(),
                    &owner.to_string(),
                    &new.handle,
                    &key,
                    &new.name,
                    &new.intro,
                    &kind_str(new.kind),
                    &hue,
                    &now_ms(),
                ],
            )?;
            account(&cx.conn, owner, id)
        })
        .await
    }

    pub async fn official_account(&self, viewer: Uuid, id: Uuid) -> ApiResult<OfficialAccount> {
        self.reads.run(move |c| account(c, viewer, id)).await
    }

    /// Accounts whose name or handle contains `q`; without `q`, the ones I follow or own.
    pub async fn official_accounts(
        &self,
        viewer: Uuid,
        q: Option<String>,
    ) -> ApiResult<Vec<OfficialAccount>> {
        self.reads
            .run(move |c| {
                let v = viewer.to_string();
                let rows = match q {
                    Some(q) => {
                        let like = sql::contains_pattern(&q);
                        sql::all(
                            c,
                            &format!(
                                "{ACCOUNT} WHERE a.handle_key LIKE $2 ESCAPE '\\' OR lower(a.name) LIKE $2 ESCAPE '\\'
                                 ORDER BY a.name LIMIT 20"
                            ),
                            &[&v, &like],
                            |r| account_row(r, &v),
                        )?
                    }
                    None => sql::all(
                        c,
                        &format!(
                            "{ACCOUNT} WHERE a.owner_id = $1 OR EXISTS (SELECT 1 FROM official_follows f
                               WHERE f.account_id = a.id AND f.user_id = $1) ORDER BY a.name"
                        ),
                        &[&v],
                        |r| account_row(r, &v),
                    )?,
                };
                rows.into_iter()
                    .map(|(a, _)| chat::with_last_message(c, viewer, a))
                    .collect()
            })
            .await
    }

    pub async fn follow_official(
        &self,
        user: Uuid,
        id: Uuid,
        follow: bool,
        code: Option<String>,
    ) -> ApiResult<OfficialAccount> {
        self.write(move |cx| {
            account(&cx.conn, user, id)?;
            let scene = match code.clone() {
                Some(code) => {
                    let (of, scene) = qr::resolve(&cx.conn, &code)?;
                    if of != id {
                        return Err(ApiError::invalid("code: a QR code of another account"));
                    }
                    scene
                }
                None => None,
            };
            let (a, u) = (id.to_string(), user.to_string());
            if follow {
                let new = sql::exec(
                    &cx.conn,
                    "INSERT INTO official_follows (account_id, user_id, scene, since) VALUES ($1, $2, $3, $4)
                     ON CONFLICT DO NOTHING",
                    &[&a, &u, &scene, &now_ms()],
                )?;
                if new > 0 {
                    chat::welcome(cx, id, user)?;
                    developer::enqueue(cx, id, user, WebhookKind::Follow, None, scene)?;
                }
            } else {
                let gone = sql::exec(
                    &cx.conn,
                    "DELETE FROM official_follows WHERE account_id = $1 AND user_id = $2",
                    &[&a, &u],
                )?;
                sql::exec(
                    &cx.conn,
                    "DELETE FROM official_follower_tags WHERE account_id = $1 AND user_id = $2",
                    &[&a, &u],
                )?;
                if gone > 0 {
                    developer::enqueue(cx, id, user, WebhookKind::Unfollow, None, None)?;
                }
            }
            account(&cx.conn, user, id)
        })
        .await
    }

    pub async fn set_follower_tags(
        &self,
        owner: Uuid,
        id: Uuid,
        follower: Uuid,
        tags: Vec<String>,
    ) -> ApiResult<()> {
        self.write(move |cx| {
            owned(&cx.conn, owner, id)?;
            let (a, u) = (id.to_string(), follower.to_string());
            if !chat::follows(&cx.conn, id, follower)? {
                return Err(ApiError::new(
                    ErrorCode::UserNotFound,
                    "This person does not follow the account.",
                ));
            }
            sql::exec(
                &cx.conn,
                "DELETE FROM official_follower_tags WHERE account_id = $1 AND user_id = $2",
                &[&a, &u],
            )?;
            for t in &tags {
                sql::exec(
                    &cx.conn,
                    "INSERT INTO official_follower_tags (account_id, user_id, tag) VALUES ($1, $2, $3)
                     ON CONFLICT DO NOTHING",
                    &[&a, &u, t],
                )?;
            }
            Ok(())
        })
        .await
    }

    pub async fn create_article(&self, draft: ArticleDraft) -> ApiResult<Article> {
        self.write(move |cx| {
            let ArticleDraft {
                owner,
                account,
                article: new,
                pictures,
            } = draft.clone();
            owned(&cx.conn, owner, account)?;
            let o = owner.to_string();
            let all: Vec<&String> = new.cover.iter().chain(pictures.iter()).collect();
            for hash in &all {
                if !super::blobs::may_read(&cx.conn, &o, hash)? {
                    return Err(ApiError::new(
                        ErrorCode::BlobNotFound,
                        format!("{hash} is not a picture you uploaded"),
                    ));
                }
            }
            let id = Uuid::now_v7();
            sql::exec(
                &cx.conn,
                "INSERT INTO official_articles (id, account_id, title, cover, digest, author, body_html, source_url, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[
                    &id.to_string(),
                    &account.to_string(),
                    &new.title,
                    &new.cover,
                    &new.digest,
                    &new.author,
                    &new.body_html,
                    &new.source_url,
                    &now_ms(),
                ],
            )?;
            for hash in all {
                sql::exec(
                    &cx.conn,
                    "INSERT INTO official_article_blobs (hash, article_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    &[hash, &id.to_string()],
                )?;
            }
            article(&cx.conn, owner, id)
        })
        .await
    }

    /// Every article of an account I own, newest first.
    pub async fn articles(&self, owner: Uuid, id: Uuid) -> ApiResult<Vec<Article>> {
        self.reads
            .run(move |c| {
                owned(c, owner, id)?;
                let ids: Vec<String> = sql::all(
                    c,
                    "SELECT id FROM official_articles WHERE account_id = $1 ORDER BY id DESC LIMIT 200",
                    &[&id.to_string()],
                    |r| r.get(0),
                )?;
                ids.iter()
                    .map(|a| article(c, owner, super::parse_uuid(a)?))
                    .collect()
            })
            .await
    }

    /// An article, counted as read by `viewer`.
    pub async fn read_article(&self, viewer: Uuid, id: Uuid) -> ApiResult<Article> {
        self.write(move |cx| {
            article(&cx.conn, viewer, id)?;
            sql::exec(
                &cx.conn,
                "INSERT INTO official_reactions (article_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&id.to_string(), &viewer.to_string()],
            )?;
            article(&cx.conn, viewer, id)
        })
        .await
    }

    pub async fn react_article(&self, viewer: Uuid, id: Uuid, r: Reaction) -> ApiResult<Article> {
        self.write(move |cx| {
            article(&cx.conn, viewer, id)?;
            sql::exec(
                &cx.conn,
                "INSERT INTO official_reactions (article_id, user_id, liked, wowed) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (article_id, user_id) DO UPDATE SET liked = excluded.liked, wowed = excluded.wowed",
                &[&id.to_string(), &viewer.to_string(), &r.liked, &r.wowed],
            )?;
            article(&cx.conn, viewer, id)
        })
        .await
    }

    /// Sends a broadcast to the account's followers (or those with a tag), within its limits.
    pub async fn broadcast(&self, owner: Uuid, id: Uuid, b: NewBroadcast) -> ApiResult<Broadcast> {
        self.write(move |cx| {
            let acct = owned(&cx.conn, owner, id)?;
            let a = id.to_string();
            // One broadcast of this account at a time, so the day's and the month's limits
            // are counted after the last one, not beside it.
            sql::one(
                &cx.conn,
                &format!("SELECT 1 FROM official_accounts WHERE id = $1{}", cx.conn.for_update()),
                &[&a],
                |_| Ok(()),
            )?;
            for article in &b.articles {
                let ours = sql::one(
                    &cx.conn,
                    "SELECT 1 FROM official_articles WHERE id = $1 AND account_id = $2",
                    &[&article.to_string(), &a],
                    |_| Ok(()),
                )?;
                if ours.is_none() {
                    return Err(article_not_found());
                }
            }
            let now = now_ms();
            let (year, month, day) = crate::time::utc_date(now);
            let (day, month) = (
                format!("{year:04}-{month:02}-{day:02}"),
                format!("{year:04}-{month:02}"),
            );
            let sent_today = sql::one(
                &cx.conn,
                "SELECT 1 FROM official_broadcasts WHERE account_id = $1 AND day = $2",
                &[&a, &day],
                |_| Ok(()),
            )?
            .is_some();
            rules::may_broadcast(acct.kind, sent_today)?;
            let recipients: Vec<String> = sql::all(
                &cx.conn,
                "SELECT f.user_id FROM official_follows f
                 WHERE f.account_id = $1
                   AND (CAST($2 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM official_follower_tags t
                        WHERE t.account_id = f.account_id AND t.user_id = f.user_id AND t.tag = $2))
                   AND ($3 = 'subscription' OR (SELECT COUNT(*) FROM official_deliveries d
                        JOIN official_broadcasts b ON b.id = d.broadcast_id
                        WHERE d.user_id = f.user_id AND d.month = $4 AND b.account_id = f.account_id) < $5)",
                &[
                    &a,
                    &b.tag,
                    &kind_str(acct.kind),
                    &month,
                    &(SERVICE_BROADCASTS_PER_MONTH as i64),
                ],
                |r| r.get(0),
            )?;
            let followers_targeted: i64 = sql::one(
                &cx.conn,
                "SELECT COUNT(*) FROM official_follows f WHERE f.account_id = $1
                   AND (CAST($2 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM official_follower_tags t
                        WHERE t.account_id = f.account_id AND t.user_id = f.user_id AND t.tag = $2))",
                &[&a, &b.tag],
                |r| r.get(0),
            )?
            .unwrap_or(0);
            if acct.kind == OfficialKind::Service && followers_targeted > 0 && recipients.is_empty() {
                return Err(ApiError::new(
                    ErrorCode::BroadcastLimit,
                    format!(
                        "A service account reaches each follower {SERVICE_BROADCASTS_PER_MONTH} times a month; everyone chosen has had theirs."
                    ),
                ));
            }
            let bid = Uuid::now_v7();
            let articles = serde_json::to_string(
                &b.articles.iter().map(Uuid::to_string).collect::<Vec<_>>(),
            )
            .map_err(|e| ApiError::Internal(e.to_string()))?;
            sql::exec(
                &cx.conn,
                "INSERT INTO official_broadcasts (id, account_id, articles, tag, day, sent_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[&bid.to_string(), &a, &articles, &b.tag, &day, &now],
            )?;
            let mut users = Vec::with_capacity(recipients.len());
            for u in &recipients {
                sql::exec(
                    &cx.conn,
                    "INSERT INTO official_deliveries (broadcast_id, user_id, month) VALUES ($1, $2, $3)",
                    &[&bid.to_string(), u, &month],
                )?;
                users.push(super::parse_uuid(u)?);
            }
            let sent = sql::one(
                &cx.conn,
                &format!("{BROADCAST} WHERE b.id = $1"),
                &[&bid.to_string()],
                broadcast_row,
            )?
            .ok_or_else(|| ApiError::Internal("broadcast vanished".into()))?;
            let sent = broadcast(&cx.conn, sent)?;
            cx.out.append_all(
                &cx.conn,
                &users,
                EventBody::OfficialBroadcast {
                    broadcast: sent.clone(),
                },
            )?;
            Ok(sent)
        })
        .await
    }

    /// Broadcasts delivered to me, newest first (the "Subscriptions" entry and service chats).
    pub async fn subscriptions(&self, viewer: Uuid) -> ApiResult<BroadcastList> {
        self.reads
            .run(move |c| {
                broadcasts(
                    c,
                    "JOIN official_deliveries d ON d.broadcast_id = b.id WHERE d.user_id = $1",
                    &viewer.to_string(),
                )
            })
            .await
    }

    /// An account's broadcasts, newest first (its profile's article history).
    pub async fn official_history(&self, viewer: Uuid, id: Uuid) -> ApiResult<BroadcastList> {
        self.reads
            .run(move |c| {
                account(c, viewer, id)?;
                broadcasts(
                    c,
                    "WHERE b.account_id = $1 AND b.tag IS NULL",
                    &id.to_string(),
                )
            })
            .await
    }
}
