//! Downloads: streamed from disk with HTTP Range, to the uploader and to members of a
//! conversation whose message points at the file, nobody else.

use axum::{
    extract::{Path, Request, State},
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};
use tower::ServiceExt;
use tower_http::services::ServeFile;
use utoipa_axum::{router::OpenApiRouter, routes};
use xin_proto::{is_blob_hash, media_link::MAX_LIFETIME_SECS, ErrorBody, ErrorCode};

use crate::{
    error::{ApiError, ApiResult},
    extract::Query,
    files::storage::{served_as, BlobLocation},
    media_links::bearer_or_link,
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(download))
}

#[derive(serde::Deserialize)]
struct LinkQuery {
    link: Option<String>,
}

/// Bytes of a blob read at once when serving it.
const READ_CHUNK: usize = 512 << 10;

/// Download a file (Range supported). Strangers and former members get `blob_not_found`, the
/// same as for a hash that does not exist. Authorised by the access token in the header, or,
/// for a browser loading the file by its address, by a signed `link` (`xin_proto::media_link`).
#[utoipa::path(get, path = "/blobs/{hash}", tag = "files", security(("bearer" = [])),
    params(("hash" = String, Path, description = "BLAKE3 of the file"),
      ("link" = Option<String>, Query, description = "`{session}.{expires}.{signature}`: a link signed with the session's `media_key`, instead of the header")),
    responses((status = 200, description = "The file"), (status = 206, description = "Part of the file"),
      (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 416, description = "Range outside the file")))]
async fn download(
    State(state): State<AppState>,
    Path(hash): Path<String>,
    Query(q): Query<LinkQuery>,
    request: Request,
) -> ApiResult<Response> {
    let reader = bearer_or_link(
        &state,
        request.headers(),
        q.link.as_deref(),
        &hash,
        MAX_LIFETIME_SECS,
    )
    .await?
    .user_id;
    if !is_blob_hash(&hash) {
        return Err(ApiError::new(ErrorCode::BlobNotFound, "No such file."));
    }
    let blob = state.store.readable_blob(reader, &hash).await?;
    let location = state
        .uploads
        .blobs()
        .locate(&hash, &blob.media_type)
        .await
        .map_err(|e| ApiError::Internal(format!("locate blob: {e}")))?;
    let path = match location {
        BlobLocation::File(path) => path,
        BlobLocation::Redirect(url) => {
            return Ok(axum::response::Redirect::temporary(&url).into_response())
        }
    };
    // Each read is a hop to a blocking thread: fewer, larger reads than the default 64 KiB.
    let mut response = ServeFile::new(path)
        .with_buf_chunk_size(READ_CHUNK)
        .oneshot(request)
        .await
        .map_err(|e| ApiError::Internal(format!("serve blob: {e}")))?
        .into_response();
    let (media_type, disposition) = served_as(&blob.media_type);
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(media_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static(disposition),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    // The bytes behind a hash never change; only who may read them does, so private.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    h.insert("xin-blob-size", HeaderValue::from(blob.size));
    Ok(response)
}
