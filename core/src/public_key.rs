//! Public keys from certificates, and signature verification with them.

use der::Encode;
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use serde::{Deserialize, Serialize};
use sha2::{Sha256, Sha384, Sha512};
use signature::hazmat::PrehashVerifier;
use spki::SubjectPublicKeyInfoOwned;

use crate::signature_scheme::{SignatureAlgorithm, SignatureScheme};
use crate::{DigestAlgorithm, Error};

/// The key families Kyso signs and verifies with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyType {
    /// rsaEncryption keys (RFC 8017): PKCS#1 v1.5 or PSS signatures.
    #[serde(rename = "RSA")]
    Rsa,
    /// id-ecPublicKey keys (RFC 5480) on P-256 or P-384, ECDSA signatures.
    #[serde(rename = "EC")]
    Ec,
}

impl core::fmt::Display for KeyType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            KeyType::Rsa => "RSA",
            KeyType::Ec => "EC",
        })
    }
}

/// A verification key.
#[derive(Clone, Debug)]
pub enum PublicKey {
    /// An RSA key.
    Rsa(rsa::PublicKey),
    /// An ECDSA key on NIST P-256 (secp256r1).
    P256(p256::ecdsa::VerifyingKey),
    /// An ECDSA key on NIST P-384 (secp384r1).
    P384(p384::ecdsa::VerifyingKey),
}

impl PublicKey {
    /// Decodes a SubjectPublicKeyInfo.
    pub fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<Self, Error> {
        let der = spki.to_der()?;
        use const_oid::db::rfc5912::{
            ID_EC_PUBLIC_KEY, RSA_ENCRYPTION, SECP_256_R_1, SECP_384_R_1,
        };
        match spki.algorithm.oid {
            RSA_ENCRYPTION => rsa::PublicKey::from_public_key_der(&der)
                .map(PublicKey::Rsa)
                .map_err(|e| Error::InvalidCertificate(format!("RSA key: {e}"))),
            ID_EC_PUBLIC_KEY => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok());
                let point = spki.subject_public_key.raw_bytes();
                match curve {
                    Some(SECP_256_R_1) => p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
                        .map(PublicKey::P256)
                        .map_err(|_| Error::InvalidCertificate("P-256 point".into())),
                    Some(SECP_384_R_1) => p384::ecdsa::VerifyingKey::from_sec1_bytes(point)
                        .map(PublicKey::P384)
                        .map_err(|_| Error::InvalidCertificate("P-384 point".into())),
                    _ => Err(Error::UnsupportedAlgorithm("elliptic curve".into())),
                }
            }
            other => Err(Error::UnsupportedAlgorithm(format!("public key {other}"))),
        }
    }

    /// The key's family.
    pub fn key_type(&self) -> KeyType {
        match self {
            PublicKey::Rsa(_) => KeyType::Rsa,
            PublicKey::P256(_) | PublicKey::P384(_) => KeyType::Ec,
        }
    }

    /// Key size in bits (modulus length for RSA, field size for EC).
    pub fn bits(&self) -> usize {
        match self {
            PublicKey::Rsa(k) => k.n().bit_width() as usize,
            PublicKey::P256(_) => 256,
            PublicKey::P384(_) => 384,
        }
    }

    /// The scheme a signature with this key uses unless told otherwise.
    pub fn default_scheme(&self) -> SignatureScheme {
        match self.key_type() {
            KeyType::Rsa => SignatureScheme::RsaPkcs1v15,
            KeyType::Ec => SignatureScheme::Ecdsa,
        }
    }

    /// Verifies `signature` over an already computed `digest`.
    pub fn verify_digest(
        &self,
        alg: &SignatureAlgorithm,
        digest_alg: DigestAlgorithm,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        let bad = |_| Error::KeyMismatch;
        match (self, alg.scheme) {
            (PublicKey::Rsa(k), SignatureScheme::RsaPkcs1v15) => {
                let sig = rsa::pkcs1v15::Signature::try_from(signature).map_err(bad)?;
                match digest_alg {
                    DigestAlgorithm::Sha256 => {
                        rsa::pkcs1v15::VerifyingKey::<Sha256>::new(k.clone())
                            .verify_prehash(digest, &sig)
                    }
                    DigestAlgorithm::Sha384 => {
                        rsa::pkcs1v15::VerifyingKey::<Sha384>::new(k.clone())
                            .verify_prehash(digest, &sig)
                    }
                    DigestAlgorithm::Sha512 => {
                        rsa::pkcs1v15::VerifyingKey::<Sha512>::new(k.clone())
                            .verify_prehash(digest, &sig)
                    }
                }
                .map_err(bad)
            }
            (PublicKey::Rsa(k), SignatureScheme::RsaPss) => {
                let sig = rsa::pss::Signature::try_from(signature).map_err(bad)?;
                let salt = alg.salt_len;
                match digest_alg {
                    DigestAlgorithm::Sha256 => {
                        rsa::pss::VerifyingKey::<Sha256>::new_with_salt_len(k.clone(), salt)
                            .verify_prehash(digest, &sig)
                    }
                    DigestAlgorithm::Sha384 => {
                        rsa::pss::VerifyingKey::<Sha384>::new_with_salt_len(k.clone(), salt)
                            .verify_prehash(digest, &sig)
                    }
                    DigestAlgorithm::Sha512 => {
                        rsa::pss::VerifyingKey::<Sha512>::new_with_salt_len(k.clone(), salt)
                            .verify_prehash(digest, &sig)
                    }
                }
                .map_err(bad)
            }
            (PublicKey::P256(k), SignatureScheme::Ecdsa) => {
                let sig = p256::ecdsa::Signature::from_der(signature).map_err(bad)?;
                k.verify_prehash(digest, &sig).map_err(bad)
            }
            (PublicKey::P384(k), SignatureScheme::Ecdsa) => {
                let sig = p384::ecdsa::Signature::from_der(signature).map_err(bad)?;
                k.verify_prehash(digest, &sig).map_err(bad)
            }
            _ => Err(Error::KeyMismatch),
        }
    }
}
