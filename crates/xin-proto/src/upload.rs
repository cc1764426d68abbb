//! Resumable uploads: tus 1.0 (core, creation, checksum, termination) with BLAKE3.
//!
//! `POST /uploads` (Upload-Length, Upload-Metadata: `filename`, `filetype`, `blake3`) creates
//! one; `HEAD /uploads/{id}` answers the verified offset; `PATCH /uploads/{id}` appends one chunk
//! (`Upload-Offset`, `Upload-Checksum: blake3 <base64>`); the last chunk completes it, once the
//! whole file's BLAKE3 matches. `GET /blobs/{hash}` downloads, with Range.
//!
//! **Verified pieces** (Xin's extension, `xin-verified-pieces`): a PATCH whose body is
//! [`VERIFIED_PIECES`] carries, from an `Upload-Offset` that starts a piece, whole pieces of the
//! file (see [`crate::pieces`]), each followed by its 32-byte checksum, for as many pieces as the
//! client likes — usually the rest of the file. The server keeps every piece whose checksum
//! matches as it arrives, so one request moves the whole file without the connection ever
//! waiting for an answer, while a cut or a corrupt piece still costs at most one piece. A plain
//! tus chunk cannot do that: its checksum covers the whole request, so a request must be small
//! to be cheap to lose, and the sender waits for each answer.
//!
//! **One request at a time.** Only the uploader sends to an upload, and it asks for the offset
//! or sends again only once it has given up its last request. So a `HEAD` or `PATCH` that
//! arrives while an earlier request is still receiving stops that request (keeping what it
//! verified) and answers at once: a connection that died without a word reaching the server
//! (a laptop that changed networks) never holds the upload. A request that sends nothing for a
//! while (60 s by default) is ended the same way.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

/// The tus protocol version the server speaks.
pub const TUS_VERSION: &str = "1.0.0";
/// The tus extensions the server supports (`Tus-Extension`).
pub const TUS_EXTENSIONS: &str = "creation,checksum,termination,xin-verified-pieces";
/// The content type tus requires on a PATCH body.
pub const OFFSET_OCTET_STREAM: &str = "application/offset+octet-stream";
/// The content type of a PATCH body of verified pieces.
pub const VERIFIED_PIECES: &str = "application/vnd.xin.verified-pieces";
/// The one checksum algorithm Xin takes.
pub const CHECKSUM_ALGORITHM: &str = "blake3";
/// tus's status for a chunk whose checksum does not match ("460 Checksum Mismatch").
pub const CHECKSUM_MISMATCH_STATUS: u16 = 460;

/// What `POST /uploads` answers (besides the tus headers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct UploadCreated {
    /// Where to send chunks: `/api/v1/uploads/{id}`. `None` when nothing needs sending.
    pub location: Option<String>,
    /// Bytes the server already holds and has verified.
    #[ts(type = "number")]
    pub offset: u64,
    /// Set when the upload is already complete: this user has these bytes already
    /// ("instant upload"), so nothing needs sending.
    pub complete: bool,
}

/// True for 64 lowercase hex digits: the only form a blob hash takes on the wire.
pub fn is_blob_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
