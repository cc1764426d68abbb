//! Photos drawn here (the repository ships no image files) and prepared like the apps do: JPEG,
//! a 360 px thumbnail and a ThumbHash placeholder.

use std::io::Cursor;

use base64::Engine as _;
use image::{codecs::jpeg::JpegEncoder, DynamicImage, Rgb, RgbImage};

pub struct Prepared {
    pub jpeg: Vec<u8>,
    pub thumbnail: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub placeholder: String,
}

fn jpeg(img: &RgbImage, quality: u8) -> Result<Vec<u8>, String> {
    let mut out = Cursor::new(Vec::new());
    img.write_with_encoder(JpegEncoder::new_with_quality(&mut out, quality))
        .map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}

impl Prepared {
    pub fn of(img: RgbImage) -> Result<Self, String> {
        let dynamic = DynamicImage::ImageRgb8(img);
        let thumb = dynamic.thumbnail(360, 360).to_rgb8();
        let small = dynamic.thumbnail(100, 100).to_rgba8();
        let hash = thumbhash::rgba_to_thumb_hash(
            small.width() as usize,
            small.height() as usize,
            small.as_raw(),
        );
        let img = dynamic.to_rgb8();
        Ok(Self {
            jpeg: jpeg(&img, 88)?,
            thumbnail: jpeg(&thumb, 80)?,
            width: img.width(),
            height: img.height(),
            placeholder: base64::engine::general_purpose::STANDARD.encode(hash),
        })
    }
}

fn mix(a: [u8; 3], b: [u8; 3], t: f32) -> Rgb<u8> {
    let t = t.clamp(0.0, 1.0);
    Rgb([0, 1, 2].map(|i| (f32::from(a[i]) + (f32::from(b[i]) - f32::from(a[i])) * t) as u8))
}

/// A ridge at dawn: blue sky fading to peach, two layers of peaks, snow on the near one.
pub fn mountains(w: u32, h: u32) -> RgbImage {
    let (wf, hf) = (w as f32, h as f32);
    RgbImage::from_fn(w, h, |x, y| {
        let (x, y) = (x as f32 / wf, y as f32 / hf);
        let far = 0.45 + 0.12 * (x * 9.0).sin() * (x * 2.3).cos();
        let near =
            0.62 + 0.18 * ((x * 5.0 + 1.0).sin() * 0.6 + (x * 13.0).sin() * 0.15).abs() - 0.1;
        if y > near {
            let snow = y < near + 0.035 && (x * 40.0).sin() > -0.4;
            if snow {
                Rgb([236, 240, 245])
            } else {
                mix([58, 70, 82], [24, 32, 38], (y - near) / (1.0 - near))
            }
        } else if y > far {
            mix([112, 128, 156], [90, 104, 130], (y - far) * 3.0)
        } else {
            mix([92, 142, 214], [250, 196, 160], y / far)
        }
    })
}

/// Sun over the sea.
pub fn sunset(w: u32, h: u32) -> RgbImage {
    let (wf, hf) = (w as f32, h as f32);
    RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (x as f32 / wf, y as f32 / hf);
        let horizon = 0.62;
        let sun =
            ((fx - 0.5) * wf).powi(2) + ((fy - 0.52) * hf).powi(2) < (0.09 * wf.min(hf)).powi(2);
        if fy > horizon {
            let glint =
                (fx - 0.5).abs() < 0.06 * (1.0 - (fy - horizon)) && ((fy * 180.0).sin() > 0.2);
            if glint {
                Rgb([255, 200, 120])
            } else {
                mix(
                    [40, 60, 110],
                    [12, 22, 48],
                    (fy - horizon) / (1.0 - horizon),
                )
            }
        } else if sun {
            Rgb([255, 226, 150])
        } else {
            mix([60, 40, 120], [255, 140, 90], fy / horizon)
        }
    })
}

/// A small, valid one-page PDF.
pub const PLAN_PDF: &str = "%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj
4 0 obj << /Length 120 >> stream
BT /F1 24 Tf 72 760 Td (Climbing trip - Saturday) Tj 0 -40 Td /F1 14 Tf (09:00 meet at the gym, 10:30 crag, bring rope + snacks) Tj ET
endstream endobj
5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj
trailer << /Root 1 0 R >>
%%EOF
";

pub const PACKING_LIST: &str = "Packing list\n\n- harness, shoes, chalk\n- 60 m rope\n- quickdraws x12\n- helmet\n- water 2 L, sandwiches\n- head torch\n";
