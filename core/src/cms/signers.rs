//! Whose certificates long-term validation data must cover: every
//! signer, and the TSA of every time-stamp on it, each with the
//! certificates that came with it (to build its path).

use super::unsigned_attrs::{values_of, ID_AA_SIGNATURE_TIME_STAMP_TOKEN};
use super::{identifies, SignedDataView};
use crate::{Certificate, Error};

/// A certificate to validate and the certificates that came with it.
#[derive(Clone, Debug)]
pub struct SignerCertificates {
    /// The signer's or the TSA's certificate.
    pub certificate: Certificate,
    /// The certificates of its CMS (intermediates, often the root).
    pub pool: Vec<Certificate>,
}

/// The signers of `cms` and the TSAs of their signature time-stamps.
///
/// ```
/// assert!(kyso_core::cms::signers(b"junk").is_err());
/// ```
pub fn signers(cms: &[u8]) -> Result<Vec<SignerCertificates>, Error> {
    let view = SignedDataView::parse(cms)?;
    let mut out = Vec::new();
    push_signers(&view, &mut out);
    Ok(out)
}

pub(crate) fn push_signers(view: &SignedDataView, out: &mut Vec<SignerCertificates>) {
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
