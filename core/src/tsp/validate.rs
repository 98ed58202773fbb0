//! Validating a time-stamp token as proof of existence (ETSI EN 319 102-1
//! §5.4, RFC 3161 §2.3/§2.4.2): its imprint covers the bytes it claims to,
//! its signature verifies, and its signer is a TSA whose certificate chains
//! to a trust anchor.

use crate::cms::signer::{self, Container};
use crate::cms::{SignedDataView, VerifyOptions};
use crate::digest::HashAlgorithm;
pub use crate::report::TimestampKind;
use crate::report::{Block, Finding, SignatureReport, SubIndication};
use crate::Localized;

use super::token::{TstInfo, ID_CT_TST_INFO};

/// Validates `token`, whose imprint must equal `covered(alg)`: the digest
/// of what the token claims to stamp, with the token's own algorithm.
///
/// The report has the TSA as signer and the token's genTime as proven
/// time; the TSTInfo is returned when it could be read.
///
/// ```
/// use kyso_core::{cms::VerifyOptions, report::Indication, tsp, TrustAnchors};
/// let anchors = TrustAnchors::bundled();
/// let options = VerifyOptions { trust_anchors: &anchors, now: kyso_core::time::from_unix(1_764_000_000).unwrap(),
///     content: None, extra_certificates: &[], policy: kyso_core::policy::CryptoPolicy::etsi_default(), revocation: &[] };
/// let (report, info) = tsp::validate(b"junk", &|_| None, &options);
/// assert_eq!(report.indication, Indication::TotalFailed);
/// assert!(info.is_none());
/// ```
pub fn validate(
    token: &[u8],
    covered: &dyn Fn(HashAlgorithm) -> Option<Vec<u8>>,
    options: &VerifyOptions<'_>,
) -> (SignatureReport, Option<TstInfo>) {
    let malformed = |vi, en| (malformed(vi, en), None);
    let view = match SignedDataView::parse(token) {
        Ok(v) => v,
        Err(e) => {
            return malformed(
                format!("Dấu thời gian không phải CMS: {}", e.message_vi()),
                format!("The time-stamp is not a CMS: {}", e.message()),
            )
        }
    };
    let Some(signer) = view.signers.first() else {
        return malformed(
            "Dấu thời gian không có người ký".into(),
            "The time-stamp has no signer".into(),
        );
    };
    validate_view(&view, signer, covered, options)
}

/// [`validate`] for a token already parsed (a PDF document time-stamp).
pub(crate) fn validate_view(
    view: &SignedDataView,
    signer: &crate::cms::SignerView,
    covered: &dyn Fn(HashAlgorithm) -> Option<Vec<u8>>,
    options: &VerifyOptions<'_>,
) -> (SignatureReport, Option<TstInfo>) {
    if view.content_type != ID_CT_TST_INFO {
        return (
            malformed(
                "Dấu thời gian không chứa TSTInfo".into(),
                "The time-stamp does not hold a TSTInfo".into(),
            ),
            None,
        );
    }
    let tst = match view.content.as_deref().map(TstInfo::parse) {
        Some(Ok(t)) => t,
        other => {
            let why = match other {
                Some(Err(e)) => e.message(),
                _ => "no content".into(),
            };
            return (
                malformed(
                    format!("TSTInfo không đọc được: {why}"),
                    format!("The TSTInfo cannot be read: {why}"),
                ),
                None,
            );
        }
    };
    if covered(tst.hash_algorithm).as_deref() != Some(tst.hashed_message.as_slice()) {
        let mut r = SignatureReport::empty();
        r.fail(
            Block::CryptographicVerification,
            SubIndication::HashFailure,
            Finding::new(
                "TIMESTAMP_IMPRINT_MISMATCH",
                "messageImprint của dấu thời gian không khớp với dữ liệu được đóng dấu",
                "The time-stamp's message imprint does not match the stamped data",
            ),
        );
        r.proven_signing_time = Some(tst.gen_time.to_string());
        return (r, Some(tst));
    }
    let content = view.content.as_deref().unwrap_or_default();
    let digest_of = |alg: HashAlgorithm| Some(alg.digest(content));
    // A TSA's token is judged without time-stamps of its own.
    let mut report = signer::verify_signer_at(
        view,
        signer,
        &digest_of,
        options,
        Container::TimeStamp,
        &|_, _, _| None,
    );
    report.pass(
        Block::CryptographicVerification,
        "MESSAGE_IMPRINT_MATCHES",
        "messageImprint của dấu thời gian khớp với dữ liệu được đóng dấu",
        "The time-stamp's message imprint matches the stamped data",
    );
    if report.sub_indication.is_none() {
        if let Err(f) = options.policy.check_digest(tst.hash_algorithm, options.now) {
            f.record(&mut report, Block::SignatureAcceptanceValidation);
        }
    }
    // RFC 3161 §2.3: only a TSA's certificate may sign time-stamps.
    let tsa = report.signer.as_ref().and_then(|info| {
        view.certificates
            .iter()
            .chain(options.extra_certificates)
            .find(|c| c.info().sha256 == info.sha256)
    });
    if report.sub_indication.is_none() {
        match tsa {
            Some(c) if c.is_time_stamping() => report.pass(
                Block::X509CertificateValidation,
                "TSA_CERTIFICATE_TIME_STAMPING",
                "Chứng thư số của TSA có mục đích id-kp-timeStamping (critical)",
                "The TSA certificate has the critical id-kp-timeStamping key purpose",
            ),
            _ => report.fail(
                Block::X509CertificateValidation,
                SubIndication::ChainConstraintsFailure,
                Finding::new(
                    "TSA_CERTIFICATE_NOT_TIME_STAMPING",
                    "Chứng thư số ký dấu thời gian không phải của TSA (thiếu extendedKeyUsage timeStamping critical)",
                    "The time-stamp's certificate is not a TSA's (no critical timeStamping extended key usage)",
                ),
            ),
        }
    }
    report.proven_signing_time = Some(tst.gen_time.to_string());
    report.claimed_signing_time = None;
    (report, Some(tst))
}

/// A token that cannot be read as one: FORMAT_FAILURE.
fn malformed(vi: String, en: String) -> SignatureReport {
    let mut r = SignatureReport::empty();
    r.fail(
        Block::FormatChecking,
        SubIndication::FormatFailure,
        Finding::new("TIMESTAMP_MALFORMED", vi, en),
    );
    r
}
