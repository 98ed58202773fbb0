//! GeneralizedTime as signers and responders write it.
//!
//! `der`'s `GeneralizedTime` is DER-strict and refuses fractional seconds,
//! which RFC 3161 allows in a TSTInfo's genTime. OCSP's producedAt,
//! thisUpdate and revocationTime are read with the same leniency: a
//! fraction says nothing a report would show.

use super::Tlv;
use crate::time::DateTime;
use crate::Error;

/// Reads a GeneralizedTime element, `YYYYMMDDHHMMSS[.f…]Z`. The fraction is
/// below what a report shows, so it is dropped.
///
/// ```
/// use kyso_core::asn1::{time::generalized_time, Tlv};
/// let tlv = Tlv::parse_exact(b"\x18\x0f20261203101500Z").unwrap();
/// assert_eq!(generalized_time(tlv).unwrap().to_string(), "2026-12-03T10:15:00Z");
/// ```
pub fn generalized_time(tlv: Tlv<'_>) -> Result<DateTime, Error> {
    let bad = || Error::malformed("not a GeneralizedTime");
    if tlv.tag_byte() != Some(0x18) {
        return Err(bad());
    }
    let text = std::str::from_utf8(tlv.content).map_err(|_| bad())?;
    let text = text.strip_suffix('Z').ok_or_else(bad)?;
    let whole = text.split('.').next().unwrap_or_default();
    if whole.len() != 14 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n = |r: core::ops::Range<usize>| whole[r].parse::<u16>().map_err(|_| bad());
    let small = |r| n(r).map(|v| v as u8);
    DateTime::new(
        n(0..4)?,
        small(4..6)?,
        small(6..8)?,
        small(8..10)?,
        small(10..12)?,
        small(12..14)?,
    )
    .map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_a_utc_generalized_time() {
        for bad in [
            &b"\x17\x0d261203101500Z"[..], // UTCTime
            b"\x18\x0e20261203101500",     // no zone
            b"\x18\x1320261203101500+0700",
            b"\x18\x0f2026120310150aZ",
            b"\x18\x0f20261303101500Z", // month 13
        ] {
            assert!(generalized_time(Tlv::parse_exact(bad).unwrap()).is_err());
        }
    }
}
