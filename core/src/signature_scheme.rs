//! Signature schemes: how a digest becomes a signature value, and how CMS and
//! X.509 name that in an AlgorithmIdentifier.

use const_oid::db::rfc5912::{
    ECDSA_WITH_SHA_256, ECDSA_WITH_SHA_384, ECDSA_WITH_SHA_512, ID_MGF_1, ID_RSASSA_PSS,
    ID_SHA_256, ID_SHA_384, ID_SHA_512, RSA_ENCRYPTION, SHA_256_WITH_RSA_ENCRYPTION,
    SHA_384_WITH_RSA_ENCRYPTION, SHA_512_WITH_RSA_ENCRYPTION,
};
use der::asn1::ObjectIdentifier;
use der::{Any, Decode, Encode};
use rsa::pkcs1::RsaPssParams;
use serde::{Deserialize, Serialize};
use spki::AlgorithmIdentifierOwned;

use crate::{DigestAlgorithm, Error};

/// How a signature value is computed over a digest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum SignatureScheme {
    /// RSASSA-PKCS1-v1_5, what Vietnamese tokens use in the field.
    #[default]
    #[serde(rename = "PKCS1")]
    RsaPkcs1v15,
    /// RSASSA-PSS with MGF1 over the same digest and a salt as long as the digest.
    #[serde(rename = "PSS")]
    RsaPss,
    /// ECDSA; values are DER `Ecdsa-Sig-Value` in CMS.
    #[serde(rename = "ECDSA")]
    Ecdsa,
}

/// A signature algorithm decoded from an AlgorithmIdentifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignatureAlgorithm {
    /// How the value is computed and encoded.
    pub scheme: SignatureScheme,
    /// The digest named by the identifier; `None` for bare `rsaEncryption`, where
    /// the digest comes from elsewhere (CMS digestAlgorithm).
    pub digest: Option<DigestAlgorithm>,
    /// PSS salt length in bytes.
    pub salt_len: usize,
}

impl SignatureAlgorithm {
    /// Decodes a signature AlgorithmIdentifier from a certificate or SignerInfo.
    pub fn from_identifier(alg: &AlgorithmIdentifierOwned) -> Result<Self, Error> {
        let plain = |scheme, digest| {
            Ok(SignatureAlgorithm {
                scheme,
                digest,
                salt_len: 0,
            })
        };
        match alg.oid {
            RSA_ENCRYPTION => plain(SignatureScheme::RsaPkcs1v15, None),
            SHA_256_WITH_RSA_ENCRYPTION => {
                plain(SignatureScheme::RsaPkcs1v15, Some(DigestAlgorithm::Sha256))
            }
            SHA_384_WITH_RSA_ENCRYPTION => {
                plain(SignatureScheme::RsaPkcs1v15, Some(DigestAlgorithm::Sha384))
            }
            SHA_512_WITH_RSA_ENCRYPTION => {
                plain(SignatureScheme::RsaPkcs1v15, Some(DigestAlgorithm::Sha512))
            }
            ECDSA_WITH_SHA_256 => plain(SignatureScheme::Ecdsa, Some(DigestAlgorithm::Sha256)),
            ECDSA_WITH_SHA_384 => plain(SignatureScheme::Ecdsa, Some(DigestAlgorithm::Sha384)),
            ECDSA_WITH_SHA_512 => plain(SignatureScheme::Ecdsa, Some(DigestAlgorithm::Sha512)),
            ID_RSASSA_PSS => {
                let params = alg
                    .parameters
                    .as_ref()
                    .ok_or_else(|| Error::malformed("RSASSA-PSS without parameters"))?;
                let params = RsaPssParams::<Any>::from_der(&params.to_der()?)?;
                let digest = DigestAlgorithm::from_oid(&params.hash.oid)?;
                let mgf_digest = params
                    .mask_gen
                    .parameters
                    .as_ref()
                    .map(|p| p.oid)
                    .ok_or_else(|| Error::malformed("PSS mask generation without a digest"))?;
                if params.mask_gen.oid != ID_MGF_1 || mgf_digest != digest.oid() {
                    return Err(Error::UnsupportedAlgorithm(
                        "PSS with a mask generation function other than MGF1 over the same digest"
                            .into(),
                    ));
                }
                Ok(SignatureAlgorithm {
                    scheme: SignatureScheme::RsaPss,
                    digest: Some(digest),
                    salt_len: params.salt_len as usize,
                })
            }
            other => Err(Error::UnsupportedAlgorithm(format!("signature {other}"))),
        }
    }

    /// The identifier Kyso writes into a SignerInfo for this scheme and digest.
    /// RSA PKCS#1 uses `rsaEncryption` as OpenSSL and most CAdES signers do.
    pub fn cms_identifier(
        scheme: SignatureScheme,
        digest: DigestAlgorithm,
    ) -> Result<AlgorithmIdentifierOwned, Error> {
        Ok(match scheme {
            SignatureScheme::RsaPkcs1v15 => AlgorithmIdentifierOwned {
                oid: RSA_ENCRYPTION,
                parameters: Some(Any::null()),
            },
            SignatureScheme::Ecdsa => AlgorithmIdentifierOwned {
                oid: match digest {
                    DigestAlgorithm::Sha256 => ECDSA_WITH_SHA_256,
                    DigestAlgorithm::Sha384 => ECDSA_WITH_SHA_384,
                    DigestAlgorithm::Sha512 => ECDSA_WITH_SHA_512,
                },
                parameters: None,
            },
            SignatureScheme::RsaPss => {
                let hash = AlgorithmIdentifierOwned {
                    oid: digest.oid(),
                    parameters: Some(Any::null()),
                };
                let params = RsaPssParams::<Any> {
                    hash: hash.clone(),
                    mask_gen: spki::AlgorithmIdentifier {
                        oid: ID_MGF_1,
                        parameters: Some(hash),
                    },
                    salt_len: digest.output_len() as u8,
                    trailer_field: Default::default(),
                };
                AlgorithmIdentifierOwned {
                    oid: ID_RSASSA_PSS,
                    parameters: Some(Any::from_der(&params.to_der()?)?),
                }
            }
        })
    }
}

/// The name the agent API uses for a scheme and digest, e.g.
/// `sha256WithRSAEncryption`, `RSASSA-PSS-SHA384`, `ecdsa-with-SHA256`.
///
/// ```
/// use kyso_core::{signature_scheme::{algorithm_name, parse_algorithm_name}, DigestAlgorithm, SignatureScheme};
/// let n = algorithm_name(SignatureScheme::Ecdsa, DigestAlgorithm::Sha384);
/// assert_eq!(n, "ecdsa-with-SHA384");
/// assert_eq!(parse_algorithm_name(&n), Some((SignatureScheme::Ecdsa, DigestAlgorithm::Sha384)));
/// ```
pub fn algorithm_name(scheme: SignatureScheme, digest: DigestAlgorithm) -> String {
    let bits = digest.output_len() * 8;
    match scheme {
        SignatureScheme::RsaPkcs1v15 => format!("sha{bits}WithRSAEncryption"),
        SignatureScheme::RsaPss => format!("RSASSA-PSS-SHA{bits}"),
        SignatureScheme::Ecdsa => format!("ecdsa-with-SHA{bits}"),
    }
}

/// The inverse of [`algorithm_name`].
pub fn parse_algorithm_name(name: &str) -> Option<(SignatureScheme, DigestAlgorithm)> {
    [
        SignatureScheme::RsaPkcs1v15,
        SignatureScheme::RsaPss,
        SignatureScheme::Ecdsa,
    ]
    .into_iter()
    .flat_map(|s| {
        [
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha384,
            DigestAlgorithm::Sha512,
        ]
        .into_iter()
        .map(move |d| (s, d))
    })
    .find(|(s, d)| algorithm_name(*s, *d) == name)
}

/// The name of a digest OID, for messages.
pub(crate) fn digest_name(oid: &ObjectIdentifier) -> String {
    match *oid {
        ID_SHA_256 => "SHA-256".into(),
        ID_SHA_384 => "SHA-384".into(),
        ID_SHA_512 => "SHA-512".into(),
        _ => oid.to_string(),
    }
}

/// Converts an ECDSA signature from PKCS#11's raw `r ‖ s` form to the DER
/// `Ecdsa-Sig-Value` CMS needs.
///
/// ```
/// let raw = [[0u8; 31].as_slice(), &[1], &[0x80; 32]].concat();
/// let der = kyso_core::signature_scheme::ecdsa_to_der(&raw).unwrap();
/// // SEQUENCE { INTEGER 1, INTEGER 0x00 80 80 … }
/// assert_eq!(&der[..5], &[0x30, 0x26, 0x02, 0x01, 0x01]);
/// ```
pub fn ecdsa_to_der(sig: &[u8]) -> Result<Vec<u8>, Error> {
    if sig.is_empty() || !sig.len().is_multiple_of(2) || sig.len() > 132 {
        return Err(Error::InvalidValue("ECDSA signature length"));
    }
    let (r, s) = sig.split_at(sig.len() / 2);
    let mut body = Vec::with_capacity(sig.len() + 8);
    for int in [r, s] {
        let trimmed = match int.iter().position(|b| *b != 0) {
            Some(i) => &int[i..],
            None => return Err(Error::InvalidValue("ECDSA signature component is zero")),
        };
        body.push(0x02);
        let pad = trimmed[0] & 0x80 != 0;
        crate::asn1::tlv::write_length(&mut body, trimmed.len() + pad as usize);
        if pad {
            body.push(0);
        }
        body.extend_from_slice(trimmed);
    }
    let mut out = vec![0x30];
    crate::asn1::tlv::write_length(&mut out, body.len());
    out.extend_from_slice(&body);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pss_identifier_round_trips() {
        for digest in [
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha384,
            DigestAlgorithm::Sha512,
        ] {
            let id = SignatureAlgorithm::cms_identifier(SignatureScheme::RsaPss, digest).unwrap();
            let alg = SignatureAlgorithm::from_identifier(&id).unwrap();
            assert_eq!(alg.scheme, SignatureScheme::RsaPss);
            assert_eq!(alg.digest, Some(digest));
            assert_eq!(alg.salt_len, digest.output_len());
        }
    }

    #[test]
    fn ecdsa_raw_to_der_matches_the_ecdsa_crate() {
        let raw: Vec<u8> = (1..=64).collect();
        let ours = ecdsa_to_der(&raw).unwrap();
        let theirs = p256::ecdsa::Signature::from_slice(&raw).unwrap().to_der();
        assert_eq!(ours, theirs.as_bytes());
    }

    #[test]
    fn ecdsa_rejects_bad_lengths() {
        assert!(ecdsa_to_der(&[]).is_err());
        assert!(ecdsa_to_der(&[1, 2, 3]).is_err());
        assert!(ecdsa_to_der(&[0; 64]).is_err());
    }
}
