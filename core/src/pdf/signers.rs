//! Whose certificates a PDF's long-term validation data must cover: every
//! signature's signer, every signature time-stamp's TSA and every document
//! time-stamp's TSA, each with the certificates that came with it (to build
//! its path).

use super::byte_range;
use super::document::Document;
use super::error::PdfError;
use crate::cms::unsigned_attrs::{values_of, ID_AA_SIGNATURE_TIME_STAMP_TOKEN};
use crate::cms::{identifies, SignedDataView};
use crate::Certificate;

/// A certificate to validate and the certificates that came with it.
#[derive(Clone, Debug)]
pub struct SignerCertificates {
    /// The signer's or the TSA's certificate.
    pub certificate: Certificate,
    /// The certificates of its CMS (intermediates, often the root).
    pub pool: Vec<Certificate>,
}

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
    for (_, _, sig) in super::verify::signature_fields(&doc)? {
        let Ok((_, contents)) = byte_range::check(pdf, &sig) else {
            continue;
        };
        let Ok((view, _)) = SignedDataView::parse_first(&contents) else {
            continue;
        };
        push_signers(&view, &mut out);
    }
    Ok(out)
}

fn push_signers(view: &SignedDataView, out: &mut Vec<SignerCertificates>) {
    for signer in &view.signers {
        if let Some(cert) = view
            .certificates
            .iter()
            .find(|c| identifies(&signer.info.sid, c))
        {
            out.push(SignerCertificates {
                certificate: cert.clone(),
                pool: view.certificates.clone(),
            });
        }
        for token in values_of(&signer.info, ID_AA_SIGNATURE_TIME_STAMP_TOKEN).unwrap_or_default() {
            if let Ok(tsa) = SignedDataView::parse(&token) {
                push_signers(&tsa, out);
            }
        }
    }
}
