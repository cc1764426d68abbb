//! Moments: posts, their audience, likes and comments, and who may see what.
//!
//! Every rule is decided here, in SQL, never by a client filtering what it was sent:
//! - a post is seen by its author, and by the author's friends (both have the other as a
//!   contact, neither blocked the other) whom the author does not keep out ("don't let them see
//!   my Moments"), whom its visibility admits, within the author's album window;
//! - a like or comment is seen only by its own author and their friends (WeChat's mutual-friends
//!   rule: two people who are not friends never see each other's interactions);
//! - a post's images are downloadable exactly by those who may see the post.

use std::sync::LazyLock;

use uuid::Uuid;
use xin_proto::{
    ErrorCode, EventBody, MomentComment, MomentNotice, MomentNoticeKind, MomentUser, NewComment,
    NewPost, Post, PostPage, Visibility,
};

use super::{
    sql::{self, Conn},
    writer::WriteCx,
    Store,
};
use crate::{
    error::{ApiError, ApiResult},
    time::now_ms,
};

/// `a` and `b` are friends: each has the other as a contact and neither blocked the other.
fn friends(a: &str, b: &str) -> String {
    format!(
        "(EXISTS (SELECT 1 FROM contacts fa WHERE fa.user_id = {a} AND fa.friend_id = {b})
          AND EXISTS (SELECT 1 FROM contacts fb WHERE fb.user_id = {b} AND fb.friend_id = {a})
          AND NOT EXISTS (SELECT 1 FROM blocks fk WHERE (fk.user_id = {a} AND fk.blocked_id = {b})
                                                    OR (fk.user_id = {b} AND fk.blocked_id = {a})))"
    )
}

/// Post `p` may be seen by `viewer` at `now` (SQL expressions).
fn visible(viewer: &str, now: &str) -> String {
    format!(
        "(p.deleted_at IS NULL AND (p.author_id = {viewer} OR ({friends}
           AND NOT EXISTS (SELECT 1 FROM moment_hidden h
                           WHERE h.owner_id = p.author_id AND h.other_id = {viewer} AND h.kind = 'mine')
           AND (p.visibility = 'all'
                OR (p.visibility = 'only' AND EXISTS (SELECT 1 FROM moment_audience a
                                                      WHERE a.post_id = p.id AND a.user_id = {viewer}))
                OR (p.visibility = 'except' AND NOT EXISTS (SELECT 1 FROM moment_audience a
                                                            WHERE a.post_id = p.id AND a.user_id = {viewer})))
           AND p.created_at >= {now} - COALESCE((SELECT w.window_ms FROM moment_prefs w
                                                 WHERE w.user_id = p.author_id), {now}))))",
        friends = friends("p.author_id", viewer)
    )
}

const DAY_MS: i64 = 86_400_000;
pub(super) const THREE_DAYS_MS: i64 = 3 * DAY_MS;
pub(super) const SIX_MONTHS_MS: i64 = 183 * DAY_MS;

const POST_COLUMNS: &str =
    "p.id, p.author_id, p.text, p.images, p.link, p.visibility, p.created_at";

/// $1 viewer, $2 now, $3 before (exclusive), $4 limit. `author_id || ''` is the author, hidden
/// from the planner: with an index on the author it would gather every friend's posts first
/// instead of walking the newest ids down to the limit.
static TIMELINE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {POST_COLUMNS} FROM moment_posts p
         WHERE (p.author_id = $1
                OR ((p.author_id || '') IN (SELECT friend_id FROM contacts WHERE user_id = $1)
                    AND NOT EXISTS (SELECT 1 FROM moment_hidden t WHERE t.owner_id = $1
                                    AND t.other_id = p.author_id AND t.kind = 'theirs')))
           AND p.id < $3 AND {}
         ORDER BY p.id DESC LIMIT $4",
        visible("$1", "$2")
    )
});

/// $1 viewer, $2 now, $3 before, $4 limit, $5 author.
static ALBUM: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {POST_COLUMNS} FROM moment_posts p
         WHERE p.author_id = $5 AND p.id < $3 AND {}
         ORDER BY p.id DESC LIMIT $4",
        visible("$1", "$2")
    )
});

/// $1 viewer, $2 now, $3 post.
static ONE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {POST_COLUMNS} FROM moment_posts p WHERE p.id = $3 AND {}",
        visible("$1", "$2")
    )
});

/// Everyone who may see post $1 at $2, its author included.
static AUDIENCE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT v.id FROM moment_posts p
           CROSS JOIN (SELECT friend_id AS id FROM contacts WHERE user_id = (SELECT author_id FROM moment_posts WHERE id = $1)
                 UNION SELECT author_id FROM moment_posts WHERE id = $1) v
         WHERE p.id = $1 AND {}",
        visible("v.id", "$2")
    )
});

/// $1 viewer, $2 hash, $3 now: a post $1 may see shows this image.
pub(crate) static IMAGE_VISIBLE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT 1 FROM moment_blobs mb JOIN moment_posts p ON p.id = mb.post_id
         WHERE mb.hash = $2 AND {} LIMIT 1",
        visible("$1", "$3")
    )
});

/// $1 viewer, $2 post.
static LIKES: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT u.id, u.display_name, u.avatar_hue FROM moment_likes l JOIN users u ON u.id = l.user_id
         WHERE l.post_id = $2 AND (l.user_id = $1 OR {})
         ORDER BY l.created_at",
        friends("l.user_id", "$1")
    )
});

/// $1 viewer, $2 post.
static COMMENTS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT c.id, u.id, u.display_name, u.avatar_hue, r.id, r.display_name, r.avatar_hue,
                c.text, c.created_at
         FROM moment_comments c JOIN users u ON u.id = c.author_id
         LEFT JOIN users r ON r.id = c.reply_to_id
         WHERE c.post_id = $2 AND c.deleted_at IS NULL AND (c.author_id = $1 OR {})
         ORDER BY c.id",
        friends("c.author_id", "$1")
    )
});

fn post_not_found() -> ApiError {
    ApiError::new(ErrorCode::PostNotFound, "No such post.")
}

fn comment_not_found() -> ApiError {
    ApiError::new(ErrorCode::CommentNotFound, "No such comment.")
}

fn visibility_str(v: Visibility) -> &'static str {
    match v {
        Visibility::All => "all",
        Visibility::Private => "private",
        Visibility::Only => "only",
        Visibility::Except => "except",
    }
}

fn parse_visibility(s: &str) -> Visibility {
    match s {
        "all" => Visibility::All,
        "only" => Visibility::Only,
        "except" => Visibility::Except,
        _ => Visibility::Private,
    }
}

fn user(c: &Conn, id: Uuid) -> ApiResult<MomentUser> {
    let p = super::contacts::profile(c, id)?;
    Ok(MomentUser {
        id,
        display_name: p.display_name,
        avatar_hue: p.avatar_hue,
    })
}

fn user_from(id: String, name: String, hue: i64) -> ApiResult<MomentUser> {
    Ok(MomentUser {
        id: super::parse_uuid(&id)?,
        display_name: name,
        avatar_hue: u16::try_from(hue).unwrap_or(0),
    })
}

type PostRow = (String, String, String, String, Option<String>, String, i64);

fn post_row(r: &sql::Row) -> ApiResult<PostRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

/// A post as `viewer` sees it, with the likes and comments the mutual-friends rule lets through.
fn render(c: &Conn, viewer: Uuid, row: PostRow) -> ApiResult<Post> {
    let (id, author, text, images, link, visibility, created_at) = row;
    let author = super::parse_uuid(&author)?;
    let v = viewer.to_string();
    let likes = sql::all(c, &LIKES, &[&v, &id], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?
    .into_iter()
    .map(|(i, n, h)| user_from(i, n, h))
    .collect::<ApiResult<_>>()?;
    let comments = sql::all(c, &COMMENTS, &[&v, &id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            (r.get(1)?, r.get(2)?, r.get(3)?),
            (
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<i64>>(6)?,
            ),
            r.get::<_, String>(7)?,
            r.get::<_, i64>(8)?,
        ))
    })?
    .into_iter()
    .map(|(cid, (ai, an, ah), reply, text, at)| {
        let reply_to = match reply {
            (Some(i), Some(n), Some(h)) => Some(user_from(i, n, h)?),
            _ => None,
        };
        Ok(MomentComment {
            id: super::parse_uuid(&cid)?,
            author: user_from(ai, an, ah)?,
            reply_to,
            text,
            created_at: at,
        })
    })
    .collect::<ApiResult<_>>()?;
    Ok(Post {
        id: super::parse_uuid(&id)?,
        author: user(c, author)?,
        text,
        images: serde_json::from_str(&images)
            .map_err(|e| ApiError::Internal(format!("post images: {e}")))?,
        link: link
            .map(|l| serde_json::from_str(&l))
            .transpose()
            .map_err(|e| ApiError::Internal(format!("post link: {e}")))?,
        visibility: (author == viewer).then(|| parse_visibility(&visibility)),
        created_at,
        likes,
        comments,
    })
}

fn page(c: &Conn, viewer: Uuid, rows: Vec<PostRow>, limit: usize) -> ApiResult<PostPage> {
    let full = rows.len() == limit;
    let posts = rows
        .into_iter()
        .map(|r| render(c, viewer, r))
        .collect::<ApiResult<Vec<_>>>()?;
    let next = if full {
        posts.last().map(|p| p.id)
    } else {
        None
    };
    Ok(PostPage { posts, next })
}

/// The post, if `viewer` may see it now.
fn seen(c: &Conn, viewer: Uuid, post: Uuid) -> ApiResult<PostRow> {
    sql::one(
        c,
        &ONE,
        &[&viewer.to_string(), &now_ms(), &post.to_string()],
        post_row,
    )?
    .ok_or_else(post_not_found)
}

fn audience(c: &Conn, post: Uuid) -> ApiResult<Vec<Uuid>> {
    sql::all(c, &AUDIENCE, &[&post.to_string(), &now_ms()], |r| {
        r.get::<_, String>(0)
    })?
    .iter()
    .map(|s| super::parse_uuid(s))
    .collect()
}

fn notify(
    cx: &mut WriteCx,
    to: Uuid,
    post: Uuid,
    kind: MomentNoticeKind,
    from: Uuid,
    text: &str,
) -> ApiResult<()> {
    if to == from {
        return Ok(());
    }
    let notice = MomentNotice {
        post_id: post,
        kind,
        from: user(&cx.conn, from)?,
        text: text.to_string(),
        at: now_ms(),
    };
    cx.out
        .append(&cx.conn, to, EventBody::MomentNotice { notice })
}

/// A new post, checked by the caller for sizes; images must be readable by the author.
#[derive(Clone)]
pub struct PostDraft {
    pub author: Uuid,
    pub post: NewPost,
}

impl Store {
    pub async fn create_post(&self, draft: PostDraft) -> ApiResult<Post> {
        self.write(move |cx| {
            let PostDraft { author, post } = draft.clone();
            let a = author.to_string();
            let pictures: Vec<&String> = post
                .images
                .iter()
                .chain(post.link.iter().flat_map(|l| l.image.iter()))
                .collect();
            for hash in &pictures {
                if !super::blobs::may_read(&cx.conn, &a, hash)? {
                    return Err(ApiError::new(
                        ErrorCode::BlobNotFound,
                        format!("images: {hash} is not a file you uploaded"),
                    ));
                }
            }
            let mut chosen = post.users.clone();
            for tag in &post.tags {
                let tagged: Vec<String> = sql::all(
                    &cx.conn,
                    "SELECT friend_id FROM contact_tags WHERE user_id = $1 AND tag = $2",
                    &[&a, tag],
                    |r| r.get(0),
                )?;
                if tagged.is_empty() {
                    return Err(ApiError::invalid(format!(
                        "tags: you have no contact tagged \"{tag}\""
                    )));
                }
                for t in tagged {
                    chosen.push(super::parse_uuid(&t)?);
                }
            }
            for u in &post.users {
                if !super::contacts::has_contact(&cx.conn, author, *u)? {
                    return Err(ApiError::invalid(format!(
                        "users: {u} is not in your contacts"
                    )));
                }
            }
            let id = Uuid::now_v7();
            let images = serde_json::to_string(&post.images)
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            let link = post
                .link
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            sql::exec(
                &cx.conn,
                "INSERT INTO moment_posts (id, author_id, text, images, link, visibility, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &id.to_string(),
                    &a,
                    &post.text,
                    &images,
                    &link,
                    &visibility_str(post.visibility),
                    &now_ms(),
                ],
            )?;
            if matches!(post.visibility, Visibility::Only | Visibility::Except) {
                for u in chosen {
                    sql::exec(
                        &cx.conn,
                        "INSERT INTO moment_audience (post_id, user_id) VALUES ($1, $2)
                         ON CONFLICT DO NOTHING",
                        &[&id.to_string(), &u.to_string()],
                    )?;
                }
            }
            for hash in pictures {
                sql::exec(
                    &cx.conn,
                    "INSERT INTO moment_blobs (hash, post_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    &[hash, &id.to_string()],
                )?;
            }
            let viewers: Vec<Uuid> = audience(&cx.conn, id)?
                .into_iter()
                .filter(|v| *v != author)
                .collect();
            let me = user(&cx.conn, author)?;
            cx.out.append_all(
                &cx.conn,
                &viewers,
                EventBody::MomentPosted {
                    post_id: id,
                    author: me,
                },
            )?;
            render(&cx.conn, author, seen(&cx.conn, author, id)?)
        })
        .await
    }

    /// My timeline: my posts and my friends' that I may see, newest first.
    pub async fn timeline(
        &self,
        viewer: Uuid,
        before: Option<Uuid>,
        limit: u32,
    ) -> ApiResult<PostPage> {
        self.reads
            .run(move |c| {
                let before = before.map_or("z".to_string(), |b| b.to_string());
                let rows = sql::all(
                    c,
                    &TIMELINE,
                    &[&viewer.to_string(), &now_ms(), &before, &limit],
                    post_row,
                )?;
                page(c, viewer, rows, limit as usize)
            })
            .await
    }

    /// Someone's album as `viewer` may see it.
    pub async fn album(
        &self,
        viewer: Uuid,
        author: Uuid,
        before: Option<Uuid>,
        limit: u32,
    ) -> ApiResult<PostPage> {
        self.reads
            .run(move |c| {
                let before = before.map_or("z".to_string(), |b| b.to_string());
                let rows = sql::all(
                    c,
                    &ALBUM,
                    &[
                        &viewer.to_string(),
                        &now_ms(),
                        &before,
                        &limit,
                        &author.to_string(),
                    ],
                    post_row,
                )?;
                page(c, viewer, rows, limit as usize)
            })
            .await
    }

    pub async fn post(&self, viewer: Uuid, post: Uuid) -> ApiResult<Post> {
        self.reads
            .run(move |c| render(c, viewer, seen(c, viewer, post)?))
            .await
    }

    /// Deletes my post: gone for everyone, its images no longer reachable through it.
    pub async fn delete_post(&self, author: Uuid, post: Uuid) -> ApiResult<()> {
        self.write(move |cx| {
            let viewers = audience(&cx.conn, post)?;
            let changed = sql::exec(
                &cx.conn,
                "UPDATE moment_posts SET deleted_at = $3
                 WHERE id = $1 AND author_id = $2 AND deleted_at IS NULL",
                &[&post.to_string(), &author.to_string(), &now_ms()],
            )?;
            if changed == 0 {
                return Err(post_not_found());
            }
            sql::exec(
                &cx.conn,
                "DELETE FROM moment_blobs WHERE post_id = $1",
                &[&post.to_string()],
            )?;
            cx.out.append_all(
                &cx.conn,
                &viewers,
                EventBody::MomentDeleted { post_id: post },
            )
        })
        .await
    }

    pub async fn like(&self, viewer: Uuid, post: Uuid, like: bool) -> ApiResult<Post> {
        self.write(move |cx| {
            let (v, p) = (viewer.to_string(), post.to_string());
            let row = seen(&cx.conn, viewer, post)?;
            let author = super::parse_uuid(&row.1)?;
            if like {
                let added = sql::exec(
                    &cx.conn,
                    "INSERT INTO moment_likes (post_id, user_id, created_at) VALUES ($1, $2, $3)
                     ON CONFLICT DO NOTHING",
                    &[&p, &v, &now_ms()],
                )?;
                if added > 0 {
                    notify(cx, author, post, MomentNoticeKind::Like, viewer, "")?;
                }
            } else {
                sql::exec(
                    &cx.conn,
                    "DELETE FROM moment_likes WHERE post_id = $1 AND user_id = $2",
                    &[&p, &v],
                )?;
            }
            render(&cx.conn, viewer, row)
        })
        .await
    }

    pub async fn comment(&self, viewer: Uuid, post: Uuid, new: NewComment) -> ApiResult<Post> {
        self.write(move |cx| {
            let row = seen(&cx.conn, viewer, post)?;
            let author = super::parse_uuid(&row.1)?;
            // One may reply only to a comment one can see.
            let reply_to = match new.reply_to {
                None => None,
                Some(cid) => {
                    let shown = render(&cx.conn, viewer, row.clone())?;
                    let c = shown
                        .comments
                        .iter()
                        .find(|c| c.id == cid)
                        .ok_or_else(comment_not_found)?;
                    Some(c.author.id)
                }
            };
            sql::exec(
                &cx.conn,
                "INSERT INTO moment_comments (id, post_id, author_id, reply_to_id, text, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &Uuid::now_v7().to_string(),
                    &post.to_string(),
                    &viewer.to_string(),
                    &reply_to.map(|u| u.to_string()),
                    &new.text,
                    &now_ms(),
                ],
            )?;
            if let Some(to) = reply_to {
                notify(cx, to, post, MomentNoticeKind::Reply, viewer, &new.text)?;
            }
            if reply_to != Some(author) {
                notify(
                    cx,
                    author,
                    post,
                    MomentNoticeKind::Comment,
                    viewer,
                    &new.text,
                )?;
            }
            render(&cx.conn, viewer, row)
        })
        .await
    }

    /// Deletes a comment: its author may, and so may the post's author.
    pub async fn delete_comment(&self, viewer: Uuid, post: Uuid, comment: Uuid) -> ApiResult<()> {
        self.write(move |cx| {
            seen(&cx.conn, viewer, post)?;
            let changed = sql::exec(
                &cx.conn,
                "UPDATE moment_comments SET deleted_at = $4
                 WHERE id = $1 AND post_id = $2 AND deleted_at IS NULL
                   AND (author_id = $3
                        OR EXISTS (SELECT 1 FROM moment_posts p WHERE p.id = $2 AND p.author_id = $3))",
                &[
                    &comment.to_string(),
                    &post.to_string(),
                    &viewer.to_string(),
                    &now_ms(),
                ],
            )?;
            if changed == 0 {
                return Err(comment_not_found());
            }
            Ok(())
        })
        .await
    }
}
