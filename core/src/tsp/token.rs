//! The TSTInfo a time-stamp token carries (RFC 3161 §2.4.2).
//!
//! ```text
//! TSTInfo ::= SEQUENCE  {
//!    version                      INTEGER  { v1(1) },
//!    policy                       TSAPolicyId,
//!    messageImprint               MessageImprint,
//!    serialNumber                 INTEGER,
//!    genTime                      GeneralizedTime,
//!    accuracy                     Accuracy                 OPTIONAL,
//!    ordering                     BOOLEAN             DEFAULT FALSE,
//!    nonce                        INTEGER                  OPTIONAL,
//!    tsa                          [0] GeneralName          OPTIONAL,
//!    extensions                   [1] IMPLICIT Extensions   OPTIONAL  }
//! MessageImprint ::= SEQUENCE  {
//!    hashAlgorithm                AlgorithmIdentifier,
//!    hashedMessage                OCTET STRING  }
//! ```

use der::asn1::ObjectIdentifier;
use der::Decode;

use crate::asn1::time::generalized_time;
use crate::asn1::Tlv;
use crate::digest::HashAlgorithm;
use crate::time::DateTime;
use crate::Error;

/// id-ct-TSTInfo (RFC 3161 §2.4.2): the eContentType of a time-stamp token.
pub const ID_CT_TST_INFO: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");

/// What the TSA asserts: this digest existed at `gen_time`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TstInfo {
    /// The TSA's policy.
    pub policy: ObjectIdentifier,
    /// The imprint's hash algorithm.
    pub hash_algorithm: HashAlgorithm,
    /// The digest that was time-stamped.
    pub hashed_message: Vec<u8>,
    /// The time the token was generated.
    pub gen_time: DateTime,
}

impl TstInfo {
    /// Reads a DER TSTInfo (a token's eContent).
    ///
    /// ```
    /// assert!(kyso_core::tsp::TstInfo::parse(&[0x30, 0x00]).is_err());
    /// ```
    pub fn parse(der_bytes: &[u8]) -> Result<Self, Error> {
        let seq = Tlv::parse_exact(der_bytes)?;
        if seq.tag_byte() != Some(0x30) {
            return Err(Error::malformed("TSTInfo is not a SEQUENCE"));
        }
        let mut fields = seq.children();
        let mut next = |what: &'static str| {
            fields
                .next()
                .transpose()?
                .ok_or_else(|| Error::malformed(format!("TSTInfo {what} missing")))
        };
        let _version = next("version")?;
        let policy = ObjectIdentifier::from_der(next("policy")?.raw)?;
        let imprint = next("messageImprint")?;
        let mut parts = imprint.children();
        let alg = parts
            .next()
            .transpose()?
            .ok_or_else(|| Error::malformed("messageImprint hashAlgorithm missing"))?;
        let alg_oid = alg
            .children()
            .next()
            .transpose()?
            .ok_or_else(|| Error::malformed("hashAlgorithm without an OID"))?;
        let hash_algorithm = HashAlgorithm::from_oid(&ObjectIdentifier::from_der(alg_oid.raw)?)?;
        let hashed = parts
            .next()
            .transpose()?
            .filter(|t| t.tag_byte() == Some(0x04))
            .ok_or_else(|| Error::malformed("messageImprint hashedMessage missing"))?;
        let _serial = next("serialNumber")?;
        let gen_time = generalized_time(next("genTime")?)?;
        Ok(TstInfo {
            policy,
            hash_algorithm,
            hashed_message: hashed.content.to_vec(),
            gen_time,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractional_gen_time_is_read() {
        let t =
            generalized_time(Tlv::parse_exact(b"\x18\x1320261203101500.123Z").unwrap()).unwrap();
        assert_eq!(t.to_string(), "2026-12-03T10:15:00Z");
        assert!(generalized_time(Tlv::parse_exact(b"\x18\x0d202612031015Z").unwrap()).is_err());
    }
}
