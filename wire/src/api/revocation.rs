//! `POST /v1/revocation`: OCSP responses and CRLs for certificates, to embed
//! as long-term validation data (CAdES/PAdES-B-LT).
//!
//! The agent fetches only from the AIA (OCSP, `caIssuers`) and CRL
//! distribution points of certificates that chain to its trust anchors, never
//! from a URL the page gives; a certificate that does not chain is refused.

use serde::{Deserialize, Serialize};

/// The certificates to get revocation data for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RevocationRequest {
    /// DER in base64, the signer's first, then its issuers (as in a
    /// [`super::certificates::Cert`]'s `certificate` and `chain`); at least
    /// one.
    pub certificates: Vec<String>,
}

/// What the responders and distribution points answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RevocationResponse {
    /// DER `OCSPResponse`s in base64, at most one per certificate (none for
    /// the trust anchor).
    pub ocsp: Vec<String>,
    /// DER CRLs in base64, for the certificates no OCSP responder answered
    /// for.
    pub crls: Vec<String>,
}
