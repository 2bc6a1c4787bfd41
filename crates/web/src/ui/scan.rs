//! Reading a paper passport's QR code from a photo: a phone's camera (through an ordinary file
//! input) or a scanner's picture, decoded on the server, so no camera script is needed.

use std::io::Cursor;

/// Pictures are shrunk to this many pixels on their longer side before the code is looked for:
/// plenty for a code that fills a good part of the picture, and quick to search.
const SEARCH_SIDE: u32 = 1600;
/// The largest picture accepted, bytes (a phone photo is a few megabytes).
pub const MAX_PHOTO: usize = 12 * 1024 * 1024;

/// The text of the first QR code that can be read in a PNG or JPEG picture, or why not.
pub fn read_qr(bytes: &[u8]) -> Result<String, &'static str> {
    let not_a_picture = "the file is not a PNG or JPEG picture";
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(10_000);
    limits.max_image_height = Some(10_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| not_a_picture)?;
    reader.limits(limits);
    let picture = reader.decode().map_err(|_| not_a_picture)?;
    let picture = if picture.width().max(picture.height()) > SEARCH_SIDE {
        picture.thumbnail(SEARCH_SIDE, SEARCH_SIDE)
    } else {
        picture
    };
    let mut prepared = rqrr::PreparedImage::prepare(picture.to_luma8());
    prepared
        .detect_grids()
        .iter()
        .find_map(|grid| grid.decode().ok().map(|(_, text)| text))
        .ok_or("no QR code could be read in the picture: try again closer, in good light")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG of `text` as a QR code, as a phone or scanner would capture it.
    fn picture_of(text: &str) -> Vec<u8> {
        let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::L)
            .unwrap_or_else(|e| unreachable!("{e}"));
        let width = code.width();
        let scale = 4;
        let side = u32::try_from((width + 8) * scale).unwrap_or(0);
        let colours = code.to_colors();
        let picture = image::GrayImage::from_fn(side, side, |x, y| {
            let (mx, my) = (x as usize / scale, y as usize / scale);
            let dark = mx >= 4
                && my >= 4
                && mx - 4 < width
                && my - 4 < width
                && colours[(my - 4) * width + (mx - 4)] == qrcode::Color::Dark;
            image::Luma([if dark { 0 } else { 255 }])
        });
        let mut png = Vec::new();
        image::DynamicImage::ImageLuma8(picture)
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap_or_else(|e| unreachable!("{e}"));
        png
    }

    #[test]
    fn a_long_credential_reads_back_exactly_from_its_picture() {
        // About the length of a training credential with all eleven subjects.
        let text: String = (0..2400)
            .map(|i| char::from(b'A' + (i % 26) as u8))
            .collect();
        assert_eq!(read_qr(&picture_of(&text)), Ok(text));
    }

    #[test]
    fn what_is_not_a_readable_picture_is_refused() {
        assert!(read_qr(b"not a picture").is_err());
        let blank = image::DynamicImage::ImageLuma8(image::GrayImage::new(50, 50));
        let mut png = Vec::new();
        blank
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert!(read_qr(&png).is_err());
    }
}
