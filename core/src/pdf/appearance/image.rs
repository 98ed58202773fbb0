//! PNG signature and seal images as image XObjects (ISO 32000-2 §8.9.5):
//! 8-bit DeviceRGB samples plus, when the PNG has transparency, an 8-bit
//! DeviceGray soft mask (§11.6.5.3) so the paper shows through.

use std::io::Cursor;

use crate::pdf::filter::deflate;
use png::{BitDepth, ColorType, Transformations};

use crate::pdf::object::{Dictionary, Object, ObjectId, ObjectSink, Stream};
use crate::Error;

/// Scanned signatures and seals are a few hundred pixels wide; the cap keeps
/// a hostile header from making us allocate gigabytes before decoding fails.
const MAX_PIXELS: u64 = 25_000_000;

/// A decoded image: `rgb` has 3 bytes a pixel, `alpha` 1 byte a pixel and is
/// absent when every pixel is opaque.
#[derive(Debug)]
pub(crate) struct RasterImage {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
    alpha: Option<Vec<u8>>,
}

/// Decodes a PNG of any colour type and depth; `what` names the image in
/// error messages ("signature image", "seal image").
pub(crate) fn decode_png(bytes: &[u8], what: &str) -> Result<RasterImage, Error> {
    let bad = |why: String| Error::Malformed(format!("{what}: {why}"));

    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    // Palette and low bit depths become 8-bit samples, tRNS becomes an alpha
    // channel, 16-bit samples lose their low byte: four cases remain.
    decoder.set_transformations(Transformations::EXPAND | Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|e| bad(e.to_string()))?;

    let (width, height) = {
        let info = reader.info();
        (info.width, info.height)
    };
    let pixels = u64::from(width) * u64::from(height);
    if pixels == 0 {
        return Err(bad("empty image".into()));
    }
    if pixels > MAX_PIXELS {
        return Err(bad(format!("{width}x{height} pixels is too large")));
    }

    let size = reader
        .output_buffer_size()
        .ok_or_else(|| bad("image too large".into()))?;
    let mut buf = vec![0u8; size];
    let frame = reader
        .next_frame(&mut buf)
        .map_err(|e| bad(e.to_string()))?;
    if frame.bit_depth != BitDepth::Eight {
        return Err(bad(format!("unexpected bit depth {:?}", frame.bit_depth)));
    }
    let (width, height) = (frame.width, frame.height);
    let pixels = usize::try_from(u64::from(width) * u64::from(height))
        .map_err(|_| bad("image too large".into()))?;

    let channels = match frame.color_type {
        ColorType::Grayscale => 1,
        ColorType::GrayscaleAlpha => 2,
        ColorType::Rgb => 3,
        ColorType::Rgba => 4,
        ColorType::Indexed => return Err(bad("palette was not expanded".into())),
    };
    let samples = buf
        .get(..pixels * channels)
        .ok_or_else(|| bad("truncated image data".into()))?;

    let mut rgb = Vec::with_capacity(pixels * 3);
    let mut alpha = Vec::with_capacity(if channels % 2 == 0 { pixels } else { 0 });
    for px in samples.chunks_exact(channels) {
        match *px {
            [g] => rgb.extend_from_slice(&[g, g, g]),
            [g, a] => {
                rgb.extend_from_slice(&[g, g, g]);
                alpha.push(a);
            }
            [r, g, b] => rgb.extend_from_slice(&[r, g, b]),
            [r, g, b, a] => {
                rgb.extend_from_slice(&[r, g, b]);
                alpha.push(a);
            }
            _ => {}
        }
    }
    // A fully opaque mask changes nothing but costs a stream and slows
    // rendering.
    let alpha = (!alpha.is_empty() && alpha.iter().any(|&a| a != 255)).then_some(alpha);

    Ok(RasterImage {
        width,
        height,
        rgb,
        alpha,
    })
}

impl RasterImage {
    /// Width over height.
    pub(crate) fn aspect(&self) -> f64 {
        f64::from(self.width) / f64::from(self.height)
    }

    /// Adds the image (and its soft mask) and returns the image XObject.
    pub(crate) fn add_to(&self, sink: &mut dyn ObjectSink) -> ObjectId {
        let base = |color_space: &str| {
            Dictionary::new()
                .with(b"Type", Object::name("XObject"))
                .with(b"Subtype", Object::name("Image"))
                .with(b"Width", self.width)
                .with(b"Height", self.height)
                .with(b"ColorSpace", Object::name(color_space))
                .with(b"BitsPerComponent", 8)
                .with(b"Filter", Object::name("FlateDecode"))
        };
        let mut dict = base("DeviceRGB");
        if let Some(alpha) = &self.alpha {
            let smask = sink.add(
                Stream {
                    dict: base("DeviceGray"),
                    data: deflate(alpha),
                }
                .into(),
            );
            dict.set(b"SMask", smask);
        }
        sink.add(
            Stream {
                dict,
                data: deflate(&self.rgb),
            }
            .into(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodes a PNG, with a palette and its tRNS when given.
    fn encode_png(
        width: u32,
        height: u32,
        color: ColorType,
        depth: BitDepth,
        data: &[u8],
        palette: Option<(&[u8], &[u8])>,
    ) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, width, height);
            enc.set_color(color);
            enc.set_depth(depth);
            if let Some((plte, trns)) = palette {
                enc.set_palette(plte.to_vec());
                enc.set_trns(trns.to_vec());
            }
            let mut w = enc.write_header().unwrap();
            w.write_image_data(data).unwrap();
        }
        out
    }

    #[test]
    fn rgba_splits_into_rgb_and_alpha() {
        let data: Vec<u8> = (0..2 * 2)
            .flat_map(|i| [i, 10 + i, 20 + i, 60 * i])
            .collect();
        let png = encode_png(2, 2, ColorType::Rgba, BitDepth::Eight, &data, None);
        let img = decode_png(&png, "test").unwrap();
        assert_eq!((img.width, img.height), (2, 2));
        assert_eq!(img.rgb, [0, 10, 20, 1, 11, 21, 2, 12, 22, 3, 13, 23]);
        assert_eq!(img.alpha.as_deref(), Some(&[0, 60, 120, 180][..]));
    }

    #[test]
    fn opaque_rgba_has_no_mask() {
        let data = [1, 2, 3, 255, 4, 5, 6, 255];
        let png = encode_png(2, 1, ColorType::Rgba, BitDepth::Eight, &data, None);
        let img = decode_png(&png, "test").unwrap();
        assert_eq!(img.rgb, [1, 2, 3, 4, 5, 6]);
        assert!(img.alpha.is_none());
    }

    #[test]
    fn grayscale_and_gray_alpha_become_rgb() {
        let png = encode_png(
            3,
            1,
            ColorType::Grayscale,
            BitDepth::Eight,
            &[0, 128, 255],
            None,
        );
        let img = decode_png(&png, "test").unwrap();
        assert_eq!(img.rgb, [0, 0, 0, 128, 128, 128, 255, 255, 255]);
        assert!(img.alpha.is_none());

        let png = encode_png(
            2,
            1,
            ColorType::GrayscaleAlpha,
            BitDepth::Eight,
            &[7, 0, 9, 200],
            None,
        );
        let img = decode_png(&png, "test").unwrap();
        assert_eq!(img.rgb, [7, 7, 7, 9, 9, 9]);
        assert_eq!(img.alpha.as_deref(), Some(&[0, 200][..]));
    }

    #[test]
    fn palette_with_trns_gets_alpha() {
        // Two colours, 1 bit a pixel: red (transparent) and blue (opaque).
        let plte = [255, 0, 0, 0, 0, 255];
        let trns = [0];
        let png = encode_png(
            4,
            1,
            ColorType::Indexed,
            BitDepth::One,
            &[0b0101_0000],
            Some((&plte, &trns)),
        );
        let img = decode_png(&png, "test").unwrap();
        assert_eq!(img.rgb, [255, 0, 0, 0, 0, 255, 255, 0, 0, 0, 0, 255]);
        assert_eq!(img.alpha.as_deref(), Some(&[0, 255, 0, 255][..]));
    }

    #[test]
    fn sixteen_bit_is_stripped_to_eight() {
        let data = [0x12, 0x34, 0xab, 0xcd, 0xff, 0xff];
        let png = encode_png(1, 1, ColorType::Rgb, BitDepth::Sixteen, &data, None);
        let img = decode_png(&png, "test").unwrap();
        assert_eq!(img.rgb, [0x12, 0xab, 0xff]);
    }

    #[test]
    fn corrupt_and_hostile_pngs_are_errors() {
        let good = encode_png(2, 2, ColorType::Rgb, BitDepth::Eight, &[9; 12], None);
        let mut cases: Vec<Vec<u8>> = vec![
            Vec::new(),
            b"\x89PNG\r\n\x1a\n".to_vec(),
            b"GIF89a not a png".to_vec(),
        ];
        // Cut inside IHDR or IDAT (a file cut just before IEND still holds the
        // whole image and decodes).
        for cut in [8, 20, 33, 40, good.len() - 20] {
            cases.push(good[..cut].to_vec());
        }
        let mut flipped = good.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 0xff;
        cases.push(flipped);
        // IHDR claiming 65535 x 65535 pixels with a valid CRC.
        let mut huge = good.clone();
        huge[16..24].copy_from_slice(&[0, 0, 0xff, 0xff, 0, 0, 0xff, 0xff]);
        let crc = crc32(&huge[12..29]);
        huge[29..33].copy_from_slice(&crc.to_be_bytes());
        cases.push(huge);

        for case in &cases {
            match decode_png(case, "signature image") {
                Err(Error::Malformed(m)) => assert!(m.starts_with("signature image: "), "{m}"),
                other => panic!("{} bytes: {other:?}", case.len()),
            }
        }
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
}
