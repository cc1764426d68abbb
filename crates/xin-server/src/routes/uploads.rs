//! tus 1.0 (core, creation, checksum, termination) with BLAKE3: see `xin_proto::upload`.

use axum::{
    body::Body,
    extract::{Path, State},
    http::{HeaderMap, HeaderName, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use base64::Engine;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;
use xin_proto::{
    file_name, is_blob_hash, ErrorBody, ErrorCode, UploadCreated, API_PREFIX, OFFSET_OCTET_STREAM,
    TUS_EXTENSIONS, TUS_VERSION, VERIFIED_PIECES,
};

use super::contacts::path_id;
use crate::{
    auth::Authed,
    error::{ApiError, ApiResult},
    files::{Checks, Checksum},
    state::AppState,
    store::UploadRow,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, options))
        .routes(routes!(offset, append, cancel))
}

fn tus_headers(extra: &[(&'static str, String)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("tus-resumable", HeaderValue::from_static(TUS_VERSION));
    h.insert("cache-control", HeaderValue::from_static("no-store"));
    for (k, v) in extra {
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert(HeaderName::from_static(k), v);
        }
    }
    h
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn upload_id(raw: &str) -> ApiResult<Uuid> {
    path_id(raw, ErrorCode::UploadNotFound)
}

/// `Upload-Metadata: key base64,key base64`: the keys Xin reads.
struct Metadata {
    name: String,
    hash: String,
}

fn metadata(raw: Option<&str>) -> ApiResult<Metadata> {
    let mut name = None;
    let mut hash = None;
    for pair in raw.unwrap_or_default().split(',') {
        let mut kv = pair.trim().splitn(2, ' ');
        let key = kv.next().unwrap_or_default();
        let value = base64::engine::general_purpose::STANDARD
            .decode(kv.next().unwrap_or_default().trim())
            .ok()
            .and_then(|v| String::from_utf8(v).ok());
        match key {
            "filename" => name = value,
            "blake3" => hash = value,
            _ => {}
        }
    }
    let hash = hash.filter(|h| is_blob_hash(h)).ok_or_else(|| {
        ApiError::invalid("Upload-Metadata: `blake3` must be the file's BLAKE3 as 64 lowercase hex digits (base64-encoded, as tus encodes values)")
    })?;
    Ok(Metadata {
        name: file_name::sanitize(&name.unwrap_or_default()),
        hash,
    })
}

/// What this server takes (tus discovery).
#[utoipa::path(options, path = "/uploads", tag = "files", responses((status = 204)))]
async fn options(State(state): State<AppState>) -> Response {
    (
        StatusCode::NO_CONTENT,
        tus_headers(&[
            ("tus-version", TUS_VERSION.to_string()),
            ("tus-extension", TUS_EXTENSIONS.to_string()),
            ("tus-max-size", state.config.max_file_bytes.to_string()),
            (
                "tus-checksum-algorithm",
                xin_proto::CHECKSUM_ALGORITHM.to_string(),
            ),
        ]),
    )
        .into_response()
}

/// Start an upload (`Upload-Length`, `Upload-Metadata: filename …,blake3 …`). If this account
/// already holds the file, it is complete at once ("instant upload"), without a byte sent.
#[utoipa::path(post, path = "/uploads", tag = "files", security(("bearer" = [])),
    responses((status = 201, body = UploadCreated), (status = 200, body = UploadCreated, description = "Already held: nothing to send"),
      (status = 400, body = ErrorBody), (status = 413, body = ErrorBody), (status = 507, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    authed: Authed,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let size: u64 = header(&headers, "upload-length")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| ApiError::invalid("Upload-Length: the file's size in bytes is required"))?;
    let meta = metadata(header(&headers, "upload-metadata"))?;
    let max = state.config.max_file_bytes;
    if size > max {
        return Err(ApiError::new(
            ErrorCode::FileTooLarge,
            format!("Files can be at most {} MiB.", max >> 20),
        ));
    }
    if state
        .store
        .touch_own_blob(authed.user_id, &meta.hash)
        .await?
    {
        let done = UploadCreated {
            location: None,
            offset: size,
            complete: true,
        };
        let headers = tus_headers(&[("upload-offset", size.to_string())]);
        return Ok((StatusCode::OK, headers, Json(done)).into_response());
    }
    let upload = UploadRow {
        id: Uuid::now_v7(),
        user_id: authed.user_id,
        size,
        hash: meta.hash,
        name: meta.name,
        received: 0,
    };
    state.uploads.stage(upload.id).await?;
    if !state
        .store
        .create_upload(&upload, state.config.quota_bytes)
        .await?
    {
        let _ = state.uploads.staging().discard(upload.id);
        let used = state.store.storage_used(authed.user_id).await?;
        return Err(crate::store::quota_exceeded(used, state.config.quota_bytes));
    }
    let location = format!("{API_PREFIX}/uploads/{}", upload.id);
    if size == 0 {
        state
            .uploads
            .complete(&state.store, &upload, blake3::hash(b""))
            .await?;
    }
    let created = UploadCreated {
        location: (size > 0).then(|| location.clone()),
        offset: 0,
        complete: size == 0,
    };
    let headers = tus_headers(&[("location", location), ("upload-offset", "0".into())]);
    Ok((StatusCode::CREATED, headers, Json(created)).into_response())
}

/// The verified offset: resume from here.
#[utoipa::path(head, path = "/uploads/{id}", tag = "files", security(("bearer" = [])),
    params(("id" = String, Path, description = "Upload id")),
    responses((status = 200, description = "Upload-Offset and Upload-Length headers"), (status = 404)))]
async fn offset(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let upload = state.store.upload(authed.user_id, upload_id(&id)?).await?;
    let received = match state.uploads.live_offset(upload.id).await {
        Some(live) => live,
        None => state.uploads.resting_offset(&state.store, &upload).await?,
    };
    let headers = tus_headers(&[
        ("upload-offset", received.to_string()),
        ("upload-length", upload.size.to_string()),
    ]);
    Ok((StatusCode::OK, headers).into_response())
}

/// Append one chunk (`Upload-Offset`, `Upload-Checksum: blake3 <base64>`, body
/// `application/offset+octet-stream`), or a stream of verified pieces (body
/// `application/vnd.xin.verified-pieces`: see `xin_proto::upload`). The last byte completes the
/// upload.
#[utoipa::path(patch, path = "/uploads/{id}", tag = "files", security(("bearer" = [])),
    params(("id" = String, Path, description = "Upload id")),
    responses((status = 204, description = "Upload-Offset: the new verified offset"),
      (status = 404, body = ErrorBody, description = "No such upload of mine (`upload_not_found`)"),
      (status = 409, body = ErrorBody), (status = 460, body = ErrorBody, description = "Checksum mismatch: nothing kept"),
      (status = 422, body = ErrorBody, description = "The whole file's hash did not match: upload discarded"),
      (status = 429, body = ErrorBody, description = "This account is sending as many files at once as the server takes: resume later"),
      (status = 503, body = ErrorBody, description = "The server is receiving as many files as it can: resume later")))]
async fn append(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let upload = state.store.upload(authed.user_id, upload_id(&id)?).await?;
    let checks = match header(&headers, "content-type") {
        Some(OFFSET_OCTET_STREAM) => {
            Checks::Chunk(Checksum::parse(header(&headers, "upload-checksum"))?.0)
        }
        Some(VERIFIED_PIECES) => Checks::Pieces,
        _ => {
            return Err(ApiError::invalid(format!(
                "Content-Type: chunks are sent as {OFFSET_OCTET_STREAM} (or {VERIFIED_PIECES})"
            )))
        }
    };
    let offset: u64 = header(&headers, "upload-offset")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| ApiError::invalid("Upload-Offset: the chunk's position is required"))?;
    // On a task of its own, so a client that goes away mid-request cannot stop it half-way:
    // what was verified is recorded, what was not is cut off.
    let task = tokio::spawn(async move {
        state
            .uploads
            .append(&state.store, upload, offset, checks, body)
            .await
    });
    let received = task
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    let headers = tus_headers(&[("upload-offset", received.to_string())]);
    Ok((StatusCode::NO_CONTENT, headers).into_response())
}

/// Cancel an upload: what was received is deleted.
#[utoipa::path(delete, path = "/uploads/{id}", tag = "files", security(("bearer" = [])),
    params(("id" = String, Path, description = "Upload id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn cancel(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let upload = state.store.upload(authed.user_id, upload_id(&id)?).await?;
    state.uploads.abandon(&state.store, upload.id).await?;
    Ok((StatusCode::NO_CONTENT, tus_headers(&[])).into_response())
}
