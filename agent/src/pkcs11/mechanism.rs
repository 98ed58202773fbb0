//! Choosing the PKCS#11 mechanism for a key, digest and scheme. Tokens differ in
//! what they offer: prefer mechanisms that hash on the token, fall back to
//! hashing here and signing the digest.

use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::ObjectHandle;
use cryptoki::session::Session;

use kyso_core::{DigestAlgorithm, KeyType, PublicKey, SignatureScheme};

use crate::Error;

pub(super) fn sign(
    session: &Session,
    key: ObjectHandle,
    available: &[MechanismType],
    public_key: &PublicKey,
    data: &[u8],
    digest: DigestAlgorithm,
    scheme: SignatureScheme,
) -> Result<Vec<u8>, Error> {
    let has = |m: MechanismType| available.contains(&m);
    match (public_key.key_type(), scheme) {
        (KeyType::Rsa, SignatureScheme::RsaPkcs1v15) => {
            let hashing = match digest {
                DigestAlgorithm::Sha256 => {
                    (Mechanism::Sha256RsaPkcs, MechanismType::SHA256_RSA_PKCS)
                }
                DigestAlgorithm::Sha384 => {
                    (Mechanism::Sha384RsaPkcs, MechanismType::SHA384_RSA_PKCS)
                }
                DigestAlgorithm::Sha512 => {
                    (Mechanism::Sha512RsaPkcs, MechanismType::SHA512_RSA_PKCS)
                }
            };
            if has(hashing.1) {
                Ok(session.sign(&hashing.0, key, data)?)
            } else {
                let mut digest_info = digest.digest_info_prefix().to_vec();
                digest_info.extend(digest.digest(data));
                Ok(session.sign(&Mechanism::RsaPkcs, key, &digest_info)?)
            }
        }
        (KeyType::Rsa, SignatureScheme::RsaPss) => {
            let (hash_alg, mgf) = pss_hash(digest);
            let params = PkcsPssParams {
                hash_alg,
                mgf,
                s_len: (digest.output_len() as u64).into(),
            };
            let hashing = match digest {
                DigestAlgorithm::Sha256 => (
                    Mechanism::Sha256RsaPkcsPss(params),
                    MechanismType::SHA256_RSA_PKCS_PSS,
                ),
                DigestAlgorithm::Sha384 => (
                    Mechanism::Sha384RsaPkcsPss(params),
                    MechanismType::SHA384_RSA_PKCS_PSS,
                ),
                DigestAlgorithm::Sha512 => (
                    Mechanism::Sha512RsaPkcsPss(params),
                    MechanismType::SHA512_RSA_PKCS_PSS,
                ),
            };
            if has(hashing.1) {
                Ok(session.sign(&hashing.0, key, data)?)
            } else if has(MechanismType::RSA_PKCS_PSS) {
                Ok(session.sign(&Mechanism::RsaPkcsPss(params), key, &digest.digest(data))?)
            } else {
                Err(Error::Token {
                    function: "Sign".into(),
                    ckr: "CKR_MECHANISM_INVALID (the token offers no RSA-PSS)".into(),
                })
            }
        }
        (KeyType::Ec, SignatureScheme::Ecdsa) => {
            Ok(session.sign(&Mechanism::Ecdsa, key, &digest.digest(data))?)
        }
        (kt, s) => Err(Error::BadRequest(format!(
            "scheme {s:?} does not fit a {kt:?} key"
        ))),
    }
}

/// Signs an already computed digest: CKM_RSA_PKCS over a DigestInfo,
/// CKM_RSA_PKCS_PSS, or CKM_ECDSA.
pub(super) fn sign_digest(
    session: &Session,
    key: ObjectHandle,
    public_key: &PublicKey,
    digest_value: &[u8],
    digest: DigestAlgorithm,
    scheme: SignatureScheme,
) -> Result<Vec<u8>, Error> {
    match (public_key.key_type(), scheme) {
        (KeyType::Rsa, SignatureScheme::RsaPkcs1v15) => {
            let mut digest_info = digest.digest_info_prefix().to_vec();
            digest_info.extend_from_slice(digest_value);
            Ok(session.sign(&Mechanism::RsaPkcs, key, &digest_info)?)
        }
        (KeyType::Rsa, SignatureScheme::RsaPss) => {
            let (hash_alg, mgf) = pss_hash(digest);
            let params = PkcsPssParams {
                hash_alg,
                mgf,
                s_len: (digest.output_len() as u64).into(),
            };
            Ok(session.sign(&Mechanism::RsaPkcsPss(params), key, digest_value)?)
        }
        (KeyType::Ec, SignatureScheme::Ecdsa) => {
            Ok(session.sign(&Mechanism::Ecdsa, key, digest_value)?)
        }
        (kt, s) => Err(Error::BadRequest(format!(
            "scheme {s:?} does not fit a {kt:?} key"
        ))),
    }
}

fn pss_hash(digest: DigestAlgorithm) -> (MechanismType, PkcsMgfType) {
    match digest {
        DigestAlgorithm::Sha256 => (MechanismType::SHA256, PkcsMgfType::MGF1_SHA256),
        DigestAlgorithm::Sha384 => (MechanismType::SHA384, PkcsMgfType::MGF1_SHA384),
        DigestAlgorithm::Sha512 => (MechanismType::SHA512, PkcsMgfType::MGF1_SHA512),
    }
}
