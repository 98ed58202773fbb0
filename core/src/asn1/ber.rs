//! BER → DER normalisation.
//!
//! CMS found in the wild is often BER: OpenSSL's `-stream` output and many PDF
//! signers use indefinite lengths and chunked (constructed) OCTET STRINGs, and PDF
//! `/Contents` is zero-padded. Everything past this module works on DER only.
//! Elements that are already DER come out byte-identical, which keeps the signed
//! attributes' original bytes intact for signature verification.

use super::tlv::{read_length, tag_length, write_length, Length};
use crate::Error;

/// Deeper nesting than this is refused: no legitimate CMS comes near it, and it
/// bounds recursion on hostile input.
const MAX_DEPTH: usize = 64;

/// Converts one BER element to DER. Trailing zero bytes (PDF `/Contents` padding)
/// are ignored; any other trailing data is an error.
///
/// ```
/// // An indefinite-length SEQUENCE holding a chunked OCTET STRING.
/// let ber = [0x30, 0x80, 0x24, 0x80, 0x04, 0x01, 0xaa, 0x04, 0x01, 0xbb, 0, 0, 0, 0, 0, 0];
/// let der = kyso_core::asn1::to_der(&ber).unwrap();
/// assert_eq!(der, [0x30, 0x04, 0x04, 0x02, 0xaa, 0xbb]);
/// ```
pub fn to_der(input: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(input.len());
    let used = convert(input, &mut out, 0)?;
    if input[used..].iter().any(|b| *b != 0) {
        return Err(Error::malformed("trailing data after the CMS structure"));
    }
    Ok(out)
}

/// Converts the first BER element of `input` to DER and says how many bytes
/// followed it: PDF signers leave garbage after the CMS in `/Contents`, which
/// BER readers (BouncyCastle, hence DSS) ignore.
pub fn to_der_first(input: &[u8]) -> Result<(Vec<u8>, usize), Error> {
    let mut out = Vec::with_capacity(input.len());
    let used = convert(input, &mut out, 0)?;
    let trailing = input[used..]
        .iter()
        .rposition(|b| *b != 0)
        .map_or(0, |i| i + 1);
    Ok((out, trailing))
}

/// Converts the element at the start of `input`, appending it to `out`; returns the
/// number of input bytes consumed.
fn convert(input: &[u8], out: &mut Vec<u8>, depth: usize) -> Result<usize, Error> {
    if depth > MAX_DEPTH {
        return Err(Error::malformed("nesting too deep"));
    }
    let tag_len = tag_length(input)?;
    let tag = &input[..tag_len];
    let length = read_length(&input[tag_len..])?;
    let constructed = tag[0] & 0x20 != 0;
    let header_len = tag_len
        + match length {
            Length::Definite(_, n) => n,
            Length::Indefinite => 1,
        };

    if !constructed {
        let Length::Definite(len, _) = length else {
            return Err(Error::malformed("indefinite length on a primitive element"));
        };
        let end = header_len
            .checked_add(len)
            .filter(|end| *end <= input.len())
            .ok_or_else(|| Error::malformed("element longer than its input"))?;
        out.extend_from_slice(tag);
        write_length(out, len);
        out.extend_from_slice(&input[header_len..end]);
        return Ok(end);
    }

    // Constructed: convert the children into a scratch buffer, then write the
    // header with the now-known length.
    let mut body = Vec::new();
    let mut pos = header_len;
    match length {
        Length::Definite(len, _) => {
            let end = header_len
                .checked_add(len)
                .filter(|end| *end <= input.len())
                .ok_or_else(|| Error::malformed("element longer than its input"))?;
            while pos < end {
                pos += convert(&input[pos..end], &mut body, depth + 1)?;
            }
        }
        Length::Indefinite => loop {
            match input.get(pos..pos + 2) {
                Some([0, 0]) => {
                    pos += 2;
                    break;
                }
                Some(_) => pos += convert(&input[pos..], &mut body, depth + 1)?,
                None => return Err(Error::malformed("missing end-of-contents")),
            }
        },
    }

    if is_string_type(tag) {
        // A chunked string: DER wants the concatenated primitive form.
        let mut joined = Vec::with_capacity(body.len());
        let mut rest = body.as_slice();
        while !rest.is_empty() {
            let (chunk, tail) = super::Tlv::parse(rest)?;
            if chunk.tag != [tag[0] & !0x20] {
                return Err(Error::malformed("string chunk of another type"));
            }
            joined.extend_from_slice(chunk.content);
            rest = tail;
        }
        out.push(tag[0] & !0x20);
        write_length(out, joined.len());
        out.extend_from_slice(&joined);
    } else {
        out.extend_from_slice(tag);
        write_length(out, body.len());
        out.extend_from_slice(&body);
    }
    Ok(pos)
}

/// Universal string types that BER allows in constructed (chunked) form.
fn is_string_type(tag: &[u8]) -> bool {
    matches!(tag, [0x24 | 0x2c | 0x33 | 0x34 | 0x36 | 0x3e])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_element_is_kept_and_trailing_garbage_counted() {
        let input = [0x30, 0x80, 0x04, 0x01, 0xaa, 0, 0, 0xde, 0xad, 0, 0];
        let (der, trailing) = to_der_first(&input).unwrap();
        assert_eq!(der, [0x30, 0x03, 0x04, 0x01, 0xaa]);
        assert_eq!(trailing, 2, "the non-zero bytes up to the last one");
        assert!(
            to_der(&input).is_err(),
            "the strict reader still refuses it"
        );
        assert_eq!(to_der_first(&[0x30, 0x00, 0, 0]).unwrap().1, 0);
    }

    #[test]
    fn der_input_is_unchanged() {
        let der = [0x31, 0x06, 0x02, 0x01, 0x07, 0x02, 0x01, 0x03];
        assert_eq!(to_der(&der).unwrap(), der);
    }

    #[test]
    fn long_form_lengths_are_minimised() {
        let ber = [0x04, 0x81, 0x02, 0xaa, 0xbb];
        assert_eq!(to_der(&ber).unwrap(), [0x04, 0x02, 0xaa, 0xbb]);
    }

    #[test]
    fn zero_padding_is_trimmed_but_garbage_is_not() {
        assert_eq!(to_der(&[0x05, 0x00, 0, 0, 0]).unwrap(), [0x05, 0x00]);
        assert!(to_der(&[0x05, 0x00, 0x01]).is_err());
    }

    #[test]
    fn hostile_inputs_fail_cleanly() {
        assert!(to_der(&[]).is_err());
        assert!(to_der(&[0x30, 0x80, 0x02, 0x01]).is_err());
        assert!(to_der(&[0x04, 0x80, 0, 0]).is_err());
        let deep: Vec<u8> = std::iter::repeat_n([0x30u8, 0x80], 200).flatten().collect();
        assert!(to_der(&deep).is_err());
    }
}
