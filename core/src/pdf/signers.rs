//! Whose certificates a PDF's long-term validation data must cover: every
//! signature's signer and TSAs ([`crate::cms::signers`]), and every document
//! time-stamp's TSA.

use super::byte_range;
use super::document::Document;
use super::error::PdfError;
use crate::cms::{SignedDataView, SignerCertificates};

/// The signers and TSAs of every signature and time-stamp in `pdf`, in
/// file order. Signatures that cannot be read are passed over: they have
/// nothing to keep valid.
///
/// ```
/// assert!(kyso_core::pdf::signers(b"not a pdf").is_err());
/// ```
pub fn signers(pdf: &[u8]) -> Result<Vec<SignerCertificates>, PdfError> {
    let doc = Document::open(pdf)?;
    let mut out = Vec::new();
    for (_, _, sig) in super::fields::signature_fields(&doc)? {
        let Ok((_, contents)) = byte_range::check(pdf, &sig) else {
            continue;
        };
        let Ok((view, _)) = SignedDataView::parse_first(&contents) else {
            continue;
        };
        crate::cms::push_signers(&view, &mut out);
    }
    Ok(out)
}
