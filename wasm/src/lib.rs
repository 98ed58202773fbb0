//! # kyso-wasm
//!
//! [`kyso_core`] for the web page, through wasm-bindgen. Bytes cross as
//! `Uint8Array`, reports as JSON strings (the SDK parses them), errors as
//! thrown objects `{code, message, messageVi}`. Time always comes from the
//! page (`Date.now()`): wasm32 has no clock.

#![forbid(unsafe_code)]

mod cms;
mod error;
mod hash;
mod long_term;
mod online;
#[cfg(feature = "pdf")]
mod pdf;

pub use cms::*;
pub use hash::*;
pub use long_term::*;
#[cfg(feature = "pdf")]
pub use pdf::*;

use wasm_bindgen::prelude::*;

use kyso_core::Certificate;

/// The facts of a DER or PEM certificate as JSON (subject, issuer, validity,
/// key, MST/CCCD identifiers…).
#[wasm_bindgen(js_name = certificateInfo)]
pub fn certificate_info(certificate: &[u8]) -> Result<String, JsValue> {
    let cert = if certificate.first() == Some(&0x30) {
        Certificate::from_der(certificate)
    } else {
        Certificate::from_pem(certificate)
    }
    .map_err(error::to_js)?;
    serde_json::to_string(&cert.info()).map_err(|e| error::internal(&e.to_string()))
}
