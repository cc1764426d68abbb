//! Getting a file ready to send. Photos are decoded within limits (a decompression bomb is
//! refused, not allocated), turned upright by their EXIF orientation and re-encoded, which
//! drops every metadata block and so the location; a thumbnail and a ThumbHash placeholder are
//! made. GIFs are sent as they are, so they stay animated. A video the system can play gets its
//! first frame as thumbnail (see [`crate::video`]). Anything else is sent as a file.

use std::{
    io::Cursor,
    path::{Path, PathBuf},
};

use base64::Engine as _;
use image::{codecs::jpeg::JpegEncoder, DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use xin_proto::{file_name, BlobRef, Content};

use crate::{
    error::{CoreError, CoreResult},
    transfer_cache::Part,
};

/// Longest side of a thumbnail, in pixels.
const THUMB_SIDE: u32 = 360;
/// Largest picture decoded: 16 384 px a side, 512 MiB of pixels.
const MAX_SIDE: u32 = 16_384;
const MAX_ALLOC: u64 = 512 << 20;

fn file_error(what: &str, path: &Path, e: impl std::fmt::Display) -> CoreError {
    CoreError::File(format!("{what} {}: {e}", path.display()))
}

pub fn limits() -> image::Limits {
    let mut l = image::Limits::default();
    l.max_image_width = Some(MAX_SIDE);
    l.max_image_height = Some(MAX_SIDE);
    l.max_alloc = Some(MAX_ALLOC);
    l
}

/// BLAKE3 of a file, read by memory map on all cores (a 1 GiB file in well under a second).
pub fn hash_file(path: &Path) -> CoreResult<String> {
    let mut hasher = blake3::Hasher::new();
    hasher
        .update_mmap_rayon(path)
        .map_err(|e| file_error("Could not read", path, e))?;
    Ok(hasher.finalize().to_hex().to_string())
}

/// A prepared send: the blobs to upload and the message they make.
pub struct Prepared {
    pub parts: Vec<Part>,
    pub content: Content,
}

fn part(path: &Path, hash: String) -> CoreResult<Part> {
    let size = std::fs::metadata(path)
        .map_err(|e| file_error("Could not read", path, e))?
        .len();
    Ok(Part {
        path: path.display().to_string(),
        hash,
        size,
        location: None,
        uploaded: false,
    })
}

/// Keeps `bytes` in the media cache under their hash (so one's own photo shows at once).
fn cache_bytes(media: &Path, bytes: &[u8]) -> CoreResult<(PathBuf, String)> {
    let hash = blake3::hash(bytes).to_hex().to_string();
    let path = media.join(&hash);
    std::fs::write(&path, bytes).map_err(|e| file_error("Could not write", &path, e))?;
    Ok((path, hash))
}

fn encode(img: &DynamicImage, format: ImageFormat, quality: u8) -> CoreResult<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    let result = if format == ImageFormat::Jpeg {
        img.to_rgb8()
            .write_with_encoder(JpegEncoder::new_with_quality(&mut out, quality))
    } else {
        img.write_to(&mut out, ImageFormat::Png)
    };
    result.map_err(|e| CoreError::File(format!("Could not encode the picture: {e}")))?;
    Ok(out.into_inner())
}

/// A compact blurred preview (ThumbHash, base64), drawn before any byte is downloaded.
fn placeholder(img: &DynamicImage) -> String {
    let small = img.thumbnail(100, 100).to_rgba8();
    let hash = thumbhash::rgba_to_thumb_hash(
        small.width() as usize,
        small.height() as usize,
        small.as_raw(),
    );
    base64::engine::general_purpose::STANDARD.encode(hash)
}

/// The picture format of the file, from its first bytes, if it is one Xin sends as a photo.
pub fn photo_format(path: &Path) -> Option<ImageFormat> {
    let reader = ImageReader::open(path).ok()?.with_guessed_format().ok()?;
    reader.format().filter(|f| {
        matches!(
            f,
            ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::Gif | ImageFormat::WebP
        )
    })
}

/// Prepares `path` to be sent as `name`; derived files go to the media cache `media`.
pub fn prepare(path: &Path, name: &str, media: &Path) -> CoreResult<Prepared> {
    std::fs::create_dir_all(media).map_err(|e| file_error("Could not create", media, e))?;
    if let Some(format) = photo_format(path) {
        return prepare_photo(path, format, media);
    }
    if crate::video::is_video(path) {
        match crate::video::probe(path) {
            Ok(probed) => return prepare_video(path, name, probed, media),
            Err(e) => tracing::info!(path = %path.display(), "sent as a file: {e}"),
        }
    }
    let p = part(path, hash_file(path)?)?;
    let media_type = mime_guess::from_path(name)
        .first_or_octet_stream()
        .essence_str()
        .to_string();
    Ok(Prepared {
        content: Content::File {
            blob: BlobRef {
                hash: p.hash.clone(),
                size: p.size,
            },
            name: file_name::sanitize(name),
            media_type,
        },
        parts: vec![p],
    })
}

/// A video: its first frame becomes the thumbnail, uploaded first (it is what the other side
/// shows until the video is fetched).
fn prepare_video(
    path: &Path,
    name: &str,
    probed: crate::video::Probed,
    media: &Path,
) -> CoreResult<Prepared> {
    let frame = DynamicImage::ImageRgb8(probed.first_frame).thumbnail(THUMB_SIDE, THUMB_SIDE);
    let (thumb_path, thumb_hash) = cache_bytes(media, &encode(&frame, ImageFormat::Jpeg, 80)?)?;
    let thumb = part(&thumb_path, thumb_hash)?;
    let main = part(path, hash_file(path)?)?;
    Ok(Prepared {
        content: Content::Video {
            blob: BlobRef {
                hash: main.hash.clone(),
                size: main.size,
            },
            thumbnail: Some(BlobRef {
                hash: thumb.hash.clone(),
                size: thumb.size,
            }),
            duration_ms: probed.duration_ms,
            width: probed.width,
            height: probed.height,
            name: file_name::sanitize(name),
        },
        parts: vec![thumb, main],
    })
}

/// A recorded voice message: only its hash is needed; the recorder knows its length and shape.
pub fn prepare_voice(path: &Path, duration_ms: u32, waveform: Vec<u8>) -> CoreResult<Prepared> {
    let p = part(path, hash_file(path)?)?;
    Ok(Prepared {
        content: Content::Voice {
            blob: BlobRef {
                hash: p.hash.clone(),
                size: p.size,
            },
            duration_ms,
            waveform,
        },
        parts: vec![p],
    })
}

fn prepare_photo(path: &Path, format: ImageFormat, media: &Path) -> CoreResult<Prepared> {
    let mut reader = ImageReader::open(path)
        .map_err(|e| file_error("Could not read", path, e))?
        .with_guessed_format()
        .map_err(|e| file_error("Could not read", path, e))?;
    reader.limits(limits());
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| file_error("Could not open the picture", path, e))?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder)
        .map_err(|e| file_error("Could not open the picture", path, e))?;
    img.apply_orientation(orientation);

    let main = if format == ImageFormat::Gif {
        // Animated, and GIF carries no EXIF: the original bytes go as they are.
        let hash = hash_file(path)?;
        let cached = media.join(&hash);
        if !cached.exists() {
            std::fs::copy(path, &cached).map_err(|e| file_error("Could not copy", path, e))?;
        }
        part(&cached, hash)?
    } else {
        let target = if format == ImageFormat::Jpeg {
            ImageFormat::Jpeg
        } else {
            ImageFormat::Png
        };
        let (cached, hash) = cache_bytes(media, &encode(&img, target, 90)?)?;
        part(&cached, hash)?
    };
    let thumb = img.thumbnail(THUMB_SIDE, THUMB_SIDE);
    let (thumb_path, thumb_hash) = cache_bytes(media, &encode(&thumb, ImageFormat::Jpeg, 80)?)?;
    let thumb_part = part(&thumb_path, thumb_hash)?;
    Ok(Prepared {
        content: Content::Image {
            blob: BlobRef {
                hash: main.hash.clone(),
                size: main.size,
            },
            width: img.width(),
            height: img.height(),
            thumbnail: Some(BlobRef {
                hash: thumb_part.hash.clone(),
                size: thumb_part.size,
            }),
            placeholder: placeholder(&img),
        },
        // The thumbnail first: it is what the other side shows.
        parts: vec![thumb_part, main],
    })
}
