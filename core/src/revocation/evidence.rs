//! Which of the OCSP responses and CRLs at hand tells a certificate's
//! status.
//!
//! Evidence counts only when it is about the certificate (a matching
//! CertID; a CRL of its issuer that covers it) and its signature holds for
//! the issuer; the rest is either someone else's (silently passed over) or
//! [`Rejection`]s. Among what counts:
//!
//! 1. a revocation wins over everything: it is a fact, and a later "good"
//!    from a stale or lying source does not undo it. The earliest
//!    revocation time is kept, the one that matters most for a signing
//!    time. A `certificateHold` is the one revocation that can be lifted:
//!    it loses to a "good" that is fresher (a later thisUpdate);
//! 2. otherwise the freshest "good" (latest thisUpdate, then latest
//!    producedAt);
//! 3. "unknown" only when nothing else is there.

use super::{CertStatus, Rejection, RevocationData, RevocationReason};
use crate::crl::Crl;
use crate::ocsp::{OcspResponse, Responder};
use crate::time::DateTime;
use crate::Certificate;

/// Where a status came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// An OCSP response.
    Ocsp,
    /// A CRL.
    Crl,
}

/// A certificate's status, and the signed data that says so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusEvidence {
    /// The status.
    pub status: CertStatus,
    /// OCSP or CRL.
    pub source: Source,
    /// The position of the response in [`RevocationData::ocsp`], or of the
    /// CRL in [`RevocationData::crls`]: what to embed for B-LT.
    pub index: usize,
    /// When the status was known to be correct.
    pub this_update: DateTime,
    /// When newer information is due.
    pub next_update: Option<DateTime>,
    /// When an OCSP responder signed (none for a CRL).
    pub produced_at: Option<DateTime>,
    /// The OCSP responder or CRL issuer as people name it: its CN, else
    /// its whole name.
    pub issuer_name: String,
    /// For OCSP, who signed: a delegated responder's certificate needs a
    /// path and a status of its own unless it carries ocsp-nocheck. A CRL
    /// is signed by the issuer given to [`status`].
    pub responder: Option<Responder>,
}

/// What [`assess`] found: the evidence that decides, if any, and what was
/// set aside.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Assessment {
    /// The deciding evidence.
    pub evidence: Option<StatusEvidence>,
    /// OCSP responses about the certificate and CRLs of its issuer whose
    /// signature or responder did not hold, with `index` into
    /// [`RevocationData`]'s lists.
    pub rejected: Vec<Rejection>,
}

/// The status of `cert`, issued by `issuer`, from `data`: the deciding
/// evidence, by the rules of this module.
///
/// ```
/// use kyso_core::{revocation::{self, RevocationData}, Certificate};
/// let root = Certificate::from_pem(kyso_core::trust::BUNDLED[0].1.as_bytes()).unwrap();
/// assert!(revocation::status(&root, &root, &RevocationData::default()).is_none());
/// ```
pub fn status(
    cert: &Certificate,
    issuer: &Certificate,
    data: &RevocationData,
) -> Option<StatusEvidence> {
    assess(cert, issuer, data).evidence
}

/// [`status`], with the OCSP responses and CRLs that were about `cert` but
/// could not be trusted.
pub fn assess(cert: &Certificate, issuer: &Certificate, data: &RevocationData) -> Assessment {
    let mut found = Vec::new();
    let mut rejected = Vec::new();
    for (index, response) in data.ocsp.iter().enumerate() {
        let Some(single) = response.matches(cert, issuer) else {
            continue;
        };
        match response.verify_signature(issuer) {
            Ok(responder) => found.push(from_ocsp(index, response, single, responder)),
            Err(error) => rejected.push(Rejection::Ocsp { index, error }),
        }
    }
    for (index, crl) in data.crls.iter().enumerate() {
        if !from_issuer(crl, cert, issuer) {
            continue;
        }
        match crl.verify_signature(issuer) {
            Ok(()) => found.push(from_crl(index, crl, cert)),
            Err(error) => rejected.push(Rejection::Crl { index, error }),
        }
    }
    Assessment {
        evidence: decide(found),
        rejected,
    }
}

/// A CRL of `cert`'s issuer, by name, and by key when both say which: a CA
/// that changed keys keeps its name, and the old key's CRL is not this
/// issuer's to verify.
fn from_issuer(crl: &Crl, cert: &Certificate, issuer: &Certificate) -> bool {
    crl.issuer_der() == cert.issuer_der()
        && match (crl.authority_key_id(), issuer.subject_key_id()) {
            (Some(aki), Some(ski)) => aki == ski,
            _ => true,
        }
}

fn from_ocsp(
    index: usize,
    response: &OcspResponse,
    single: &crate::ocsp::SingleResponse,
    responder: Responder,
) -> StatusEvidence {
    StatusEvidence {
        status: single.status,
        source: Source::Ocsp,
        index,
        this_update: single.this_update,
        next_update: single.next_update,
        produced_at: Some(response.produced_at()),
        issuer_name: responder.certificate.info().holder_name().to_string(),
        responder: Some(responder),
    }
}

fn from_crl(index: usize, crl: &Crl, cert: &Certificate) -> StatusEvidence {
    StatusEvidence {
        status: crl.status_of(cert),
        source: Source::Crl,
        index,
        this_update: crl.this_update(),
        next_update: crl.next_update(),
        produced_at: None,
        issuer_name: crl.issuer_name(),
        responder: None,
    }
}

/// The module's rules, over evidence that all holds.
fn decide(found: Vec<StatusEvidence>) -> Option<StatusEvidence> {
    let freshness = |e: &StatusEvidence| (e.this_update, e.produced_at);
    let freshest_good = found
        .iter()
        .filter(|e| e.status == CertStatus::Good)
        .map(|e| e.this_update)
        .max();
    let revocation = found
        .iter()
        .filter_map(|e| match e.status {
            CertStatus::Revoked {
                reason: Some(RevocationReason::CertificateHold),
                ..
            } if freshest_good.is_some_and(|good| good > e.this_update) => None,
            CertStatus::Revoked { time, .. } => Some((time, e)),
            _ => None,
        })
        // Earliest revocation; among equal times the freshest evidence.
        .min_by(|(ta, a), (tb, b)| ta.cmp(tb).then(freshness(b).cmp(&freshness(a))))
        .map(|(_, e)| e);
    let best = |status: CertStatus| {
        found
            .iter()
            .filter(|e| e.status == status)
            .max_by_key(|e| freshness(e))
    };
    revocation
        .or_else(|| best(CertStatus::Good))
        .or_else(|| best(CertStatus::Unknown))
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::revocation::fixtures::{pki, DEFAULT_INDEX};
    use crate::Localized;

    fn at(text: &str) -> DateTime {
        let der = [&[0x18, text.len() as u8][..], text.as_bytes()].concat();
        crate::asn1::time::generalized_time(crate::asn1::Tlv::parse_exact(&der).unwrap()).unwrap()
    }

    fn evidence(status: CertStatus, this_update: &str) -> StatusEvidence {
        StatusEvidence {
            status,
            source: Source::Crl,
            index: 0,
            this_update: at(this_update),
            next_update: None,
            produced_at: None,
            issuer_name: this_update.into(),
            responder: None,
        }
    }

    fn revoked(time: &str, reason: Option<RevocationReason>) -> CertStatus {
        CertStatus::Revoked {
            time: at(time),
            reason,
        }
    }

    #[test]
    fn a_revocation_wins_over_a_fresher_good() {
        let chosen = decide(vec![
            evidence(CertStatus::Good, "20260301000000Z"),
            evidence(revoked("20250101000000Z", None), "20250201000000Z"),
            evidence(CertStatus::Unknown, "20260401000000Z"),
        ])
        .unwrap();
        assert!(chosen.status.is_revoked());
    }

    #[test]
    fn the_earliest_revocation_is_kept() {
        let chosen = decide(vec![
            evidence(
                revoked("20250301000000Z", Some(RevocationReason::Superseded)),
                "20250401000000Z",
            ),
            evidence(
                revoked("20250101000000Z", Some(RevocationReason::KeyCompromise)),
                "20250201000000Z",
            ),
        ])
        .unwrap();
        assert_eq!(
            chosen.status,
            revoked("20250101000000Z", Some(RevocationReason::KeyCompromise))
        );
    }

    #[test]
    fn a_hold_is_lifted_by_a_fresher_good_only() {
        let hold = || {
            evidence(
                revoked("20250101000000Z", Some(RevocationReason::CertificateHold)),
                "20250201000000Z",
            )
        };
        let lifted = decide(vec![hold(), evidence(CertStatus::Good, "20250301000000Z")]).unwrap();
        assert_eq!(lifted.status, CertStatus::Good);
        let held = decide(vec![hold(), evidence(CertStatus::Good, "20250115000000Z")]).unwrap();
        assert!(held.status.is_revoked());
    }

    #[test]
    fn the_freshest_good_wins_and_unknown_comes_last() {
        let chosen = decide(vec![
            evidence(CertStatus::Unknown, "20260501000000Z"),
            evidence(CertStatus::Good, "20250101000000Z"),
            evidence(CertStatus::Good, "20250301000000Z"),
        ])
        .unwrap();
        assert_eq!(
            (chosen.status, chosen.issuer_name.as_str()),
            (CertStatus::Good, "20250301000000Z")
        );
        let unknown = decide(vec![evidence(CertStatus::Unknown, "20250101000000Z")]).unwrap();
        assert_eq!(unknown.status, CertStatus::Unknown);
        assert!(decide(Vec::new()).is_none());
    }

    #[test]
    fn real_ocsp_and_crl_are_weighed_and_bad_ones_set_aside() {
        let pki = pki();
        let (signer, revoked_cert, ca) = (pki.cert("signer"), pki.cert("revoked"), pki.cert("ca"));
        let request = crate::ocsp::request(&signer, &ca, None).unwrap();
        let good = pki.ocsp(DEFAULT_INDEX, &request, "responder", &[]);
        let signature = crate::ocsp::OcspResponse::from_der(&good)
            .unwrap()
            .signature()
            .to_vec();
        let at = good
            .windows(signature.len())
            .position(|w| w == signature)
            .unwrap();
        let mut tampered = good.clone();
        tampered[at + signature.len() - 1] ^= 1;
        let crl = pki.crl("ca", DEFAULT_INDEX, Some(""), &[]);
        let (data, unreadable) =
            RevocationData::from_der([&good[..], &tampered, b"junk"], [&crl[..], b"junk"]);
        assert_eq!(unreadable.len(), 2);
        assert_eq!((data.ocsp.len(), data.crls.len()), (2, 1));

        // The signer: OCSP and CRL both say good; the OCSP is fresher or
        // equal, and the tampered response is set aside.
        let found = assess(&signer, &ca, &data);
        let evidence = found.evidence.unwrap();
        assert_eq!(evidence.status, CertStatus::Good);
        assert_eq!(found.rejected.len(), 1);
        assert_eq!(found.rejected[0].code(), "OCSP_SIGNATURE_INVALID");
        assert!(found.rejected[0]
            .message_vi()
            .starts_with("Phản hồi OCSP thứ 2"));

        // The revoked certificate: no OCSP about it, the CRL lists it.
        let evidence = status(&revoked_cert, &ca, &data).unwrap();
        assert_eq!(evidence.source, Source::Crl);
        assert_eq!(evidence.issuer_name, "Kyso CA");
        assert_eq!(
            evidence.status,
            revoked("20250102030405Z", Some(RevocationReason::KeyCompromise))
        );

        // Another CA's certificate: nothing here is about it.
        let root = pki.cert("root");
        assert!(status(&ca, &root, &data).is_none());
        assert!(assess(&ca, &root, &data).rejected.is_empty());
    }

    #[test]
    fn ocsp_evidence_names_its_responder() {
        let pki = pki();
        let (signer, ca) = (pki.cert("signer"), pki.cert("ca"));
        let request = crate::ocsp::request(&signer, &ca, None).unwrap();
        let response = pki.ocsp(DEFAULT_INDEX, &request, "responder", &[]);
        let (data, _) = RevocationData::from_der([response], Vec::<Vec<u8>>::new());
        let evidence = status(&signer, &ca, &data).unwrap();
        assert_eq!(evidence.source, Source::Ocsp);
        assert_eq!(evidence.issuer_name, "Kyso responder");
        assert!(evidence.produced_at.is_some());
        let responder = evidence.responder.unwrap();
        assert!(responder.delegated && responder.no_check);
    }
}
