//! Blob metadata: uploads in progress, who holds which blob, who may download it, and what the
//! garbage collector may take. The bytes themselves live in `files::storage`.

use uuid::Uuid;
use xin_proto::{BlobRef, ErrorCode};

use super::{
    parse_uuid, sql,
    upload_parts::{forget_parts, OpenMultipart},
    Store,
};
use crate::{
    error::{ApiError, ApiResult},
    time::now_ms,
};

#[derive(Debug, Clone)]
pub struct UploadRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub size: u64,
    pub hash: String,
    pub name: String,
    pub received: u64,
}

/// What a download needs to answer.
#[derive(Debug, Clone)]
pub struct BlobInfo {
    pub size: u64,
    pub media_type: String,
}

/// What one garbage collection removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Collected {
    /// Abandoned uploads, whose staged bytes are to be deleted.
    pub uploads: Vec<Uuid>,
    /// Blobs nothing references any more, whose bytes are to be deleted.
    pub blobs: Vec<String>,
    /// The object store's multipart uploads of abandoned uploads, to be aborted.
    pub multiparts: Vec<OpenMultipart>,
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn upload_not_found() -> ApiError {
    ApiError::new(
        ErrorCode::UploadNotFound,
        "No such upload: it was finished, cancelled or abandoned. Start a new one.",
    )
}

/// Whether `user` may read `hash`: they uploaded it, or they are an active member of a
/// conversation where a message that is not recalled, and was sent since they joined, points
/// at it. Shared by downloads and by sends (one may only attach what one may read, so knowing
/// a hash is never enough).
const MAY_READ: &str = "SELECT 1 FROM blob_owners WHERE user_id = $1 AND hash = $2
     UNION ALL
     SELECT 1 FROM message_blobs mb
       JOIN members m ON m.conversation_id = mb.conversation_id AND m.user_id = $1 AND m.active = 1
       JOIN messages msg ON msg.id = mb.message_id AND msg.recalled = 0 AND msg.seq >= m.history_from
      WHERE mb.hash = $2
     LIMIT 1";

/// [`MAY_READ`], or the image of a Moments post `user` may see.
pub(crate) fn may_read(c: &sql::Conn, user: &str, hash: &str) -> ApiResult<bool> {
    Ok(
        sql::one(c, MAY_READ, &[&user, &hash], |_| Ok(()))?.is_some()
            || sql::one(c, &super::moments::IMAGE_VISIBLE, &[&user, &hash, &now_ms()], |_| {
                Ok(())
            })?
            .is_some()
            // Official accounts' pictures and their articles' are public to anyone signed in.
            || sql::one(
                c,
                "SELECT 1 FROM official_article_blobs WHERE hash = $1
                 UNION ALL SELECT 1 FROM official_accounts WHERE avatar = $1 LIMIT 1",
                &[&hash],
                |_| Ok(()),
            )?
            .is_some(),
    )
}

/// Bytes user `$1` holds: files they own, uploads they started, and the packages of the
/// mini-programs of the official accounts they own.
pub(super) const STORAGE_USED: &str = "SELECT CAST(
   COALESCE((SELECT SUM(b.size) FROM blob_owners o JOIN blobs b ON b.hash = o.hash
              WHERE o.user_id = $1), 0)
 + COALESCE((SELECT SUM(size) FROM uploads WHERE user_id = $1), 0)
 + COALESCE((SELECT SUM(v.size) FROM mini_program_versions v
              JOIN mini_programs m ON m.id = v.mini_program_id
              JOIN official_accounts a ON a.id = m.account_id
              WHERE a.owner_id = $1), 0) AS BIGINT) AS used";

/// A new upload, inserted only if it fits: `$7` is the quota.
static CREATE_UPLOAD: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let used = STORAGE_USED.replace("$1", "$2");
    format!(
        "INSERT INTO uploads (id, user_id, size, hash, name, received, created_at, updated_at)
         SELECT $1, $2, $3, $4, $5, 0, $6, $6 WHERE ({used}) + $3 <= $7"
    )
});

/// Refuses what does not fit in a user's storage, saying how full it is.
pub fn quota_exceeded(used: u64, quota: u64) -> ApiError {
    ApiError::new(
        ErrorCode::QuotaExceeded,
        format!(
            "Your storage is full ({} of {} MiB used). Delete some chats' files or ask the server's admin for more.",
            used >> 20,
            quota >> 20
        ),
    )
}

impl Store {
    /// Bytes `user` holds or has promised by starting uploads: what the quota counts.
    pub async fn storage_used(&self, user: Uuid) -> ApiResult<u64> {
        let used = self
            .reads
            .run(move |c| sql::one(c, STORAGE_USED, &[&user.to_string()], |r| r.get("used")))
            .await?;
        Ok(to_u64(used.unwrap_or(0)))
    }

    /// Whether `user` already holds `hash` (an "instant upload"); touching it restarts its grace.
    pub async fn touch_own_blob(&self, user: Uuid, hash: &str) -> ApiResult<bool> {
        self.change_one(
            "UPDATE blob_owners SET touched_at = $3 WHERE user_id = $1 AND hash = $2",
            vec![
                Box::new(user.to_string()),
                Box::new(hash.to_owned()),
                Box::new(now_ms()),
            ],
        )
        .await
    }

    /// Records a new upload if it fits in `quota` with everything `u.user_id` already holds:
    /// the check and the insert are one statement, after the user's row lock (which every
    /// quota check takes first), so parallel uploads — on any writer, on any node — cannot all
    /// pass a check made before any of them was counted. False when it does not fit.
    pub async fn create_upload(&self, u: &UploadRow, quota: u64) -> ApiResult<bool> {
        let u = u.clone();
        self.write(move |cx| {
            sql::lock_row(&cx.conn, "users", u.user_id)?;
            let inserted = sql::exec(
                &cx.conn,
                CREATE_UPLOAD.as_str(),
                &[
                    &u.id.to_string(),
                    &u.user_id.to_string(),
                    &to_i64(u.size),
                    &u.hash,
                    &u.name,
                    &now_ms(),
                    &to_i64(quota),
                ],
            )?;
            Ok(inserted == 1)
        })
        .await
    }

    /// `user`'s upload `id` (someone else's is "not found" too).
    pub async fn upload(&self, user: Uuid, id: Uuid) -> ApiResult<UploadRow> {
        self.reads
            .run(move |c| {
                sql::one(
                    c,
                    "SELECT id, user_id, size, hash, name, received FROM uploads WHERE id = $1 AND user_id = $2",
                    &[&id.to_string(), &user.to_string()],
                    |r| {
                        Ok(UploadRow {
                            id: parse_uuid(&r.get::<_, String>("id")?)?,
                            user_id: parse_uuid(&r.get::<_, String>("user_id")?)?,
                            size: to_u64(r.get("size")?),
                            hash: r.get("hash")?,
                            name: r.get("name")?,
                            received: to_u64(r.get("received")?),
                        })
                    },
                )
            })
            .await?
            .ok_or_else(upload_not_found)
    }

    /// Which of `ids` are uploads still in progress.
    pub async fn uploads_in_progress(&self, ids: &[Uuid]) -> ApiResult<Vec<Uuid>> {
        let ids = ids.to_vec();
        self.reads
            .run(move |c| {
                let mut live = Vec::new();
                for id in ids {
                    if sql::one(
                        c,
                        "SELECT 1 FROM uploads WHERE id = $1",
                        &[&id.to_string()],
                        |_| Ok(()),
                    )?
                    .is_some()
                    {
                        live.push(id);
                    }
                }
                Ok(live)
            })
            .await
    }

    /// Records verified bytes as durable. Checkpoints may land out of order: only forward.
    pub async fn upload_received(&self, id: Uuid, received: u64) -> ApiResult<()> {
        self.change_one(
            "UPDATE uploads SET received = $2, updated_at = $3 WHERE id = $1 AND received < $2",
            vec![
                Box::new(id.to_string()),
                Box::new(to_i64(received)),
                Box::new(now_ms()),
            ],
        )
        .await
        .map(|_| ())
    }

    /// Removes an upload; answers the multipart upload holding its parts in the object store,
    /// if it had one, to be aborted.
    pub async fn delete_upload(&self, id: Uuid) -> ApiResult<Option<OpenMultipart>> {
        self.write(move |cx| {
            let id = id.to_string();
            forget_parts(&cx.conn, &id)?;
            let open = sql::one(
                &cx.conn,
                "DELETE FROM uploads WHERE id = $1 RETURNING hash, multipart",
                &[&id],
                |r| Ok((r.get(0)?, r.get::<_, Option<String>>(1)?)),
            )?;
            Ok(open.and_then(|(hash, multipart)| {
                multipart.map(|multipart| OpenMultipart { hash, multipart })
            }))
        })
        .await
    }

    /// A verified upload becomes a blob `user` holds, in one transaction.
    pub async fn finish_upload(&self, upload: &UploadRow, media_type: &str) -> ApiResult<()> {
        let now = now_ms();
        let (id, user, hash, size) = (
            upload.id.to_string(),
            upload.user_id.to_string(),
            upload.hash.clone(),
            to_i64(upload.size),
        );
        let media_type = media_type.to_owned();
        self.write(move |cx| {
            let c = &cx.conn;
            sql::exec(
                c,
                "INSERT INTO blobs (hash, size, media_type, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (hash) DO NOTHING",
                &[&hash, &size, &media_type, &now],
            )?;
            sql::exec(
                c,
                "INSERT INTO blob_owners (user_id, hash, touched_at) VALUES ($1, $2, $3)
                 ON CONFLICT (user_id, hash) DO UPDATE SET touched_at = excluded.touched_at",
                &[&user, &hash, &now],
            )?;
            forget_parts(c, &id)?;
            sql::exec(c, "DELETE FROM uploads WHERE id = $1", &[&id])?;
            Ok(())
        })
        .await
    }

    /// The blob, if `user` may download it. Anyone else gets the same "not found" as for a
    /// hash that does not exist, so a download reveals nothing about other people's files.
    pub async fn readable_blob(&self, user: Uuid, hash: &str) -> ApiResult<BlobInfo> {
        let not_found = || ApiError::new(ErrorCode::BlobNotFound, "No such file.");
        let (user, hash) = (user.to_string(), hash.to_string());
        let row = self
            .reads
            .run(move |c| {
                if !may_read(c, &user, &hash)? {
                    return Ok(None);
                }
                sql::one(
                    c,
                    "SELECT size, media_type FROM blobs WHERE hash = $1",
                    &[&hash],
                    |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
                )
            })
            .await?
            .ok_or_else(not_found)?;
        Ok(BlobInfo {
            size: to_u64(row.0),
            media_type: row.1,
        })
    }

    /// Removes uploads untouched since `cutoff_ms` and the ownership of files their owners have
    /// not touched since then; answers those uploads (whose staged bytes are to be deleted) and
    /// the blobs nothing references any more: each to be dropped with [`Store::drop_blob`]
    /// under its lock, then its bytes deleted.
    pub async fn collect_garbage(&self, cutoff_ms: i64) -> ApiResult<Collected> {
        self.write(move |cx| {
            let c = &cx.conn;
            let gone = sql::all(
                c,
                "DELETE FROM uploads WHERE updated_at < $1 RETURNING id, hash, multipart",
                &[&cutoff_ms],
                |r| {
                    let id: String = r.get(0)?;
                    let open = r
                        .get::<_, Option<String>>(2)?
                        .map(|multipart| -> ApiResult<OpenMultipart> {
                            Ok(OpenMultipart {
                                hash: r.get(1)?,
                                multipart,
                            })
                        })
                        .transpose()?;
                    Ok((id, open))
                },
            )?;
            let mut uploads = Vec::new();
            let mut multiparts = Vec::new();
            for (id, open) in gone {
                forget_parts(c, &id)?;
                uploads.push(parse_uuid(&id)?);
                multiparts.extend(open);
            }
            // An owner keeps what their published pictures (articles, account pictures) show,
            // so they may use them again in new articles.
            sql::exec(
                c,
                "DELETE FROM blob_owners WHERE touched_at < $1
                   AND NOT EXISTS (SELECT 1 FROM message_blobs mb WHERE mb.hash = blob_owners.hash)
                   AND NOT EXISTS (SELECT 1 FROM official_article_blobs ab WHERE ab.hash = blob_owners.hash)
                   AND NOT EXISTS (SELECT 1 FROM official_accounts oa WHERE oa.avatar = blob_owners.hash)",
                &[&cutoff_ms],
            )?;
            let blobs = sql::all(
                c,
                &format!("SELECT hash FROM blobs WHERE {UNREFERENCED}"),
                &[],
                |r| r.get(0),
            )?;
            Ok(Collected {
                uploads,
                blobs,
                multiparts,
            })
        })
        .await
    }

    /// Removes blob `hash` if nothing references it (still); true when it did: its bytes are
    /// then to be deleted.
    pub async fn drop_blob(&self, hash: String) -> ApiResult<bool> {
        self.write(move |cx| {
            let sql = format!("DELETE FROM blobs WHERE hash = $1 AND {UNREFERENCED}");
            Ok(sql::exec(&cx.conn, &sql, &[&hash])? == 1)
        })
        .await
    }
}

/// A blob no owner holds and nothing shows.
const UNREFERENCED: &str = "NOT EXISTS (SELECT 1 FROM blob_owners o WHERE o.hash = blobs.hash)
    AND NOT EXISTS (SELECT 1 FROM message_blobs mb WHERE mb.hash = blobs.hash)
    AND NOT EXISTS (SELECT 1 FROM moment_blobs pb WHERE pb.hash = blobs.hash)
    AND NOT EXISTS (SELECT 1 FROM official_article_blobs ab WHERE ab.hash = blobs.hash)
    AND NOT EXISTS (SELECT 1 FROM official_accounts oa WHERE oa.avatar = blobs.hash)";

/// In the writer, before a message is stored: every blob it points at exists with that size
/// and the sender may read it.
pub(crate) fn check_attachable(c: &sql::Conn, sender: Uuid, blobs: &[&BlobRef]) -> ApiResult<()> {
    let sender = sender.to_string();
    for b in blobs {
        let size: Option<i64> = sql::one(
            c,
            "SELECT size FROM blobs WHERE hash = $1",
            &[&b.hash],
            |r| r.get(0),
        )?;
        let readable = may_read(c, &sender, &b.hash)?;
        match size {
            Some(s) if readable && to_u64(s) == b.size => {}
            Some(_) if readable => {
                return Err(ApiError::invalid(format!(
                    "content: the size given for {} is not the file's size",
                    b.hash
                )))
            }
            _ => {
                return Err(ApiError::new(
                    ErrorCode::BlobNotFound,
                    "Upload the file before sending it.",
                ))
            }
        }
    }
    Ok(())
}

/// In the writer, once the message has its id: its members may now read its blobs.
pub(crate) fn link_blobs(
    c: &sql::Conn,
    conv: Uuid,
    message: Uuid,
    blobs: &[&BlobRef],
) -> ApiResult<()> {
    let (conv, message) = (conv.to_string(), message.to_string());
    for b in blobs {
        sql::exec(
            c,
            "INSERT INTO message_blobs (hash, conversation_id, message_id) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
            &[&b.hash, &conv, &message],
        )?;
    }
    Ok(())
}
