//! What Kyso asks a time-stamping authority for (RFC 3161 §2.4.1).
//!
//! ```text
//! TimeStampReq ::= SEQUENCE  {
//!    version                      INTEGER  { v1(1) },
//!    messageImprint               MessageImprint,
//!    reqPolicy             TSAPolicyId              OPTIONAL,
//!    nonce                 INTEGER                  OPTIONAL,
//!    certReq               BOOLEAN                  DEFAULT FALSE,
//!    extensions            [0] IMPLICIT Extensions  OPTIONAL  }
//! ```
//!
//! `certReq` is always TRUE: the TSA's certificate must travel in the token,
//! or a verifier years later has nothing to check the token with. No policy is
//! asked for (each TSA has its own), and no extension.

use der::asn1::{Int, OctetString};
use der::{Encode, Sequence};
use spki::AlgorithmIdentifierOwned;

use crate::{DigestAlgorithm, Error};

/// `MessageImprint ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, hashedMessage OCTET STRING }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct MessageImprint {
    hash_algorithm: AlgorithmIdentifierOwned,
    hashed_message: OctetString,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TimeStampReq {
    version: u8,
    message_imprint: MessageImprint,
    nonce: Int,
    cert_req: bool,
}

/// Encodes a TimeStampReq for `digest` (made with `algorithm`), with `nonce`
/// so that a replayed answer is recognised ([`super::TimeStampResponse::token_for`]).
///
/// ```
/// use kyso_core::DigestAlgorithm;
/// let digest = DigestAlgorithm::Sha256.digest(b"signature value");
/// let der = kyso_core::tsp::request(DigestAlgorithm::Sha256, &digest, &[7; 8]).unwrap();
/// assert_eq!(der[0], 0x30);
/// assert!(kyso_core::tsp::request(DigestAlgorithm::Sha256, &digest[..5], &[7; 8]).is_err());
/// ```
pub fn request(algorithm: DigestAlgorithm, digest: &[u8], nonce: &[u8]) -> Result<Vec<u8>, Error> {
    if digest.len() != algorithm.output_len() {
        return Err(Error::InvalidValue("time-stamp imprint length"));
    }
    if nonce.is_empty() || nonce.len() > 32 {
        return Err(Error::InvalidValue("time-stamp nonce length"));
    }
    // A positive INTEGER in minimal DER: no leading zero bytes but one
    // that keeps the sign bit clear (TSAs refuse anything else).
    let magnitude = match nonce.iter().position(|b| *b != 0) {
        Some(i) => &nonce[i..],
        None => return Err(Error::InvalidValue("time-stamp nonce is zero")),
    };
    let mut n = Vec::with_capacity(magnitude.len() + 1);
    if magnitude[0] & 0x80 != 0 {
        n.push(0);
    }
    n.extend_from_slice(magnitude);
    let req = TimeStampReq {
        version: 1,
        message_imprint: MessageImprint {
            hash_algorithm: algorithm.algorithm_identifier(),
            hashed_message: OctetString::new(digest)?,
        },
        nonce: Int::new(&n)?,
        cert_req: true,
    };
    Ok(req.to_der()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nonce_is_minimal_der() {
        let d = DigestAlgorithm::Sha256.digest(b"x");
        let der = request(DigestAlgorithm::Sha256, &d, &[0, 0x12, 0x34]).unwrap();
        assert!(der.ends_with(&[0x02, 2, 0x12, 0x34, 0x01, 0x01, 0xff]));
        assert!(request(DigestAlgorithm::Sha256, &d, &[0, 0]).is_err());
    }

    #[test]
    fn the_nonce_is_a_positive_integer() {
        let d = DigestAlgorithm::Sha256.digest(b"x");
        let der = request(DigestAlgorithm::Sha256, &d, &[0xff; 8]).unwrap();
        // ... INTEGER 0x00ff…ff, BOOLEAN TRUE at the end.
        assert!(der.ends_with(&[
            0x02, 9, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x01, 0xff
        ]));
    }
}
