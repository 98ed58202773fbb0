//! Public keys from certificates, and signature verification with them.
//!
//! Kyso signs with RSA (PKCS#1 v1.5 or PSS) and ECDSA on P-256/P-384, the keys
//! Vietnamese tokens hold. It verifies what the rest of the world signs with
//! too (ETSI TS 119 312): RSA with any RFC 4055 PSS parameters, ECDSA on P-521
//! and the Brainpool curves, and Ed25519. Whether an algorithm or a key size is
//! still *acceptable* is not decided here but by [`crate::policy`].

mod rsa_pss;
mod weierstrass;

use der::Encode;
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use serde::{Deserialize, Serialize};
use signature::hazmat::PrehashVerifier;
use spki::SubjectPublicKeyInfoOwned;

use crate::digest::HashAlgorithm;
use crate::signature_scheme::{SignatureAlgorithm, SignatureKind, SignatureScheme};
use crate::Error;

/// The key families Kyso knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyType {
    /// rsaEncryption keys (RFC 8017): PKCS#1 v1.5 or PSS signatures.
    #[serde(rename = "RSA")]
    Rsa,
    /// id-ecPublicKey keys (RFC 5480), ECDSA signatures. Kyso signs with P-256
    /// and P-384; it verifies P-521 and Brainpool too.
    #[serde(rename = "EC")]
    Ec,
    /// id-Ed25519 keys (RFC 8410): verified, never used for signing here.
    #[serde(rename = "Ed25519")]
    Ed25519,
}

impl core::fmt::Display for KeyType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            KeyType::Rsa => "RSA",
            KeyType::Ec => "EC",
            KeyType::Ed25519 => "Ed25519",
        })
    }
}

/// The elliptic curves Kyso verifies ECDSA signatures on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Curve {
    /// NIST P-256 (secp256r1).
    P256,
    /// NIST P-384 (secp384r1).
    P384,
    /// NIST P-521 (secp521r1).
    P521,
    /// brainpoolP256r1 (RFC 5639).
    BrainpoolP256r1,
    /// brainpoolP384r1 (RFC 5639).
    BrainpoolP384r1,
    /// brainpoolP512r1 (RFC 5639).
    BrainpoolP512r1,
}

impl Curve {
    /// The curve's name in reports and policies.
    pub fn name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
            Curve::BrainpoolP256r1 => "brainpoolP256r1",
            Curve::BrainpoolP384r1 => "brainpoolP384r1",
            Curve::BrainpoolP512r1 => "brainpoolP512r1",
        }
    }

    /// The size of the curve's order in bits: its key size in policies.
    pub fn bits(self) -> usize {
        match self {
            Curve::P256 | Curve::BrainpoolP256r1 => 256,
            Curve::P384 | Curve::BrainpoolP384r1 => 384,
            Curve::P521 => 521,
            Curve::BrainpoolP512r1 => 512,
        }
    }

    fn from_oid(oid: &der::asn1::ObjectIdentifier) -> Option<Self> {
        use const_oid::db::rfc5912::{SECP_256_R_1, SECP_384_R_1, SECP_521_R_1};
        // RFC 5639 §4.1: ecStdCurvesAndGeneration 1.3.36.3.3.2.8.1.1.{7,11,13}.
        match oid.to_string().as_str() {
            _ if *oid == SECP_256_R_1 => Some(Curve::P256),
            _ if *oid == SECP_384_R_1 => Some(Curve::P384),
            _ if *oid == SECP_521_R_1 => Some(Curve::P521),
            "1.3.36.3.3.2.8.1.1.7" => Some(Curve::BrainpoolP256r1),
            "1.3.36.3.3.2.8.1.1.11" => Some(Curve::BrainpoolP384r1),
            "1.3.36.3.3.2.8.1.1.13" => Some(Curve::BrainpoolP512r1),
            _ => None,
        }
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
    /// An ECDSA key on NIST P-521 (secp521r1).
    P521(Box<p521::ecdsa::VerifyingKey>),
    /// An ECDSA key on brainpoolP256r1.
    BrainpoolP256(ecdsa::VerifyingKey<bp256::BrainpoolP256r1>),
    /// An ECDSA key on brainpoolP384r1.
    BrainpoolP384(ecdsa::VerifyingKey<bp384::BrainpoolP384r1>),
    /// An ECDSA key on brainpoolP512r1 (no crate implements it; see
    /// `weierstrass.rs`).
    BrainpoolP512(weierstrass::Point),
    /// An Ed25519 key.
    Ed25519(ed25519_dalek::VerifyingKey),
}

/// What a signature value was computed over.
#[derive(Clone, Copy, Debug)]
pub enum Signed<'a> {
    /// The message itself (CMS signed attributes, a certificate's TBS): every
    /// algorithm can be checked, Ed25519 included.
    Message(&'a [u8]),
    /// Only its digest, computed elsewhere (a streamed file): not for Ed25519,
    /// which signs messages, not digests.
    Digest(&'a [u8]),
}

impl PublicKey {
    /// Decodes a SubjectPublicKeyInfo.
    pub fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<Self, Error> {
        let der = spki.to_der()?;
        use const_oid::db::rfc5912::{ID_EC_PUBLIC_KEY, RSA_ENCRYPTION};
        let point = spki.subject_public_key.raw_bytes();
        let bad_point = |curve: Curve| Error::InvalidCertificate(format!("{} point", curve.name()));
        match spki.algorithm.oid {
            RSA_ENCRYPTION => rsa::PublicKey::from_public_key_der(&der)
                .map(PublicKey::Rsa)
                .map_err(|e| Error::InvalidCertificate(format!("RSA key: {e}"))),
            ID_EC_PUBLIC_KEY => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok())
                    .and_then(|oid| Curve::from_oid(&oid))
                    .ok_or_else(|| Error::UnsupportedAlgorithm("elliptic curve".into()))?;
                let key = match curve {
                    Curve::P256 => {
                        p256::ecdsa::VerifyingKey::from_sec1_bytes(point).map(PublicKey::P256)
                    }
                    Curve::P384 => {
                        p384::ecdsa::VerifyingKey::from_sec1_bytes(point).map(PublicKey::P384)
                    }
                    Curve::P521 => p521::ecdsa::VerifyingKey::from_sec1_bytes(point)
                        .map(|k| PublicKey::P521(Box::new(k))),
                    Curve::BrainpoolP256r1 => {
                        ecdsa::VerifyingKey::<bp256::BrainpoolP256r1>::from_sec1_bytes(point)
                            .map(PublicKey::BrainpoolP256)
                    }
                    Curve::BrainpoolP384r1 => {
                        ecdsa::VerifyingKey::<bp384::BrainpoolP384r1>::from_sec1_bytes(point)
                            .map(PublicKey::BrainpoolP384)
                    }
                    Curve::BrainpoolP512r1 => {
                        return weierstrass::Point::from_sec1(
                            &weierstrass::BRAINPOOL_P512R1,
                            point,
                        )
                        .map(PublicKey::BrainpoolP512)
                        .ok_or_else(|| bad_point(curve));
                    }
                };
                key.map_err(|_| bad_point(curve))
            }
            crate::signature_scheme::ID_ED25519 => point
                .try_into()
                .ok()
                .and_then(|b: [u8; 32]| ed25519_dalek::VerifyingKey::from_bytes(&b).ok())
                .map(PublicKey::Ed25519)
                .ok_or_else(|| Error::InvalidCertificate("Ed25519 key".into())),
            other => Err(Error::UnsupportedAlgorithm(format!("public key {other}"))),
        }
    }

    /// The key's family.
    pub fn key_type(&self) -> KeyType {
        match self {
            PublicKey::Rsa(_) => KeyType::Rsa,
            PublicKey::Ed25519(_) => KeyType::Ed25519,
            _ => KeyType::Ec,
        }
    }

    /// The curve of an EC key.
    pub fn curve(&self) -> Option<Curve> {
        Some(match self {
            PublicKey::P256(_) => Curve::P256,
            PublicKey::P384(_) => Curve::P384,
            PublicKey::P521(_) => Curve::P521,
            PublicKey::BrainpoolP256(_) => Curve::BrainpoolP256r1,
            PublicKey::BrainpoolP384(_) => Curve::BrainpoolP384r1,
            PublicKey::BrainpoolP512(_) => Curve::BrainpoolP512r1,
            PublicKey::Rsa(_) | PublicKey::Ed25519(_) => return None,
        })
    }

    /// Key size in bits (modulus length for RSA, order size for EC, 256 for
    /// Ed25519): what cryptographic constraints compare.
    pub fn bits(&self) -> usize {
        match self {
            PublicKey::Rsa(k) => k.n().bit_width() as usize,
            PublicKey::Ed25519(_) => 256,
            ec => ec.curve().map_or(0, Curve::bits),
        }
    }

    /// The scheme a signature with this key uses unless told otherwise.
    pub fn default_scheme(&self) -> SignatureScheme {
        match self.key_type() {
            KeyType::Rsa => SignatureScheme::RsaPkcs1v15,
            KeyType::Ec | KeyType::Ed25519 => SignatureScheme::Ecdsa,
        }
    }

    /// Verifies `signature` over an already computed `digest`.
    pub fn verify_digest(
        &self,
        alg: &SignatureAlgorithm,
        digest_alg: impl Into<HashAlgorithm>,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        self.verify(alg, digest_alg.into(), Signed::Digest(digest), signature)
    }

    /// Verifies `signature` over `signed`, hashed with `digest_alg` unless the
    /// algorithm signs messages (Ed25519).
    pub fn verify(
        &self,
        alg: &SignatureAlgorithm,
        digest_alg: HashAlgorithm,
        signed: Signed<'_>,
        signature: &[u8],
    ) -> Result<(), Error> {
        fn bad<E>(_: E) -> Error {
            Error::KeyMismatch
        }
        if let (PublicKey::Ed25519(k), SignatureKind::Ed25519) = (self, alg.kind) {
            let Signed::Message(message) = signed else {
                return Err(Error::UnsupportedAlgorithm(
                    "Ed25519 over a precomputed digest".into(),
                ));
            };
            let sig = ed25519_dalek::Signature::from_slice(signature).map_err(bad)?;
            return k.verify_strict(message, &sig).map_err(bad);
        }
        let owned;
        let digest = match signed {
            Signed::Digest(d) => d,
            Signed::Message(m) => {
                owned = digest_alg.digest(m);
                &owned
            }
        };
        if digest.len() != digest_alg.output_len() {
            return Err(Error::InvalidValue("digest length"));
        }
        match (self, alg.kind) {
            (PublicKey::Rsa(k), SignatureKind::RsaPkcs1v15) => {
                let info = digest_alg.digest_info(digest);
                let prefix = info[..info.len() - digest.len()].to_vec();
                let scheme = rsa::pkcs1v15::Pkcs1v15Sign {
                    hash_len: Some(digest.len()),
                    prefix: prefix.into_boxed_slice(),
                };
                k.verify(scheme, digest, signature).map_err(bad)
            }
            (
                PublicKey::Rsa(k),
                SignatureKind::RsaPss {
                    mgf_digest,
                    salt_len,
                },
            ) => rsa_pss::verify(k, digest_alg, mgf_digest, salt_len, digest, signature),
            (PublicKey::BrainpoolP512(q), SignatureKind::Ecdsa) => {
                weierstrass::verify(&weierstrass::BRAINPOOL_P512R1, q, digest, signature)
            }
            (key, SignatureKind::Ecdsa) => {
                let curve = key.curve().ok_or(Error::KeyMismatch)?;
                let digest = pad_prehash(digest, curve);
                // One body per curve type: the crates share traits, not types.
                macro_rules! check {
                    ($key:expr, $sig:ty) => {{
                        let sig = <$sig>::from_der(signature).map_err(bad)?;
                        $key.verify_prehash(&digest, &sig).map_err(bad)
                    }};
                }
                match key {
                    PublicKey::P256(k) => check!(k, p256::ecdsa::Signature),
                    PublicKey::P384(k) => check!(k, p384::ecdsa::Signature),
                    PublicKey::P521(k) => check!(k, p521::ecdsa::Signature),
                    PublicKey::BrainpoolP256(k) => check!(k, bp256::r1::ecdsa::Signature),
                    PublicKey::BrainpoolP384(k) => check!(k, bp384::r1::ecdsa::Signature),
                    _ => Err(Error::KeyMismatch),
                }
            }
            _ => Err(Error::KeyMismatch),
        }
    }
}

/// ECDSA's bits2int (SEC 1 §4.1.4 step 5) keeps the hash's value when it is
/// shorter than the order; the ecdsa crate wants at least half the field
/// size, so a short hash (SHA-256 on P-521) is left-padded with zeros, which
/// does not change its value.
fn pad_prehash(digest: &[u8], curve: Curve) -> Vec<u8> {
    let field = curve.bits().div_ceil(8);
    if digest.len() >= field {
        return digest.to_vec();
    }
    let mut out = vec![0u8; field - digest.len()];
    out.extend_from_slice(digest);
    out
}
