//! The client side of Xin's tus uploads and Range downloads (see `xin_proto::upload`).

use base64::Engine as _;
use reqwest::{RequestBuilder, Response, StatusCode};
use xin_proto::{
    ErrorBody, UploadCreated, API_PREFIX, CHECKSUM_ALGORITHM, OFFSET_OCTET_STREAM, TUS_VERSION,
    VERIFIED_PIECES,
};

use crate::{
    api::{without_url, ApiClient},
    error::{CoreError, CoreResult},
};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The answer's error as a [`CoreError`], or the answer when it succeeded.
async fn checked(resp: Result<Response, reqwest::Error>) -> CoreResult<Response> {
    let resp = resp.map_err(|e| CoreError::Unreachable(without_url(e)))?;
    if resp.status().is_success() || resp.status() == StatusCode::PARTIAL_CONTENT {
        return Ok(resp);
    }
    let status = resp.status();
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| CoreError::Unreachable(without_url(e)))?;
    match serde_json::from_slice::<ErrorBody>(&bytes) {
        Ok(body) => Err(CoreError::Api {
            code: body.error.code,
            message: body.error.message,
        }),
        Err(_) => Err(CoreError::Protocol(format!("HTTP {status}"))),
    }
}

fn offset_of(resp: &Response) -> CoreResult<u64> {
    resp.headers()
        .get("upload-offset")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| CoreError::Protocol("no Upload-Offset in the answer".into()))
}

impl ApiClient {
    fn tus(&self, req: RequestBuilder, access: &str) -> RequestBuilder {
        req.bearer_auth(access).header("tus-resumable", TUS_VERSION)
    }

    /// `POST /uploads`: a new upload, or `complete` when this account has the file already.
    pub async fn create_upload(
        &self,
        access: &str,
        size: u64,
        hash: &str,
        name: &str,
    ) -> CoreResult<UploadCreated> {
        let req = self
            .tus(
                self.transfer_http
                    .post(format!("{}{API_PREFIX}/uploads", self.base)),
                access,
            )
            .header("upload-length", size.to_string())
            .header(
                "upload-metadata",
                format!(
                    "filename {},blake3 {}",
                    b64(name.as_bytes()),
                    b64(hash.as_bytes())
                ),
            );
        checked(req.send().await)
            .await?
            .json()
            .await
            .map_err(|e| CoreError::Protocol(e.to_string()))
    }

    /// `HEAD <location>`: the verified offset.
    pub async fn upload_offset(&self, access: &str, location: &str) -> CoreResult<u64> {
        let req = self.tus(
            self.transfer_http.head(format!("{}{location}", self.base)),
            access,
        );
        let resp = req
            .send()
            .await
            .map_err(|e| CoreError::Unreachable(without_url(e)))?;
        if resp.status() == StatusCode::NOT_FOUND {
            return Err(CoreError::Api {
                code: xin_proto::ErrorCode::UploadNotFound,
                message: "The upload is gone.".into(),
            });
        }
        offset_of(&checked(Ok(resp)).await?)
    }

    /// `PATCH <location>`: one chunk at `offset`; answers the new verified offset.
    pub async fn upload_chunk(
        &self,
        access: &str,
        location: &str,
        offset: u64,
        chunk: bytes::Bytes,
        checksum: [u8; 32],
    ) -> CoreResult<u64> {
        let req = self
            .tus(
                self.transfer_http.patch(format!("{}{location}", self.base)),
                access,
            )
            .header("content-type", OFFSET_OCTET_STREAM)
            .header("upload-offset", offset.to_string())
            .header(
                "upload-checksum",
                format!("{CHECKSUM_ALGORITHM} {}", b64(&checksum)),
            )
            .body(chunk);
        offset_of(&checked(req.send().await).await?)
    }

    /// `PATCH <location>` with a stream of verified pieces from `offset` (`len` bytes of body);
    /// answers the new verified offset.
    pub async fn upload_pieces(
        &self,
        access: &str,
        location: &str,
        offset: u64,
        len: u64,
        body: reqwest::Body,
    ) -> CoreResult<u64> {
        let req = self
            .tus(
                self.upload_http.patch(format!("{}{location}", self.base)),
                access,
            )
            .header("content-type", VERIFIED_PIECES)
            .header("content-length", len.to_string())
            .header("upload-offset", offset.to_string())
            .body(body);
        offset_of(&checked(req.send().await).await?)
    }

    /// `DELETE <location>`: the server drops what it received.
    pub async fn cancel_upload(&self, access: &str, location: &str) -> CoreResult<()> {
        let req = self.tus(
            self.transfer_http
                .delete(format!("{}{location}", self.base)),
            access,
        );
        checked(req.send().await).await.map(|_| ())
    }

    /// `GET /blobs/{hash}` from byte `from` on; the answer's body streams.
    pub async fn download(&self, access: &str, hash: &str, from: u64) -> CoreResult<Response> {
        let mut req = self
            .transfer_http
            .get(format!("{}{API_PREFIX}/blobs/{hash}", self.base))
            .bearer_auth(access);
        if from > 0 {
            req = req.header("range", format!("bytes={from}-"));
        }
        checked(req.send().await).await
    }

    /// `GET url` (an absolute URL of this server), the whole answer's bytes.
    pub async fn get_bytes(&self, access: &str, url: &str) -> CoreResult<Vec<u8>> {
        let resp = checked(self.transfer_http.get(url).bearer_auth(access).send().await).await?;
        Ok(resp
            .bytes()
            .await
            .map_err(|e| CoreError::Unreachable(without_url(e)))?
            .to_vec())
    }
}
