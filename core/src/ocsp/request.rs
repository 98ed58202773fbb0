//! The OCSP request Kyso's fetchers send (the agent and the CLI do the
//! HTTP; core only builds the bytes).
//!
//! ```text
//! OCSPRequest ::= SEQUENCE {                           -- RFC 6960 §4.1.1
//!     tbsRequest                  TBSRequest,
//!     optionalSignature   [0]     EXPLICIT Signature OPTIONAL }
//! TBSRequest ::= SEQUENCE {
//!     version             [0]     EXPLICIT Version DEFAULT v1,
//!     requestorName       [1]     EXPLICIT GeneralName OPTIONAL,
//!     requestList                 SEQUENCE OF Request,
//!     requestExtensions   [2]     EXPLICIT Extensions OPTIONAL }
//! Request ::= SEQUENCE {
//!     reqCert                     CertID,
//!     singleRequestExtensions [0] EXPLICIT Extensions OPTIONAL }
//! ```
//!
//! Kyso's requests are unsigned, v1, with one Request and at most the nonce
//! extension: what every responder, RFC 5019 lightweight ones included,
//! accepts.

use const_oid::db::rfc6960::ID_PKIX_OCSP_NONCE;
use der::asn1::OctetString;
use der::{Encode, Sequence};
use x509_cert::ext::{Extension, Extensions};

use super::cert_id::Asn1CertId;
use super::{CertId, OcspError};
use crate::digest::HashAlgorithm;
use crate::{Certificate, Error};

/// RFC 8954 §2.1: a nonce is 1 to 32 octets.
const MAX_NONCE_LEN: usize = 32;

#[derive(Sequence)]
struct OcspRequest {
    tbs_request: TbsRequest,
}

#[derive(Sequence)]
struct TbsRequest {
    request_list: Vec<Request>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    request_extensions: Option<Extensions>,
}

#[derive(Sequence)]
struct Request {
    req_cert: Asn1CertId,
}

/// A DER OCSPRequest for the status of `cert`, issued by `issuer`. The
/// CertID is hashed with SHA-1, the one algorithm RFC 5019 responders must
/// accept; a `nonce` (1 to 32 bytes, RFC 8954) goes in an
/// id-pkix-ocsp-nonce extension whose value is an OCTET STRING holding it,
/// as OpenSSL writes it.
///
/// ```
/// use kyso_core::Certificate;
/// let root = Certificate::from_pem(kyso_core::trust::BUNDLED[0].1.as_bytes()).unwrap();
/// let der = kyso_core::ocsp::request(&root, &root, Some(b"0123456789abcdef")).unwrap();
/// assert_eq!(der[0], 0x30);
/// assert!(kyso_core::ocsp::request(&root, &root, Some(&[])).is_err());
/// ```
pub fn request(
    cert: &Certificate,
    issuer: &Certificate,
    nonce: Option<&[u8]>,
) -> Result<Vec<u8>, OcspError> {
    let req_cert = CertId::new(cert, issuer, HashAlgorithm::Sha1).to_asn1()?;
    let request_extensions = match nonce {
        None => None,
        Some(n) if n.is_empty() || n.len() > MAX_NONCE_LEN => {
            return Err(Error::InvalidValue("an OCSP nonce is 1 to 32 bytes (RFC 8954)").into())
        }
        Some(n) => Some(vec![Extension {
            extn_id: ID_PKIX_OCSP_NONCE,
            critical: false,
            extn_value: OctetString::new(OctetString::new(n)?.to_der()?)?,
        }]),
    };
    let request = OcspRequest {
        tbs_request: TbsRequest {
            request_list: vec![Request { req_cert }],
            request_extensions,
        },
    };
    Ok(request.to_der()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asn1::Tlv;
    use crate::ocsp::OcspResponse;
    use crate::revocation::fixtures::{pki, DEFAULT_INDEX};

    #[test]
    fn openssl_answers_our_request_and_echoes_the_nonce() {
        let pki = pki();
        let (signer, ca) = (pki.cert("signer"), pki.cert("ca"));
        let nonce = b"kyso-nonce-0123456789";
        let der = request(&signer, &ca, Some(nonce)).unwrap();
        let response =
            OcspResponse::from_der(&pki.ocsp(DEFAULT_INDEX, &der, "responder", &[])).unwrap();
        assert_eq!(response.nonce(), Some(&nonce[..]));
        assert_eq!(response.responses().len(), 1);
        assert!(response.matches(&signer, &ca).is_some());
    }

    #[test]
    fn the_request_is_one_sha1_cert_id_and_a_wrapped_nonce() {
        let pki = pki();
        let (signer, ca) = (pki.cert("signer"), pki.cert("ca"));
        let der = request(&signer, &ca, Some(&[7; 32])).unwrap();
        let outer = Tlv::parse_exact(&der).unwrap();
        let tbs = outer.children().next().unwrap().unwrap();
        let fields: Vec<_> = tbs.children().collect::<Result<_, _>>().unwrap();
        assert_eq!(fields.len(), 2, "requestList and requestExtensions only");
        let requests: Vec<_> = fields[0].children().collect::<Result<_, _>>().unwrap();
        assert_eq!(requests.len(), 1);
        let cert_id = requests[0].children().next().unwrap().unwrap();
        let id = CertId::from_der(cert_id.raw).unwrap();
        assert_eq!(id.hash_algorithm, HashAlgorithm::Sha1);
        assert_eq!(id.serial, [0x10, 0x01]);
        assert!(id.matches(&signer, &ca));
        // extnValue = OCTET STRING { OCTET STRING { nonce } }
        let mut wrapped = vec![0x04, 34, 0x04, 32];
        wrapped.extend_from_slice(&[7; 32]);
        assert!(fields[1].raw.windows(wrapped.len()).any(|w| w == wrapped));
        let without = request(&signer, &ca, None).unwrap();
        assert!(without.len() < der.len());
    }

    #[test]
    fn nonce_lengths_follow_rfc_8954() {
        let pki = pki();
        let (signer, ca) = (pki.cert("signer"), pki.cert("ca"));
        assert!(request(&signer, &ca, Some(&[])).is_err());
        assert!(request(&signer, &ca, Some(&[1; 33])).is_err());
        assert!(request(&signer, &ca, Some(&[1])).is_ok());
    }
}
