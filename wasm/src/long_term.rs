//! Long-term levels in the page: the SDK asks the agent for a time-stamp
//! (`/v1/timestamp`) and for revocation answers (`/v1/revocation`); these
//! bindings compute what to ask and put the answers into the signature.
//! Nothing here reaches the network.

use wasm_bindgen::prelude::*;

use kyso_core::cms::{self, unsigned_attrs, SignerCertificates};
use kyso_core::digest::HashAlgorithm;
use kyso_core::Certificate;

use crate::cms::split_certificates;
use crate::error;
use crate::online::split;

/// The SHA-256 digest a TSA must stamp for the one signer of `cms` (B-T).
#[wasm_bindgen(js_name = cmsTimestampImprint)]
pub fn cms_timestamp_imprint(cms: &[u8]) -> Result<Vec<u8>, JsValue> {
    unsigned_attrs::signature_timestamp_imprint(cms, HashAlgorithm::Sha256).map_err(error::to_js)
}

/// Adds the agent's `token` to `cms` as its signature-time-stamp (B-T).
#[wasm_bindgen(js_name = cmsAddTimestamp)]
pub fn cms_add_timestamp(cms: &[u8], token: &[u8]) -> Result<Vec<u8>, JsValue> {
    unsigned_attrs::add_signature_timestamp(cms, token).map_err(error::to_js)
}

/// The certificates of `cms`'s signer and TSAs, DER, concatenated: what the
/// page sends to `/v1/revocation`.
#[wasm_bindgen(js_name = cmsCertificates)]
pub fn cms_certificates(cms: &[u8]) -> Result<Vec<u8>, JsValue> {
    Ok(concat(&cms::signers(cms).map_err(error::to_js)?))
}

/// Adds `certificates` (concatenated DER) and the agent's OCSP responses and
/// CRLs (each concatenated DER) to the SignedData (CAdES B-LT).
#[wasm_bindgen(js_name = cmsAddValidationData)]
pub fn cms_add_validation_data(
    cms: &[u8],
    certificates: &[u8],
    ocsp: &[u8],
    crls: &[u8],
) -> Result<Vec<u8>, JsValue> {
    let certs = split_certificates(certificates)?;
    cms::add_validation_data(cms, &certs, &split(crls)?, &split(ocsp)?).map_err(error::to_js)
}

/// A CAdES archive-time-stamp-v3 waiting for its token (B-LTA).
#[wasm_bindgen]
pub struct PreparedArchiveTimestamp {
    inner: Option<cms::archive_timestamp::PreparedArchiveTimestamp>,
}

/// Prepares the archive time-stamp of `cms` (already B-LT), hashed with
/// `digest_algorithm` (the signature's); `content_digest`: the content's
/// digest with that algorithm for a detached signature, `undefined` for an
/// attached one.
#[wasm_bindgen(js_name = prepareArchiveTimestamp)]
pub fn prepare_archive_timestamp(
    cms: &[u8],
    digest_algorithm: &str,
    content_digest: Option<Vec<u8>>,
) -> Result<PreparedArchiveTimestamp, JsValue> {
    let digest = crate::hash::algorithm(digest_algorithm)?;
    let inner = cms::archive_timestamp::PreparedArchiveTimestamp::new(
        cms,
        digest,
        content_digest.as_deref(),
    )
    .map_err(error::to_js)?;
    Ok(PreparedArchiveTimestamp { inner: Some(inner) })
}

#[wasm_bindgen]
impl PreparedArchiveTimestamp {
    /// The digest the TSA must stamp, with the signature's algorithm.
    pub fn imprint(&self) -> Result<Vec<u8>, JsValue> {
        self.inner
            .as_ref()
            .map(|p| p.imprint().to_vec())
            .ok_or_else(|| error::bad_input("time-stamp already finished"))
    }

    /// Embeds the agent's `token`; returns the CMS at B-LTA.
    pub fn finish(&mut self, token: &[u8]) -> Result<Vec<u8>, JsValue> {
        crate::cms::take_once(&mut self.inner)?
            .finish(token)
            .map_err(error::to_js)
    }
}

/// The certificates of every signer and TSA of a PDF, concatenated DER.
#[cfg(feature = "pdf")]
#[wasm_bindgen(js_name = pdfCertificates)]
pub fn pdf_certificates(pdf: &[u8]) -> Result<Vec<u8>, JsValue> {
    Ok(concat(
        &kyso_core::pdf::signers(pdf).map_err(error::pdf_to_js)?,
    ))
}

/// The SHA-256 digest a TSA must stamp for the newest signature of `pdf`.
#[cfg(feature = "pdf")]
#[wasm_bindgen(js_name = pdfTimestampImprint)]
pub fn pdf_timestamp_imprint(pdf: &[u8]) -> Result<Vec<u8>, JsValue> {
    kyso_core::pdf::signature_timestamp_imprint(pdf, HashAlgorithm::Sha256)
        .map_err(error::pdf_to_js)
}

/// Adds `token` to the newest signature of `pdf` (PAdES B-T).
#[cfg(feature = "pdf")]
#[wasm_bindgen(js_name = pdfAddTimestamp)]
pub fn pdf_add_timestamp(pdf: &[u8], token: &[u8]) -> Result<Vec<u8>, JsValue> {
    kyso_core::pdf::add_signature_timestamp(pdf, token).map_err(error::pdf_to_js)
}

/// A `/DSS` revision with `certificates`, `ocsp` and `crls` (each
/// concatenated DER): PAdES B-LT.
#[cfg(feature = "pdf")]
#[wasm_bindgen(js_name = pdfAddDss)]
pub fn pdf_add_dss(
    pdf: &[u8],
    certificates: &[u8],
    ocsp: &[u8],
    crls: &[u8],
) -> Result<Vec<u8>, JsValue> {
    let material = kyso_core::pdf::ValidationMaterial {
        certificates: split(certificates)?,
        ocsp: split(ocsp)?,
        crls: split(crls)?,
    };
    kyso_core::pdf::add_dss(pdf, &material).map_err(error::pdf_to_js)
}

/// A document time-stamp revision waiting for its token (PAdES B-LTA).
#[cfg(feature = "pdf")]
#[wasm_bindgen]
pub struct PreparedDocumentTimestamp {
    inner: Option<kyso_core::pdf::PreparedTimestamp>,
}

/// Appends an invisible document time-stamp field to `pdf`.
#[cfg(feature = "pdf")]
#[wasm_bindgen(js_name = prepareDocumentTimestamp)]
pub fn prepare_document_timestamp(pdf: &[u8]) -> Result<PreparedDocumentTimestamp, JsValue> {
    let inner = kyso_core::pdf::prepare_document_timestamp(pdf, kyso_core::DigestAlgorithm::Sha256)
        .map_err(error::pdf_to_js)?;
    Ok(PreparedDocumentTimestamp { inner: Some(inner) })
}

#[cfg(feature = "pdf")]
#[wasm_bindgen]
impl PreparedDocumentTimestamp {
    /// The SHA-256 digest the TSA must stamp.
    pub fn imprint(&self) -> Result<Vec<u8>, JsValue> {
        self.inner
            .as_ref()
            .map(|p| p.imprint().to_vec())
            .ok_or_else(|| error::bad_input("time-stamp already finished"))
    }

    /// Embeds the agent's `token`; returns the PDF at B-LTA.
    pub fn finish(&mut self, token: &[u8]) -> Result<Vec<u8>, JsValue> {
        crate::cms::take_once(&mut self.inner)?
            .finish(token)
            .map_err(error::pdf_to_js)
    }
}

fn concat(signers: &[SignerCertificates]) -> Vec<u8> {
    let mut seen: Vec<&Certificate> = Vec::new();
    for s in signers {
        for c in std::iter::once(&s.certificate).chain(&s.pool) {
            if !seen.contains(&c) {
                seen.push(c);
            }
        }
    }
    seen.iter().flat_map(|c| c.der().to_vec()).collect()
}
