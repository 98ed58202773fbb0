//! Validation reports, modelled on ETSI EN 319 102-1 as EU DSS uses it: one
//! indication per signature with a sub-indication saying why, the signer, the
//! times, the level reached, and findings in Vietnamese and English.

use serde::{Deserialize, Serialize};

use crate::cert::CertificateInfo;

/// The overall verdict on a signature (ETSI EN 319 102-1 §5.1.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Indication {
    TotalPassed,
    Indeterminate,
    TotalFailed,
}

impl Indication {
    /// `kyso verify` exit status: 0 passed, 1 failed, 2 indeterminate.
    pub fn exit_code(self) -> i32 {
        match self {
            Indication::TotalPassed => 0,
            Indication::TotalFailed => 1,
            Indication::Indeterminate => 2,
        }
    }
}

/// Why a signature did not pass (ETSI EN 319 102-1 Table 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SubIndication {
    FormatFailure,
    HashFailure,
    SigCryptoFailure,
    Revoked,
    Expired,
    NotYetValid,
    SigConstraintsFailure,
    ChainConstraintsFailure,
    CryptoConstraintsFailure,
    NoSigningCertificateFound,
    NoCertificateChainFound,
    OutOfBoundsNoPoe,
    SignedDataNotFound,
    TryLater,
}

impl SubIndication {
    /// The indication this sub-indication belongs to.
    pub fn indication(self) -> Indication {
        use SubIndication::*;
        match self {
            FormatFailure | HashFailure | SigCryptoFailure | Revoked | Expired | NotYetValid => {
                Indication::TotalFailed
            }
            _ => Indication::Indeterminate,
        }
    }

    /// The stable code, e.g. `HASH_FAILURE`.
    pub fn code(self) -> &'static str {
        use SubIndication::*;
        match self {
            FormatFailure => "FORMAT_FAILURE",
            HashFailure => "HASH_FAILURE",
            SigCryptoFailure => "SIG_CRYPTO_FAILURE",
            Revoked => "REVOKED",
            Expired => "EXPIRED",
            NotYetValid => "NOT_YET_VALID",
            SigConstraintsFailure => "SIG_CONSTRAINTS_FAILURE",
            ChainConstraintsFailure => "CHAIN_CONSTRAINTS_FAILURE",
            CryptoConstraintsFailure => "CRYPTO_CONSTRAINTS_FAILURE",
            NoSigningCertificateFound => "NO_SIGNING_CERTIFICATE_FOUND",
            NoCertificateChainFound => "NO_CERTIFICATE_CHAIN_FOUND",
            OutOfBoundsNoPoe => "OUT_OF_BOUNDS_NO_POE",
            SignedDataNotFound => "SIGNED_DATA_NOT_FOUND",
            TryLater => "TRY_LATER",
        }
    }
}

/// One finding: a stable code and the same message in two languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub code: String,
    pub message: String,
    pub message_vi: String,
}

impl Finding {
    pub fn new(code: &str, message: impl Into<String>, message_vi: impl Into<String>) -> Self {
        Finding {
            code: code.into(),
            message: message.into(),
            message_vi: message_vi.into(),
        }
    }
}

impl From<&crate::Error> for Finding {
    fn from(e: &crate::Error) -> Self {
        Finding::new(e.code(), e.message(), e.message_vi())
    }
}

/// The result for one signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureReport {
    pub indication: Indication,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_indication: Option<SubIndication>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<CertificateInfo>,
    /// The certification path found, signer first, trust anchor last.
    pub chain: Vec<CertificateInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest_algorithm: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_algorithm: Option<String>,
    /// The signing-time attribute (or PDF /M): what the signer claims.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claimed_signing_time: Option<String>,
    /// A time proven by a timestamp, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proven_signing_time: Option<String>,
    /// `B-B`, `B-T`, `B-LT`, `B-LTA` for CAdES/PAdES baseline; `CMS` for a plain
    /// CMS signature that lacks the baseline attributes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    pub errors: Vec<Finding>,
    pub warnings: Vec<Finding>,
    /// For a PDF signature: byte coverage, the revision signed, later changes.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pdf: Option<crate::pdf::PdfSignatureDetails>,
}

impl SignatureReport {
    pub(crate) fn empty() -> Self {
        SignatureReport {
            indication: Indication::TotalPassed,
            sub_indication: None,
            signer: None,
            chain: Vec::new(),
            digest_algorithm: None,
            signature_algorithm: None,
            claimed_signing_time: None,
            proven_signing_time: None,
            level: None,
            errors: Vec::new(),
            warnings: Vec::new(),
            pdf: None,
        }
    }

    /// Records a failure; the first one recorded decides the indication.
    pub(crate) fn fail(&mut self, sub: SubIndication, finding: Finding) {
        if self.sub_indication.is_none() {
            self.indication = sub.indication();
            self.sub_indication = Some(sub);
        }
        self.errors.push(finding);
    }

    pub(crate) fn warn(&mut self, finding: Finding) {
        self.warnings.push(finding);
    }
}

/// The result for a whole file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidationReport {
    /// The worst indication over all signatures (TOTAL_FAILED for no signature).
    pub indication: Indication,
    /// `CMS` or `PDF`.
    pub format: String,
    /// The time the validation was made for, ISO 8601 UTC.
    pub validation_time: String,
    pub signatures: Vec<SignatureReport>,
}

impl ValidationReport {
    pub(crate) fn new(
        format: &str,
        validation_time: String,
        signatures: Vec<SignatureReport>,
    ) -> Self {
        let indication = signatures
            .iter()
            .map(|s| s.indication)
            .max()
            .unwrap_or(Indication::TotalFailed);
        ValidationReport {
            indication,
            format: format.into(),
            validation_time,
            signatures,
        }
    }

    /// A report for signatures verified one by one (e.g. with
    /// [`crate::cms::verify_signer_with_digest`]).
    pub fn from_signatures(
        format: &str,
        validation_time: crate::time::DateTime,
        signatures: Vec<SignatureReport>,
    ) -> Self {
        Self::new(format, validation_time.to_string(), signatures)
    }

    /// One-line summary in English.
    pub fn summary(&self) -> String {
        match self.indication {
            Indication::TotalPassed => format!("{} valid signature(s)", self.signatures.len()),
            Indication::TotalFailed => "signature verification FAILED".into(),
            Indication::Indeterminate => "signature status INDETERMINATE".into(),
        }
    }

    /// One-line summary in Vietnamese.
    pub fn summary_vi(&self) -> String {
        match self.indication {
            Indication::TotalPassed => format!("{} chữ ký hợp lệ", self.signatures.len()),
            Indication::TotalFailed => "chữ ký KHÔNG hợp lệ".into(),
            Indication::Indeterminate => "chưa xác định được tính hợp lệ của chữ ký".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_indication_wins_and_empty_fails() {
        let mut ok = SignatureReport::empty();
        let mut bad = SignatureReport::empty();
        bad.fail(
            SubIndication::NoCertificateChainFound,
            Finding::new("X", "x", "x"),
        );
        assert_eq!(bad.indication, Indication::Indeterminate);
        ok.warn(Finding::new("W", "w", "w"));
        let r = ValidationReport::new("CMS", "t".into(), vec![ok, bad]);
        assert_eq!(r.indication, Indication::Indeterminate);
        assert_eq!(
            ValidationReport::new("CMS", "t".into(), vec![]).indication,
            Indication::TotalFailed
        );
    }

    #[test]
    fn first_failure_decides() {
        let mut r = SignatureReport::empty();
        r.fail(SubIndication::HashFailure, Finding::new("A", "a", "a"));
        r.fail(
            SubIndication::NoCertificateChainFound,
            Finding::new("B", "b", "b"),
        );
        assert_eq!(r.indication, Indication::TotalFailed);
        assert_eq!(r.sub_indication, Some(SubIndication::HashFailure));
        assert_eq!(
            serde_json::to_value(r.sub_indication).unwrap(),
            "HASH_FAILURE"
        );
    }
}
