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
    if let Some((mechanism, kind)) = hashing_mechanism(public_key.key_type(), scheme, digest) {
        if available.contains(&kind) {
            return Ok(session.sign(&mechanism, key, data)?);
        }
    }
    sign_digest(
        session,
        key,
        public_key,
        &digest.digest(data),
        digest,
        scheme,
    )
}

/// The mechanism that hashes `data` on the token, for RSA keys.
fn hashing_mechanism(
    key: KeyType,
    scheme: SignatureScheme,
    digest: DigestAlgorithm,
) -> Option<(Mechanism<'static>, MechanismType)> {
    match (key, scheme) {
        (KeyType::Rsa, SignatureScheme::RsaPkcs1v15) => Some(match digest {
            DigestAlgorithm::Sha256 => (Mechanism::Sha256RsaPkcs, MechanismType::SHA256_RSA_PKCS),
            DigestAlgorithm::Sha384 => (Mechanism::Sha384RsaPkcs, MechanismType::SHA384_RSA_PKCS),
            DigestAlgorithm::Sha512 => (Mechanism::Sha512RsaPkcs, MechanismType::SHA512_RSA_PKCS),
        }),
        (KeyType::Rsa, SignatureScheme::RsaPss) => {
            let params = pss_params(digest);
            Some(match digest {
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
            })
        }
        // CKM_ECDSA signs a digest; there is nothing to gain from CKM_ECDSA_SHA*.
        _ => None,
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
        (KeyType::Rsa, SignatureScheme::RsaPss) => Ok(session.sign(
            &Mechanism::RsaPkcsPss(pss_params(digest)),
            key,
            digest_value,
        )?),
        (KeyType::Ec, SignatureScheme::Ecdsa) => {
            Ok(session.sign(&Mechanism::Ecdsa, key, digest_value)?)
        }
        (kt, s) => Err(Error::BadRequest(format!(
            "scheme {s:?} does not fit a {kt:?} key"
        ))),
    }
}

/// PSS with MGF1 over the same digest and a salt as long as the digest.
fn pss_params(digest: DigestAlgorithm) -> PkcsPssParams {
    let (hash_alg, mgf) = match digest {
        DigestAlgorithm::Sha256 => (MechanismType::SHA256, PkcsMgfType::MGF1_SHA256),
        DigestAlgorithm::Sha384 => (MechanismType::SHA384, PkcsMgfType::MGF1_SHA384),
        DigestAlgorithm::Sha512 => (MechanismType::SHA512, PkcsMgfType::MGF1_SHA512),
    };
    PkcsPssParams {
        hash_alg,
        mgf,
        // CK_ULONG is 32 bits on Windows, 64 elsewhere: go through usize.
        s_len: cryptoki::types::Ulong::try_from(digest.output_len())
            .expect("a digest length fits a CK_ULONG"),
    }
}
