#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Getting files ready to send, without a server: limits on pictures, GIFs kept as they are.

use std::io::Cursor;

use image::{codecs::gif::GifEncoder, Delay, Frame, RgbaImage};
use xin_core::{media, CoreError};
use xin_proto::Content;

#[test]
fn a_decompression_bomb_is_refused_before_it_is_decoded() {
    let dir = tempfile::tempdir().unwrap();
    // A PNG whose header claims 100 000 × 100 000 pixels (40 GB decoded) in a few bytes.
    let mut png = Vec::new();
    png.extend(b"\x89PNG\r\n\x1a\n");
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(100_000u32.to_be_bytes());
    ihdr.extend(100_000u32.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    png.extend(13u32.to_be_bytes());
    png.extend(&ihdr);
    let crc = crc32(&ihdr);
    png.extend(crc.to_be_bytes());
    let path = dir.path().join("bomb.png");
    std::fs::write(&path, &png).unwrap();
    let err = media::prepare(&path, "bomb.png", &dir.path().join("media"))
        .err()
        .expect("refused");
    // Refused for its size, not for being cut short.
    assert!(
        matches!(&err, CoreError::File(m) if m.to_lowercase().contains("limit")),
        "{err:?}"
    );
}

#[test]
fn a_gif_is_sent_as_it_is_so_it_stays_animated() {
    let dir = tempfile::tempdir().unwrap();
    let mut gif = Vec::new();
    {
        let mut enc = GifEncoder::new(Cursor::new(&mut gif));
        for shade in [40u8, 200] {
            let frame = RgbaImage::from_pixel(32, 24, image::Rgba([shade, 90, 160, 255]));
            enc.encode_frame(Frame::from_parts(
                frame,
                0,
                0,
                Delay::from_numer_denom_ms(100, 1),
            ))
            .unwrap();
        }
    }
    let path = dir.path().join("wave.gif");
    std::fs::write(&path, &gif).unwrap();
    let prepared = media::prepare(&path, "wave.gif", &dir.path().join("media")).unwrap();
    let Content::Image {
        blob,
        width,
        height,
        thumbnail,
        ..
    } = prepared.content
    else {
        panic!("a GIF is a photo")
    };
    assert_eq!(
        blob.hash,
        blake3::hash(&gif).to_hex().as_str(),
        "the original bytes, both frames"
    );
    assert_eq!((width, height), (32, 24));
    assert!(thumbnail.is_some());
}

#[test]
fn anything_else_is_a_file_with_a_safe_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, b"hello").unwrap();
    let prepared = media::prepare(&path, "../notes.txt", &dir.path().join("media")).unwrap();
    assert!(matches!(
        prepared.content,
        Content::File { ref name, ref media_type, .. } if name == "notes.txt" && media_type == "text/plain"
    ));
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// The demo's video: 4 s of VP8 at 480 × 270 (see `crates/xin-demo/assets/README.md`).
const VIDEO: &[u8] = include_bytes!("../../xin-demo/assets/video.webm");

#[test]
fn a_video_gets_its_length_size_and_first_frame_as_thumbnail() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clip.webm");
    std::fs::write(&path, VIDEO).unwrap();
    let media_dir = dir.path().join("media");
    let prepared = media::prepare(&path, "clip.webm", &media_dir).unwrap();
    let Content::Video {
        blob,
        thumbnail,
        duration_ms,
        width,
        height,
        name,
    } = prepared.content
    else {
        panic!(
            "a playable video is a video message: {:?}",
            prepared.content
        )
    };
    assert_eq!(blob.hash, blake3::hash(VIDEO).to_hex().as_str());
    assert_eq!((width, height), (480, 270));
    assert_eq!(name, "clip.webm");
    assert!((3900..=4100).contains(&duration_ms), "{duration_ms} ms");
    // The thumbnail is a real picture of the first frame, uploaded before the video.
    let thumb = thumbnail.expect("a thumbnail");
    let picture = image::load_from_memory(&std::fs::read(media_dir.join(&thumb.hash)).unwrap())
        .unwrap()
        .to_rgb8();
    assert_eq!((picture.width(), picture.height()), (360, 203));
    let lit = picture
        .pixels()
        .filter(|p| p.0.iter().any(|&c| c > 40))
        .count();
    assert!(lit > picture.pixels().len() / 4, "not a black frame");
    assert_eq!(prepared.parts[0].hash, thumb.hash);
    assert_eq!(prepared.parts[1].hash, blob.hash);
}

#[test]
fn a_file_that_only_looks_like_a_video_is_sent_as_a_file() {
    let dir = tempfile::tempdir().unwrap();
    // WebM's magic bytes, then nothing a decoder can read.
    let path = dir.path().join("broken.webm");
    let mut bytes = VIDEO[..64].to_vec();
    bytes.extend(std::iter::repeat_n(0u8, 4096));
    std::fs::write(&path, &bytes).unwrap();
    let prepared = media::prepare(&path, "broken.webm", &dir.path().join("media")).unwrap();
    assert!(
        matches!(prepared.content, Content::File { ref name, .. } if name == "broken.webm"),
        "{:?}",
        prepared.content
    );
}
