//! Moments, as the desktop uses them: the feed and posts are read from the server (which alone
//! decides who sees what); pictures for a post are uploaded when picked, so the composer can
//! show them and posting is one small request.

use std::{
    io::{Read, Seek, SeekFrom},
    path::{Path, PathBuf},
};

use reqwest::Method;
use uuid::Uuid;
use xin_proto::{
    MomentsSettings, NewComment, NewPost, PersonMoments, Post, PostPage, MAX_POST_IMAGES,
};

use crate::{
    engine::Engine,
    error::{CoreError, CoreResult},
    events::CoreEvent,
    media,
    moments_cache::{MomentNoticeView, MomentsBadge, FEED_PAGE},
};

/// Bytes per PATCH when uploading a picture.
const CHUNK: u64 = 8 << 20;

fn file_error(path: &Path, e: impl std::fmt::Display) -> CoreError {
    CoreError::File(format!("{}: {e}", path.display()))
}

/// The picture at `path`: its hash, size and name, refusing anything that is not an image.
fn picture(path: &Path) -> CoreResult<(String, u64, String)> {
    let mut head = [0u8; 16];
    let mut f = std::fs::File::open(path).map_err(|e| file_error(path, e))?;
    let n = f.read(&mut head).map_err(|e| file_error(path, e))?;
    let head = &head[..n];
    let image = [&b"\xff\xd8\xff"[..], b"\x89PNG", b"GIF8"]
        .iter()
        .any(|magic| head.starts_with(magic))
        || (head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP"));
    if !image {
        return Err(file_error(path, "not a photo (JPEG, PNG, GIF or WebP)"));
    }
    let size = f.metadata().map_err(|e| file_error(path, e))?.len();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "photo".into());
    Ok((media::hash_file(path)?, size, name))
}

fn read_at(path: &Path, offset: u64, len: u64) -> CoreResult<Vec<u8>> {
    let mut f = std::fs::File::open(path).map_err(|e| file_error(path, e))?;
    f.seek(SeekFrom::Start(offset))
        .map_err(|e| file_error(path, e))?;
    let mut buf = Vec::new();
    f.take(len)
        .read_to_end(&mut buf)
        .map_err(|e| file_error(path, e))?;
    Ok(buf)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> CoreResult<T> + Send + 'static,
) -> CoreResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| CoreError::File(format!("worker: {e}")))?
}

impl Engine {
    /// My timeline, newest first; `before` pages back. Read from the server and kept in the
    /// cache; when the server cannot be reached, the cache answers.
    pub async fn moments(&self, before: Option<Uuid>) -> CoreResult<PostPage> {
        let path = match before {
            Some(b) => format!("/moments?before={b}&limit={FEED_PAGE}"),
            None => format!("/moments?limit={FEED_PAGE}"),
        };
        let account = self.require_account().await?;
        match self
            .authed_json::<(), PostPage>(Method::GET, path, None)
            .await
        {
            Ok(page) => {
                account.db.lock().await.save_feed_page(before, &page)?;
                Ok(page)
            }
            Err(CoreError::Unreachable(_)) => account.db.lock().await.cached_feed(before),
            Err(e) => Err(e),
        }
    }

    /// The timeline as last seen, at once and without the network (the feed's first paint).
    pub async fn cached_moments(&self, before: Option<Uuid>) -> CoreResult<PostPage> {
        let account = self.require_account().await?;
        let page = account.db.lock().await.cached_feed(before);
        page
    }

    /// Likes, comments and replies that concern me, newest first.
    pub async fn moment_notices(&self) -> CoreResult<Vec<MomentNoticeView>> {
        let account = self.require_account().await?;
        let notices = account.db.lock().await.moment_notices();
        notices
    }

    /// The messages list was read.
    pub async fn mark_moment_notices_read(&self) -> CoreResult<()> {
        let account = self.require_account().await?;
        if account.db.lock().await.mark_notices_read()? {
            self.emit(CoreEvent::MomentsChanged);
        }
        Ok(())
    }

    /// The feed was opened.
    pub async fn mark_moments_seen(&self) -> CoreResult<()> {
        let account = self.require_account().await?;
        if account.db.lock().await.mark_feed_seen()? {
            self.emit(CoreEvent::MomentsChanged);
        }
        Ok(())
    }

    pub async fn moments_badge(&self) -> CoreResult<MomentsBadge> {
        let account = self.require_account().await?;
        let badge = account.db.lock().await.moments_badge();
        badge
    }

    /// Someone's album as I may see it (mine included), newest first.
    pub async fn album(&self, user: Uuid, before: Option<Uuid>) -> CoreResult<PostPage> {
        let path = match before {
            Some(b) => format!("/users/{user}/moments?before={b}"),
            None => format!("/users/{user}/moments"),
        };
        self.authed_json::<(), _>(Method::GET, path, None).await
    }

    /// A post as I see it now, kept in the cache.
    async fn keep_post(&self, post: Post) -> CoreResult<Post> {
        let account = self.require_account().await?;
        account.db.lock().await.save_post(&post)?;
        Ok(post)
    }

    pub async fn like_post(&self, post: Uuid, like: bool) -> CoreResult<Post> {
        let method = if like { Method::PUT } else { Method::DELETE };
        let post = self
            .authed_json::<(), _>(method, format!("/moments/{post}/like"), None)
            .await?;
        self.keep_post(post).await
    }

    pub async fn comment_post(
        &self,
        post: Uuid,
        text: String,
        reply_to: Option<Uuid>,
    ) -> CoreResult<Post> {
        let post = self
            .authed_json(
                Method::POST,
                format!("/moments/{post}/comments"),
                Some(NewComment { text, reply_to }),
            )
            .await?;
        self.keep_post(post).await
    }

    /// Deletes one of my comments, or any comment on my post.
    pub async fn delete_comment(&self, post: Uuid, comment: Uuid) -> CoreResult<()> {
        self.authed_call::<(), serde_json::Value>(
            Method::DELETE,
            format!("/moments/{post}/comments/{comment}"),
            None,
        )
        .await?;
        let fresh = self
            .authed_json::<(), Post>(Method::GET, format!("/moments/{post}"), None)
            .await?;
        self.keep_post(fresh).await.map(|_| ())
    }

    pub async fn delete_post(&self, post: Uuid) -> CoreResult<()> {
        self.authed_call::<(), serde_json::Value>(Method::DELETE, format!("/moments/{post}"), None)
            .await?;
        let account = self.require_account().await?;
        account.db.lock().await.forget_post(post)?;
        self.emit(CoreEvent::MomentsChanged);
        Ok(())
    }

    pub async fn create_post(&self, post: NewPost) -> CoreResult<Post> {
        let post = self
            .authed_json(Method::POST, "/moments".into(), Some(post))
            .await?;
        self.keep_post(post).await
    }

    /// The tags I give a contact (they reach my other devices as a contact update).
    pub async fn set_contact_tags(&self, user: Uuid, tags: Vec<String>) -> CoreResult<()> {
        self.authed_call::<_, serde_json::Value>(
            Method::PUT,
            format!("/contacts/{user}/tags"),
            Some(xin_proto::ContactTags { tags }),
        )
        .await
        .map(|_| ())
    }

    /// My Moments rules for one person.
    pub async fn person_moments(&self, user: Uuid) -> CoreResult<PersonMoments> {
        self.authed_json::<(), _>(Method::GET, format!("/moments/people/{user}"), None)
            .await
    }

    pub async fn set_person_moments(&self, user: Uuid, rules: PersonMoments) -> CoreResult<()> {
        self.authed_call::<_, serde_json::Value>(
            Method::PUT,
            format!("/moments/people/{user}"),
            Some(rules),
        )
        .await
        .map(|_| ())
    }

    /// How far back friends may look in my Moments.
    pub async fn moments_settings(&self) -> CoreResult<MomentsSettings> {
        self.authed_json::<(), _>(Method::GET, "/moments/settings".into(), None)
            .await
    }

    pub async fn set_moments_settings(&self, settings: MomentsSettings) -> CoreResult<()> {
        self.authed_call::<_, serde_json::Value>(
            Method::PUT,
            "/moments/settings".into(),
            Some(settings),
        )
        .await
        .map(|_| ())
    }

    /// Uploads pictures for a post (at most nine); answers their hashes, in order.
    pub async fn upload_post_images(&self, paths: Vec<PathBuf>) -> CoreResult<Vec<String>> {
        if paths.len() > MAX_POST_IMAGES {
            return Err(CoreError::File(format!(
                "A post takes at most {MAX_POST_IMAGES} photos."
            )));
        }
        let mut hashes = Vec::with_capacity(paths.len());
        for path in paths {
            hashes.push(self.upload_picture(path).await?);
        }
        Ok(hashes)
    }

    async fn upload_picture(&self, path: PathBuf) -> CoreResult<String> {
        let p = path.clone();
        let (hash, size, name) = blocking(move || picture(&p)).await?;
        let account = self.require_account().await?;
        let api = account.api.clone();
        let created = account
            .with_access(|a| {
                let (api, hash, name) = (api.clone(), hash.clone(), name.clone());
                async move { api.create_upload(&a, size, &hash, &name).await }
            })
            .await?;
        let Some(location) = created.location.filter(|_| !created.complete) else {
            return Ok(hash);
        };
        let mut offset = created.offset;
        while offset < size {
            let p = path.clone();
            let chunk = blocking(move || read_at(&p, offset, CHUNK)).await?;
            let checksum = *blake3::hash(&chunk).as_bytes();
            let chunk = bytes::Bytes::from(chunk);
            offset = account
                .with_access(|a| {
                    let (api, location, chunk) = (api.clone(), location.clone(), chunk.clone());
                    async move {
                        api.upload_chunk(&a, &location, offset, chunk, checksum)
                            .await
                    }
                })
                .await?;
        }
        Ok(hash)
    }
}
