//! Who may sign an OCSP response about a certificate (RFC 6960 §4.2.2.2),
//! and checking that they did.
//!
//! The responder is the certificate's CA itself, or a delegate: a
//! certificate the CA issued with the id-kp-OCSPSigning key purpose, sent
//! in the response's `certs`. Nothing else is trusted to answer (RFC 6960
//! also lets a client configure a trusted responder; Kyso has none).

use const_oid::db::rfc5280::ID_KP_OCSP_SIGNING;
use const_oid::db::rfc6960::ID_PKIX_OCSP_NOCHECK;
use x509_cert::ext::pkix::ExtendedKeyUsage;

use super::{OcspError, OcspResponse};
use crate::digest::HashAlgorithm;
use crate::path::verify_issued_by;
use crate::public_key::Signed;
use crate::signature_scheme::SignatureAlgorithm;
use crate::{Certificate, Error};

/// The certificate whose key signed a response, once the signature holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Responder {
    /// The responder's certificate: the CA's, or the delegate's.
    pub certificate: Certificate,
    /// A delegate rather than the CA: its own certificate needs a status
    /// too, unless `no_check`.
    pub delegated: bool,
    /// The certificate carries id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1):
    /// path validation trusts it without checking its revocation.
    pub no_check: bool,
}

impl OcspResponse {
    /// Checks who signed the response and the signature, for statuses of
    /// certificates `issuer` issued. The responder must be named by the
    /// responderID (byName: its subject; byKey: SHA-1 of its key), be the
    /// CA or a delegate it authorised, hold a certificate valid at
    /// producedAt, and its key must verify the signature over the
    /// tbsResponseData as received.
    ///
    /// When several certificates fit the responderID, the first that
    /// passes wins; if none does, the error of the one that came closest.
    pub fn verify_signature(&self, issuer: &Certificate) -> Result<Responder, OcspError> {
        let mut failure = OcspError::ResponderNotFound;
        let candidates =
            std::iter::once(issuer).chain(self.certs().iter().filter(|c| *c != issuer));
        for candidate in candidates {
            if !self.responder_id().identifies(candidate) {
                continue;
            }
            match self.check(candidate, issuer) {
                Ok(responder) => return Ok(responder),
                Err(e) if rank(&e) >= rank(&failure) => failure = e,
                Err(_) => {}
            }
        }
        Err(failure)
    }

    fn check(&self, candidate: &Certificate, issuer: &Certificate) -> Result<Responder, OcspError> {
        let name = || candidate.info().holder_name().to_string();
        // The CA re-certified keeps its name and key: still the CA.
        let delegated = !(candidate.subject_der() == issuer.subject_der()
            && candidate.x509().tbs_certificate().subject_public_key_info()
                == issuer.x509().tbs_certificate().subject_public_key_info());
        if delegated {
            if candidate.issuer_der() != issuer.subject_der()
                || verify_issued_by(candidate, issuer).is_err()
            {
                return Err(OcspError::ResponderNotIssuedByCa(name()));
            }
            let ocsp_signing = matches!(
                candidate.x509().tbs_certificate().get_extension::<ExtendedKeyUsage>(),
                Ok(Some((_, eku))) if eku.0.contains(&ID_KP_OCSP_SIGNING)
            );
            if !ocsp_signing {
                return Err(OcspError::ResponderNotAuthorized(name()));
            }
        }
        if !candidate.is_valid_at(self.produced_at()) {
            return Err(OcspError::ResponderNotValid {
                responder: name(),
                at: self.produced_at(),
            });
        }
        let alg = SignatureAlgorithm::from_identifier(self.signature_algorithm())?;
        let verified = candidate.public_key()?.verify(
            &alg,
            alg.digest.unwrap_or(HashAlgorithm::Sha256),
            Signed::Message(self.tbs_der()),
            self.signature(),
        );
        match verified {
            Ok(()) => Ok(Responder {
                certificate: candidate.clone(),
                delegated,
                no_check: candidate
                    .x509()
                    .tbs_certificate()
                    .extensions()
                    .into_iter()
                    .flatten()
                    .any(|e| e.extn_id == ID_PKIX_OCSP_NOCHECK),
            }),
            Err(Error::KeyMismatch | Error::InvalidValue(_)) => Err(OcspError::SignatureInvalid),
            Err(e) => Err(e.into()),
        }
    }
}

/// How far a candidate got: the error reported is the furthest one's.
fn rank(e: &OcspError) -> u8 {
    match e {
        OcspError::ResponderNotFound => 0,
        OcspError::ResponderNotIssuedByCa(_) => 1,
        OcspError::ResponderNotAuthorized(_) => 2,
        OcspError::ResponderNotValid { .. } => 3,
        _ => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocsp::request;
    use crate::revocation::fixtures::{pki, DEFAULT_INDEX};
    use crate::Localized;

    fn answer(signer: &str, extra: &[&str]) -> OcspResponse {
        let pki = pki();
        let der = request(&pki.cert("signer"), &pki.cert("ca"), Some(b"kyso")).unwrap();
        OcspResponse::from_der(&pki.ocsp(DEFAULT_INDEX, &der, signer, extra)).unwrap()
    }

    fn code(response: &OcspResponse) -> &'static str {
        response
            .verify_signature(&pki().cert("ca"))
            .unwrap_err()
            .code()
    }

    #[test]
    fn a_delegated_responder_by_name_or_key() {
        let pki = pki();
        for extra in [&[][..], &["-resp_key_id"]] {
            let responder = answer("responder", extra)
                .verify_signature(&pki.cert("ca"))
                .unwrap();
            assert_eq!(responder.certificate, pki.cert("responder"));
            assert!(responder.delegated);
            assert!(responder.no_check);
        }
    }

    #[test]
    fn the_ca_itself_by_name_or_key() {
        let pki = pki();
        for extra in [&[][..], &["-resp_key_id"], &["-resp_no_certs"]] {
            let responder = answer("ca", extra)
                .verify_signature(&pki.cert("ca"))
                .unwrap();
            assert_eq!(responder.certificate, pki.cert("ca"));
            assert!(!responder.delegated && !responder.no_check);
        }
    }

    #[test]
    fn an_unrelated_signer_is_refused() {
        assert_eq!(
            code(&answer("rogue", &[])),
            "OCSP_RESPONDER_NOT_ISSUED_BY_CA"
        );
        assert_eq!(
            code(&answer("rogue", &["-resp_no_certs"])),
            "OCSP_RESPONDER_NOT_FOUND"
        );
        // The delegate of "Kyso CA" does not answer for the root's certificates.
        let e = answer("responder", &[]).verify_signature(&pki().cert("root"));
        assert_eq!(e.unwrap_err().code(), "OCSP_RESPONDER_NOT_ISSUED_BY_CA");
    }

    #[test]
    fn a_delegate_without_ocsp_signing_is_refused() {
        let e = answer("noeku", &[])
            .verify_signature(&pki().cert("ca"))
            .unwrap_err();
        assert_eq!(e, OcspError::ResponderNotAuthorized("Kyso noeku".into()));
        assert!(e.message_vi().contains("id-kp-OCSPSigning"));
    }

    #[test]
    fn an_expired_delegate_is_refused() {
        assert_eq!(code(&answer("old", &[])), "OCSP_RESPONDER_NOT_VALID");
    }

    #[test]
    fn a_changed_byte_in_the_signed_data_breaks_the_signature() {
        let response = answer("responder", &[]);
        assert!(response.verify_signature(&pki().cert("ca")).is_ok());
        // The echoed nonce sits in tbsResponseData: changing it keeps the
        // structure readable.
        let mut der = response.der().to_vec();
        let at = der.windows(4).position(|w| w == b"kyso").unwrap();
        der[at] = b'K';
        let tampered = OcspResponse::from_der(&der).unwrap();
        assert_eq!(tampered.nonce(), Some(&b"Kyso"[..]));
        assert_eq!(code(&tampered), "OCSP_SIGNATURE_INVALID");
    }
}
