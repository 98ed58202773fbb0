use serde::{Deserialize, Serialize};

use super::Identifiers;
use crate::public_key::KeyType;

/// What a certificate says about its holder, ready to show or serialise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateInfo {
    /// One-line subject, most specific first.
    pub subject: String,
    /// One-line issuer, most specific first.
    pub issuer: String,
    /// The subject's CN: the name a person is shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub common_name: Option<String>,
    /// The subject's O, when it names an organisation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// The issuer's CN: which CA this is from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer_common_name: Option<String>,
    /// Upper-case hex, no separators.
    pub serial_number: String,
    /// ISO 8601, UTC.
    pub not_before: String,
    /// ISO 8601, UTC.
    pub not_after: String,
    /// Absent for a key Kyso cannot use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_type: Option<KeyType>,
    /// The modulus or curve size; 0 when unknown.
    pub key_bits: usize,
    /// RFC 5280 names: digitalSignature, nonRepudiation, keyCertSign…
    pub key_usage: Vec<String>,
    /// The Vietnamese identifiers of the subject (MST, CCCD…).
    pub identifiers: Identifiers,
    /// SHA-256 of the DER, lower-case hex.
    pub sha256: String,
}

impl CertificateInfo {
    /// The holder as people name it: the common name, else the whole subject.
    pub fn holder_name(&self) -> &str {
        self.common_name.as_deref().unwrap_or(&self.subject)
    }

    /// The issuing CA as people name it: its common name, else the whole issuer.
    pub fn issuer_name(&self) -> &str {
        self.issuer_common_name.as_deref().unwrap_or(&self.issuer)
    }
}
