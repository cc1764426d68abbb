//! Files: tus uploads with BLAKE3, who may download, Range, limits and garbage collection.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine;
use common::{assert_error, pieces_from, Party, TestServer};
use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use uuid::Uuid;
use xin_proto::PIECE;

const MIB: usize = 1 << 20;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn bytes(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[3] ^ seed)
        .collect()
}

/// A PATCH's status and body (a connection that broke reads as a timeout).
async fn answer(r: Result<reqwest::Response, reqwest::Error>) -> (StatusCode, Value) {
    match r {
        Ok(r) => {
            let status = r.status();
            let text = r.text().await.unwrap();
            (status, serde_json::from_str(&text).unwrap_or(Value::Null))
        }
        Err(_) => (StatusCode::REQUEST_TIMEOUT, Value::Null),
    }
}

/// A tus client, as little as the tests need.
struct Tus<'a> {
    p: &'a Party<'a>,
}

impl<'a> Tus<'a> {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.p.s.url)
    }

    async fn create(&self, len: u64, hash: &str, name: &str) -> reqwest::Response {
        self.p
            .s
            .http
            .post(self.url("/api/v1/uploads"))
            .bearer_auth(&self.p.user.access)
            .header("tus-resumable", "1.0.0")
            .header("upload-length", len.to_string())
            .header(
                "upload-metadata",
                format!(
                    "filename {},blake3 {}",
                    b64(name.as_bytes()),
                    b64(hash.as_bytes())
                ),
            )
            .send()
            .await
            .unwrap()
    }

    /// Creates an upload for `file` and answers its location.
    async fn start(&self, file: &[u8]) -> String {
        let r = self
            .create(file.len() as u64, &hash(file), "photo.jpg")
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.headers()["location"].to_str().unwrap().to_string()
    }

    async fn patch(&self, location: &str, offset: usize, chunk: Vec<u8>) -> (StatusCode, Value) {
        let sum = blake3::hash(&chunk);
        self.patch_raw(location, offset, reqwest::Body::from(chunk), sum.as_bytes())
            .await
    }

    async fn patch_raw(
        &self,
        location: &str,
        offset: usize,
        body: reqwest::Body,
        checksum: &[u8],
    ) -> (StatusCode, Value) {
        let r = self
            .p
            .s
            .http
            .patch(self.url(location))
            .bearer_auth(&self.p.user.access)
            .header("tus-resumable", "1.0.0")
            .header("content-type", "application/offset+octet-stream")
            .header("upload-offset", offset.to_string())
            .header("upload-checksum", format!("blake3 {}", b64(checksum)))
            .body(body)
            .send()
            .await;
        answer(r).await
    }

    /// A PATCH of verified pieces (`xin-verified-pieces`).
    async fn patch_pieces(
        &self,
        location: &str,
        offset: u64,
        body: reqwest::Body,
    ) -> (StatusCode, Value) {
        let r = self
            .p
            .s
            .http
            .patch(self.url(location))
            .bearer_auth(&self.p.user.access)
            .header("tus-resumable", "1.0.0")
            .header("content-type", xin_proto::VERIFIED_PIECES)
            .header("upload-offset", offset.to_string())
            .body(body)
            .send()
            .await;
        answer(r).await
    }

    async fn offset(&self, location: &str) -> Option<u64> {
        let r = self
            .p
            .s
            .http
            .head(self.url(location))
            .bearer_auth(&self.p.user.access)
            .send()
            .await
            .unwrap();
        (r.status() == StatusCode::OK).then(|| {
            r.headers()["upload-offset"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap()
        })
    }

    /// Uploads `file` in 1 MiB chunks and answers its hash.
    async fn upload(&self, file: &[u8]) -> String {
        let location = self.start(file).await;
        for (i, chunk) in file.chunks(MIB).enumerate() {
            let (status, v) = self.patch(&location, i * MIB, chunk.to_vec()).await;
            assert_eq!(status, StatusCode::NO_CONTENT, "{v}");
        }
        hash(file)
    }

    async fn download(&self, hash: &str, range: Option<&str>) -> reqwest::Response {
        let mut req = self
            .p
            .s
            .http
            .get(self.url(&format!("/api/v1/blobs/{hash}")))
            .bearer_auth(&self.p.user.access);
        if let Some(r) = range {
            req = req.header("range", r);
        }
        req.send().await.unwrap()
    }
}

/// Sends `file`'s pieces after the first and checks it then downloads byte-equal.
async fn send_the_rest_after_the_first_piece(tus: &Tus<'_>, location: &str, file: &[u8]) {
    let r = tus
        .patch_pieces(
            location,
            PIECE,
            reqwest::Body::from(pieces_from(file, PIECE)),
        )
        .await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    let got = tus.download(&hash(file), None).await;
    assert_eq!(got.bytes().await.unwrap().as_ref(), file);
}

fn hash(file: &[u8]) -> String {
    blake3::hash(file).to_hex().to_string()
}

fn file_message(hash: &str, size: usize, name: &str) -> Value {
    json!({"client_id": Uuid::now_v7(), "content": {"type": "file",
        "blob": {"hash": hash, "size": size}, "name": name, "media_type": "application/pdf"}})
}

async fn send(p: &Party<'_>, conv: &str, body: Value) -> (StatusCode, Value) {
    p.call(
        Method::POST,
        &format!("/conversations/{conv}/messages"),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn an_upload_cut_mid_chunk_resumes_from_the_verified_offset() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "+15550000001").await;
    let tus = Tus { p: &alice };
    let file = bytes(3 * MIB + 123, 7);
    let location = tus.start(&file).await;
    assert_eq!(
        tus.patch(&location, 0, file[..MIB].to_vec()).await.0,
        StatusCode::NO_CONTENT
    );

    // The second chunk: half of it arrives, then the connection dies.
    let half = file[MIB..MIB + MIB / 2].to_vec();
    let stream = futures_util::stream::iter(vec![
        Ok::<_, std::io::Error>(half),
        Err(std::io::Error::other("cable pulled")),
    ]);
    let sum = blake3::hash(&file[MIB..2 * MIB]);
    tus.patch_raw(
        &location,
        MIB,
        reqwest::Body::wrap_stream(stream),
        sum.as_bytes(),
    )
    .await;
    // Nothing of the cut chunk is kept: the offset is the last verified one.
    let mut offset = None;
    for _ in 0..50 {
        offset = tus.offset(&location).await;
        if offset == Some(MIB as u64) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(offset, Some(MIB as u64));
    // A chunk sent at a position other than the verified offset is refused.
    let r = tus
        .patch(&location, 2 * MIB, file[2 * MIB..3 * MIB].to_vec())
        .await;
    assert_error(&r, StatusCode::CONFLICT, "offset_mismatch");

    for start in (MIB..file.len()).step_by(MIB) {
        let end = (start + MIB).min(file.len());
        // The cut request may still hold its turn for a moment after its verified offset is
        // visible: the server then says so, and a client asks again, as here.
        let mut r = tus.patch(&location, start, file[start..end].to_vec()).await;
        for _ in 0..50 {
            if r.0 != StatusCode::CONFLICT {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            r = tus.patch(&location, start, file[start..end].to_vec()).await;
        }
        assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    }
    // Complete: the upload is gone, the blob is there, byte for byte.
    assert_eq!(tus.offset(&location).await, None);
    let got = tus.download(&hash(&file), None).await;
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.bytes().await.unwrap().as_ref(), &file[..]);
}

#[tokio::test]
async fn a_corrupt_chunk_is_refused_and_nothing_of_it_kept() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "+15550000001").await;
    let tus = Tus { p: &alice };
    let file = bytes(2 * MIB, 1);
    let location = tus.start(&file).await;
    let mut corrupt = file[..MIB].to_vec();
    corrupt[4242] ^= 0xff;
    let sum = blake3::hash(&file[..MIB]);
    let r = tus
        .patch_raw(&location, 0, reqwest::Body::from(corrupt), sum.as_bytes())
        .await;
    assert_error(&r, StatusCode::from_u16(460).unwrap(), "checksum_mismatch");
    assert_eq!(tus.offset(&location).await, Some(0));
    let id = location.rsplit('/').next().unwrap();
    let staged = s.data_dir().join("files").join("uploads").join(id);
    assert_eq!(
        std::fs::metadata(&staged).unwrap().len(),
        0,
        "the bad bytes are not on disk"
    );
    // Sent again, right, it is taken.
    assert_eq!(
        tus.patch(&location, 0, file[..MIB].to_vec()).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(tus.offset(&location).await, Some(MIB as u64));
}

#[tokio::test]
async fn a_wrong_whole_file_hash_discards_the_upload() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "+15550000001").await;
    let tus = Tus { p: &alice };
    let file = bytes(MIB + 5, 2);
    let claimed = hash(b"something else");
    let r = tus.create(file.len() as u64, &claimed, "x.bin").await;
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(
        tus.patch(&location, 0, file[..MIB].to_vec()).await.0,
        StatusCode::NO_CONTENT
    );
    let r = tus.patch(&location, MIB, file[MIB..].to_vec()).await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "hash_mismatch");
    assert_eq!(tus.offset(&location).await, None, "the upload is gone");
    assert_eq!(
        tus.download(&claimed, None).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        tus.download(&hash(&file), None).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn only_the_uploader_and_members_of_a_chat_that_holds_it_may_download() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "+15550000001").await;
    let bob = Party::join(&s, "bob", "+15550000002").await;
    let mallory = Party::join(&s, "mallory", "+15550000003").await;
    alice.befriend(&bob).await;
    alice.befriend(&mallory).await;
    let file = bytes(100_000, 3);
    let h = Tus { p: &alice }.upload(&file).await;
    let group = alice
        .ok(
            Method::POST,
            "/conversations",
            Some(json!({"title": "Trip", "members": [bob.user.id]})),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Not sent yet: only alice has it. Knowing the hash is not enough for anyone else.
    assert_eq!(
        Tus { p: &bob }.download(&h, None).await.status(),
        StatusCode::NOT_FOUND
    );
    let (status, _) = send(&alice, &group, file_message(&h, file.len(), "plan.pdf")).await;
    assert_eq!(status, StatusCode::OK);
    let got = Tus { p: &bob }.download(&h, None).await;
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.bytes().await.unwrap().as_ref(), &file[..]);
    let r = Tus { p: &mallory }.download(&h, None).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "blob_not_found"
    );

    // A stranger who knows the hash cannot attach it to a message of their own to read it.
    let mallory_chat = mallory.direct(&alice).await;
    let r = send(
        &mallory,
        &mallory_chat,
        file_message(&h, file.len(), "x.pdf"),
    )
    .await;
    assert_error(&r, StatusCode::NOT_FOUND, "blob_not_found");

    // Removed from the group, bob loses access.
    alice
        .ok(
            Method::DELETE,
            &format!("/conversations/{group}/members/{}", bob.user.id),
            None,
        )
        .await;
    assert_eq!(
        Tus { p: &bob }.download(&h, None).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn instant_upload_only_within_ones_own_files() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "+15550000001").await;
    let bob = Party::join(&s, "bob", "+15550000002").await;
    let file = bytes(MIB, 4);
    let h = Tus { p: &alice }.upload(&file).await;

    let again = Tus { p: &alice }
        .create(file.len() as u64, &h, "again.jpg")
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    let body: Value = again.json().await.unwrap();
    assert_eq!(body["complete"], true);
    assert_eq!(body["location"], Value::Null);

    // Bob has to send every byte, even though the server has them.
    let bobs = Tus { p: &bob };
    let r = bobs.create(file.len() as u64, &h, "same.jpg").await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(
        bobs.download(&h, None).await.status(),
        StatusCode::NOT_FOUND
    );
    let r = bobs.patch(&location, 0, file.clone()).await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    assert_eq!(bobs.download(&h, None).await.status(), StatusCode::OK);
    // His copy of bytes the server already had is dropped (after his answer, not before).
    let id = location.rsplit('/').next().unwrap();
    let staged = s.data_dir().join("files").join("uploads").join(id);
    for _ in 0..100 {
        if !staged.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!staged.exists(), "a duplicate upload's bytes stay behind");
}

#[tokio::test]
async fn file_names_are_plain_names() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "+15550000001").await;
    let conv = alice.ok(Method::POST, "/conversations/self", None).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let file = bytes(10, 5);
    let h = Tus { p: &alice }.upload(&file).await;
    let long = format!("{}.txt", "a".repeat(300));
    for bad in [
        "../../etc/passwd",
        "a/b.txt",
        "nul\0byte.txt",
        ".bashrc",
        long.as_str(),
        "con.txt",
    ] {
        let r = send(&alice, &conv, file_message(&h, file.len(), bad)).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid_request");
    }
    let (status, m) = send(
        &alice,
        &conv,
        file_message(&h, file.len(), "年终总结 (final).pdf"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!(m["content"]["name"], "年终总结 (final).pdf");
    // A size that is not the file's, or a hash that is not hex, is refused too.
    let r = send(&alice, &conv, file_message(&h, 11, "a.txt")).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid_request");
    let r = send(&alice, &conv, file_message("../../x", 10, "a.txt")).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid_request");
}

#[tokio::test]
async fn oversize_and_over_quota_uploads_get_clear_errors() {
    let s = TestServer::with(|c| {
        c.max_file_bytes = 4 * MIB as u64;
        c.quota_bytes = 6 * MIB as u64;
    })
    .await;
    let alice = Party::join(&s, "alice", "+15550000001").await;
    let tus = Tus { p: &alice };
    let r = tus.create(5 * MIB as u64, &hash(b"x"), "big.iso").await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "file_too_large"
    );

    tus.upload(&bytes(4 * MIB, 6)).await;
    // 4 MiB held + 3 MiB more > 6 MiB.
    let r = tus.create(3 * MIB as u64, &hash(b"y"), "more.iso").await;
    assert_eq!(r.status(), StatusCode::INSUFFICIENT_STORAGE);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "quota_exceeded");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("storage is full"));

    // Malformed requests.
    let r = s
        .http
        .post(format!("{}/api/v1/uploads", s.url))
        .bearer_auth(&alice.user.access)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = tus.create(10, "not-a-hash", "a").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let location = tus.start(&bytes(10, 1)).await;
    let r = s
        .http
        .patch(format!("{}{location}", s.url))
        .bearer_auth(&alice.user.access)
        .header("content-type", "application/offset+octet-stream")
        .header("upload-offset", "0")
        .body(vec![0u8; 10])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::BAD_REQUEST,
        "a chunk without a checksum"
    );
    let r = tus.patch(&location, 0, bytes(11, 1)).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid_request");
    // Someone else's upload does not exist for them.
    let bob = Party::join(&s, "bob", "+15550000002").await;
    assert_eq!(Tus { p: &bob }.offset(&location).await, None);
}

#[tokio::test]
async fn downloads_answer_range_requests() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "+15550000001").await;
    let tus = Tus { p: &alice };
    let file = bytes(1000, 8);
    let h = tus.upload(&file).await;

    let r = tus.download(&h, Some("bytes=100-199")).await;
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.headers()["content-range"], "bytes 100-199/1000");
    assert_eq!(r.bytes().await.unwrap().as_ref(), &file[100..200]);
    let r = tus.download(&h, Some("bytes=990-")).await;
    assert_eq!(r.bytes().await.unwrap().as_ref(), &file[990..]);
    let r = tus.download(&h, Some("bytes=5000-6000")).await;
    assert_eq!(r.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    // Unknown bytes are never shown inline by a browser.
    let r = tus.download(&h, None).await;
    assert_eq!(r.headers()["content-type"], "application/octet-stream");
    assert_eq!(r.headers()["content-disposition"], "attachment");
    if r.url().as_str().starts_with(&s.url) {
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    } else {
        // Redirected to the bucket (`--blobs`): another origin than the server's, where the
        // type and disposition stored with the object are what keeps it from running.
        assert!(s.config.blobs.is_some(), "redirected to {}", r.url());
    }

    // A PNG is an image, whatever name it came with.
    let png = {
        let mut out = std::io::Cursor::new(Vec::new());
        image::RgbImage::new(3, 2)
            .write_to(&mut out, image::ImageFormat::Png)
            .unwrap();
        out.into_inner()
    };
    let h = tus.upload(&png).await;
    let r = tus.download(&h, None).await;
    assert_eq!(r.headers()["content-type"], "image/png");
}

#[tokio::test]
async fn abandoned_uploads_and_unreferenced_files_are_collected() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "+15550000001").await;
    let tus = Tus { p: &alice };
    let conv = alice.ok(Method::POST, "/conversations/self", None).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let kept = bytes(1000, 9);
    let kept_hash = tus.upload(&kept).await;
    send(
        &alice,
        &conv,
        file_message(&kept_hash, kept.len(), "kept.pdf"),
    )
    .await;
    let loose_hash = tus.upload(&bytes(2000, 10)).await;
    let abandoned = tus.start(&bytes(MIB, 11)).await;
    tus.patch(&abandoned, 0, bytes(MIB, 11)[..MIB / 2].to_vec())
        .await;

    let state = &s.running.as_ref().unwrap().state;
    // Within the grace period nothing goes.
    let none = xin_server::files::collect_garbage(state, 0).await.unwrap();
    assert!(none.uploads.is_empty() && none.blobs.is_empty());

    let later = i64::MAX;
    let c = xin_server::files::collect_garbage(state, later)
        .await
        .unwrap();
    assert_eq!(c.uploads.len(), 1);
    assert_eq!(c.blobs, vec![loose_hash.clone()]);
    assert_eq!(tus.offset(&abandoned).await, None);
    assert_eq!(
        tus.download(&loose_hash, None).await.status(),
        StatusCode::NOT_FOUND
    );
    let files = s.data_dir().join("files");
    assert!(!files
        .join("blobs")
        .join(&loose_hash[..2])
        .join(&loose_hash)
        .exists());
    assert_eq!(std::fs::read_dir(files.join("uploads")).unwrap().count(), 0);
    // The file a message points at stays.
    assert_eq!(
        tus.download(&kept_hash, None).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_staged_file_a_crash_left_without_its_upload_is_collected() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "+15550000001").await;
    let tus = Tus { p: &alice };
    let file = bytes(MIB, 13);
    let going = tus.start(&file).await;
    tus.patch(&going, 0, file[..MIB / 2].to_vec()).await;
    // What a crash leaves: a duplicate's copy or an abandoned upload's bytes, its row gone.
    let staged = s.data_dir().join("files").join("uploads");
    let two_hours_ago = SystemTime::now() - Duration::from_secs(2 * 3600);
    let stray = staged.join(Uuid::now_v7().to_string());
    std::fs::write(&stray, bytes(1000, 14)).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&stray)
        .unwrap()
        .set_modified(two_hours_ago)
        .unwrap();
    // One written a moment ago may be an upload being created: it is left alone.
    let fresh = staged.join(Uuid::now_v7().to_string());
    std::fs::write(&fresh, b"").unwrap();

    let state = &s.running.as_ref().unwrap().state;
    let an_hour_ago = (SystemTime::now() - Duration::from_secs(3600))
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let c = xin_server::files::collect_garbage(state, an_hour_ago)
        .await
        .unwrap();
    assert_eq!(c.uploads.len(), 1, "only the stray: {c:?}");
    assert!(!stray.exists());
    assert!(fresh.exists());
    // The upload in progress is untouched and completes.
    assert_eq!(tus.offset(&going).await, Some((MIB / 2) as u64));
    tus.patch(&going, MIB / 2, file[MIB / 2..].to_vec()).await;
    assert_eq!(tus.offset(&going).await, None, "completed");
}

#[tokio::test]
async fn after_a_restart_an_upload_resumes_from_its_last_durable_checkpoint() {
    let mut s = TestServer::with(|c| c.upload_checkpoint_bytes = 2 * MIB as u64).await;
    let alice = Party::join(&s, "alice", "+15550000001").await;
    let file = bytes(5 * MIB, 12);
    let location = Tus { p: &alice }.start(&file).await;
    for i in 0..3 {
        let r = Tus { p: &alice }
            .patch(&location, i * MIB, file[i * MIB..(i + 1) * MIB].to_vec())
            .await;
        assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    }
    // The checkpoint at 2 MiB is written in the background; wait until it is on disk.
    let id = location.rsplit('/').next().unwrap();
    for _ in 0..100 {
        let received = s.query_i64(&format!("SELECT received FROM uploads WHERE id = '{id}'"));
        if received == 2 * MIB as i64 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A chunk half-written when the process died leaves bytes past the verified offset.
    let staged = s.data_dir().join("files").join("uploads").join(id);
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&staged)
            .unwrap();
        f.write_all(&[0xAB; 1000]).unwrap();
    }
    let user = alice.user;
    s.restart().await;
    let alice = Party {
        s: &s,
        user,
        handle: "alice".into(),
    };

    // 3 MiB were verified, 2 MiB of them recorded durably: that is where it resumes.
    let tus = Tus { p: &alice };
    assert_eq!(tus.offset(&location).await, Some(2 * MIB as u64));
    for start in (2 * MIB..file.len()).step_by(MIB) {
        let r = tus
            .patch(&location, start, file[start..start + MIB].to_vec())
            .await;
        assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    }
    let got = tus.download(&hash(&file), None).await;
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(
        got.bytes().await.unwrap().as_ref(),
        &file[..],
        "the stray bytes are gone"
    );
}

#[tokio::test]
async fn a_stream_of_pieces_keeps_each_good_piece_and_refuses_a_corrupt_one() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "+15550000001").await;
    let tus = Tus { p: &alice };
    let piece = PIECE as usize;
    let file = bytes(3 * piece + 1000, 5);
    let location = tus.start(&file).await;

    // The second piece is damaged on the way: the first is kept, nothing of the second.
    let mut body = pieces_from(&file, 0);
    body[piece + 32 + 77] ^= 0x10;
    let r = tus
        .patch_pieces(&location, 0, reqwest::Body::from(body))
        .await;
    assert_error(&r, StatusCode::from_u16(460).unwrap(), "checksum_mismatch");
    assert_eq!(tus.offset(&location).await, Some(PIECE));
    let id = location.rsplit('/').next().unwrap();
    let staged = s.data_dir().join("files").join("uploads").join(id);
    assert_eq!(std::fs::metadata(&staged).unwrap().len(), PIECE);

    // The rest, sent again from there, completes a file equal byte for byte.
    let r = tus
        .patch_pieces(
            &location,
            PIECE,
            reqwest::Body::from(pieces_from(&file, PIECE)),
        )
        .await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    assert_eq!(tus.offset(&location).await, None, "complete");
    let got = tus.download(&hash(&file), None).await;
    assert_eq!(got.bytes().await.unwrap().as_ref(), &file[..]);
}

#[tokio::test]
async fn a_stream_of_pieces_cut_inside_a_piece_resumes_from_the_last_whole_one() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "+15550000001").await;
    let tus = Tus { p: &alice };
    let piece = PIECE as usize;
    let file = bytes(2 * piece + 4321, 9);
    let location = tus.start(&file).await;
    let body = pieces_from(&file, 0);
    // A whole piece, its checksum, and half the next: then the connection dies.
    let sent = body[..piece + 32 + piece / 2].to_vec();
    let stream = futures_util::stream::iter(vec![
        Ok::<_, std::io::Error>(sent),
        Err(std::io::Error::other("cable pulled")),
    ]);
    tus.patch_pieces(&location, 0, reqwest::Body::wrap_stream(stream))
        .await;
    // The server notices the cut when its read fails: give it up to 5 s on a busy machine.
    let mut offset = None;
    for _ in 0..250 {
        offset = tus.offset(&location).await;
        if offset == Some(PIECE) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(offset, Some(PIECE));
    send_the_rest_after_the_first_piece(&tus, &location, &file).await;
}

/// Sends a file's first piece with its checksum and half the next, then nothing, and never
/// ends: a link that died without a word reaching the server. Answers once the server has
/// written bytes past the first piece (so it has taken in the piece's checksum).
async fn stall_after_a_piece_and_a_half(
    s: &TestServer,
    tus: &Tus<'_>,
    location: &str,
    file: &[u8],
) -> tokio::task::JoinHandle<(StatusCode, Value)> {
    let sent = pieces_from(file, 0)[..PIECE as usize + 32 + PIECE as usize / 2].to_vec();
    let stream = futures_util::stream::iter(vec![Ok::<_, std::io::Error>(sent)])
        .chain(futures_util::stream::pending());
    let (http, url, access) = (s.http.clone(), tus.url(location), tus.p.user.access.clone());
    let stalled = tokio::spawn(async move {
        let r = http
            .patch(url)
            .bearer_auth(access)
            .header("tus-resumable", "1.0.0")
            .header("content-type", xin_proto::VERIFIED_PIECES)
            .header("upload-offset", "0")
            .body(reqwest::Body::wrap_stream(stream))
            .send()
            .await;
        answer(r).await
    });
    let id = location.rsplit('/').next().unwrap();
    let staged = s.data_dir().join("files").join("uploads").join(id);
    let past = PIECE + MIB as u64;
    for _ in 0..500 {
        if std::fs::metadata(&staged).map(|m| m.len()).unwrap_or(0) >= past {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(std::fs::metadata(&staged).unwrap().len() >= past);
    stalled
}

#[tokio::test]
async fn a_request_whose_link_died_silently_is_taken_over_by_the_next() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "+15550000001").await;
    let tus = Tus { p: &alice };
    let file = bytes(2 * PIECE as usize + 999, 21);
    let location = tus.start(&file).await;
    let stalled = stall_after_a_piece_and_a_half(&s, &tus, &location, &file).await;

    // The uploader reconnects and asks where to resume: the stalled request is stopped and its
    // whole piece kept, rather than holding the upload until it times out.
    assert_eq!(tus.offset(&location).await, Some(PIECE));
    let old = tokio::time::timeout(std::time::Duration::from_secs(10), stalled)
        .await
        .expect("the stalled request was not stopped")
        .unwrap();
    assert_error(&old, StatusCode::CONFLICT, "offset_mismatch");
    send_the_rest_after_the_first_piece(&tus, &location, &file).await;
}

#[tokio::test]
async fn a_request_that_goes_silent_ends_and_keeps_its_whole_pieces() {
    let s = TestServer::with(|c| c.upload_silence_secs = 1).await;
    let alice = Party::join(&s, "alice", "+15550000001").await;
    let tus = Tus { p: &alice };
    let file = bytes(2 * PIECE as usize + 5, 22);
    let location = tus.start(&file).await;
    let stalled = stall_after_a_piece_and_a_half(&s, &tus, &location, &file).await;

    // Nobody asks for the offset: the server gives up on the silent request by itself.
    let old = tokio::time::timeout(std::time::Duration::from_secs(20), stalled)
        .await
        .expect("the silent request never ended")
        .unwrap();
    assert_error(&old, StatusCode::BAD_REQUEST, "invalid_request");
    let id = location.rsplit('/').next().unwrap();
    let staged = s.data_dir().join("files").join("uploads").join(id);
    assert_eq!(std::fs::metadata(&staged).unwrap().len(), PIECE);
    assert_eq!(tus.offset(&location).await, Some(PIECE));
}

#[tokio::test]
async fn a_stream_of_pieces_must_start_at_a_piece_and_end_with_the_file() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "+15550000001").await;
    let tus = Tus { p: &alice };
    // A one-piece file: its piece's checksum is the file's BLAKE3.
    let small = bytes(3 * MIB, 3);
    let location = tus.start(&small).await;
    assert_eq!(
        tus.patch(&location, 0, small[..MIB].to_vec()).await.0,
        StatusCode::NO_CONTENT
    );
    // After a 1 MiB tus chunk, a stream of pieces cannot start mid-piece.
    let r = tus
        .patch_pieces(
            &location,
            MIB as u64,
            reqwest::Body::from(small[MIB..].to_vec()),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid_request");
    assert_eq!(tus.offset(&location).await, Some(MIB as u64));

    // Bytes past the file's end are refused; the pieces before them are kept.
    let file = bytes(MIB, 4);
    let location = tus.start(&file).await;
    let mut body = pieces_from(&file, 0);
    body.extend_from_slice(b"more");
    let r = tus
        .patch_pieces(&location, 0, reqwest::Body::from(body))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid_request");

    // A stream that stops inside a piece keeps nothing of that piece.
    let other = bytes(PIECE as usize + 10, 6);
    let location = tus.start(&other).await;
    let body = pieces_from(&other, 0)[..MIB].to_vec();
    let r = tus
        .patch_pieces(&location, 0, reqwest::Body::from(body))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid_request");
    assert_eq!(tus.offset(&location).await, Some(0));
}

/// Someone added to a group reads what is sent from then on, as in WeChat: not the earlier
/// messages, not the earlier files, and nothing from before counts as unread. Those who were
/// there keep everything.
#[tokio::test]
async fn a_new_group_member_reads_only_what_is_sent_after_they_join() {
    let s = TestServer::start().await;
    let alice = Party::join(&s, "alice", "13800000001").await;
    let bob = Party::join(&s, "bob", "13800000002").await;
    let carol = Party::join(&s, "carol", "13800000003").await;
    alice.befriend(&bob).await;
    alice.befriend(&carol).await;
    let group = alice
        .ok(
            Method::POST,
            "/conversations",
            Some(json!({"title": "Trip", "members": [bob.user.id]})),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    alice.say(&group, "before carol").await;
    let file = bytes(50_000, 9);
    let h = Tus { p: &alice }.upload(&file).await;
    let (status, _) = send(&alice, &group, file_message(&h, file.len(), "plan.pdf")).await;
    assert_eq!(status, StatusCode::OK);

    alice
        .ok(
            Method::POST,
            &format!("/conversations/{group}/members"),
            Some(json!({"users": [carol.user.id]})),
        )
        .await;
    alice.say(&group, "welcome carol").await;

    let texts = carol.texts(&group).await;
    assert_eq!(texts.last().map(String::as_str), Some("welcome carol"));
    assert!(!texts.iter().any(|t| t == "before carol"), "{texts:?}");
    assert_eq!(
        texts.len(),
        2,
        "the line saying she was added, and the welcome: {texts:?}"
    );
    assert_eq!(carol.conversation(&group).await["unread"], 2);
    assert_eq!(
        Tus { p: &carol }.download(&h, None).await.status(),
        StatusCode::NOT_FOUND
    );
    // Bob, there from the start, keeps the whole history and the file.
    assert!(bob.texts(&group).await.iter().any(|t| t == "before carol"));
    assert_eq!(
        Tus { p: &bob }.download(&h, None).await.status(),
        StatusCode::OK
    );
}
