#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Files through the engine: photos arrive upright, without location, with a thumbnail; files
//! are saved under safe, free names; uploads pause, resume and cancel.
mod common;

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use common::*;
use xin_core::transfer_cache::TransferState;
use xin_proto::Content;

/// A JPEG of `w`×`h` whose EXIF says "rotate 90° clockwise" and carries a GPS position.
fn photo_with_exif(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, _| {
        if x < w / 2 {
            image::Rgb([220, 30, 30])
        } else {
            image::Rgb([30, 30, 220])
        }
    });
    let mut jpeg = std::io::Cursor::new(Vec::new());
    img.write_to(&mut jpeg, image::ImageFormat::Jpeg).unwrap();
    let jpeg = jpeg.into_inner();
    // TIFF, little-endian: IFD0 {Orientation = 6, GPS IFD pointer}, GPS IFD {LatitudeRef = "N"}.
    let mut tiff: Vec<u8> = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes());
    tiff.extend(2u16.to_le_bytes());
    tiff.extend([0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]);
    tiff.extend([0x25, 0x88, 4, 0, 1, 0, 0, 0]);
    tiff.extend(38u32.to_le_bytes());
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(1u16.to_le_bytes());
    tiff.extend([0x01, 0x00, 2, 0, 2, 0, 0, 0, b'N', 0, 0, 0]);
    tiff.extend(0u32.to_le_bytes());
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend([0xff, 0xe1]);
    out.extend(u16::try_from(app1.len() + 2).unwrap().to_be_bytes());
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[tokio::test]
async fn a_photo_arrives_upright_without_its_location_and_with_a_thumbnail() {
    let server = Server::start().await;
    let (alice, bob) = pair(&server).await;
    let conv = alice.chat_with(&bob).await;
    let photo = write(&alice.data_dir(), "IMG_0001.jpg", &photo_with_exif(64, 32));
    alice.engine.send_files(conv, vec![photo]).await.unwrap();

    let got = wait_for("bob's photo", Duration::from_secs(20), async || {
        sent_media(&bob, conv).await.into_iter().next()
    })
    .await;
    let Content::Image {
        blob,
        width,
        height,
        thumbnail,
        placeholder,
    } = got.message.content
    else {
        panic!("not a photo: {:?}", got.message.content)
    };
    // Turned upright: 64×32 rotated a quarter turn.
    assert_eq!((width, height), (32, 64));
    assert!(!placeholder.is_empty());
    let bytes = std::fs::read(bob.engine.media_file(&blob.hash).await.unwrap()).unwrap();
    assert_eq!(blake3::hash(&bytes).to_hex().as_str(), blob.hash);
    assert!(
        !bytes.windows(4).any(|w| w == b"Exif"),
        "EXIF (and with it the location) is gone"
    );
    let img = image::load_from_memory(&bytes).unwrap();
    assert_eq!((img.width(), img.height()), (32, 64));
    // The red half (the picture's left) is now at the top.
    let top = img.to_rgb8().get_pixel(16, 4).0;
    assert!(top[0] > 150 && top[2] < 100, "top is {top:?}");
    let thumb = thumbnail.unwrap();
    let thumb = std::fs::read(bob.engine.media_file(&thumb.hash).await.unwrap()).unwrap();
    let thumb = image::load_from_memory(&thumb).unwrap();
    assert!(thumb.width() <= 360 && thumb.height() <= 360);

    // Alice's own bubble became a sent message whose upload is done.
    let mine = wait_for("alice's sent photo", Duration::from_secs(10), async || {
        sent_media(&alice, conv).await.into_iter().next()
    })
    .await;
    assert_eq!(mine.transfer.map(|t| t.state), Some(TransferState::Done));
    // A hash nobody sent is not fetched for anyone.
    assert!(bob.engine.media_file(&"0".repeat(64)).await.is_err());
}

/// A file the server refuses (over the quota) fails with the server's code, so the bubble says
/// why in the reader's language; it is not retried for ever.
#[tokio::test]
async fn a_refused_file_fails_with_the_reason_the_ui_words() {
    let server = Server::with(|c| c.quota_bytes = 1 << 20).await;
    let (alice, bob) = pair(&server).await;
    let conv = alice.chat_with(&bob).await;
    let file = write(&alice.data_dir(), "big.bin", &vec![7u8; 2 << 20]);
    let sent = alice.engine.send_files(conv, vec![file]).await.unwrap();
    let failed = wait_for("the refusal", Duration::from_secs(20), async || {
        alice
            .engine
            .transfers()
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.id == sent[0].id && t.state == TransferState::Failed)
    })
    .await;
    let error = failed.error.expect("a reason");
    assert_eq!(
        error.code,
        xin_core::error::UiCode::Server(xin_proto::ErrorCode::QuotaExceeded),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_received_file_is_saved_under_a_safe_free_name() {
    let server = Server::start().await;
    let (alice, bob) = pair(&server).await;
    let conv = alice.chat_with(&bob).await;
    let content: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let file = write(&alice.data_dir(), "notes.txt", &content);
    alice.engine.send_files(conv, vec![file]).await.unwrap();
    let got = wait_for("bob's file", Duration::from_secs(20), async || {
        sent_media(&bob, conv).await.into_iter().next()
    })
    .await;
    let Content::File { name, .. } = &got.message.content else {
        panic!("not a file")
    };
    assert_eq!(name, "notes.txt");

    let mut saved = Vec::new();
    for _ in 0..2 {
        let t = bob.engine.download_file(&got.message).await.unwrap();
        let done = wait_for("the download", Duration::from_secs(20), async || {
            let t = bob
                .engine
                .transfers()
                .await
                .unwrap()
                .into_iter()
                .find(|x| x.id == t.id)?;
            (t.state == TransferState::Done).then_some(t)
        })
        .await;
        assert_eq!(std::fs::read(&done.path).unwrap(), content);
        saved.push(PathBuf::from(&done.path));
    }
    let names: Vec<_> = saved
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
        .collect();
    assert_eq!(names, ["notes.txt", "notes (1).txt"]);
    assert_eq!(saved[0].parent().unwrap(), bob.data_dir().join("Downloads"));
    // Nothing half-written is left behind.
    let leftovers = std::fs::read_dir(bob.data_dir().join("Downloads"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".xin-part")
        })
        .count();
    assert_eq!(leftovers, 0);
}

#[tokio::test]
async fn a_paused_upload_waits_and_a_cancelled_one_leaves_no_message() {
    let server = Server::start().await;
    let (alice, bob) = pair(&server).await;
    let conv = alice.chat_with(&bob).await;
    let big: Vec<u8> = (0..40_000_000u32).map(|i| (i % 241) as u8).collect();
    let a = write(&alice.data_dir(), "a.bin", &big);
    let b = write(&alice.data_dir(), "b.bin", &big[..1000]);
    let queued = alice.engine.send_files(conv, vec![a, b]).await.unwrap();
    alice.engine.pause_transfer(queued[0].id).await.unwrap();
    alice.engine.cancel_transfer(queued[1].id).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let shown = alice.engine.messages(conv, None).await.unwrap();
    assert_eq!(
        shown.iter().filter(|m| m.transfer.is_some()).count(),
        1,
        "the cancelled one is gone"
    );
    let paused = shown.iter().find_map(|m| m.transfer.clone()).unwrap();
    assert_eq!(paused.state, TransferState::Paused);
    assert!(sent_media(&bob, conv).await.is_empty());

    alice.engine.resume_transfer(queued[0].id).await.unwrap();
    let got = wait_for("the resumed file", Duration::from_secs(30), async || {
        sent_media(&bob, conv).await.into_iter().next()
    })
    .await;
    assert!(matches!(got.message.content, Content::File { ref name, .. } if name == "a.bin"));
}
