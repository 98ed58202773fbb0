//! Validation reports, modelled on ETSI EN 319 102-1 as EU DSS uses it: one
//! indication per signature with a sub-indication saying why, the signer, the
//! times, the level reached, and findings in Vietnamese and English.

mod etsi;

use serde::{Deserialize, Serialize};

use crate::cert::CertificateInfo;
use crate::Localized;

/// The overall verdict on a signature (ETSI EN 319 102-1 §5.1.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Indication {
    /// Every check passed: the signature is valid.
    TotalPassed,
    /// Neither valid nor invalid with what is known: a missing chain, a
    /// constraint not met, revocation data not yet available.
    Indeterminate,
    /// The signature is invalid: damaged, not matching the data, or made
    /// with a certificate that was not valid.
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
    /// The signature is not in a format supported, or cannot be decoded.
    FormatFailure,
    /// The signed data's digest does not match the one signed.
    HashFailure,
    /// The signature value does not verify with the signer's key.
    SigCryptoFailure,
    /// The signing certificate was revoked before the signing time.
    Revoked,
    /// The signing certificate had expired at the signing time.
    Expired,
    /// The signing time is before the signing certificate's validity.
    NotYetValid,
    /// A signature constraint of the policy is not met (for a PDF: what
    /// later revisions changed).
    SigConstraintsFailure,
    /// The certification path does not meet the policy's constraints.
    ChainConstraintsFailure,
    /// An algorithm or key size is below what the policy accepts.
    CryptoConstraintsFailure,
    /// An algorithm or key size is below what the policy accepts at the
    /// validation time, and no proof of existence from before it became
    /// weak (what DSS reports for SHA-1, RSA-1024 and unlisted algorithms).
    CryptoConstraintsFailureNoPoe,
    /// The signing certificate cannot be identified.
    NoSigningCertificateFound,
    /// No path from the signing certificate to a trust anchor.
    NoCertificateChainFound,
    /// The certificate is expired or revoked now, and no proof that the
    /// signature existed before that.
    OutOfBoundsNoPoe,
    /// The data the signature covers is not available.
    SignedDataNotFound,
    /// Revocation data is not available yet: validate again later.
    TryLater,
    /// The signing certificate is revoked and nothing proves the signature
    /// existed before the revocation.
    RevokedNoPoe,
    /// A CA certificate of the path is revoked and nothing proves the
    /// signature existed before the revocation.
    RevokedCaNoPoe,
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
            CryptoConstraintsFailureNoPoe => "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
            NoSigningCertificateFound => "NO_SIGNING_CERTIFICATE_FOUND",
            NoCertificateChainFound => "NO_CERTIFICATE_CHAIN_FOUND",
            OutOfBoundsNoPoe => "OUT_OF_BOUNDS_NO_POE",
            SignedDataNotFound => "SIGNED_DATA_NOT_FOUND",
            TryLater => "TRY_LATER",
            RevokedNoPoe => "REVOKED_NO_POE",
            RevokedCaNoPoe => "REVOKED_CA_NO_POE",
        }
    }
}

/// One finding: a stable code and the same message in two languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// A stable `SCREAMING_SNAKE` code programs match on.
    pub code: String,
    /// The finding in English.
    pub message: String,
    /// The finding in Vietnamese.
    pub message_vi: String,
}

impl Finding {
    /// A finding with `code` and its two messages, Vietnamese first (the
    /// order of every bilingual pair in Kyso, as in [`crate::Lang::pick`]).
    pub fn new(code: &str, message_vi: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            code: code.into(),
            message: message.into(),
            message_vi: message_vi.into(),
        }
    }
}

impl From<&crate::Error> for Finding {
    fn from(e: &crate::Error) -> Self {
        Finding::new(e.code(), e.message_vi(), e.message())
    }
}

/// The result for one signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureReport {
    /// The verdict.
    pub indication: Indication,
    /// Why it is not `TOTAL_PASSED`: the first failure found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_indication: Option<SubIndication>,
    /// The signing certificate, when it was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<CertificateInfo>,
    /// The certification path found, signer first, trust anchor last.
    pub chain: Vec<CertificateInfo>,
    /// The signer's digestAlgorithm, e.g. `SHA-256` (the OID when unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest_algorithm: Option<String>,
    /// The signature scheme: `RsaPkcs1v15`, `RsaPss` or `Ecdsa`.
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
    /// What made the signature fail or indeterminate, first one first.
    pub errors: Vec<Finding>,
    /// What is worth knowing but does not change the indication.
    pub warnings: Vec<Finding>,
    /// For a PDF signature: byte coverage, the revision signed, later changes.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pdf: Option<PdfSignatureDetails>,
    /// The time-stamps that cover this signature, in the order found.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub timestamps: Vec<TimestampReport>,
    /// The revocation status found for each certificate of the path, and
    /// where it came from.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub revocation: Vec<RevocationReport>,
    /// The detailed report: each building block of ETSI EN 319 102-1 §5.2 the
    /// validation ran, with every constraint checked. Left out of the simple
    /// report ([`ValidationReport::simple`]).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub validation: Vec<BlockReport>,
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
            validation: Vec::new(),
            timestamps: Vec::new(),
            revocation: Vec::new(),
        }
    }

    /// Records a failure of a constraint of `block`; the first failure
    /// recorded decides the indication.
    pub(crate) fn fail(&mut self, block: Block, sub: SubIndication, finding: Finding) {
        if self.sub_indication.is_none() {
            self.indication = sub.indication();
            self.sub_indication = Some(sub);
        }
        self.constraint(block, ConstraintStatus::NotOk, Some(sub), &finding);
        self.errors.push(finding);
    }

    /// Records a warning, as a WARNING constraint of `block`.
    pub(crate) fn warn(&mut self, block: Block, finding: Finding) {
        self.constraint(block, ConstraintStatus::Warning, None, &finding);
        self.warnings.push(finding);
    }

    /// Records a constraint of `block` that was met.
    pub(crate) fn pass(&mut self, block: Block, code: &str, vi: &str, en: &str) {
        self.constraint(
            block,
            ConstraintStatus::Ok,
            None,
            &Finding::new(code, vi, en),
        );
    }

    fn constraint(
        &mut self,
        block: Block,
        status: ConstraintStatus,
        sub: Option<SubIndication>,
        finding: &Finding,
    ) {
        let at = match self.validation.iter().position(|b| b.block == block) {
            Some(i) => i,
            None => {
                self.validation.push(BlockReport::new(block));
                self.validation.len() - 1
            }
        };
        let b = &mut self.validation[at];
        if let (ConstraintStatus::NotOk, Some(sub), None) = (status, sub, b.sub_indication) {
            b.indication = sub.indication();
            b.sub_indication = Some(sub);
        }
        b.constraints.push(Constraint {
            code: finding.code.clone(),
            status,
            message: finding.message.clone(),
            message_vi: finding.message_vi.clone(),
        });
    }
}

/// What a token stamps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TimestampKind {
    /// signature-time-stamp (B-T): the digest of one signature value.
    Signature,
    /// A PDF document time-stamp (`ETSI.RFC3161`): a byte range, so every
    /// signature and validation data before it (B-LTA).
    Document,
    /// CAdES archive-time-stamp-v3 (B-LTA): the signature with its
    /// validation data.
    Archive,
}

/// One time-stamp over a signature: what it proves and whether it holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimestampReport {
    /// Signature, document or archive time-stamp.
    pub kind: TimestampKind,
    /// The token's own verdict (imprint, signature, TSA path).
    pub indication: Indication,
    /// Why the token does not hold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_indication: Option<SubIndication>,
    /// The TSTInfo's genTime, when it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gen_time: Option<String>,
    /// The TSA's certificate, when it was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tsa: Option<CertificateInfo>,
    /// What made the token fail.
    pub errors: Vec<Finding>,
}

impl TimestampReport {
    /// Condenses the full report on a token into what the signature's
    /// report shows.
    pub(crate) fn from_report(kind: TimestampKind, r: &SignatureReport) -> Self {
        TimestampReport {
            kind,
            indication: r.indication,
            sub_indication: r.sub_indication,
            gen_time: r.proven_signing_time.clone(),
            tsa: r.signer.clone(),
            errors: r.errors.clone(),
        }
    }
}

/// The status of one certificate of a signature's path, as the evidence used
/// says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevocationReport {
    /// The certificate's common name (else its subject).
    pub certificate: String,
    /// Its serial number, hex.
    pub serial_number: String,
    /// `GOOD`, `REVOKED` or `UNKNOWN`.
    pub status: String,
    /// For a revocation: when.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation_time: Option<String>,
    /// For a revocation: why (RFC 5280 CRLReason name), when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation_reason: Option<String>,
    /// `OCSP` or `CRL`.
    pub source: String,
    /// Where the evidence was found: `SIGNATURE` (embedded in the CMS),
    /// `DSS` (a PDF's document security store) or `ONLINE` (fetched for
    /// this validation).
    pub origin: String,
    /// The OCSP responder or CRL issuer.
    pub issuer: String,
    /// When the status was known to be correct.
    pub this_update: String,
    /// When newer information is due.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_update: Option<String>,
    /// When the OCSP responder signed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub produced_at: Option<String>,
}

/// The building blocks of a signature's validation (ETSI EN 319 102-1 §5.2),
/// in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Block {
    /// §5.2.2 Format checking: the signature can be read and is well formed.
    #[serde(rename = "FC")]
    FormatChecking,
    /// §5.2.3 Identification of the signing certificate.
    #[serde(rename = "ISC")]
    IdentificationOfSigningCertificate,
    /// §5.2.4 Validation context initialization: the policy and the data to
    /// validate against.
    #[serde(rename = "VCI")]
    ValidationContextInitialization,
    /// §5.2.7 Cryptographic verification: digests and the signature value.
    #[serde(rename = "CV")]
    CryptographicVerification,
    /// §5.2.8 Signature acceptance validation: signed attributes and
    /// cryptographic constraints.
    #[serde(rename = "SAV")]
    SignatureAcceptanceValidation,
    /// §5.2.6 X.509 certificate validation: the path to a trust anchor.
    #[serde(rename = "XCV")]
    X509CertificateValidation,
}

impl Block {
    /// The block's title in Vietnamese and English.
    pub fn title(self) -> (&'static str, &'static str) {
        match self {
            Block::FormatChecking => ("Kiểm tra định dạng", "Format checking"),
            Block::IdentificationOfSigningCertificate => (
                "Xác định chứng thư số của người ký",
                "Identification of the signing certificate",
            ),
            Block::ValidationContextInitialization => (
                "Khởi tạo ngữ cảnh kiểm tra",
                "Validation context initialization",
            ),
            Block::CryptographicVerification => ("Kiểm tra mật mã", "Cryptographic verification"),
            Block::SignatureAcceptanceValidation => (
                "Kiểm tra chấp nhận chữ ký",
                "Signature acceptance validation",
            ),
            Block::X509CertificateValidation => (
                "Kiểm tra chứng thư số X.509",
                "X.509 certificate validation",
            ),
        }
    }

    /// The short code DSS's detailed report uses (`FC`, `ISC`, …).
    pub fn code(self) -> &'static str {
        match self {
            Block::FormatChecking => "FC",
            Block::IdentificationOfSigningCertificate => "ISC",
            Block::ValidationContextInitialization => "VCI",
            Block::CryptographicVerification => "CV",
            Block::SignatureAcceptanceValidation => "SAV",
            Block::X509CertificateValidation => "XCV",
        }
    }
}

/// How one constraint turned out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConstraintStatus {
    /// Met.
    Ok,
    /// Not met: the block fails.
    NotOk,
    /// Not met, but the policy only warns.
    Warning,
}

/// One constraint of a building block and its result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Constraint {
    /// A stable code, e.g. `SIGNATURE_VALUE_INTACT` or `HASH_FAILURE`.
    pub code: String,
    /// The result.
    pub status: ConstraintStatus,
    /// What was checked or found, in English.
    pub message: String,
    /// The same in Vietnamese.
    pub message_vi: String,
}

/// One building block's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockReport {
    /// Which block.
    pub block: Block,
    /// Its title in English.
    pub title: String,
    /// Its title in Vietnamese.
    pub title_vi: String,
    /// `TOTAL_PASSED` (the block's PASSED) unless a constraint failed.
    pub indication: Indication,
    /// The sub-indication of the first failed constraint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_indication: Option<SubIndication>,
    /// Every constraint checked, in order.
    pub constraints: Vec<Constraint>,
}

impl BlockReport {
    fn new(block: Block) -> Self {
        let (vi, en) = block.title();
        BlockReport {
            block,
            title: en.into(),
            title_vi: vi.into(),
            indication: Indication::TotalPassed,
            sub_indication: None,
            constraints: Vec::new(),
        }
    }
}

/// The PDF side of a signature's report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PdfSignatureDetails {
    /// The signature field's name.
    pub field: String,
    /// `/SubFilter`: `ETSI.CAdES.detached` (PAdES) or `adbe.pkcs7.detached`.
    pub sub_filter: String,
    /// `/ByteRange`: offset and length pairs of the bytes signed.
    pub byte_range: Vec<usize>,
    /// The signature covers the whole file (it is the last revision).
    pub covers_whole_file: bool,
    /// The revision it signed, 1-based, and how many the file has.
    pub revision: usize,
    /// How many revisions the file has.
    pub revisions: usize,
    /// DocMDP permission level (1–3) when this is a certification signature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certification_level: Option<i64>,
    /// What later revisions changed (empty when none or only signatures,
    /// form data and validation data were added).
    pub modifications: Vec<String>,
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
    /// One report per signature, in file order.
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
        let mut report = ValidationReport {
            indication,
            format: format.into(),
            validation_time,
            signatures,
        };
        report.sort_blocks();
        report
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

    /// The simple report: the same without the building blocks.
    pub fn simple(mut self) -> Self {
        for s in &mut self.signatures {
            s.validation.clear();
        }
        self
    }

    /// Puts each signature's building blocks in ETSI EN 319 102-1 order.
    pub(crate) fn sort_blocks(&mut self) {
        for s in &mut self.signatures {
            s.validation.sort_by_key(|b| b.block);
        }
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
            Block::X509CertificateValidation,
            SubIndication::NoCertificateChainFound,
            Finding::new("X", "x", "x"),
        );
        assert_eq!(bad.indication, Indication::Indeterminate);
        ok.warn(
            Block::SignatureAcceptanceValidation,
            Finding::new("W", "w", "w"),
        );
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
        r.pass(Block::FormatChecking, "OK", "ok", "ok");
        r.fail(
            Block::CryptographicVerification,
            SubIndication::HashFailure,
            Finding::new("A", "a", "a"),
        );
        r.fail(
            Block::X509CertificateValidation,
            SubIndication::NoCertificateChainFound,
            Finding::new("B", "b", "b"),
        );
        let cv = &r.validation[1];
        assert_eq!(cv.block, Block::CryptographicVerification);
        assert_eq!(cv.sub_indication, Some(SubIndication::HashFailure));
        assert_eq!(cv.constraints[0].status, ConstraintStatus::NotOk);
        assert_eq!(r.validation[0].indication, Indication::TotalPassed);
        assert_eq!(r.indication, Indication::TotalFailed);
        assert_eq!(r.sub_indication, Some(SubIndication::HashFailure));
        assert_eq!(
            serde_json::to_value(r.sub_indication).unwrap(),
            "HASH_FAILURE"
        );
    }
}
