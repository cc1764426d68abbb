//! QR codes rendered in Rust: SVG for the screen (crisp at any DPI), PNG for saving.

use qrcode::{render::svg, EcLevel, QrCode};

use crate::error::{CoreError, CoreResult};

fn code(text: &str) -> CoreResult<QrCode> {
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| CoreError::Protocol(format!("QR: {e}")))
}

/// An SVG that scales to its container; dark modules on white, with the quiet zone.
pub fn svg(text: &str) -> CoreResult<String> {
    Ok(code(text)?
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .quiet_zone(true)
        .build())
}

/// A PNG of the code, `scale` pixels per module.
pub fn png(text: &str, scale: u32) -> CoreResult<Vec<u8>> {
    let img = code(text)?
        .render::<image::Luma<u8>>()
        .module_dimensions(scale, scale)
        .quiet_zone(true)
        .build();
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| CoreError::Protocol(format!("PNG: {e}")))?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    #[test]
    fn png_decodes_back_to_the_text() {
        let url = "http://192.168.1.2:7420/m/l/AbCdEfGhIjKlMnOpQrStUv";
        let png = super::png(url, 8).unwrap();
        let img = image::load_from_memory(&png).unwrap().to_luma8();
        let mut prepared = rqrr::PreparedImage::prepare(img);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().unwrap();
        assert_eq!(content, url);
    }

    #[test]
    fn svg_is_an_svg() {
        let s = super::svg("hello").unwrap();
        assert!(s.contains("<svg") && s.contains("</svg>"));
    }
}
