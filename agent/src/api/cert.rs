use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::Serialize;

use kyso_core::cert::Identifiers;
use kyso_core::KeyType;

use crate::pkcs11::TokenCertificate;

/// The `Cert` object of DESIGN §3.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CertJson {
    pub id: String,
    pub certificate: String,
    pub chain: Vec<String>,
    pub token: TokenJson,
    pub key_type: Option<KeyType>,
    pub key_bits: usize,
    pub subject: String,
    pub issuer: String,
    pub serial_number: String,
    pub not_before: String,
    pub not_after: String,
    pub identifiers: Identifiers,
}

#[derive(Clone, Debug, Serialize)]
pub struct TokenJson {
    pub label: String,
    pub serial: String,
    pub manufacturer: String,
}

impl From<&TokenCertificate> for CertJson {
    fn from(c: &TokenCertificate) -> Self {
        let info = c.info.clone();
        CertJson {
            id: c.id.clone(),
            certificate: B64.encode(c.certificate.der()),
            chain: c.chain.iter().map(|x| B64.encode(x.der())).collect(),
            token: TokenJson {
                label: c.token.label.clone(),
                serial: c.token.serial.clone(),
                manufacturer: c.token.manufacturer.clone(),
            },
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
