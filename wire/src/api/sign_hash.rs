//! `POST /v1/sign-hash`: sign a bare digest, for older portals only.
//!
//! Served only to origins the administrator marked `allow_raw_hash = true`:
//! the user cannot see what a bare hash stands for. The answer is a
//! [`super::sign::SignResponse`].

use kyso_core::{DigestAlgorithm, SignatureScheme};
use serde::{Deserialize, Serialize};

/// The digest to sign.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HashRequest {
    /// A [`super::certificates::Cert`] `id`.
    pub certificate_id: String,
    /// The digest, base64; its length must fit `digestAlgorithm`.
    pub digest: String,
    /// The algorithm that made `digest`.
    #[serde(default)]
    pub digest_algorithm: DigestAlgorithm,
    /// As in [`super::sign::SignRequest`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<SignatureScheme>,
    /// Shown and audited; `(raw hash)` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_name: Option<String>,
}
