//! Applying revocation evidence to a certification path at a proven time
//! (ETSI EN 319 102-1 §5.2.6.4 and §5.6.2.1 past signature validation).
//!
//! For each certificate below the trust anchor the status that decides
//! ([`super::status`]) is read:
//!
//! - good: the certificate was not revoked when the evidence was made;
//! - revoked at R: the signature holds only if a time-stamp proves it
//!   existed before R. Otherwise it is `INDETERMINATE / REVOKED_NO_POE` (a
//!   CA's: `REVOKED_CA_NO_POE`), with or without a later time-stamp: that
//!   is what EN 319 102-1 §5.6.2.1 and EU DSS give, so Kyso does too;
//! - unknown to the responder: `INDETERMINATE / TRY_LATER` — the status
//!   may be known later (EN 319 102-1 §5.2.6.4: no acceptable revocation
//!   information). `REVOCATION_OUT_OF_BOUNDS_NO_POE` is for evidence
//!   issued after the certificate expired, which Kyso does not accept as
//!   evidence at all;
//! - no evidence: Kyso's default policy warns (`REVOCATION_NOT_CHECKED`,
//!   or `REVOCATION_DATA_MISSING` when other data was present) and does not
//!   change the indication — most B-B signatures in the field carry none,
//!   and the CLI, servers and SDK fetch it only when asked (`--online`).

use super::{assess, CertStatus, RevocationData, Source, StatusEvidence};
use crate::path::CertificationPath;
use crate::report::{Block, Finding, RevocationReport, SignatureReport, SubIndication};
use crate::time::DateTime;

/// Where a [`RevocationData`] came from, for the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Embedded in the signature (CMS `crls`, CAdES revocation-values).
    Signature,
    /// A PDF's document security store.
    Dss,
    /// Fetched for this validation.
    Online,
}

impl Origin {
    fn name(self) -> &'static str {
        match self {
            Origin::Signature => "SIGNATURE",
            Origin::Dss => "DSS",
            Origin::Online => "ONLINE",
        }
    }
}

/// What [`check_path`] concluded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PathStatus {
    /// Every certificate below the anchor had a status in embedded data
    /// (the signature's own or the DSS): what B-LT requires.
    pub embedded_complete: bool,
}

/// Checks the status of every certificate of `path` but the anchor against
/// `sources` (tried in order; the first with evidence for a certificate
/// decides), with `proof_of_existence` the best signature time. Findings go
/// into `report` under X.509 certificate validation.
pub fn check_path(
    report: &mut SignatureReport,
    path: &CertificationPath,
    sources: &[(&RevocationData, Origin)],
    proof_of_existence: Option<DateTime>,
) -> PathStatus {
    let xcv = Block::X509CertificateValidation;
    let certs = &path.certificates;
    let any_data = sources.iter().any(|(d, _)| !d.is_empty());
    let mut embedded_complete = certs.len() > 1;
    let mut missing = Vec::new();
    for (i, pair) in certs.windows(2).enumerate() {
        let (cert, issuer) = (&pair[0], &pair[1]);
        let name = cert
            .info()
            .common_name
            .unwrap_or_else(|| cert.info().subject);
        let found = sources.iter().find_map(|(data, origin)| {
            let a = assess(cert, issuer, data);
            for r in &a.rejected {
                report.warn(xcv, r.into());
            }
            a.evidence.map(|e| (e, *origin))
        });
        let Some((evidence, origin)) = found else {
            embedded_complete = false;
            missing.push(name);
            continue;
        };
        if origin == Origin::Online {
            embedded_complete = false;
        }
        report
            .revocation
            .push(entry(cert, &name, &evidence, origin));
        match evidence.status {
            CertStatus::Good => report.pass(
                xcv,
                "REVOCATION_STATUS_GOOD",
                &format!(
                    "Chứng thư số '{name}' chưa bị thu hồi ({} của {} lúc {})",
                    source_name(evidence.source),
                    evidence.issuer_name,
                    evidence.this_update
                ),
                &format!(
                    "Certificate '{name}' is not revoked ({} from {} at {})",
                    source_name(evidence.source),
                    evidence.issuer_name,
                    evidence.this_update
                ),
            ),
            CertStatus::Revoked { time, .. } => {
                if proof_of_existence.is_some_and(|poe| poe < time) {
                    report.pass(
                        xcv,
                        "REVOKED_AFTER_SIGNING",
                        &format!(
                            "Chứng thư số '{name}' bị thu hồi lúc {time}, sau thời điểm ký được dấu thời gian chứng minh"
                        ),
                        &format!(
                            "Certificate '{name}' was revoked at {time}, after the signing time a time-stamp proves"
                        ),
                    );
                    continue;
                }
                // EN 319 102-1 §5.6.2.1, as EU DSS applies it: without a
                // proof of existence before the revocation the verdict stays
                // INDETERMINATE, even when a time-stamp proves the
                // signature came after it.
                let sub = if i == 0 {
                    SubIndication::RevokedNoPoe
                } else {
                    SubIndication::RevokedCaNoPoe
                };
                report.fail(
                    xcv,
                    sub,
                    Finding::new(
                        sub.code(),
                        format!(
                            "Chứng thư số '{name}' đã bị thu hồi lúc {time} và không có bằng chứng chữ ký được tạo trước đó"
                        ),
                        format!(
                            "Certificate '{name}' was revoked at {time} and nothing proves the signature was made before"
                        ),
                    ),
                );
            }
            CertStatus::Unknown => report.fail(
                xcv,
                SubIndication::TryLater,
                Finding::new(
                    "REVOCATION_STATUS_UNKNOWN",
                    format!(
                        "{} không biết tình trạng của chứng thư số '{name}'; hãy kiểm tra lại sau",
                        evidence.issuer_name
                    ),
                    format!(
                        "{} does not know the status of certificate '{name}'; validate again later",
                        evidence.issuer_name
                    ),
                ),
            ),
        }
    }
    if !missing.is_empty() {
        let list = missing.join("', '");
        if any_data {
            report.warn(
                xcv,
                Finding::new(
                    "REVOCATION_DATA_MISSING",
                    format!("Không có dữ liệu thu hồi (OCSP/CRL) cho chứng thư số '{list}'"),
                    format!("No revocation data (OCSP/CRL) for certificate '{list}'"),
                ),
            );
        } else {
            report.warn(
                xcv,
                Finding::new(
                    "REVOCATION_NOT_CHECKED",
                    "Chưa kiểm tra tình trạng thu hồi (OCSP/CRL) của chứng thư số",
                    "Revocation status (OCSP/CRL) was not checked",
                ),
            );
        }
    }
    PathStatus { embedded_complete }
}

fn source_name(source: Source) -> &'static str {
    match source {
        Source::Ocsp => "OCSP",
        Source::Crl => "CRL",
    }
}

fn entry(
    cert: &crate::Certificate,
    name: &str,
    e: &StatusEvidence,
    origin: Origin,
) -> RevocationReport {
    let (status, time, reason) = match &e.status {
        CertStatus::Good => ("GOOD", None, None),
        CertStatus::Revoked { time, reason } => (
            "REVOKED",
            Some(time.to_string()),
            reason.map(|r| r.name().to_string()),
        ),
        CertStatus::Unknown => ("UNKNOWN", None, None),
    };
    RevocationReport {
        certificate: name.to_string(),
        serial_number: cert.info().serial_number,
        status: status.into(),
        revocation_time: time,
        revocation_reason: reason,
        source: source_name(e.source).into(),
        origin: origin.name().into(),
        issuer: e.issuer_name.clone(),
        this_update: e.this_update.to_string(),
        next_update: e.next_update.map(|t| t.to_string()),
        produced_at: e.produced_at.map(|t| t.to_string()),
    }
}
