//! Blobs in S3-compatible storage (AWS S3, SeaweedFS, MinIO, Garage, …), for a service of
//! several nodes: every node reads and writes the same bucket, and downloads go to the
//! bucket itself through short-lived presigned URLs, not through the node.
//!
//! `--blobs s3://BUCKET[/PREFIX]?endpoint=URL&region=REGION&public=URL`; credentials from the
//! usual AWS variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, …). `public` is the
//! address clients reach the bucket at when the nodes use another (an internal name): the
//! presigned URLs are signed for it. Objects are `PREFIX/blobs/<BLAKE3>`, written once, with the
//! `Content-Type` and `Content-Disposition` the server would have sent itself.

use std::{io, path::Path, time::Duration};

use object_store::{
    aws::{AmazonS3, AmazonS3Builder},
    multipart::{MultipartStore, PartId},
    path::Path as Key,
    Attribute, Attributes, ObjectStore, PutMultipartOptions, WriteMultipart,
};
use rusty_s3::S3Action;
use tokio::io::AsyncReadExt;

use super::storage::{served_as, BlobLocation, BlobStore, PartStore};

/// Bytes per multipart part (S3 wants at least 5 MiB for all but the last).
const PART: usize = 16 << 20;
/// Parts in flight at once per upload.
const PARTS_IN_FLIGHT: usize = 2;
/// How long a presigned download URL works: long enough for a slow download or a video
/// watched to its end; a new request for the blob signs a new one.
const URL_LIFETIME: Duration = Duration::from_secs(3600);
/// The bytes behind a hash never change; who may read them is checked before signing.
const CACHE_CONTROL: &str = "private, max-age=31536000, immutable";

pub struct S3Blobs {
    bucket: AmazonS3,
    /// The same bucket at the address clients use, for signing download URLs: they name the
    /// headers the bucket answers with (`response-content-type`, …), so a blob is served the
    /// same way however its object was written (whole, or part by part).
    signer: rusty_s3::Bucket,
    prefix: String,
    /// The URL without credentials, for messages.
    shown: String,
}

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

impl S3Blobs {
    /// The store `url` names, not yet contacted (see [`S3Blobs::check`]).
    pub fn open(url: &str) -> Result<Self, String> {
        let bad = |why: &str| format!("--blobs {url:?}: {why}");
        let parsed = url::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
        if parsed.scheme() != "s3" {
            return Err(bad("must be an s3:// URL: s3://BUCKET?endpoint=…&region=…"));
        }
        let bucket = parsed
            .host_str()
            .filter(|b| !b.is_empty())
            .ok_or_else(|| bad("no bucket"))?;
        let prefix = parsed.path().trim_matches('/').to_owned();
        // A few quick retries: a bucket that is down fails the request (and a node's start)
        // in seconds, not after the client's default three minutes.
        let retry = object_store::RetryConfig {
            max_retries: 3,
            retry_timeout: Duration::from_secs(10),
            ..Default::default()
        };
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .with_region("us-east-1")
            .with_retry(retry);
        let mut public = None;
        for (key, value) in parsed.query_pairs() {
            match key.as_ref() {
                "endpoint" => {
                    builder = builder
                        .with_allow_http(value.starts_with("http://"))
                        .with_endpoint(value.as_ref());
                }
                "region" => builder = builder.with_region(value.as_ref()),
                "public" => public = Some(value.into_owned()),
                other => return Err(bad(&format!("unknown option {other:?}"))),
            }
        }
        let region = builder
            .get_config_value(&object_store::aws::AmazonS3ConfigKey::Region)
            .unwrap_or_else(|| "us-east-1".into());
        let (endpoint, style) = match public
            .or_else(|| builder.get_config_value(&object_store::aws::AmazonS3ConfigKey::Endpoint))
        {
            Some(e) => (e, rusty_s3::UrlStyle::Path),
            None => (
                format!("https://s3.{region}.amazonaws.com"),
                rusty_s3::UrlStyle::VirtualHost,
            ),
        };
        let endpoint = url::Url::parse(&endpoint).map_err(|e| bad(&format!("endpoint: {e}")))?;
        let signer = rusty_s3::Bucket::new(endpoint, style, bucket.to_owned(), region)
            .map_err(|e| bad(&e.to_string()))?;
        Ok(Self {
            bucket: builder.build().map_err(|e| bad(&e.to_string()))?,
            signer,
            prefix,
            shown: url.to_owned(),
        })
    }

    /// Fails unless the bucket answers and these credentials may list it: a node must not
    /// start with nowhere to put files.
    pub async fn check(&self) -> Result<(), String> {
        let prefix = (!self.prefix.is_empty()).then(|| Key::from(self.prefix.as_str()));
        self.bucket
            .list_with_delimiter(prefix.as_ref())
            .await
            .map(|_| ())
            .map_err(|e| format!("cannot reach the bucket {}: {e}", self.shown))
    }

    fn key(&self, hash: &str) -> Key {
        if self.prefix.is_empty() {
            Key::from(format!("blobs/{hash}"))
        } else {
            Key::from(format!("{}/blobs/{hash}", self.prefix))
        }
    }

    async fn upload(&self, staged: &Path, key: &Key, media_type: &str) -> io::Result<()> {
        let (content_type, disposition) = served_as(media_type);
        let mut attributes = Attributes::new();
        attributes.insert(Attribute::ContentType, content_type.to_owned().into());
        attributes.insert(Attribute::ContentDisposition, disposition.into());
        attributes.insert(Attribute::CacheControl, CACHE_CONTROL.into());
        let options = PutMultipartOptions {
            attributes,
            ..Default::default()
        };
        let upload = self
            .bucket
            .put_multipart_opts(key, options)
            .await
            .map_err(other)?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART);
        let sent: io::Result<()> = async {
            let mut file = tokio::fs::File::open(staged).await?;
            let mut buf = vec![0u8; 1 << 20];
            loop {
                let n = file.read(&mut buf).await?;
                if n == 0 {
                    return Ok(());
                }
                writer
                    .wait_for_capacity(PARTS_IN_FLIGHT)
                    .await
                    .map_err(other)?;
                writer.write(&buf[..n]);
            }
        }
        .await;
        match sent {
            Ok(()) => writer.finish().await.map(|_| ()).map_err(other),
            Err(e) => {
                if let Err(abort) = writer.abort().await {
                    tracing::warn!(%key, "abort a failed upload to the bucket: {abort}");
                }
                Err(e)
            }
        }
    }
}

#[async_trait::async_trait]
impl BlobStore for S3Blobs {
    async fn put(&self, staged: &Path, hash: &str, media_type: &str) -> io::Result<bool> {
        if self.exists(hash).await? {
            return Ok(false);
        }
        self.upload(staged, &self.key(hash), media_type).await?;
        super::storage::ignore_missing(tokio::fs::remove_file(staged).await)?;
        Ok(true)
    }

    async fn delete(&self, hash: &str) -> io::Result<()> {
        match self.bucket.delete(&self.key(hash)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(other(e)),
        }
    }

    async fn locate(&self, hash: &str, media_type: &str) -> io::Result<BlobLocation> {
        let credential = self
            .bucket
            .credentials()
            .get_credential()
            .await
            .map_err(other)?;
        let (key, secret) = (credential.key_id.clone(), credential.secret_key.clone());
        let credentials = match &credential.token {
            Some(token) => rusty_s3::Credentials::new_with_token(key, secret, token.clone()),
            None => rusty_s3::Credentials::new(key, secret),
        };
        let key = self.key(hash);
        let mut get = self.signer.get_object(Some(&credentials), key.as_ref());
        let (content_type, disposition) = served_as(media_type);
        let query = get.query_mut();
        query.insert("response-content-type", content_type.to_owned());
        query.insert("response-content-disposition", disposition);
        query.insert("response-cache-control", CACHE_CONTROL);
        Ok(BlobLocation::Redirect(get.sign(URL_LIFETIME).to_string()))
    }

    fn parts(&self) -> Option<&dyn PartStore> {
        Some(self)
    }
}

#[async_trait::async_trait]
impl PartStore for S3Blobs {
    async fn begin(&self, hash: &str) -> io::Result<String> {
        self.bucket
            .create_multipart(&self.key(hash))
            .await
            .map_err(other)
    }

    async fn put_part(
        &self,
        hash: &str,
        multipart: &str,
        part: u64,
        bytes: bytes::Bytes,
    ) -> io::Result<String> {
        let idx = usize::try_from(part).map_err(other)?;
        let id = multipart.to_owned();
        self.bucket
            .put_part(&self.key(hash), &id, idx, bytes.into())
            .await
            .map(|p| p.content_id)
            .map_err(other)
    }

    async fn finish(&self, hash: &str, multipart: &str, etags: Vec<String>) -> io::Result<()> {
        let parts = etags
            .into_iter()
            .map(|content_id| PartId { content_id })
            .collect();
        self.bucket
            .complete_multipart(&self.key(hash), &multipart.to_owned(), parts)
            .await
            .map(|_| ())
            .map_err(other)
    }

    async fn abort(&self, hash: &str, multipart: &str) -> io::Result<()> {
        match self
            .bucket
            .abort_multipart(&self.key(hash), &multipart.to_owned())
            .await
        {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(other(e)),
        }
    }

    async fn exists(&self, hash: &str) -> io::Result<bool> {
        match self.bucket.head(&self.key(hash)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(other(e)),
        }
    }
}
