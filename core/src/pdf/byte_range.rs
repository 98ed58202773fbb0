//! The signature dictionary's `/ByteRange` and `/Contents`: a fixed-size hole
//! for the CMS, and the two ranges around it that the signature covers.

use super::error::PdfError;
use super::object::{Dictionary, Object};

/// Width of the `/ByteRange` array as written, big enough for four
/// ten-digit numbers: it is patched in place once offsets are known.
const BYTE_RANGE_WIDTH: usize = 1 + 4 * 11;

/// The signature dictionary before the CMS exists.
#[derive(Clone, Debug)]
pub(crate) struct Placeholder {
    /// Every entry except /ByteRange and /Contents.
    pub dict: Dictionary,
    /// Bytes reserved for the DER CMS (the hex string holds twice as many
    /// characters).
    pub capacity: usize,
}

impl Placeholder {
    /// Writes the dictionary; returns the offsets of the `/ByteRange` array
    /// and the `/Contents` string's `<`.
    pub(crate) fn write(&self, out: &mut Vec<u8>) -> (usize, usize) {
        out.extend_from_slice(b"<<");
        for (k, v) in self.dict.iter() {
            Object::Name(k.to_vec()).write(out);
            out.push(b' ');
            v.write(out);
        }
        out.extend_from_slice(b"/ByteRange ");
        let byte_range_at = out.len();
        out.extend(std::iter::repeat_n(b' ', BYTE_RANGE_WIDTH));
        out.extend_from_slice(b"/Contents ");
        let contents_at = out.len();
        out.push(b'<');
        out.extend(std::iter::repeat_n(b'0', self.capacity * 2));
        out.extend_from_slice(b">>>");
        (byte_range_at, contents_at)
    }
}

/// Patches the `/ByteRange` array for a hole at `contents_at`; returns it.
pub(crate) fn fill(
    bytes: &mut [u8],
    byte_range_at: usize,
    contents_at: usize,
    capacity: usize,
) -> [usize; 4] {
    let after = contents_at + 2 + capacity * 2;
    let range = [0, contents_at, after, bytes.len() - after];
    let text = format!("[{} {} {} {}]", range[0], range[1], range[2], range[3]);
    let mut padded = text.into_bytes();
    padded.resize(BYTE_RANGE_WIDTH, b' ');
    bytes[byte_range_at..byte_range_at + BYTE_RANGE_WIDTH].copy_from_slice(&padded);
    range
}

/// Writes the CMS into the hole as hex, zero-padded.
pub(crate) fn embed(
    bytes: &mut [u8],
    contents_at: usize,
    capacity: usize,
    cms: &[u8],
) -> Result<(), PdfError> {
    if cms.len() > capacity {
        return Err(PdfError::SignatureTooLarge {
            size: cms.len(),
            capacity,
        });
    }
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let hole = &mut bytes[contents_at + 1..contents_at + 1 + capacity * 2];
    for (i, b) in cms.iter().enumerate() {
        hole[2 * i] = HEX[usize::from(b >> 4)];
        hole[2 * i + 1] = HEX[usize::from(b & 15)];
    }
    Ok(())
}

/// The digest of the bytes a ByteRange covers.
pub(crate) fn digest(
    bytes: &[u8],
    range: &[usize; 4],
    algorithm: impl Into<crate::digest::HashAlgorithm>,
) -> Vec<u8> {
    let mut h = crate::digest::Hasher::new(algorithm);
    h.update(&bytes[range[0]..range[0] + range[1]]);
    h.update(&bytes[range[2]..range[2] + range[3]]);
    h.finalize()
}

/// Reads and checks a signature dictionary's `/ByteRange` against the file:
/// it must start at 0, leave exactly the `/Contents` hex string out, and stay
/// inside the file. Returns the range and the CMS bytes from the hole.
pub(crate) fn check(bytes: &[u8], sig: &Dictionary) -> Result<([usize; 4], Vec<u8>), String> {
    let values: Vec<usize> = sig
        .get(b"ByteRange")
        .and_then(Object::as_array)
        .ok_or("no /ByteRange")?
        .iter()
        .map(|v| v.as_i64().and_then(|v| usize::try_from(v).ok()))
        .collect::<Option<_>>()
        .ok_or("/ByteRange has a value that is not a non-negative integer")?;
    let [a, b, c, d] = values[..] else {
        return Err(format!("/ByteRange has {} numbers, not 4", values.len()));
    };
    if a != 0 {
        return Err("/ByteRange does not start at the beginning of the file".into());
    }
    let end = c.checked_add(d).ok_or("/ByteRange overflows")?;
    if b >= c || end > bytes.len() {
        return Err("/ByteRange points outside the file".into());
    }
    let hole = &bytes[b..c];
    if hole.len() < 2 || hole[0] != b'<' || hole[hole.len() - 1] != b'>' {
        return Err("the bytes left out by /ByteRange are not the /Contents string".into());
    }
    // PDF hex strings may be broken into lines (ISO 32000-1 §7.3.4.3).
    let hex: Vec<u8> = hole[1..hole.len() - 1]
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if !hex.iter().all(u8::is_ascii_hexdigit) {
        return Err("the bytes left out by /ByteRange are not only the signature".into());
    }
    let cms: Vec<u8> = hex
        .chunks(2)
        .map(|p| {
            let s = std::str::from_utf8(p).unwrap_or("0");
            u8::from_str_radix(s, 16).unwrap_or(0) << if p.len() == 1 { 4 } else { 0 }
        })
        .collect();
    // The hole the dictionary names must be the one the range leaves out.
    // Without /Contents it names none, and any number of such dictionaries
    // could make the verifier check one real CMS over and over.
    let contents = sig
        .get(b"Contents")
        .and_then(Object::as_bytes)
        .ok_or("no /Contents string")?;
    if contents != cms.as_slice() {
        return Err("/Contents differs from the bytes /ByteRange leaves out".into());
    }
    // The zero padding after the CMS is left for the CMS parser, which ends
    // the structure by its length: trimming zeros here would also cut a
    // signature whose last byte is 0 (one in 256).
    Ok(([a, b, c, d], cms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contents_hex_broken_into_lines_is_read() {
        let hole = b"<30 02\r\nab00\n 0000>";
        let file = [
            &b"%PDF-1.7\nsigned part "[..],
            hole,
            b" more signed\n%%EOF\n",
        ]
        .concat();
        let start = file.windows(3).position(|w| w == b"<30").unwrap();
        let end = start + hole.len();
        let dict = format!(
            "<< /ByteRange [0 {start} {end} {}] /Contents {} >>",
            file.len() - end,
            String::from_utf8_lossy(hole)
        );
        let mut lexer = super::super::lexer::Lexer::new(dict.as_bytes(), 0);
        let dict = lexer.object().unwrap();
        let (_, cms) = check(&file, dict.as_dict().unwrap()).unwrap();
        assert_eq!(cms, [0x30, 0x02, 0xab, 0x00, 0, 0]);
    }

    #[test]
    fn placeholder_fill_embed_and_check_round_trip() {
        let p = Placeholder {
            dict: Dictionary::new().with(b"Type", Object::name("Sig")),
            capacity: 8,
        };
        let mut out = b"%PDF-1.7\n1 0 obj\n".to_vec();
        let (br, ct) = p.write(&mut out);
        out.extend_from_slice(b"\nendobj\n%%EOF\n");
        let range = fill(&mut out, br, ct, 8);
        // A structure whose last byte is 0, as one signature in 256 is.
        let der = [0x30, 0x02, 0xab, 0x00];
        embed(&mut out, ct, 8, &der).unwrap();
        assert_eq!(range[1], ct);
        assert_eq!(range[2] + range[3], out.len());
        let mut lexer = super::super::lexer::Lexer::new(&out, 17);
        let dict = lexer.object().unwrap();
        let (checked, cms) = check(&out, dict.as_dict().unwrap()).unwrap();
        assert_eq!(checked, range);
        assert_eq!(cms, [&der[..], &[0; 4]].concat(), "padding included");
        assert_eq!(
            crate::asn1::to_der(&cms).unwrap(),
            der,
            "ended by its length"
        );
        assert!(matches!(
            embed(&mut out, ct, 8, &[1; 9]),
            Err(PdfError::SignatureTooLarge {
                size: 9,
                capacity: 8
            })
        ));
    }

    #[test]
    fn ranges_that_leave_out_more_than_the_signature_are_refused() {
        let bytes = b"0123<AB>89(text)";
        let sig = |r: [i64; 4]| {
            Dictionary::new()
                .with(
                    b"ByteRange",
                    r.iter().map(|v| Object::Integer(*v)).collect::<Vec<_>>(),
                )
                .with(
                    b"Contents",
                    Object::String(vec![0xab], super::super::object::StringForm::Hex),
                )
        };
        assert!(check(bytes, &sig([0, 4, 8, 8])).is_ok());
        let mut without_contents = sig([0, 4, 8, 8]);
        without_contents.remove(b"Contents");
        assert!(
            check(bytes, &without_contents).is_err(),
            "a dictionary without /Contents names no hole"
        );
        assert!(check(bytes, &sig([1, 3, 8, 8])).is_err(), "must start at 0");
        assert!(check(bytes, &sig([0, 4, 8, 9])).is_err(), "past the end");
        assert!(
            check(bytes, &sig([0, 3, 8, 8])).is_err(),
            "hole not the string"
        );
        assert!(
            check(bytes, &sig([0, 4, 16, 0])).is_err(),
            "hole hides text"
        );
        assert!(check(bytes, &sig([0, -4, 8, 8])).is_err());
    }
}
