//! Digest algorithms: the SHA-2 ones Kyso signs with ([`DigestAlgorithm`]) and
//! every one it verifies with ([`HashAlgorithm`]).

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
        HashAlgorithm::from(self).digest(data)
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

/// Every digest algorithm Kyso verifies with: what signatures made elsewhere
/// use, legacy ones included. [`DigestAlgorithm`] is the subset Kyso signs
/// with; SHA-1 and SHA-224 are only ever verified, and whether they are still
/// acceptable is the [`crate::policy`]'s call, not the parser's.
///
/// ```
/// use kyso_core::digest::HashAlgorithm;
/// let alg = HashAlgorithm::from_oid(&"2.16.840.1.101.3.4.2.8".parse().unwrap()).unwrap();
/// assert_eq!(alg, HashAlgorithm::Sha3_256);
/// assert_eq!(alg.name(), "SHA3-256");
/// assert_eq!(alg.digest(b"").len(), 32);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum HashAlgorithm {
    /// SHA-1 (FIPS 180-4): broken for collisions; legacy files only.
    #[serde(rename = "SHA-1")]
    Sha1,
    /// SHA-224.
    #[serde(rename = "SHA-224")]
    Sha224,
    /// SHA-256.
    #[serde(rename = "SHA-256")]
    Sha256,
    /// SHA-384.
    #[serde(rename = "SHA-384")]
    Sha384,
    /// SHA-512.
    #[serde(rename = "SHA-512")]
    Sha512,
    /// SHA3-224 (FIPS 202).
    #[serde(rename = "SHA3-224")]
    Sha3_224,
    /// SHA3-256.
    #[serde(rename = "SHA3-256")]
    Sha3_256,
    /// SHA3-384.
    #[serde(rename = "SHA3-384")]
    Sha3_384,
    /// SHA3-512.
    #[serde(rename = "SHA3-512")]
    Sha3_512,
}

/// id-sha1 (RFC 3279 §2.2.1).
const ID_SHA_1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
/// id-sha224 (RFC 5754 §2.1).
const ID_SHA_224: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.4");
/// id-sha3-224 … id-sha3-512 (NIST CSOR, RFC 8702 §2 for SHAKE's siblings).
const ID_SHA3_224: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.7");
const ID_SHA3_256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.8");
const ID_SHA3_384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.9");
const ID_SHA3_512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.10");

impl HashAlgorithm {
    /// Every algorithm, weakest first.
    pub const ALL: [HashAlgorithm; 9] = [
        HashAlgorithm::Sha1,
        HashAlgorithm::Sha224,
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
        HashAlgorithm::Sha3_224,
        HashAlgorithm::Sha3_256,
        HashAlgorithm::Sha3_384,
        HashAlgorithm::Sha3_512,
    ];

    /// The algorithm's object identifier.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            HashAlgorithm::Sha1 => ID_SHA_1,
            HashAlgorithm::Sha224 => ID_SHA_224,
            HashAlgorithm::Sha256 => ID_SHA_256,
            HashAlgorithm::Sha384 => ID_SHA_384,
            HashAlgorithm::Sha512 => ID_SHA_512,
            HashAlgorithm::Sha3_224 => ID_SHA3_224,
            HashAlgorithm::Sha3_256 => ID_SHA3_256,
            HashAlgorithm::Sha3_384 => ID_SHA3_384,
            HashAlgorithm::Sha3_512 => ID_SHA3_512,
        }
    }

    /// Looks an algorithm up by object identifier.
    pub fn from_oid(oid: &ObjectIdentifier) -> Result<Self, Error> {
        HashAlgorithm::ALL
            .into_iter()
            .find(|a| a.oid() == *oid)
            .ok_or_else(|| Error::UnsupportedAlgorithm(format!("digest {oid}")))
    }

    /// The name in reports and policies: `SHA-1`, `SHA-256`, `SHA3-256`…
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha1 => "SHA-1",
            HashAlgorithm::Sha224 => "SHA-224",
            HashAlgorithm::Sha256 => "SHA-256",
            HashAlgorithm::Sha384 => "SHA-384",
            HashAlgorithm::Sha512 => "SHA-512",
            HashAlgorithm::Sha3_224 => "SHA3-224",
            HashAlgorithm::Sha3_256 => "SHA3-256",
            HashAlgorithm::Sha3_384 => "SHA3-384",
            HashAlgorithm::Sha3_512 => "SHA3-512",
        }
    }

    /// Looks an algorithm up by [`HashAlgorithm::name`], ignoring case,
    /// hyphens and underscores (`sha3_256`, `SHA256`).
    pub fn from_name(name: &str) -> Option<Self> {
        let key = |s: &str| s.to_ascii_uppercase().replace(['-', '_'], "");
        let wanted = key(name);
        HashAlgorithm::ALL
            .into_iter()
            .find(|a| key(a.name()) == wanted)
    }

    /// The digest length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            HashAlgorithm::Sha1 => 20,
            HashAlgorithm::Sha224 | HashAlgorithm::Sha3_224 => 28,
            HashAlgorithm::Sha256 | HashAlgorithm::Sha3_256 => 32,
            HashAlgorithm::Sha384 | HashAlgorithm::Sha3_384 => 48,
            HashAlgorithm::Sha512 | HashAlgorithm::Sha3_512 => 64,
        }
    }

    /// The same algorithm when Kyso also signs with it.
    pub fn signing(self) -> Option<DigestAlgorithm> {
        match self {
            HashAlgorithm::Sha256 => Some(DigestAlgorithm::Sha256),
            HashAlgorithm::Sha384 => Some(DigestAlgorithm::Sha384),
            HashAlgorithm::Sha512 => Some(DigestAlgorithm::Sha512),
            _ => None,
        }
    }

    /// Hashes `data` in one go.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let mut h = Hasher::new(self);
        h.update(data);
        h.finalize()
    }

    /// The DER `DigestInfo` (RFC 8017 §9.2) that PKCS#1 v1.5 signs: the
    /// algorithm with NULL parameters, then the digest.
    pub fn digest_info(self, digest: &[u8]) -> Vec<u8> {
        let oid = self.oid();
        let oid = oid.as_bytes();
        let alg_len = 2 + oid.len() + 2;
        let mut out = vec![0x30, (2 + alg_len + 2 + digest.len()) as u8];
        out.extend([0x30, alg_len as u8, 0x06, oid.len() as u8]);
        out.extend(oid);
        out.extend([0x05, 0x00, 0x04, digest.len() as u8]);
        out.extend(digest);
        out
    }
}

impl From<DigestAlgorithm> for HashAlgorithm {
    fn from(alg: DigestAlgorithm) -> Self {
        match alg {
            DigestAlgorithm::Sha256 => HashAlgorithm::Sha256,
            DigestAlgorithm::Sha384 => HashAlgorithm::Sha384,
            DigestAlgorithm::Sha512 => HashAlgorithm::Sha512,
        }
    }
}

impl core::fmt::Display for HashAlgorithm {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
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
    /// Hashing with SHA-1.
    Sha1(sha1::Sha1),
    /// Hashing with SHA-224.
    Sha224(sha2::Sha224),
    /// Hashing with SHA-256.
    Sha256(Sha256),
    /// Hashing with SHA-384.
    Sha384(Sha384),
    /// Hashing with SHA-512.
    Sha512(Sha512),
    /// Hashing with SHA3-224.
    Sha3_224(sha3::Sha3_224),
    /// Hashing with SHA3-256.
    Sha3_256(sha3::Sha3_256),
    /// Hashing with SHA3-384.
    Sha3_384(sha3::Sha3_384),
    /// Hashing with SHA3-512.
    Sha3_512(sha3::Sha3_512),
}

macro_rules! each_hasher {
    ($self:expr, $h:ident => $body:expr) => {
        match $self {
            Hasher::Sha1($h) => $body,
            Hasher::Sha224($h) => $body,
            Hasher::Sha256($h) => $body,
            Hasher::Sha384($h) => $body,
            Hasher::Sha512($h) => $body,
            Hasher::Sha3_224($h) => $body,
            Hasher::Sha3_256($h) => $body,
            Hasher::Sha3_384($h) => $body,
            Hasher::Sha3_512($h) => $body,
        }
    };
}

impl Hasher {
    /// A hasher for `alg` that has seen nothing yet.
    pub fn new(alg: impl Into<HashAlgorithm>) -> Self {
        match alg.into() {
            HashAlgorithm::Sha1 => Hasher::Sha1(Digest::new()),
            HashAlgorithm::Sha224 => Hasher::Sha224(Digest::new()),
            HashAlgorithm::Sha256 => Hasher::Sha256(Digest::new()),
            HashAlgorithm::Sha384 => Hasher::Sha384(Digest::new()),
            HashAlgorithm::Sha512 => Hasher::Sha512(Digest::new()),
            HashAlgorithm::Sha3_224 => Hasher::Sha3_224(Digest::new()),
            HashAlgorithm::Sha3_256 => Hasher::Sha3_256(Digest::new()),
            HashAlgorithm::Sha3_384 => Hasher::Sha3_384(Digest::new()),
            HashAlgorithm::Sha3_512 => Hasher::Sha3_512(Digest::new()),
        }
    }

    /// Feeds the next bytes of the content.
    pub fn update(&mut self, data: &[u8]) {
        each_hasher!(self, h => Digest::update(h, data))
    }

    /// The digest of everything fed so far.
    pub fn finalize(self) -> Vec<u8> {
        each_hasher!(self, h => Digest::finalize(h).to_vec())
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
    fn every_hash_matches_its_known_answer_and_digest_info() {
        // FIPS 180-4 / FIPS 202 "abc" vectors, first 8 bytes.
        let abc = [
            (HashAlgorithm::Sha1, "a9993e364706816a"),
            (HashAlgorithm::Sha224, "23097d223405d822"),
            (HashAlgorithm::Sha3_224, "e642824c3f8cf24a"),
            (HashAlgorithm::Sha3_256, "3a985da74fe225b2"),
            (HashAlgorithm::Sha3_384, "ec01498288516fc9"),
            (HashAlgorithm::Sha3_512, "b751850b1a57168a"),
        ];
        for (alg, prefix) in abc {
            let d = alg.digest(b"abc");
            assert_eq!(d.len(), alg.output_len(), "{alg}");
            assert!(hex::encode(&d).starts_with(prefix), "{alg}");
            assert_eq!(HashAlgorithm::from_oid(&alg.oid()).unwrap(), alg);
            assert_eq!(HashAlgorithm::from_name(alg.name()), Some(alg));
        }
        for alg in [
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha384,
            DigestAlgorithm::Sha512,
        ] {
            let d = alg.digest(b"x");
            let info = HashAlgorithm::from(alg).digest_info(&d);
            assert_eq!(info, [alg.digest_info_prefix(), &d].concat());
        }
        assert_eq!(HashAlgorithm::Sha1.signing(), None);
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
