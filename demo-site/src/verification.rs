//! Verification on the portal's server, with kyso-core: the same code the
//! `kyso verify` CLI and the page's wasm run, so the server never trusts the
//! page's own report. This module only chooses the trust anchors, reads the
//! clock (core has none) and shapes the report for the receipt.

use kyso_core::cms::VerifyOptions;
use kyso_core::report::{Indication, ValidationReport};
use kyso_core::time::DateTime;
use kyso_core::{Localized, TrustAnchors};
use serde::Serialize;

/// Trust anchors: the bundled Vietnamese roots plus the `--trust` files (the
/// demo PKI's root, so demo signatures validate).
pub struct Verifier {
    anchors: TrustAnchors,
    /// The extra anchors as PEM, handed to the page for its in-page checks.
    extra_pem: Vec<String>,
}

impl Verifier {
    pub fn new(extra: &[(String, Vec<u8>)]) -> Result<Verifier, String> {
        let mut anchors = TrustAnchors::bundled();
        let mut extra_pem = Vec::new();
        for (name, bytes) in extra {
            anchors
                .add_encoded(bytes)
                .map_err(|e| format!("{name}: {}", e.message()))?;
            for cert in kyso_core::Certificate::parse_many(bytes)
                .map_err(|e| format!("{name}: {}", e.message()))?
            {
                extra_pem.push(cert.to_pem());
            }
        }
        Ok(Verifier { anchors, extra_pem })
    }

    pub fn anchors(&self) -> &TrustAnchors {
        &self.anchors
    }

    pub fn extra_pem(&self) -> &[String] {
        &self.extra_pem
    }

    /// Every signature of a PDF, at the current time. Never fails: an
    /// unreadable file is a TOTAL_FAILED / FORMAT_FAILURE report.
    pub fn verify_pdf(&self, pdf: &[u8]) -> ValidationReport {
        kyso_core::pdf::verify(
            pdf,
            &VerifyOptions {
                trust_anchors: &self.anchors,
                now: now(),
                content: None,
                extra_certificates: &[],
                policy: kyso_core::policy::CryptoPolicy::etsi_default(),
                revocation: &[],
            },
        )
        .simple()
    }
}

/// Now, to the second (a clock before 1970 reads as 1970).
fn now() -> DateTime {
    kyso_core::time::from_unix(unix_now()).unwrap_or(DateTime::INFINITY)
}

pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// What a receipt shows about one signature: the facts a clerk reads, in
/// both languages where there is text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureSummary {
    pub indication: Indication,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_indication: Option<&'static str>,
    pub signer_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mst: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cccd: Option<String>,
    pub issuer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_time: Option<String>,
    /// The revision signed and whether it covers the whole file (PDF).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<usize>,
}

impl SignatureSummary {
    pub fn of(report: &ValidationReport) -> Vec<SignatureSummary> {
        report
            .signatures
            .iter()
            .map(|s| {
                let signer = s.signer.as_ref();
                SignatureSummary {
                    indication: s.indication,
                    sub_indication: s.sub_indication.map(|x| x.code()),
                    signer_name: signer
                        .map(|c| c.holder_name().to_string())
                        .unwrap_or_default(),
                    organization: signer.and_then(|c| c.organization.clone()),
                    mst: signer.and_then(|c| c.identifiers.mst.clone()),
                    cccd: signer.and_then(|c| c.identifiers.cccd.clone()),
                    issuer: signer
                        .map(|c| c.issuer_name().to_string())
                        .unwrap_or_default(),
                    signing_time: s.claimed_signing_time.clone(),
                    revision: s.pdf.as_ref().map(|p| p.revision),
                }
            })
            .collect()
    }
}

/// Passes when the file has at least `want` signatures and every one is
/// TOTAL_PASSED.
pub fn all_passed(report: &ValidationReport, want: usize) -> bool {
    report.signatures.len() >= want && report.indication == Indication::TotalPassed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_a_failed_report_not_a_panic() {
        let v = Verifier::new(&[]).unwrap();
        for bytes in [
            &b""[..],
            b"%PDF-1.7\n",
            b"%PDF-1.7\n1 0 obj << /Type /Catalog",
        ] {
            let r = v.verify_pdf(bytes);
            assert_eq!(r.indication, Indication::TotalFailed);
            assert!(!all_passed(&r, 1));
        }
    }

    #[test]
    fn bad_trust_file_is_named() {
        let err = Verifier::new(&[("root.pem".into(), b"not a certificate".to_vec())])
            .err()
            .unwrap();
        assert!(err.starts_with("root.pem"), "{err}");
    }
}
