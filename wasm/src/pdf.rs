//! PAdES in the page: append the signature revision, let the agent sign the
//! signed attributes, embed the CMS; verify every signature of a PDF.

use serde::Deserialize;
use wasm_bindgen::prelude::*;

use kyso_core::pdf::appearance::Role;
use kyso_core::pdf::{self, PdfSignOptions, PreparedPdf, Visible};
use kyso_core::{cms, Certificate};

use crate::cms::{agent_scheme, anchors, page_time, split_certificates, take_once};
use crate::error;
use crate::hash::algorithm;

/// The page's choices for a PDF signature (the SDK's `signPdf` options).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Options {
    /// Decree 30 role; no role and no rect/page means invisible.
    role: Option<String>,
    page: Option<usize>,
    rect: Option<[f64; 4]>,
    reason: Option<String>,
    location: Option<String>,
    organization: Option<String>,
    doc_number: Option<String>,
    issued_date: Option<String>,
    field_name: Option<String>,
}

/// A PDF with its signature revision written, waiting for the signature.
#[wasm_bindgen]
pub struct PreparedPdfSignature {
    inner: Option<PreparedPdf>,
}

/// Prepares a PAdES-B-B signature of `pdf`.
///
/// - `certificate`, `chain`: DER, as for `prepareCms`.
/// - `options_json`: `{role, page, rect: [x, y, w, h], reason, location,
///   organization, docNumber, issuedDate, fieldName}`, all optional.
/// - `image`, `seal`: PNG bytes for `approved` / `issued`.
/// - `font`: TrueType bytes for the stamp text (needed when visible).
/// - `now_ms`: `Date.now()`, for `/M` and the stamp.
#[wasm_bindgen(js_name = preparePdf)]
#[allow(clippy::too_many_arguments)]
pub fn prepare_pdf(
    pdf: &[u8],
    certificate: &[u8],
    chain: &[u8],
    digest_algorithm: &str,
    options_json: &str,
    image: Option<Vec<u8>>,
    seal: Option<Vec<u8>>,
    font: Option<Vec<u8>>,
    now_ms: f64,
) -> Result<PreparedPdfSignature, JsValue> {
    let options: Options = if options_json.trim().is_empty() {
        Options::default()
    } else {
        serde_json::from_str(options_json)
            .map_err(|e| error::bad_input(&format!("options: {e}")))?
    };
    let role: Option<Role> = options
        .role
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(error::to_js)?;
    let visible = role.is_some()
        || options.rect.is_some()
        || options.page.is_some()
        || image.is_some()
        || seal.is_some();
    let font = match (&font, visible) {
        (Some(f), _) => f.as_slice(),
        (None, false) => &[],
        (None, true) => return Err(error::bad_input("a visible signature needs the stamp font")),
    };
    let prepared = pdf::prepare(
        pdf,
        PdfSignOptions {
            signer: Certificate::from_der(certificate).map_err(error::to_js)?,
            chain: split_certificates(chain)?,
            digest: algorithm(digest_algorithm)?,
            signing_time: page_time(now_ms)?,
            reason: options.reason,
            location: options.location,
            field_name: options.field_name,
            visible: visible.then(|| Visible {
                role: Role::implied(role, seal.is_some()),
                page: options.page.unwrap_or(1),
                rect: options.rect,
                image: image.as_deref(),
                seal: seal.as_deref(),
                organization: options.organization,
                doc_number: options.doc_number,
                issued_date: options.issued_date,
                font,
            }),
        },
    )
    .map_err(error::pdf_to_js)?;
    Ok(PreparedPdfSignature {
        inner: Some(prepared),
    })
}

#[wasm_bindgen]
impl PreparedPdfSignature {
    /// The DER the agent signs (`signedAttributes` of `POST /v1/sign`).
    #[wasm_bindgen(js_name = signedAttributes)]
    pub fn signed_attributes(&self) -> Result<Vec<u8>, JsValue> {
        Ok(self.prepared()?.signed_attributes().to_vec())
    }

    /// The digest of the bytes the signature covers (shown in the consent
    /// dialog as the document's fingerprint).
    #[wasm_bindgen(js_name = documentDigest)]
    pub fn document_digest(&self) -> Result<Vec<u8>, JsValue> {
        Ok(self.prepared()?.document_digest().to_vec())
    }

    /// Embeds the agent's `signature` and returns the signed PDF. The value
    /// is checked against the certificate first; the prepared signature
    /// cannot be used afterwards.
    pub fn finish(
        &mut self,
        signature: &[u8],
        signature_algorithm: &str,
    ) -> Result<Vec<u8>, JsValue> {
        let scheme = agent_scheme(signature_algorithm, self.prepared()?.digest_algorithm())?;
        take_once(&mut self.inner)?
            .finish(signature, scheme)
            .map_err(error::pdf_to_js)
    }

    fn prepared(&self) -> Result<&PreparedPdf, JsValue> {
        self.inner
            .as_ref()
            .ok_or_else(|| error::bad_input("signature already finished"))
    }
}

/// Verifies every signature of a PDF; the validation report as JSON.
/// `anchors_pem`: extra trust anchors (empty: the bundled Vietnamese roots);
/// `online_ocsp`, `online_crls` as for `verifyCms`.
#[wasm_bindgen(js_name = verifyPdf)]
pub fn verify_pdf(
    pdf: &[u8],
    anchors_pem: &str,
    now_ms: f64,
    online_ocsp: Option<Vec<u8>>,
    online_crls: Option<Vec<u8>>,
) -> Result<String, JsValue> {
    let anchors = anchors(anchors_pem)?;
    let online = crate::online::online(online_ocsp, online_crls)?;
    let report = pdf::verify(
        pdf,
        &cms::VerifyOptions {
            trust_anchors: &anchors,
            now: page_time(now_ms)?,
            content: None,
            extra_certificates: &[],
            policy: kyso_core::policy::CryptoPolicy::etsi_default(),
            revocation: &online,
        },
    );
    serde_json::to_string(&report).map_err(|e| error::internal(&e.to_string()))
}
