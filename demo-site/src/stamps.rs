//! The demo's signature and seal images, drawn on first use (no binary files
//! in the repository, nothing fetched): a blue handwritten-looking stroke and
//! a red round seal with a star, both transparent PNGs as Decree 30 asks.

use std::sync::OnceLock;

/// The signature image, drawn once.
pub fn signature() -> &'static [u8] {
    static PNG: OnceLock<Vec<u8>> = OnceLock::new();
    PNG.get_or_init(signature_png)
}

/// The seal image, drawn once.
pub fn seal() -> &'static [u8] {
    static PNG: OnceLock<Vec<u8>> = OnceLock::new();
    PNG.get_or_init(seal_png)
}

/// A leader's signature: 240×100, blue ink on transparency.
fn signature_png() -> Vec<u8> {
    let (w, h) = (240u32, 100u32);
    draw(w, h, [20, 50, 170], |x, y| {
        // A looping stroke, then a flourish underneath.
        let t = x / 240.0;
        let main = 48.0 + 26.0 * (x / 15.0).sin() * (1.0 - t * 0.6) - 10.0 * (x / 60.0).cos();
        let under = 78.0 + 4.0 * (x / 40.0).sin();
        ((y - main).abs() < 2.6 && x > 12.0 && x < 200.0)
            || ((y - under).abs() < 1.8 && x > 40.0 && x < 228.0)
    })
}

/// An organisation's seal: 200×200, red rings and a five-pointed star.
fn seal_png() -> Vec<u8> {
    let (w, h) = (200u32, 200u32);
    draw(w, h, [205, 25, 35], |x, y| {
        let (dx, dy) = (x - 100.0, y - 100.0);
        let d = (dx * dx + dy * dy).sqrt();
        let ring = (88.0..96.0).contains(&d) || (62.0..66.0).contains(&d);
        // Dashes between the rings stand in for the seal's lettering.
        let angle = dy.atan2(dx);
        let letters = (70.0..84.0).contains(&d) && ((angle * 18.0).sin() > 0.35);
        ring || letters || in_star(dx, dy, 40.0)
    })
}

/// Inside a five-pointed star of outer radius `r` centred on the origin.
fn in_star(x: f64, y: f64, r: f64) -> bool {
    let d = (x * x + y * y).sqrt();
    if d > r {
        return false;
    }
    // The star's edge radius at this angle: between r and the inner radius.
    let inner = r * 0.382;
    let a = (y.atan2(x) + std::f64::consts::FRAC_PI_2).rem_euclid(2.0 * std::f64::consts::PI / 5.0);
    let half = std::f64::consts::PI / 5.0;
    let f = (a - half).abs() / half; // 1 at a point, 0 between points
    d <= inner + (r - inner) * f.powf(1.6)
}

fn draw(w: u32, h: u32, color: [u8; 3], ink: impl Fn(f64, f64) -> bool) -> Vec<u8> {
    let mut rgba = vec![0u8; (w * h * 4) as usize];
    for y in 0..h {
        for x in 0..w {
            if ink(x as f64, y as f64) {
                let i = ((y * w + x) * 4) as usize;
                rgba[i..i + 3].copy_from_slice(&color);
                rgba[i + 3] = 235;
            }
        }
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    // Writing to a Vec cannot fail; an empty image would only mean no stamp.
    if let Ok(mut writer) = enc.write_header() {
        let _ = writer.write_image_data(&rgba);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> (u32, u32, usize) {
        let dec = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = dec.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        let inked = buf.chunks(4).filter(|p| p[3] > 0).count();
        (info.width, info.height, inked)
    }

    #[test]
    fn images_are_transparent_pngs_with_ink() {
        let (w, h, inked) = decode(&signature_png());
        assert_eq!((w, h), (240, 100));
        assert!(inked > 500 && inked < (w * h) as usize / 2, "{inked}");
        let (w, h, inked) = decode(&seal_png());
        assert_eq!((w, h), (200, 200));
        assert!(inked > 3000 && inked < (w * h) as usize / 2, "{inked}");
    }
}
