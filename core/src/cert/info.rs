use const_oid::db::rfc4519::{CN, O};
use serde::{Deserialize, Serialize};

use super::{name, Certificate, Identifiers};
use crate::public_key::KeyType;
use crate::DigestAlgorithm;

/// What a certificate says about its holder, ready to show or serialise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateInfo {
    /// One-line subject, most specific first.
    pub subject: String,
    pub issuer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub common_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer_common_name: Option<String>,
    /// Upper-case hex, no separators.
    pub serial_number: String,
    /// ISO 8601, UTC.
    pub not_before: String,
    pub not_after: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_type: Option<KeyType>,
    pub key_bits: usize,
    /// RFC 5280 names: digitalSignature, nonRepudiation, keyCertSign…
    pub key_usage: Vec<String>,
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

    pub(super) fn of(cert: &Certificate) -> Self {
        let tbs = cert.x509().tbs_certificate();
        let key = cert.public_key().ok();
        let key_usage = cert
            .key_usage()
            .map(|ku| {
                [
                    (ku.digital_signature(), "digitalSignature"),
                    (ku.non_repudiation(), "nonRepudiation"),
                    (ku.key_encipherment(), "keyEncipherment"),
                    (ku.data_encipherment(), "dataEncipherment"),
                    (ku.key_agreement(), "keyAgreement"),
                    (ku.key_cert_sign(), "keyCertSign"),
                    (ku.crl_sign(), "cRLSign"),
                ]
                .into_iter()
                .filter(|(set, _)| *set)
                .map(|(_, n)| n.to_string())
                .collect()
            })
            .unwrap_or_default();
        CertificateInfo {
            subject: name::display(tbs.subject()),
            issuer: name::display(tbs.issuer()),
            common_name: name::first(tbs.subject(), CN),
            organization: name::first(tbs.subject(), O),
            issuer_common_name: name::first(tbs.issuer(), CN),
            serial_number: cert.serial().iter().map(|b| format!("{b:02X}")).collect(),
            not_before: cert.not_before().to_string(),
            not_after: cert.not_after().to_string(),
            key_type: key.as_ref().map(|k| k.key_type()),
            key_bits: key.as_ref().map(|k| k.bits()).unwrap_or(0),
            key_usage,
            identifiers: Identifiers::from_name(tbs.subject()),
            sha256: cert
                .fingerprint(DigestAlgorithm::Sha256)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        }
    }
}
