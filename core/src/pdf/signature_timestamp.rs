//! PAdES B-T through a signature time-stamp (ETSI EN 319 142-1 §5.4): the
//! token is added to the unsigned attributes of the newest signature's CMS,
//! which goes back into the same `/Contents` hole. The bytes the signature
//! covers do not change, so nothing is re-signed; the hole was made with
//! room for a token when the signature was prepared.

use super::byte_range;
use super::document::Document;
use super::error::PdfError;
use crate::cms::unsigned_attrs;
use crate::digest::HashAlgorithm;

/// The newest signature of a file: the one whose byte range ends at its end.
struct Slot {
    contents_at: usize,
    capacity: usize,
    cms: Vec<u8>,
}

fn newest(pdf: &[u8]) -> Result<Slot, PdfError> {
    let doc = Document::open(pdf)?;
    for (_, _, sig) in super::fields::signature_fields(&doc)? {
        let Ok((range, contents)) = byte_range::check(pdf, &sig) else {
            continue;
        };
        if range[2] + range[3] != pdf.len() {
            continue;
        }
        let (der, _) = crate::asn1::to_der_first(&contents)?;
        return Ok(Slot {
            contents_at: range[1],
            capacity: (range[2] - range[1] - 2) / 2,
            cms: der,
        });
    }
    Err(PdfError::Unsupported(
        "no signature covers the whole file: time-stamp it right after signing".into(),
    ))
}

/// The digest a TSA must stamp for the newest signature of `pdf`.
///
/// ```
/// use kyso_core::digest::HashAlgorithm;
/// assert!(kyso_core::pdf::signature_timestamp_imprint(b"%PDF-1.7", HashAlgorithm::Sha256).is_err());
/// ```
pub fn signature_timestamp_imprint(pdf: &[u8], alg: HashAlgorithm) -> Result<Vec<u8>, PdfError> {
    let slot = newest(pdf)?;
    Ok(unsigned_attrs::signature_timestamp_imprint(&slot.cms, alg)?)
}

/// Adds `token` (a time-stamp of the newest signature's value) to that
/// signature: the PDF at B-T.
pub fn add_signature_timestamp(pdf: &[u8], token: &[u8]) -> Result<Vec<u8>, PdfError> {
    let slot = newest(pdf)?;
    let cms = unsigned_attrs::add_signature_timestamp(&slot.cms, token)?;
    let mut out = pdf.to_vec();
    if cms.len() > slot.capacity {
        return Err(PdfError::SignatureTooLarge {
            size: cms.len(),
            capacity: slot.capacity,
        });
    }
    // The old CMS's hex is cleared first: a shorter one must not leave a tail.
    let hole = &mut out[slot.contents_at + 1..slot.contents_at + 1 + slot.capacity * 2];
    hole.fill(b'0');
    byte_range::embed(&mut out, slot.contents_at, slot.capacity, &cms)?;
    Ok(out)
}
