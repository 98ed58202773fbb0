//! CMS/CAdES signature verification, producing a [`ValidationReport`]: each
//! signer's checks ([`super::signer`]) with its signature-time-stamps
//! validated as proofs of existence ([`crate::tsp::validate`]).

use super::signer::{self, Container, VerifyOptions};
use super::unsigned_attrs::ID_AA_SIGNATURE_TIME_STAMP_TOKEN;
use super::{SignedDataView, SignerView};
use crate::digest::HashAlgorithm;
use crate::report::{
    Block, Finding, SignatureReport, SubIndication, TimestampKind, TimestampReport,
    ValidationReport,
};
use crate::time::DateTime;
use crate::Localized;

/// Verifies every signer of a CMS SignedData (`.p7s`, DER or BER).
///
/// Unparsable input yields a report with `TOTAL_FAILED` / `FORMAT_FAILURE`, not
/// an error: to a verifier garbage is a failed signature.
///
/// ```
/// use kyso_core::{cms, report::Indication, TrustAnchors};
/// let anchors = TrustAnchors::bundled();
/// let now = kyso_core::time::from_unix(1_764_000_000).unwrap();
/// let report = cms::verify(b"garbage", &cms::VerifyOptions {
///     trust_anchors: &anchors, now, content: None, extra_certificates: &[],
///     policy: kyso_core::policy::CryptoPolicy::etsi_default(), revocation: &[],
/// });
/// assert_eq!(report.indication, Indication::TotalFailed);
/// ```
pub fn verify(cms: &[u8], options: &VerifyOptions<'_>) -> ValidationReport {
    let now = options.now.to_string();
    let view = match SignedDataView::parse(cms) {
        Ok(v) => v,
        Err(e) => {
            let mut r = SignatureReport::empty();
            r.fail(
                Block::FormatChecking,
                SubIndication::FormatFailure,
                Finding::new(
                    "FORMAT_FAILURE",
                    format!("Không phải chữ ký CMS: {}", e.message_vi()),
                    format!("Not a CMS signature: {}", e.message()),
                ),
            );
            return ValidationReport::new("CMS", now, vec![r]);
        }
    };
    let content = options.content.or(view.content.as_deref());
    let reports = view
        .signers
        .iter()
        .map(|signer| verify_signer(&view, signer, content, options))
        .collect();
    ValidationReport::new("CMS", now, reports)
}

/// Verifies one SignerInfo whose content is given by digest (PAdES and streamed
/// CAdES use this: the covered bytes are hashed elsewhere).
pub fn verify_signer_with_digest(
    view: &SignedDataView,
    signer: &SignerView,
    content_digest: &dyn Fn(HashAlgorithm) -> Option<Vec<u8>>,
    options: &VerifyOptions<'_>,
) -> SignatureReport {
    verify_signer_at(view, signer, content_digest, options, Container::Cms)
}

/// [`signer::verify_signer_at`] with signature-time-stamps validated, then
/// archive time-stamps: what every signature (CMS or PDF) goes through.
pub(crate) fn verify_signer_at(
    view: &SignedDataView,
    signer: &SignerView,
    content_digest: &dyn Fn(HashAlgorithm) -> Option<Vec<u8>>,
    options: &VerifyOptions<'_>,
    container: Container,
) -> SignatureReport {
    let mut report = signer::verify_signer_at(
        view,
        signer,
        content_digest,
        options,
        container,
        &signature_timestamps,
    );
    // B-LTA: archive time-stamps over what the signer's checks found B-LT.
    // A time-stamp token's own are not looked into (nothing puts them
    // there, and nesting must stay bounded).
    if !matches!(container, Container::TimeStamp)
        && archive_timestamps(view, signer, content_digest, options, &mut report)
        && report.level.as_deref() == Some("B-LT")
    {
        report.level = Some("B-LTA".into());
    }
    report
}

fn verify_signer(
    view: &SignedDataView,
    signer: &SignerView,
    content: Option<&[u8]>,
    options: &VerifyOptions<'_>,
) -> SignatureReport {
    let digest_of = |alg: HashAlgorithm| content.map(|c| alg.digest(c));
    verify_signer_with_digest(view, signer, &digest_of, options)
}

/// Validates each signature-time-stamp of `info` (EN 319 102-1 §5.4): the
/// earliest that holds is the signature's proof of existence, and makes the
/// level B-T. A token that does not hold proves nothing: it is listed with
/// its failure and warned about, and the signature is judged without it.
fn signature_timestamps(
    info: &cms::signed_data::SignerInfo,
    options: &VerifyOptions<'_>,
    report: &mut SignatureReport,
) -> Option<DateTime> {
    let tokens = super::unsigned_attrs::values_of(info, ID_AA_SIGNATURE_TIME_STAMP_TOKEN)
        .unwrap_or_default();
    let value = info.signature.as_bytes();
    let covered = |alg: HashAlgorithm| Some(alg.digest(value));
    let mut best: Option<DateTime> = None;
    for token in tokens {
        let (token_report, tst) = crate::tsp::validate(&token, &covered, options);
        let entry = TimestampReport::from_report(TimestampKind::Signature, &token_report);
        match (token_report.sub_indication, tst) {
            (None, Some(tst)) => {
                if best.is_none_or(|b| tst.gen_time < b) {
                    best = Some(tst.gen_time);
                }
            }
            _ => warn_ignored(
                report,
                "TIMESTAMP_INVALID",
                ("Dấu thời gian trên chữ ký", "A signature time-stamp"),
                &token_report,
            ),
        }
        report.timestamps.push(entry);
    }
    if let Some(t) = best {
        report.proven_signing_time = Some(t.to_string());
        if report.level.as_deref() == Some("B-B") {
            report.level = Some("B-T".into());
        }
        report.pass(
            Block::SignatureAcceptanceValidation,
            "SIGNATURE_TIMESTAMP_VALID",
            &format!("Dấu thời gian hợp lệ chứng minh chữ ký đã tồn tại lúc {t}"),
            &format!("A valid time-stamp proves the signature existed at {t}"),
        );
    }
    best
}

/// Validates each archive-time-stamp-v3 of `signer` (EN 319 122-1 §5.5.3):
/// its ats-hash-index-v3 must name only what the signature still holds, and
/// its imprint must be that of the signature as it stands, with the content
/// as `digest_of_content` gives it. Whether one holds is returned: with
/// B-LT, that makes the level B-LTA. One that does not hold is listed with
/// its failure and warned about.
fn archive_timestamps(
    view: &SignedDataView,
    signer: &SignerView,
    digest_of_content: &dyn Fn(HashAlgorithm) -> Option<Vec<u8>>,
    options: &VerifyOptions<'_>,
    report: &mut SignatureReport,
) -> bool {
    use super::archive_timestamp::{covered_imprint, ID_AA_ETS_ARCHIVE_TIMESTAMP_V3};
    let tokens = super::unsigned_attrs::values_of(&signer.info, ID_AA_ETS_ARCHIVE_TIMESTAMP_V3)
        .unwrap_or_default();
    let mut holds = false;
    for token in tokens {
        let token_report = match covered_imprint(view, signer, &token, digest_of_content) {
            Ok((alg, imprint)) => {
                let covered = |a: HashAlgorithm| (a == alg).then(|| imprint.clone());
                crate::tsp::validate(&token, &covered, options).0
            }
            Err(why) => {
                let (sub, finding) = why.finding();
                let mut r = SignatureReport::empty();
                r.fail(Block::CryptographicVerification, sub, finding);
                r.proven_signing_time = crate::tsp::TimeStampToken::info_of(&token)
                    .ok()
                    .map(|t| t.gen_time.to_string());
                r
            }
        };
        let entry = TimestampReport::from_report(TimestampKind::Archive, &token_report);
        match (
            &token_report.sub_indication,
            &token_report.proven_signing_time,
        ) {
            (None, Some(t)) => {
                holds = true;
                report.pass(
                    Block::SignatureAcceptanceValidation,
                    "ARCHIVE_TIMESTAMP_VALID",
                    &format!("Dấu thời gian lưu trữ hợp lệ bảo vệ chữ ký và dữ liệu kiểm tra của nó từ {t}"),
                    &format!("A valid archive time-stamp protects the signature and its validation data since {t}"),
                );
            }
            _ => warn_ignored(
                report,
                "ARCHIVE_TIMESTAMP_INVALID",
                ("Dấu thời gian lưu trữ", "An archive time-stamp"),
                &token_report,
            ),
        }
        report.timestamps.push(entry);
    }
    holds
}

/// Warns that a time-stamp (`what`, Vietnamese and English) does not hold
/// and proves nothing, with the first reason its own report gives.
fn warn_ignored(
    report: &mut SignatureReport,
    code: &str,
    (what_vi, what): (&str, &str),
    token_report: &SignatureReport,
) {
    let why = token_report.errors.first();
    report.warn(
        Block::SignatureAcceptanceValidation,
        Finding::new(
            code,
            format!(
                "{what_vi} không hợp lệ và bị bỏ qua: {}",
                why.map_or("", |f| f.message_vi.as_str())
            ),
            format!(
                "{what} does not hold and is ignored: {}",
                why.map_or("", |f| f.message.as_str())
            ),
        ),
    );
}
