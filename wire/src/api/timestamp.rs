//! `POST /v1/timestamp`: an RFC 3161 time-stamp token over a digest the
//! page computed (the hash of a signature value for CAdES/PAdES-B-T, of the
//! document's byte ranges for a document time-stamp).
//!
//! The agent asks only the time-stamping authorities of its configuration
//! (`[timestamp] urls`, in order), never a URL from the page, and checks the
//! reply (granted, the imprint and nonce it sent) before answering. Only a
//! hash leaves the machine.

use kyso_core::DigestAlgorithm;
use serde::{Deserialize, Serialize};

/// The digest to time-stamp.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TimestampRequest {
    /// The digest, base64; its length must fit `digestAlgorithm`.
    pub digest: String,
    /// The algorithm that made `digest` (the TSA's message imprint).
    #[serde(default)]
    pub digest_algorithm: DigestAlgorithm,
}

/// The authority's token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TimestampResponse {
    /// The `TimeStampToken` (a CMS `ContentInfo` with `SignedData` over a
    /// `TSTInfo`), DER in base64: what goes into a signature's
    /// `signature-time-stamp` attribute or a PDF's document time-stamp.
    pub time_stamp_token: String,
}
