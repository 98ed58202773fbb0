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
    /// The TSA's serial number of this token (big-endian bytes).
    pub serial: Vec<u8>,
    /// The time the token was generated.
    pub gen_time: DateTime,
    /// How far `gen_time` may be from UTC, in milliseconds, when the TSA says.
    pub accuracy_millis: Option<u64>,
    /// The nonce of the request, echoed (big-endian bytes, no sign byte).
    pub nonce: Option<Vec<u8>>,
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
        let serial = next("serialNumber")?;
        if serial.tag_byte() != Some(0x02) {
            return Err(Error::malformed("TSTInfo serialNumber is not an INTEGER"));
        }
        let gen_time = generalized_time(next("genTime")?)?;
        let mut accuracy_millis = None;
        let mut nonce = None;
        for field in fields {
            let field = field?;
            match field.tag_byte() {
                Some(0x30) => accuracy_millis = Some(accuracy(field)?),
                Some(0x02) => nonce = Some(unsigned(field.content).to_vec()),
                // ordering, tsa, extensions: nothing a verifier needs.
                _ => {}
            }
        }
        Ok(TstInfo {
            policy,
            hash_algorithm,
            hashed_message: hashed.content.to_vec(),
            serial: unsigned(serial.content).to_vec(),
            gen_time,
            accuracy_millis,
            nonce,
        })
    }
}

/// An INTEGER's magnitude without the sign byte DER adds to keep it positive.
fn unsigned(content: &[u8]) -> &[u8] {
    match content {
        [0, rest @ ..] if !rest.is_empty() => rest,
        other => other,
    }
}

/// `Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] INTEGER (1..999)
/// OPTIONAL, micros [1] INTEGER (1..999) OPTIONAL }`, in milliseconds
/// (microseconds round up: the bound must not shrink).
fn accuracy(seq: Tlv<'_>) -> Result<u64, Error> {
    let mut total: u64 = 0;
    for part in seq.children() {
        let part = part?;
        let content = unsigned(part.content);
        if content.len() > 4 {
            return Err(Error::malformed("TSTInfo accuracy out of range"));
        }
        let v = content
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        total += match part.tag_byte() {
            Some(0x02) => v * 1000,
            Some(0x80) => v,
            Some(0x81) => v.div_ceil(1000),
            _ => return Err(Error::malformed("TSTInfo accuracy has an unknown field")),
        };
    }
    Ok(total)
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
