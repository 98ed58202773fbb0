//! A responder's answer, read with the bytes its signature covers kept as
//! received.
//!
//! ```text
//! OCSPResponse ::= SEQUENCE {                          -- RFC 6960 §4.2.1
//!    responseStatus         OCSPResponseStatus,
//!    responseBytes          [0] EXPLICIT ResponseBytes OPTIONAL }
//! ResponseBytes ::= SEQUENCE {
//!    responseType   OBJECT IDENTIFIER,
//!    response       OCTET STRING }
//! BasicOCSPResponse ::= SEQUENCE {
//!    tbsResponseData      ResponseData,
//!    signatureAlgorithm   AlgorithmIdentifier,
//!    signature            BIT STRING,
//!    certs            [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
//! ResponseData ::= SEQUENCE {
//!    version              [0] EXPLICIT Version DEFAULT v1,
//!    responderID              ResponderID,
//!    producedAt               GeneralizedTime,
//!    responses                SEQUENCE OF SingleResponse,
//!    responseExtensions   [1] EXPLICIT Extensions OPTIONAL }
//! ```
//!
//! The module is EXPLICIT TAGS (RFC 6960 appendix B.1), so a tagged field
//! is its own element wrapped in the tag.

use const_oid::db::rfc6960::{ID_PKIX_OCSP_BASIC, ID_PKIX_OCSP_NONCE};
use der::asn1::{BitString, ObjectIdentifier};
use der::Decode;
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::Extensions;

use super::cert_id::key_bits;
use super::{CertId, OcspError, ResponseStatus};
use crate::asn1::time::generalized_time;
use crate::asn1::tlv::{write_length, Children};
use crate::asn1::Tlv;
use crate::digest::HashAlgorithm;
use crate::revocation::{CertStatus, RevocationReason};
use crate::time::DateTime;
use crate::Certificate;

/// A successful OCSP response of type id-pkix-ocsp-basic.
///
/// ```
/// use kyso_core::{ocsp::{OcspError, OcspResponse, ResponseStatus}, Localized};
/// // What a busy responder sends: responseStatus tryLater, nothing else.
/// let e = OcspResponse::from_der(&[0x30, 0x03, 0x0a, 0x01, 0x03]).unwrap_err();
/// assert_eq!(e, OcspError::Unsuccessful(ResponseStatus::TryLater));
/// assert_eq!(e.code(), "OCSP_UNSUCCESSFUL");
/// ```
#[derive(Clone, Debug)]
pub struct OcspResponse {
    der: Vec<u8>,
    basic_der: Vec<u8>,
    tbs_der: Vec<u8>,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: Vec<u8>,
    certs: Vec<Certificate>,
    responder_id: ResponderId,
    produced_at: DateTime,
    nonce: Option<Vec<u8>>,
    responses: Vec<SingleResponse>,
}

/// Who signed the response.
///
/// ```text
/// ResponderID ::= CHOICE {
///    byName   [1] Name,
///    byKey    [2] KeyHash }
/// KeyHash ::= OCTET STRING -- SHA-1 hash of responder's public key
///                          -- (excluding the tag and length and number
///                          -- of unused bits)
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResponderId {
    /// The responder certificate's subject, DER.
    ByName(Vec<u8>),
    /// SHA-1 of the responder's subjectPublicKey bits.
    ByKey(Vec<u8>),
}

impl ResponderId {
    /// Whether `cert` is the responder this names.
    pub fn identifies(&self, cert: &Certificate) -> bool {
        match self {
            ResponderId::ByName(name) => *name == cert.subject_der(),
            ResponderId::ByKey(hash) => *hash == HashAlgorithm::Sha1.digest(key_bits(cert)),
        }
    }
}

/// The status of one certificate.
///
/// ```text
/// SingleResponse ::= SEQUENCE {
///    certID                       CertID,
///    certStatus                   CertStatus,
///    thisUpdate                   GeneralizedTime,
///    nextUpdate         [0]       EXPLICIT GeneralizedTime OPTIONAL,
///    singleExtensions   [1]       EXPLICIT Extensions OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SingleResponse {
    /// Which certificate.
    pub cert_id: CertId,
    /// Its status.
    pub status: CertStatus,
    /// When the status was known to be correct.
    pub this_update: DateTime,
    /// When newer information will be available; absent when the
    /// responder always has newer information.
    pub next_update: Option<DateTime>,
}

impl OcspResponse {
    /// Reads a DER OCSPResponse (what a responder sends, what a PDF's
    /// `/DSS /OCSPs` holds). A responseStatus other than `successful` is
    /// [`OcspError::Unsuccessful`].
    pub fn from_der(der: &[u8]) -> Result<Self, OcspError> {
        let outer = sequence(Tlv::parse_exact(der)?, "OCSPResponse")?;
        let mut fields = outer.children();
        let status = next(&mut fields, "responseStatus")?;
        let status = match (status.tag_byte(), status.content) {
            (Some(0x0a), [code]) => ResponseStatus::from_code(*code),
            _ => None,
        }
        .ok_or_else(|| OcspError::Malformed("responseStatus".into()))?;
        if status != ResponseStatus::Successful {
            return Err(OcspError::Unsuccessful(status));
        }
        let bytes = tagged(next(&mut fields, "responseBytes")?, 0xa0, "responseBytes")?;
        let bytes = sequence(Tlv::parse_exact(bytes.content)?, "ResponseBytes")?;
        let mut parts = bytes.children();
        let response_type = ObjectIdentifier::from_der(next(&mut parts, "responseType")?.raw)?;
        if response_type != ID_PKIX_OCSP_BASIC {
            return Err(OcspError::UnsupportedResponseType(
                response_type.to_string(),
            ));
        }
        let basic = tagged(next(&mut parts, "response")?, 0x04, "response")?;
        if parts.next().is_some() || fields.next().is_some() {
            return Err(OcspError::Malformed(
                "unexpected field in OCSPResponse".into(),
            ));
        }
        let mut response = Self::from_basic(basic.content)?;
        response.der = der.to_vec();
        Ok(response)
    }

    /// Reads a DER BasicOCSPResponse (what CAdES `revocation-values` holds
    /// in `ocspVals`). [`OcspResponse::der`] is then the successful
    /// OCSPResponse wrapping it: the signature covers only the
    /// tbsResponseData, so the wrapper is as good as the responder's own.
    ///
    /// ```
    /// assert!(kyso_core::ocsp::OcspResponse::from_basic(&[0x30, 0x00]).is_err());
    /// ```
    pub fn from_basic(der: &[u8]) -> Result<Self, OcspError> {
        let basic = sequence(Tlv::parse_exact(der)?, "BasicOCSPResponse")?;
        let mut fields = basic.children();
        let tbs = sequence(next(&mut fields, "tbsResponseData")?, "ResponseData")?;
        let signature_algorithm =
            AlgorithmIdentifierOwned::from_der(next(&mut fields, "signatureAlgorithm")?.raw)?;
        let signature = BitString::from_der(next(&mut fields, "signature")?.raw)?;
        let signature = signature
            .as_bytes()
            .ok_or_else(|| OcspError::Malformed("signature has unused bits".into()))?
            .to_vec();
        let mut certs = Vec::new();
        if let Some(field) = fields.next().transpose()? {
            let list = sequence(
                Tlv::parse_exact(tagged(field, 0xa0, "certs")?.content)?,
                "certs",
            )?;
            for cert in list.children() {
                // A certificate x509-cert cannot read is skipped, not fatal:
                // a CA-signed response does not need it, and a delegated
                // responder it hides ends as OCSP_RESPONDER_NOT_FOUND.
                if let Ok(c) = Certificate::from_der(cert?.raw) {
                    certs.push(c);
                }
            }
        }
        if fields.next().is_some() {
            return Err(OcspError::Malformed(
                "unexpected field in BasicOCSPResponse".into(),
            ));
        }

        let mut data = tbs.children();
        let mut field = next(&mut data, "responderID")?;
        if field.tag_byte() == Some(0xa0) {
            let version = Tlv::parse_exact(field.content)?;
            if version.tag_byte() != Some(0x02) || version.content != [0] {
                return Err(OcspError::Malformed(
                    "ResponseData version is not v1".into(),
                ));
            }
            field = next(&mut data, "responderID")?;
        }
        let responder_id = match field.tag_byte() {
            Some(0xa1) => {
                let name = sequence(Tlv::parse_exact(field.content)?, "responderID byName")?;
                // Parsed to refuse garbage; kept as received for comparison.
                x509_cert::name::Name::from_der(name.raw)?;
                ResponderId::ByName(name.raw.to_vec())
            }
            Some(0xa2) => {
                let hash = tagged(Tlv::parse_exact(field.content)?, 0x04, "responderID byKey")?;
                ResponderId::ByKey(hash.content.to_vec())
            }
            _ => return Err(OcspError::Malformed("responderID".into())),
        };
        let produced_at = generalized_time(next(&mut data, "producedAt")?)?;
        let list = sequence(next(&mut data, "responses")?, "responses")?;
        let responses = list
            .children()
            .map(|single| SingleResponse::parse(single?))
            .collect::<Result<Vec<_>, _>>()?;
        let mut nonce = None;
        if let Some(field) = data.next().transpose()? {
            let extensions =
                Extensions::from_der(tagged(field, 0xa1, "responseExtensions")?.content)?;
            nonce = extensions
                .iter()
                .find(|e| e.extn_id == ID_PKIX_OCSP_NONCE)
                .map(|e| unwrap_nonce(e.extn_value.as_bytes()));
        }
        if data.next().is_some() {
            return Err(OcspError::Malformed(
                "unexpected field in ResponseData".into(),
            ));
        }

        Ok(OcspResponse {
            der: wrap_basic(der),
            basic_der: der.to_vec(),
            tbs_der: tbs.raw.to_vec(),
            signature_algorithm,
            signature,
            certs,
            responder_id,
            produced_at,
            nonce,
            responses,
        })
    }

    /// Reads either form: an OCSPResponse, or a bare BasicOCSPResponse
    /// (told apart by the first field, an ENUMERATED or a SEQUENCE).
    ///
    /// ```
    /// assert!(kyso_core::ocsp::OcspResponse::parse(b"garbage").is_err());
    /// ```
    pub fn parse(der: &[u8]) -> Result<Self, OcspError> {
        let first = Tlv::parse(der)
            .ok()
            .and_then(|(outer, _)| Tlv::parse(outer.content).ok())
            .and_then(|(first, _)| first.tag_byte());
        match first {
            Some(0x30) => Self::from_basic(der),
            _ => Self::from_der(der),
        }
    }

    /// The whole OCSPResponse, DER: what PAdES puts in `/DSS /OCSPs`.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The BasicOCSPResponse, DER: what CAdES puts in `revocation-values`.
    pub fn basic_der(&self) -> &[u8] {
        &self.basic_der
    }

    /// The tbsResponseData exactly as received: what the signature covers.
    pub fn tbs_der(&self) -> &[u8] {
        &self.tbs_der
    }

    /// The signature algorithm.
    pub fn signature_algorithm(&self) -> &AlgorithmIdentifierOwned {
        &self.signature_algorithm
    }

    /// The signature value.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The certificates the responder sent along (its own, for a delegated
    /// responder), those that could be parsed.
    pub fn certs(&self) -> &[Certificate] {
        &self.certs
    }

    /// Who signed.
    pub fn responder_id(&self) -> &ResponderId {
        &self.responder_id
    }

    /// When the responder signed.
    pub fn produced_at(&self) -> DateTime {
        self.produced_at
    }

    /// The nonce the responder echoed, unwrapped from its OCTET STRING.
    pub fn nonce(&self) -> Option<&[u8]> {
        self.nonce.as_deref()
    }

    /// Every status in the response.
    pub fn responses(&self) -> &[SingleResponse] {
        &self.responses
    }

    /// The status of `cert`, issued by `issuer`, if the response has it.
    /// The signature is not checked here: see
    /// [`OcspResponse::verify_signature`].
    pub fn matches(&self, cert: &Certificate, issuer: &Certificate) -> Option<&SingleResponse> {
        self.responses
            .iter()
            .find(|r| r.cert_id.matches(cert, issuer))
    }
}

impl SingleResponse {
    fn parse(tlv: Tlv<'_>) -> Result<Self, OcspError> {
        let mut fields = sequence(tlv, "SingleResponse")?.children();
        let cert_id = CertId::from_der(next(&mut fields, "certID")?.raw)?;
        let status = next(&mut fields, "certStatus")?;
        let status = match status.tag_byte() {
            Some(0x80) if status.content.is_empty() => CertStatus::Good,
            Some(0x82) if status.content.is_empty() => CertStatus::Unknown,
            Some(0xa1) => {
                let mut info = status.children();
                let time = generalized_time(next(&mut info, "revocationTime")?)?;
                let reason = match info.next().transpose()? {
                    None => None,
                    Some(r) => {
                        RevocationReason::from_der(tagged(r, 0xa0, "revocationReason")?.content)?
                    }
                };
                CertStatus::Revoked { time, reason }
            }
            _ => return Err(OcspError::Malformed("certStatus".into())),
        };
        let this_update = generalized_time(next(&mut fields, "thisUpdate")?)?;
        let mut next_update = None;
        for field in fields {
            let field = field?;
            match field.tag_byte() {
                Some(0xa0) if next_update.is_none() => {
                    next_update = Some(generalized_time(Tlv::parse_exact(field.content)?)?);
                }
                // singleExtensions: none changes the status.
                Some(0xa1) => {}
                _ => {
                    return Err(OcspError::Malformed(
                        "unexpected field in SingleResponse".into(),
                    ))
                }
            }
        }
        Ok(SingleResponse {
            cert_id,
            status,
            this_update,
            next_update,
        })
    }
}

/// OpenSSL and most responders wrap the nonce in an OCTET STRING inside
/// extnValue; some put the bare bytes. Either reads as the nonce itself.
fn unwrap_nonce(value: &[u8]) -> Vec<u8> {
    match Tlv::parse_exact(value) {
        Ok(inner) if inner.tag_byte() == Some(0x04) => inner.content.to_vec(),
        _ => value.to_vec(),
    }
}

/// The successful OCSPResponse around a BasicOCSPResponse.
fn wrap_basic(basic: &[u8]) -> Vec<u8> {
    let oid = element(0x06, &[ID_PKIX_OCSP_BASIC.as_bytes()]);
    let response = element(0x04, &[basic]);
    let bytes = element(0x30, &[&oid, &response]);
    let explicit = element(0xa0, &[&bytes]);
    element(0x30, &[&[0x0a, 0x01, 0x00], &explicit])
}

fn element(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
    let len = parts.iter().map(|p| p.len()).sum();
    let mut out = vec![tag];
    write_length(&mut out, len);
    for part in parts {
        out.extend_from_slice(part);
    }
    out
}

fn next<'a>(it: &mut Children<'a>, what: &str) -> Result<Tlv<'a>, OcspError> {
    it.next()
        .transpose()?
        .ok_or_else(|| OcspError::Malformed(format!("{what} missing")))
}

fn tagged<'a>(tlv: Tlv<'a>, tag: u8, what: &str) -> Result<Tlv<'a>, OcspError> {
    if tlv.tag_byte() == Some(tag) {
        Ok(tlv)
    } else {
        Err(OcspError::Malformed(format!("{what}: unexpected tag")))
    }
}

fn sequence<'a>(tlv: Tlv<'a>, what: &str) -> Result<Tlv<'a>, OcspError> {
    tagged(tlv, 0x30, what)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocsp::request;
    use crate::revocation::fixtures::{pki, DEFAULT_INDEX};

    fn answer(cert: &str, signer: &str, extra: &[&str]) -> OcspResponse {
        let pki = pki();
        let der = request(&pki.cert(cert), &pki.cert("ca"), Some(b"n0nce")).unwrap();
        OcspResponse::from_der(&pki.ocsp(DEFAULT_INDEX, &der, signer, extra)).unwrap()
    }

    fn at(text: &str) -> DateTime {
        let der = [&[0x18, text.len() as u8][..], text.as_bytes()].concat();
        generalized_time(Tlv::parse_exact(&der).unwrap()).unwrap()
    }

    #[test]
    fn a_good_status_with_its_times() {
        let pki = pki();
        let (signer, ca) = (pki.cert("signer"), pki.cert("ca"));
        let response = answer("signer", "responder", &[]);
        let single = response.matches(&signer, &ca).unwrap();
        assert_eq!(single.status, CertStatus::Good);
        assert_eq!(single.cert_id.hash_algorithm, HashAlgorithm::Sha1);
        let next = single.next_update.unwrap();
        let week = next.unix_duration() - single.this_update.unix_duration();
        assert_eq!(week.as_secs(), 7 * 86_400);
        assert!(response.produced_at() >= single.this_update);
        assert_eq!(response.nonce(), Some(&b"n0nce"[..]));
        // Not this certificate, not this issuer.
        assert!(response.matches(&pki.cert("revoked"), &ca).is_none());
        assert!(response.matches(&signer, &pki.cert("root")).is_none());
    }

    #[test]
    fn a_revocation_with_its_time_and_reason() {
        let pki = pki();
        let response = answer("revoked", "responder", &[]);
        let single = response
            .matches(&pki.cert("revoked"), &pki.cert("ca"))
            .unwrap();
        assert_eq!(
            single.status,
            CertStatus::Revoked {
                time: at("20250102030405Z"),
                reason: Some(RevocationReason::KeyCompromise),
            }
        );
    }

    #[test]
    fn a_serial_the_ca_never_recorded_is_unknown() {
        let pki = pki();
        let response = answer("stranger", "responder", &[]);
        let single = response
            .matches(&pki.cert("stranger"), &pki.cert("ca"))
            .unwrap();
        assert_eq!(single.status, CertStatus::Unknown);
    }

    #[test]
    fn responder_ids_by_name_and_by_key() {
        let pki = pki();
        let responder = pki.cert("responder");
        let by_name = answer("signer", "responder", &[]);
        assert_eq!(
            by_name.responder_id(),
            &ResponderId::ByName(responder.subject_der())
        );
        let by_key = answer("signer", "responder", &["-resp_key_id"]);
        assert!(matches!(by_key.responder_id(), ResponderId::ByKey(h) if h.len() == 20));
        for response in [&by_name, &by_key] {
            assert!(response.responder_id().identifies(&responder));
            assert!(!response.responder_id().identifies(&pki.cert("ca")));
            assert_eq!(response.certs(), std::slice::from_ref(&responder));
        }
    }

    #[test]
    fn basic_and_full_forms_carry_the_same_response() {
        let full = answer("signer", "responder", &[]);
        let basic = OcspResponse::from_basic(full.basic_der()).unwrap();
        // The rebuilt wrapper is what OpenSSL wrote, byte for byte.
        assert_eq!(basic.der(), full.der());
        assert_eq!(basic.tbs_der(), full.tbs_der());
        assert_eq!(basic.responses(), full.responses());
        assert_eq!(
            OcspResponse::parse(full.basic_der()).unwrap().der(),
            full.der()
        );
        assert_eq!(
            OcspResponse::parse(full.der()).unwrap().basic_der(),
            full.basic_der()
        );
        // The tbsResponseData is the first element of the basic response.
        assert!(full.basic_der()[4..].starts_with(full.tbs_der()));
    }

    #[test]
    fn refusals_name_the_status() {
        use crate::Localized;
        for (code, name) in [
            (1, "malformedRequest"),
            (2, "internalError"),
            (3, "tryLater"),
            (5, "sigRequired"),
            (6, "unauthorized"),
        ] {
            let e = OcspResponse::from_der(&[0x30, 0x03, 0x0a, 0x01, code]).unwrap_err();
            assert_eq!(e.code(), "OCSP_UNSUCCESSFUL");
            assert!(e.message().contains(name) && e.message_vi().contains(name));
        }
        assert!(matches!(
            OcspResponse::from_der(&[0x30, 0x03, 0x0a, 0x01, 0x04]),
            Err(OcspError::Malformed(_))
        ));
        // responseBytes of another type (1.3.6.1.5.5.7.48.1.9).
        let other = [
            0x30, 0x14, 0x0a, 0x01, 0x00, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x2b, 0x06, 0x01,
            0x05, 0x05, 0x07, 0x30, 0x01, 0x09, 0x04, 0x00,
        ];
        assert_eq!(
            OcspResponse::from_der(&other).unwrap_err().code(),
            "OCSP_RESPONSE_TYPE_UNSUPPORTED"
        );
    }

    #[test]
    fn hostile_bytes_are_errors_not_panics() {
        let full = answer("revoked", "responder", &["-resp_key_id"]);
        let der = full.der();
        for len in 0..der.len() {
            assert!(
                OcspResponse::parse(&der[..len]).is_err(),
                "prefix of {len} bytes"
            );
        }
        for at in 0..der.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut bad = der.to_vec();
                bad[at] ^= flip;
                let _ = OcspResponse::parse(&bad);
            }
        }
        assert!(OcspResponse::parse(&[]).is_err());
        assert!(OcspResponse::from_basic(&[0x30, 0x80, 0x00, 0x00]).is_err());
    }
}
