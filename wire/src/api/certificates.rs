//! `GET /v1/certificates`, and the certificate object the CLI prints too
//! (`kyso tokens --json`).

use kyso_core::cert::{CertificateInfo, Identifiers};
use kyso_core::{Certificate, KeyType};
use serde::{Deserialize, Serialize};

use super::sign::b64;

/// The signing certificates on every token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CertificatesResponse {
    /// In token order, then in the order the token lists them.
    pub certificates: Vec<Cert>,
}

/// One signing certificate on a token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cert {
    /// Stable across restarts and re-plugging: `<token serial>:<CKA_ID hex>`.
    pub id: String,
    /// The certificate, DER in base64.
    pub certificate: String,
    /// Its issuers, nearest first, as far as the token and the trust anchors
    /// reach (the signer itself is not repeated).
    pub chain: Vec<String>,
    /// The token it lives on.
    pub token: TokenJson,
    /// `"RSA"` or `"EC"`; `null` for a key type Kyso cannot sign with.
    /// Always present: a reader must not mistake a missing member for one.
    #[serde(deserialize_with = "Option::deserialize")]
    pub key_type: Option<KeyType>,
    /// Modulus or curve size in bits.
    pub key_bits: usize,
    /// The subject, RFC 4514 order with Vietnamese letters kept.
    pub subject: String,
    /// The issuer, same form.
    pub issuer: String,
    /// The serial number in hex.
    pub serial_number: String,
    /// RFC 3339, UTC.
    pub not_before: String,
    /// RFC 3339, UTC.
    pub not_after: String,
    /// Vietnamese identifiers from the subject's UID attributes.
    pub identifiers: Identifiers,
}

/// The token of a [`Cert`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TokenJson {
    /// The token's label, as its owner or CA named it.
    pub label: String,
    /// The token's serial number.
    pub serial: String,
    /// The token's manufacturer.
    pub manufacturer: String,
}

impl Cert {
    /// The object for `certificate` (with its facts `info`) and its `chain`.
    pub fn new(
        id: &str,
        certificate: &Certificate,
        info: &CertificateInfo,
        chain: &[Certificate],
        token: TokenJson,
    ) -> Cert {
        let info = info.clone();
        Cert {
            id: id.to_string(),
            certificate: b64(certificate.der()),
            chain: chain.iter().map(|c| b64(c.der())).collect(),
            token,
            key_type: info.key_type,
            key_bits: info.key_bits,
            subject: info.subject,
            issuer: info.issuer,
            serial_number: info.serial_number,
            not_before: info.not_before,
            not_after: info.not_after,
            identifiers: info.identifiers,
        }
    }
}
