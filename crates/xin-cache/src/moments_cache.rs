//! Moments in the account cache: the feed as the server last rendered it for me (so it opens
//! offline and scrolls back without waiting), the likes, comments and replies that concern me
//! in the order they happened, and the Moments icon's badge.

use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;
use xin_proto::{Event, EventBody, MomentNotice, MomentUser, Post, PostPage};

use crate::{
    cache::AccountDb,
    changes::Changes,
    error::CoreResult,
    json::{from_json, to_json},
};

/// Posts per page read from the cache, as the server pages them.
pub const FEED_PAGE: usize = 20;

/// Notices the messages list keeps.
const NOTICES_KEPT: i64 = 500;

/// How far back in the event log a new device looks for notices.
pub const NOTICES_LOOKBACK: i64 = 1000;

/// A like, comment or reply that concerns me, with the post it is about (as far as the cache
/// knows it) for the messages list.
#[derive(Debug, Clone, Serialize, TS)]
pub struct MomentNoticeView {
    /// The event it came with; newer is higher.
    #[ts(type = "number")]
    pub seq: i64,
    /// Who liked or commented on which post.
    pub notice: MomentNotice,
    /// The post's first picture, if it has one and is cached.
    pub post_image: Option<String>,
    /// The post's text, when it has no picture.
    pub post_text: String,
    /// Not yet seen on the notices page.
    pub unread: bool,
}

/// What the Moments icon shows.
#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct MomentsBadge {
    /// Likes, comments and replies I have not read.
    pub unread: u32,
    /// Who sent the newest of them (its avatar sits on the icon).
    pub newest: Option<MomentUser>,
    /// A friend who posted since I last opened Moments (a dot when nothing is unread).
    pub new_post_by: Option<MomentUser>,
}

/// Applies a Moments event inside the sync transaction.
pub fn apply(
    tx: &Transaction<'_>,
    seq: i64,
    body: &EventBody,
    changes: &mut Changes,
) -> CoreResult<()> {
    match body {
        EventBody::MomentPosted { author, .. } => {
            tx.execute(
                "UPDATE moments_seen SET newest_poster = ?1",
                params![to_json(author)?],
            )?;
        }
        EventBody::MomentNotice { notice } => {
            tx.execute(
                "INSERT INTO moment_notices (seq, post_id, body) VALUES (?1, ?2, ?3)
                 ON CONFLICT (seq) DO NOTHING",
                params![seq, notice.post_id.to_string(), to_json(notice)?],
            )?;
            tx.execute(
                "DELETE FROM moment_notices WHERE seq NOT IN
                   (SELECT seq FROM moment_notices ORDER BY seq DESC LIMIT ?1)",
                params![NOTICES_KEPT],
            )?;
        }
        // Gone from this cache at once, whether or not the feed is open.
        EventBody::MomentDeleted { post_id } => {
            tx.execute(
                "DELETE FROM moment_posts WHERE id = ?1",
                params![post_id.to_string()],
            )?;
            tx.execute(
                "DELETE FROM moment_notices WHERE post_id = ?1",
                params![post_id.to_string()],
            )?;
        }
        _ => return Ok(()),
    }
    changes.moments = true;
    Ok(())
}

impl AccountDb {
    /// A new device starts from a snapshot, past the log's notices: it keeps the recent ones
    /// (the messages list is not empty on a new computer).
    pub fn keep_notices(&mut self, events: &[Event]) -> CoreResult<()> {
        let tx = self.0.transaction()?;
        let mut changes = Changes::default();
        for e in events {
            if matches!(e.body, EventBody::MomentNotice { .. }) {
                apply(&tx, e.seq, &e.body, &mut changes)?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Stores a page the server sent for `before`. The page is the whole truth for the stretch
    /// of time it covers, so cached posts in that stretch that it lacks (deleted, or no longer
    /// visible to me) go.
    pub fn save_feed_page(&mut self, before: Option<Uuid>, page: &PostPage) -> CoreResult<()> {
        let tx = self.0.transaction()?;
        let upper = before.map_or_else(|| "z".to_string(), |b| b.to_string());
        let lower = match (page.next, page.posts.last()) {
            (Some(_), Some(last)) => last.id.to_string(),
            _ => String::new(),
        };
        tx.execute(
            "DELETE FROM moment_posts WHERE id < ?1 AND id >= ?2",
            params![upper, lower],
        )?;
        for post in &page.posts {
            put_post(&tx, post)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// A post as I now see it (after my like or comment, or a post of mine).
    pub fn save_post(&mut self, post: &Post) -> CoreResult<()> {
        let tx = self.0.transaction()?;
        put_post(&tx, post)?;
        tx.commit()?;
        Ok(())
    }

    /// Forgets a deleted post.
    pub fn forget_post(&self, post: Uuid) -> CoreResult<()> {
        self.0.execute(
            "DELETE FROM moment_posts WHERE id = ?1",
            params![post.to_string()],
        )?;
        Ok(())
    }

    /// Every cached post, newest first (search scans them: a timeline cache is small).
    pub fn cached_feed_all(&self) -> CoreResult<Vec<Post>> {
        let mut stmt = self
            .0
            .prepare("SELECT body FROM moment_posts ORDER BY id DESC")?;
        let posts = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .map(|b| from_json::<Post>(&b?))
            .collect();
        posts
    }

    /// The cached feed, newest first, for offline reading; a page before `before`.
    pub fn cached_feed(&self, before: Option<Uuid>) -> CoreResult<PostPage> {
        let upper = before.map_or_else(|| "z".to_string(), |b| b.to_string());
        let mut stmt = self
            .0
            .prepare("SELECT body FROM moment_posts WHERE id < ?1 ORDER BY id DESC LIMIT ?2")?;
        let posts = stmt
            .query_map(params![upper, FEED_PAGE as i64], |r| r.get::<_, String>(0))?
            .map(|b| from_json::<Post>(&b?))
            .collect::<CoreResult<Vec<_>>>()?;
        let next = (posts.len() == FEED_PAGE)
            .then(|| posts.last().map(|p| p.id))
            .flatten();
        Ok(PostPage { posts, next })
    }

    /// Likes, comments and replies that concern me, newest first.
    pub fn moment_notices(&self) -> CoreResult<Vec<MomentNoticeView>> {
        let read = self.notices_read()?;
        let mut stmt = self.0.prepare(
            "SELECT n.seq, n.body, p.body FROM moment_notices n
             LEFT JOIN moment_posts p ON p.id = n.post_id
             ORDER BY n.seq DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })?;
        rows.map(|row| {
            let (seq, notice, post) = row?;
            let post = post.map(|p| from_json::<Post>(&p)).transpose()?;
            Ok(MomentNoticeView {
                seq,
                notice: from_json(&notice)?,
                post_image: post.as_ref().and_then(|p| p.images.first().cloned()),
                post_text: post.map(|p| p.text).unwrap_or_default(),
                unread: seq > read,
            })
        })
        .collect()
    }

    fn notices_read(&self) -> CoreResult<i64> {
        Ok(self
            .0
            .query_row("SELECT notices_seq FROM moments_seen", [], |r| r.get(0))?)
    }

    /// The messages list was opened: every notice so far is read. Answers whether that
    /// changed anything.
    pub fn mark_notices_read(&self) -> CoreResult<bool> {
        let changed = self.0.execute(
            "UPDATE moments_seen SET notices_seq = (SELECT MAX(seq) FROM moment_notices)
             WHERE notices_seq < (SELECT MAX(seq) FROM moment_notices)",
            [],
        )?;
        Ok(changed > 0)
    }

    /// The feed was opened: friends' new posts are seen. Answers whether that changed anything.
    pub fn mark_feed_seen(&self) -> CoreResult<bool> {
        let changed = self.0.execute(
            "UPDATE moments_seen SET newest_poster = NULL WHERE newest_poster IS NOT NULL",
            [],
        )?;
        Ok(changed > 0)
    }

    /// What the Moments entry's badge shows.
    pub fn moments_badge(&self) -> CoreResult<MomentsBadge> {
        let read = self.notices_read()?;
        let unread: u32 = self.0.query_row(
            "SELECT COUNT(*) FROM moment_notices WHERE seq > ?1",
            params![read],
            |r| r.get(0),
        )?;
        let newest = self
            .0
            .query_row(
                "SELECT body FROM moment_notices WHERE seq > ?1 ORDER BY seq DESC LIMIT 1",
                params![read],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .map(|b| from_json::<MomentNotice>(&b).map(|n| n.from))
            .transpose()?;
        let poster: Option<String> =
            self.0
                .query_row("SELECT newest_poster FROM moments_seen", [], |r| r.get(0))?;
        Ok(MomentsBadge {
            unread,
            newest,
            new_post_by: poster.map(|p| from_json(&p)).transpose()?,
        })
    }
}

fn put_post(tx: &Transaction<'_>, post: &Post) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO moment_posts (id, body) VALUES (?1, ?2)
         ON CONFLICT (id) DO UPDATE SET body = excluded.body",
        params![post.id.to_string(), to_json(post)?],
    )?;
    Ok(())
}
