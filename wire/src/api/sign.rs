//! `POST /v1/sign`: sign one set of CAdES/PAdES signed attributes.
//!
//! The agent accepts only a DER `SET OF Attribute` holding a content-type and
//! a message-digest of the length `digestAlgorithm` gives; it hashes the set
//! itself and signs that, so a page can never make it sign a hash of its
//! choosing.

use kyso_core::{DigestAlgorithm, SignatureScheme};
use serde::{Deserialize, Serialize};

/// What to sign, with which certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignRequest {
    /// A [`super::certificates::Cert`] `id`.
    pub certificate_id: String,
    /// The DER of the signed attributes (`SET OF Attribute`), base64.
    pub signed_attributes: String,
    /// The digest of the signed attributes and of the message digest inside.
    #[serde(default)]
    pub digest_algorithm: DigestAlgorithm,
    /// `"PKCS1"` (the RSA default, what the field uses), `"PSS"`, or
    /// `"ECDSA"`; absent: the key's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<SignatureScheme>,
    /// Shown to the user in the consent window and written to the audit log.
    pub document_name: String,
}

/// The raw signature value and who made it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignResponse {
    /// The signature value, base64 (ECDSA as a DER `Ecdsa-Sig-Value`).
    pub signature: String,
    /// `"sha256WithRSAEncryption"`, `"RSASSA-PSS-SHA256"`, `"ecdsa-with-SHA256"`…
    pub signature_algorithm: String,
    /// The signer's certificate, DER in base64.
    pub certificate: String,
}

/// Standard base64 of `bytes`, the encoding of every binary field.
pub(crate) fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
