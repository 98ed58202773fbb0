//! `POST /v1/sign-batch`: many documents, one consent, one PIN.

use kyso_core::{DigestAlgorithm, SignatureScheme};
use serde::{Deserialize, Serialize};

use super::error::ErrorBody;

/// The documents to sign, in order; every item is checked before the user is
/// asked anything.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BatchRequest {
    /// A [`super::certificates::Cert`] `id`.
    pub certificate_id: String,
    /// At least one; the consent window lists them all.
    pub items: Vec<BatchItem>,
    /// As in [`super::sign::SignRequest`], for every item.
    #[serde(default)]
    pub digest_algorithm: DigestAlgorithm,
    /// As in [`super::sign::SignRequest`], for every item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<SignatureScheme>,
}

/// One document of a batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BatchItem {
    /// The DER of its signed attributes, base64.
    pub signed_attributes: String,
    /// Shown in the consent window's list and audited.
    pub document_name: String,
}

/// The results, one per item in request order. A token pulled out half-way
/// keeps the signatures already made; the rest fail with `TOKEN_REMOVED`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BatchResponse {
    /// One per item.
    pub signatures: Vec<BatchResult>,
    /// As in [`super::sign::SignResponse`].
    pub signature_algorithm: String,
    /// The signer's certificate, DER in base64.
    pub certificate: String,
}

/// One item's signature, or why it has none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BatchResult {
    /// The signature value, base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// The error for this item alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
}
