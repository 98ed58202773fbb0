//! Digest algorithms Kyso signs with: SHA-256, SHA-384, SHA-512.

use const_oid::db::rfc5912::{ID_SHA_256, ID_SHA_384, ID_SHA_512};
use der::asn1::ObjectIdentifier;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha384, Sha512};
use spki::AlgorithmIdentifierOwned;

use crate::Error;

/// A digest algorithm of the SHA-2 family.
///
/// ```
/// use kyso_core::DigestAlgorithm;
/// let alg: DigestAlgorithm = "SHA-384".parse().unwrap();
/// assert_eq!(alg.output_len(), 48);
/// assert_eq!(alg.digest(b"abc").len(), 48);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum DigestAlgorithm {
    /// SHA-256 (FIPS 180-4), the default.
    #[default]
    #[serde(rename = "SHA-256")]
    Sha256,
    /// SHA-384, the match for P-384 keys.
    #[serde(rename = "SHA-384")]
    Sha384,
    /// SHA-512.
    #[serde(rename = "SHA-512")]
    Sha512,
}

impl DigestAlgorithm {
    /// The digest length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            DigestAlgorithm::Sha256 => 32,
            DigestAlgorithm::Sha384 => 48,
            DigestAlgorithm::Sha512 => 64,
        }
    }

    /// The algorithm's object identifier.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            DigestAlgorithm::Sha256 => ID_SHA_256,
            DigestAlgorithm::Sha384 => ID_SHA_384,
            DigestAlgorithm::Sha512 => ID_SHA_512,
        }
    }

    /// Looks an algorithm up by object identifier.
    pub fn from_oid(oid: &ObjectIdentifier) -> Result<Self, Error> {
        match *oid {
            ID_SHA_256 => Ok(DigestAlgorithm::Sha256),
            ID_SHA_384 => Ok(DigestAlgorithm::Sha384),
            ID_SHA_512 => Ok(DigestAlgorithm::Sha512),
            _ => Err(Error::UnsupportedAlgorithm(format!("digest {oid}"))),
        }
    }

    /// The AlgorithmIdentifier, parameters absent (RFC 5754 §2).
    pub fn algorithm_identifier(self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: self.oid(),
            parameters: None,
        }
    }

    /// The name used in the agent API and the CLI ("SHA-256"…).
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha256 => "SHA-256",
            DigestAlgorithm::Sha384 => "SHA-384",
            DigestAlgorithm::Sha512 => "SHA-512",
        }
    }

    /// Hashes `data` in one go.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let mut h = Hasher::new(self);
        h.update(data);
        h.finalize()
    }

    /// The DER DigestInfo prefix that precedes the digest in an RSA PKCS#1 v1.5
    /// signature (RFC 8017 §9.2 note 1), for tokens that only offer raw CKM_RSA_PKCS.
    pub fn digest_info_prefix(self) -> &'static [u8] {
        match self {
            DigestAlgorithm::Sha256 => &[
                0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x01, 0x05, 0x00, 0x04, 0x20,
            ],
            DigestAlgorithm::Sha384 => &[
                0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x02, 0x05, 0x00, 0x04, 0x30,
            ],
            DigestAlgorithm::Sha512 => &[
                0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x03, 0x05, 0x00, 0x04, 0x40,
            ],
        }
    }
}

impl core::str::FromStr for DigestAlgorithm {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_uppercase().replace(['-', '_'], "").as_str() {
            "SHA256" => Ok(DigestAlgorithm::Sha256),
            "SHA384" => Ok(DigestAlgorithm::Sha384),
            "SHA512" => Ok(DigestAlgorithm::Sha512),
            _ => Err(Error::UnsupportedAlgorithm(s.to_string())),
        }
    }
}

/// An incremental hasher, for content that arrives in chunks (files, streams).
///
/// ```
/// use kyso_core::{DigestAlgorithm, digest::Hasher};
/// let mut h = Hasher::new(DigestAlgorithm::Sha256);
/// h.update(b"ab");
/// h.update(b"c");
/// assert_eq!(h.finalize(), DigestAlgorithm::Sha256.digest(b"abc"));
/// ```
#[derive(Clone)]
pub enum Hasher {
    /// Hashing with SHA-256.
    Sha256(Sha256),
    /// Hashing with SHA-384.
    Sha384(Sha384),
    /// Hashing with SHA-512.
    Sha512(Sha512),
}

impl Hasher {
    /// A hasher for `alg` that has seen nothing yet.
    pub fn new(alg: DigestAlgorithm) -> Self {
        match alg {
            DigestAlgorithm::Sha256 => Hasher::Sha256(Sha256::new()),
            DigestAlgorithm::Sha384 => Hasher::Sha384(Sha384::new()),
            DigestAlgorithm::Sha512 => Hasher::Sha512(Sha512::new()),
        }
    }

    /// Feeds the next bytes of the content.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha384(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
        }
    }

    /// The digest of everything fed so far.
    pub fn finalize(self) -> Vec<u8> {
        match self {
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sha384(h) => h.finalize().to_vec(),
            Hasher::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers() {
        assert_eq!(
            hex::encode(DigestAlgorithm::Sha256.digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(hex::encode(DigestAlgorithm::Sha512.digest(b"abc")).starts_with("ddaf35a1"));
    }

    #[test]
    fn digest_info_prefix_is_a_digest_info_header() {
        for alg in [
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha384,
            DigestAlgorithm::Sha512,
        ] {
            let p = alg.digest_info_prefix();
            assert_eq!(p[1] as usize, p.len() - 2 + alg.output_len());
            assert_eq!(*p.last().unwrap() as usize, alg.output_len());
        }
    }
}
