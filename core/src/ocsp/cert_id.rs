//! How OCSP names a certificate: by hashes of its issuer and its serial.
//!
//! ```text
//! CertID ::= SEQUENCE {                                -- RFC 6960 §4.1.1
//!     hashAlgorithm       AlgorithmIdentifier,
//!     issuerNameHash      OCTET STRING, -- Hash of issuer's DN
//!     issuerKeyHash       OCTET STRING, -- Hash of issuer's public key
//!     serialNumber        CertificateSerialNumber }
//! ```

use der::asn1::{Any, Int, OctetString};
use der::{Decode, Sequence};
use spki::AlgorithmIdentifierOwned;

use super::OcspError;
use crate::digest::HashAlgorithm;
use crate::Certificate;

/// A CertID: which certificate a request asks about or a response answers
/// for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertId {
    /// The algorithm of both hashes.
    pub hash_algorithm: HashAlgorithm,
    /// The hash of the issuer's subject name (DER).
    pub issuer_name_hash: Vec<u8>,
    /// The hash of the issuer's subjectPublicKey bits (the BIT STRING's
    /// value, without tag, length or unused-bits octet).
    pub issuer_key_hash: Vec<u8>,
    /// The serial number's INTEGER content octets.
    pub serial: Vec<u8>,
}

/// The CertID as encoded.
#[derive(Sequence)]
pub(super) struct Asn1CertId {
    hash_algorithm: AlgorithmIdentifierOwned,
    issuer_name_hash: OctetString,
    issuer_key_hash: OctetString,
    serial_number: Int,
}

impl CertId {
    /// The CertID of `cert`, issued by `issuer`, hashed with `alg`.
    ///
    /// ```
    /// use kyso_core::{digest::HashAlgorithm, ocsp::CertId, Certificate};
    /// let root = Certificate::from_pem(kyso_core::trust::BUNDLED[0].1.as_bytes()).unwrap();
    /// let id = CertId::new(&root, &root, HashAlgorithm::Sha1);
    /// assert_eq!(id.issuer_name_hash.len(), 20);
    /// assert!(id.matches(&root, &root));
    /// ```
    pub fn new(cert: &Certificate, issuer: &Certificate, alg: HashAlgorithm) -> Self {
        CertId {
            hash_algorithm: alg,
            issuer_name_hash: alg.digest(&issuer.subject_der()),
            issuer_key_hash: alg.digest(key_bits(issuer)),
            serial: cert.serial().to_vec(),
        }
    }

    /// Whether this names `cert` issued by `issuer`, the hashes computed with
    /// this CertID's own algorithm.
    pub fn matches(&self, cert: &Certificate, issuer: &Certificate) -> bool {
        *self == CertId::new(cert, issuer, self.hash_algorithm)
    }

    /// Reads a DER CertID.
    pub(crate) fn from_der(der: &[u8]) -> Result<Self, OcspError> {
        let asn1 = Asn1CertId::from_der(der)?;
        Ok(CertId {
            hash_algorithm: HashAlgorithm::from_oid(&asn1.hash_algorithm.oid)?,
            issuer_name_hash: asn1.issuer_name_hash.as_bytes().to_vec(),
            issuer_key_hash: asn1.issuer_key_hash.as_bytes().to_vec(),
            serial: asn1.serial_number.as_bytes().to_vec(),
        })
    }

    /// The encodable form. The hash AlgorithmIdentifier carries NULL
    /// parameters, as OpenSSL writes it: some responders compare CertIDs
    /// byte for byte.
    pub(super) fn to_asn1(&self) -> Result<Asn1CertId, OcspError> {
        Ok(Asn1CertId {
            hash_algorithm: AlgorithmIdentifierOwned {
                oid: self.hash_algorithm.oid(),
                parameters: Some(Any::null()),
            },
            issuer_name_hash: OctetString::new(self.issuer_name_hash.clone())?,
            issuer_key_hash: OctetString::new(self.issuer_key_hash.clone())?,
            serial_number: Int::new(&self.serial)?,
        })
    }
}

/// The subjectPublicKey bits RFC 6960 hashes for issuerKeyHash and for a
/// responderID byKey.
pub(crate) fn key_bits(cert: &Certificate) -> &[u8] {
    cert.x509()
        .tbs_certificate()
        .subject_public_key_info()
        .subject_public_key
        .raw_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Encode;

    #[test]
    fn round_trips_through_der() {
        let id = CertId {
            hash_algorithm: HashAlgorithm::Sha256,
            issuer_name_hash: vec![1; 32],
            issuer_key_hash: vec![2; 32],
            serial: vec![0x00, 0x80, 0x01],
        };
        let der = id.to_asn1().unwrap().to_der().unwrap();
        assert_eq!(CertId::from_der(&der).unwrap(), id);
    }

    #[test]
    fn an_unknown_hash_is_refused() {
        let mut der = CertId {
            hash_algorithm: HashAlgorithm::Sha1,
            issuer_name_hash: vec![1; 20],
            issuer_key_hash: vec![2; 20],
            serial: vec![5],
        }
        .to_asn1()
        .unwrap()
        .to_der()
        .unwrap();
        // 1.3.14.3.2.26 → 1.3.14.3.2.25 (not a hash Kyso knows).
        let at = der
            .windows(5)
            .position(|w| w == [0x2b, 0x0e, 0x03, 0x02, 0x1a])
            .unwrap();
        der[at + 4] = 0x19;
        assert!(matches!(CertId::from_der(&der), Err(OcspError::Core(_))));
    }
}
