//! Signature schemes: how a digest becomes a signature value, and how CMS and
//! X.509 name that in an AlgorithmIdentifier.

use const_oid::db::rfc5912::{
    ECDSA_WITH_SHA_256, ECDSA_WITH_SHA_384, ECDSA_WITH_SHA_512, ID_MGF_1, ID_RSASSA_PSS,
    RSA_ENCRYPTION, SHA_256_WITH_RSA_ENCRYPTION, SHA_384_WITH_RSA_ENCRYPTION,
    SHA_512_WITH_RSA_ENCRYPTION,
};
use der::asn1::ObjectIdentifier;
use der::{Any, Decode, Encode};
use rsa::pkcs1::RsaPssParams;
use serde::{Deserialize, Serialize};
use spki::AlgorithmIdentifierOwned;

use crate::digest::HashAlgorithm;
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

/// How a signature value was computed, as verification needs to know it: every
/// algorithm of ETSI TS 119 312 that signatures in the field use. Kyso itself
/// signs only with the [`SignatureScheme`]s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureKind {
    /// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2).
    RsaPkcs1v15,
    /// RSASSA-PSS (RFC 8017 §8.1) with its RFC 4055 parameters.
    RsaPss {
        /// The hash MGF1 uses; RFC 4055 lets it differ from the message hash.
        mgf_digest: HashAlgorithm,
        /// The salt length in bytes.
        salt_len: usize,
    },
    /// ECDSA (ANSI X9.62, RFC 5758) on any curve Kyso knows.
    Ecdsa,
    /// Ed25519 (RFC 8032, RFC 8419): signs the message itself, not a digest.
    Ed25519,
}

impl SignatureKind {
    /// The name reports and policies use: `RSA`, `RSASSA-PSS`, `ECDSA`, `Ed25519`
    /// (DSS's encryption algorithm names).
    pub fn name(self) -> &'static str {
        match self {
            SignatureKind::RsaPkcs1v15 => "RSA",
            SignatureKind::RsaPss { .. } => "RSASSA-PSS",
            SignatureKind::Ecdsa => "ECDSA",
            SignatureKind::Ed25519 => "Ed25519",
        }
    }

    /// The scheme's name as reports show it since the first release:
    /// `RsaPkcs1v15`, `RsaPss`, `Ecdsa`, `Ed25519`.
    pub fn scheme_name(self) -> &'static str {
        match self {
            SignatureKind::RsaPkcs1v15 => "RsaPkcs1v15",
            SignatureKind::RsaPss { .. } => "RsaPss",
            SignatureKind::Ecdsa => "Ecdsa",
            SignatureKind::Ed25519 => "Ed25519",
        }
    }
}

/// A signature algorithm decoded from an AlgorithmIdentifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignatureAlgorithm {
    /// How the value is computed and encoded.
    pub kind: SignatureKind,
    /// The digest named by the identifier; `None` for bare `rsaEncryption` or
    /// `id-ecPublicKey`, where the digest comes from elsewhere (CMS
    /// digestAlgorithm).
    pub digest: Option<HashAlgorithm>,
}

/// sha1WithRSAEncryption, sha224WithRSAEncryption (RFC 3279, RFC 4055).
const SHA_1_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.5");
const SHA_224_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.14");
/// ecdsa-with-SHA1 (RFC 3279), ecdsa-with-SHA224 (RFC 5758).
const ECDSA_WITH_SHA_1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.1");
const ECDSA_WITH_SHA_224: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.1");
/// id-ecPublicKey, which some signers put where the signature algorithm goes.
const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// id-Ed25519 (RFC 8410 §3).
pub(crate) const ID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
/// The NIST CSOR sigAlgs arc, 2.16.840.1.101.3.4.3: id-ecdsa-with-sha3-224 … -512
/// are .9–.12, id-rsassa-pkcs1-v1_5-with-sha3-224 … -512 are .13–.16.
const NIST_SIG_ALGS: &str = "2.16.840.1.101.3.4.3";

impl SignatureAlgorithm {
    /// Decodes a signature AlgorithmIdentifier from a certificate or SignerInfo.
    pub fn from_identifier(alg: &AlgorithmIdentifierOwned) -> Result<Self, Error> {
        use HashAlgorithm as H;
        let plain = |kind, digest| Ok(SignatureAlgorithm { kind, digest });
        let pkcs1 = SignatureKind::RsaPkcs1v15;
        let ecdsa = SignatureKind::Ecdsa;
        match alg.oid {
            RSA_ENCRYPTION => plain(pkcs1, None),
            SHA_1_WITH_RSA => plain(pkcs1, Some(H::Sha1)),
            SHA_224_WITH_RSA => plain(pkcs1, Some(H::Sha224)),
            SHA_256_WITH_RSA_ENCRYPTION => plain(pkcs1, Some(H::Sha256)),
            SHA_384_WITH_RSA_ENCRYPTION => plain(pkcs1, Some(H::Sha384)),
            SHA_512_WITH_RSA_ENCRYPTION => plain(pkcs1, Some(H::Sha512)),
            ID_EC_PUBLIC_KEY => plain(ecdsa, None),
            ECDSA_WITH_SHA_1 => plain(ecdsa, Some(H::Sha1)),
            ECDSA_WITH_SHA_224 => plain(ecdsa, Some(H::Sha224)),
            ECDSA_WITH_SHA_256 => plain(ecdsa, Some(H::Sha256)),
            ECDSA_WITH_SHA_384 => plain(ecdsa, Some(H::Sha384)),
            ECDSA_WITH_SHA_512 => plain(ecdsa, Some(H::Sha512)),
            ID_ED25519 => plain(SignatureKind::Ed25519, None),
            ID_RSASSA_PSS => {
                let params = alg
                    .parameters
                    .as_ref()
                    .ok_or_else(|| Error::malformed("RSASSA-PSS without parameters"))?;
                let params = RsaPssParams::<Any>::from_der(&params.to_der()?)?;
                let digest = HashAlgorithm::from_oid(&params.hash.oid)?;
                if params.mask_gen.oid != ID_MGF_1 {
                    return Err(Error::UnsupportedAlgorithm(format!(
                        "PSS mask generation function {}",
                        params.mask_gen.oid
                    )));
                }
                // RFC 4055 §3.1: MGF1's parameter is its hash; absent means SHA-1.
                let mgf_digest = match params.mask_gen.parameters.as_ref() {
                    Some(p) => HashAlgorithm::from_oid(&p.oid)?,
                    None => HashAlgorithm::Sha1,
                };
                if params.trailer_field != Default::default() {
                    return Err(Error::UnsupportedAlgorithm("PSS trailer field".into()));
                }
                Ok(SignatureAlgorithm {
                    kind: SignatureKind::RsaPss {
                        mgf_digest,
                        salt_len: params.salt_len as usize,
                    },
                    digest: Some(digest),
                })
            }
            other => {
                let arc = other.to_string();
                let nist = arc
                    .strip_prefix(NIST_SIG_ALGS)
                    .and_then(|r| r.strip_prefix('.'))
                    .and_then(|r| r.parse::<u8>().ok());
                let sha3 = [H::Sha3_224, H::Sha3_256, H::Sha3_384, H::Sha3_512];
                match nist {
                    Some(n @ 9..=12) => plain(ecdsa, Some(sha3[(n - 9) as usize])),
                    Some(n @ 13..=16) => plain(pkcs1, Some(sha3[(n - 13) as usize])),
                    _ => Err(Error::UnsupportedAlgorithm(format!("signature {other}"))),
                }
            }
        }
    }

    /// The digest the signature is over: the identifier's own, else the one
    /// the container names (CMS digestAlgorithm).
    pub fn digest_or(&self, container: HashAlgorithm) -> HashAlgorithm {
        self.digest.unwrap_or(container)
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
    HashAlgorithm::from_oid(oid)
        .map(|a| a.name().to_string())
        .unwrap_or_else(|_| oid.to_string())
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
            assert_eq!(
                alg.kind,
                SignatureKind::RsaPss {
                    mgf_digest: digest.into(),
                    salt_len: digest.output_len()
                }
            );
            assert_eq!(alg.digest, Some(digest.into()));
        }
    }

    #[test]
    fn sha3_and_legacy_identifiers_decode() {
        let id = |oid: &str| AlgorithmIdentifierOwned {
            oid: oid.parse().unwrap(),
            parameters: None,
        };
        let cases = [
            (
                "2.16.840.1.101.3.4.3.10",
                SignatureKind::Ecdsa,
                Some(HashAlgorithm::Sha3_256),
            ),
            (
                "2.16.840.1.101.3.4.3.16",
                SignatureKind::RsaPkcs1v15,
                Some(HashAlgorithm::Sha3_512),
            ),
            (
                "1.2.840.113549.1.1.5",
                SignatureKind::RsaPkcs1v15,
                Some(HashAlgorithm::Sha1),
            ),
            (
                "1.2.840.10045.4.3.1",
                SignatureKind::Ecdsa,
                Some(HashAlgorithm::Sha224),
            ),
            ("1.3.101.112", SignatureKind::Ed25519, None),
        ];
        for (oid, kind, digest) in cases {
            let alg = SignatureAlgorithm::from_identifier(&id(oid)).unwrap();
            assert_eq!((alg.kind, alg.digest), (kind, digest), "{oid}");
        }
        assert!(SignatureAlgorithm::from_identifier(&id("2.16.840.1.101.3.4.3.17")).is_err());
        assert!(SignatureAlgorithm::from_identifier(&id("1.2.840.10040.4.3")).is_err());
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
