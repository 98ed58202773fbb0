//! A minimal reader of DER tag-length-value elements that keeps the raw bytes of
//! each element.

use crate::Error;

/// One DER element, borrowed from the buffer it was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The identifier octet(s) as they appear in the encoding.
    pub tag: &'a [u8],
    /// The element's content octets.
    pub content: &'a [u8],
    /// The whole element: tag, length and content.
    pub raw: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// Reads one definite-length element from the start of `input`, returning it and
    /// what follows it.
    pub fn parse(input: &'a [u8]) -> Result<(Tlv<'a>, &'a [u8]), Error> {
        let tag_len = tag_length(input)?;
        let (len, len_len) = match read_length(&input[tag_len..])? {
            Length::Definite(len, len_len) => (len, len_len),
            Length::Indefinite => return Err(Error::malformed("indefinite length in DER")),
        };
        let start = tag_len + len_len;
        let end = start
            .checked_add(len)
            .filter(|end| *end <= input.len())
            .ok_or_else(|| Error::malformed("element longer than its input"))?;
        Ok((
            Tlv {
                tag: &input[..tag_len],
                content: &input[start..end],
                raw: &input[..end],
            },
            &input[end..],
        ))
    }

    /// Reads exactly one element that fills `input`.
    pub fn parse_exact(input: &'a [u8]) -> Result<Tlv<'a>, Error> {
        let (tlv, rest) = Self::parse(input)?;
        if rest.is_empty() {
            Ok(tlv)
        } else {
            Err(Error::malformed("trailing bytes after element"))
        }
    }

    /// The single-octet tag, or `None` for a multi-octet (high) tag.
    pub fn tag_byte(&self) -> Option<u8> {
        (self.tag.len() == 1).then(|| self.tag[0])
    }

    /// Whether the element is constructed (its content is more elements).
    pub fn is_constructed(&self) -> bool {
        self.tag[0] & 0x20 != 0
    }

    /// The elements inside a constructed element.
    pub fn children(&self) -> Children<'a> {
        Children { rest: self.content }
    }
}

/// Iterator over the elements of a constructed element's content.
pub struct Children<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Children<'a> {
    type Item = Result<Tlv<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        match Tlv::parse(self.rest) {
            Ok((tlv, rest)) => {
                self.rest = rest;
                Some(Ok(tlv))
            }
            Err(e) => {
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}

pub(crate) enum Length {
    /// Content length and the number of length octets.
    Definite(usize, usize),
    Indefinite,
}

/// Number of identifier octets at the start of `input`.
pub(crate) fn tag_length(input: &[u8]) -> Result<usize, Error> {
    let first = *input
        .first()
        .ok_or_else(|| Error::malformed("unexpected end of data"))?;
    if first & 0x1f != 0x1f {
        return Ok(1);
    }
    // High tag number: continuation bit set on all but the last octet. Four is far
    // beyond any tag CMS or X.509 uses.
    for (i, b) in input.iter().enumerate().skip(1).take(4) {
        if b & 0x80 == 0 {
            return Ok(i + 1);
        }
    }
    Err(Error::malformed("tag too long"))
}

pub(crate) fn read_length(input: &[u8]) -> Result<Length, Error> {
    let first = *input
        .first()
        .ok_or_else(|| Error::malformed("unexpected end of data"))?;
    if first < 0x80 {
        return Ok(Length::Definite(first as usize, 1));
    }
    if first == 0x80 {
        return Ok(Length::Indefinite);
    }
    let n = (first & 0x7f) as usize;
    if n > 4 || input.len() < 1 + n {
        return Err(Error::malformed("bad length"));
    }
    let len = input[1..=n]
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | *b as usize);
    Ok(Length::Definite(len, 1 + n))
}

/// Appends a DER length to `out`.
pub(crate) fn write_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_elements_with_raw_bytes() {
        let der = [0x30, 0x06, 0x02, 0x01, 0x05, 0x04, 0x01, 0xaa];
        let tlv = Tlv::parse_exact(&der).unwrap();
        assert_eq!(tlv.tag_byte(), Some(0x30));
        let kids: Vec<_> = tlv.children().collect::<Result<_, _>>().unwrap();
        assert_eq!(kids.len(), 2);
        assert_eq!(kids[0].raw, &[0x02, 0x01, 0x05]);
        assert_eq!(kids[1].content, &[0xaa]);
    }

    #[test]
    fn rejects_truncated_and_oversized_lengths() {
        assert!(Tlv::parse(&[0x30, 0x05, 0x01]).is_err());
        assert!(Tlv::parse(&[0x30, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9]).is_err());
        assert!(Tlv::parse(&[]).is_err());
        assert!(Tlv::parse_exact(&[0x05, 0x00, 0x00]).is_err());
    }

    #[test]
    fn writes_minimal_lengths() {
        for (len, want) in [
            (5usize, vec![5u8]),
            (200, vec![0x81, 200]),
            (0x1234, vec![0x82, 0x12, 0x34]),
        ] {
            let mut out = Vec::new();
            write_length(&mut out, len);
            assert_eq!(out, want);
        }
    }
}
