//! # kyso-wasm
//!
//! [`kyso_core`] for the web page, through wasm-bindgen. Values cross the
//! boundary as bytes and JSON strings; the JS SDK turns them into objects.
//! Time always comes from the page (`Date.now()`): wasm32 has no clock.

use wasm_bindgen::prelude::*;

use kyso_core::{cms, time, Certificate, TrustAnchors};

/// Verifies a CMS signature (`.p7s`, DER or BER) and returns the validation
/// report as JSON.
///
/// `content` is the signed file for a detached signature (empty for none),
/// `anchors_pem` extra trust anchors as PEM (empty: the bundled Vietnamese roots
/// only), `now_ms` the page's clock.
#[wasm_bindgen(js_name = verifyCms)]
pub fn verify_cms(
    signature: &[u8],
    content: &[u8],
    anchors_pem: &str,
    now_ms: f64,
) -> Result<String, JsError> {
    let mut anchors = TrustAnchors::bundled();
    if !anchors_pem.trim().is_empty() {
        anchors
            .add_encoded(anchors_pem.as_bytes())
            .map_err(|e| JsError::new(&e.message()))?;
    }
    let now = time::from_unix((now_ms / 1000.0) as u64).map_err(|e| JsError::new(&e.message()))?;
    let report = cms::verify(
        signature,
        &cms::VerifyOptions {
            trust_anchors: &anchors,
            now,
            content: (!content.is_empty()).then_some(content),
            extra_certificates: &[],
        },
    );
    serde_json::to_string(&report).map_err(|e| JsError::new(&e.to_string()))
}

/// The facts of a DER or PEM certificate as JSON (subject, issuer, validity,
/// key, MST/CCCD identifiers…).
#[wasm_bindgen(js_name = certificateInfo)]
pub fn certificate_info(certificate: &[u8]) -> Result<String, JsError> {
    let cert = if certificate.first() == Some(&0x30) {
        Certificate::from_der(certificate)
    } else {
        Certificate::from_pem(certificate)
    }
    .map_err(|e| JsError::new(&e.message()))?;
    serde_json::to_string(&cert.info()).map_err(|e| JsError::new(&e.to_string()))
}
