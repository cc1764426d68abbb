//! The parts of uploads staged in the object store: which multipart upload holds an upload's
//! verified bytes, and each part sent so far with its pieces' checksums, so any node can
//! continue the upload from the end of its last part (see `files::upload_parts`).

use uuid::Uuid;

use super::{sql, Store};
use crate::error::{ApiError, ApiResult};

/// One part the object store holds.
#[derive(Debug, Clone)]
pub struct UploadPart {
    /// 0, 1, …: the part's bytes start at `part × PART`.
    pub part: u64,
    pub etag: String,
    /// The 32-byte checksums of the part's pieces, in order.
    pub checksums: Vec<[u8; 32]>,
}

/// What the object store holds of an upload.
#[derive(Debug, Clone, Default)]
pub struct StagedParts {
    pub multipart: Option<String>,
    /// Sniffed from the first part's bytes.
    pub media_type: Option<String>,
    /// In order, without a gap.
    pub parts: Vec<UploadPart>,
}

/// A multipart upload no upload owns any more, to be aborted in the object store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenMultipart {
    pub hash: String,
    pub multipart: String,
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl Store {
    pub async fn staged_parts(&self, upload: Uuid) -> ApiResult<StagedParts> {
        self.reads
            .run(move |c| {
                let id = upload.to_string();
                let Some((multipart, media_type)) = sql::one(
                    c,
                    "SELECT multipart, media_type FROM uploads WHERE id = $1",
                    &[&id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?
                else {
                    return Ok(StagedParts::default());
                };
                let parts = sql::all(
                    c,
                    "SELECT part, etag, checksums FROM upload_parts WHERE upload_id = $1 ORDER BY part",
                    &[&id],
                    |r| {
                        let raw: Vec<u8> = r.get(2)?;
                        Ok(UploadPart {
                            part: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                            etag: r.get(1)?,
                            checksums: raw
                                .chunks_exact(32)
                                .filter_map(|c| <[u8; 32]>::try_from(c).ok())
                                .collect(),
                        })
                    },
                )?;
                // Only the parts from zero without a gap count (a write cut off cannot leave
                // one, but the continuation must never rest on a hole).
                let parts = parts
                    .into_iter()
                    .enumerate()
                    .take_while(|(i, p)| p.part == *i as u64)
                    .map(|(_, p)| p)
                    .collect();
                Ok(StagedParts {
                    multipart,
                    media_type,
                    parts,
                })
            })
            .await
    }

    /// Gives `upload` the multipart upload `multipart` unless another node gave it one first;
    /// answers the one it has (ours, or the other to use instead while ours is aborted).
    pub async fn begin_multipart(
        &self,
        upload: Uuid,
        multipart: String,
        media_type: String,
    ) -> ApiResult<String> {
        self.write(move |cx| {
            let id = upload.to_string();
            sql::exec(
                &cx.conn,
                "UPDATE uploads SET multipart = $2, media_type = $3
                 WHERE id = $1 AND multipart IS NULL",
                &[&id, &multipart, &media_type],
            )?;
            sql::one(
                &cx.conn,
                "SELECT multipart FROM uploads WHERE id = $1",
                &[&id],
                |r| r.get::<_, Option<String>>(0),
            )?
            .flatten()
            .ok_or_else(|| ApiError::Internal("the upload is gone".into()))
        })
        .await
    }

    /// Records a part the object store took, and the upload's verified bytes up to its end.
    pub async fn record_part(&self, upload: Uuid, part: UploadPart, end: u64) -> ApiResult<()> {
        self.write(move |cx| {
            let id = upload.to_string();
            let checksums: Vec<u8> = part.checksums.concat();
            sql::exec(
                &cx.conn,
                "INSERT INTO upload_parts (upload_id, part, etag, checksums) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (upload_id, part) DO UPDATE SET etag = excluded.etag,
                   checksums = excluded.checksums",
                &[&id, &to_i64(part.part), &part.etag, &checksums],
            )?;
            sql::exec(
                &cx.conn,
                "UPDATE uploads SET received = $2, updated_at = $3 WHERE id = $1 AND received < $2",
                &[&id, &to_i64(end), &crate::time::now_ms()],
            )?;
            Ok(())
        })
        .await
    }
}

/// Removes the parts of the upload `id` (its row goes in the same transaction).
pub(super) fn forget_parts(c: &sql::Conn, id: &str) -> ApiResult<()> {
    sql::exec(c, "DELETE FROM upload_parts WHERE upload_id = $1", &[&id])?;
    Ok(())
}
