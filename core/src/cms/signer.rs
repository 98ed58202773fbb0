//! The checks of one CMS/CAdES SignerInfo (ETSI EN 319 102-1's building
//! blocks), below time-stamp validation: [`super::verify`] supplies how
//! the signer's time-stamps are judged.

use cms::signed_data::SignerIdentifier;
use const_oid::db::rfc5911::ID_DATA;
use der::Encode;

use super::signed_attrs;
use super::{SignedDataView, SignerView};
use crate::digest::HashAlgorithm;
use crate::path::{self, ValidationTime};
use crate::policy::CryptoPolicy;
use crate::public_key::Signed;
use crate::report::{Block, Finding, SignatureReport, SubIndication};
use crate::revocation::{Origin, RevocationData};
use crate::signature_scheme::{digest_name, SignatureAlgorithm};
use crate::time::DateTime;
use crate::{Certificate, Localized, TrustAnchors};

/// What a verification is checked against.
#[derive(Clone, Copy, Debug)]
pub struct VerifyOptions<'a> {
    /// The roots a certification path must end at.
    pub trust_anchors: &'a TrustAnchors,
    /// The verifier's current time.
    pub now: DateTime,
    /// The content the signature must cover. Required for a detached
    /// signature; for an attached one, when given, it is what gets checked, so a
    /// signature that embeds some other content fails with HASH_FAILURE.
    pub content: Option<&'a [u8]>,
    /// Further certificates that may complete a path (intermediates).
    pub extra_certificates: &'a [Certificate],
    /// Which algorithms and key sizes are acceptable, and until when
    /// ([`CryptoPolicy::etsi_default`] unless an agency loads its own).
    pub policy: &'a CryptoPolicy,
    /// Revocation data from outside the signature, with where it came
    /// from: a PDF's `/DSS`, or answers fetched online when the caller
    /// allows it. The signature's own (CMS `crls`, revocation-values) is
    /// always read first.
    pub revocation: &'a [(RevocationData, Origin)],
}

/// Where a SignerInfo was found: a CMS file, or a PDF signature dictionary
/// whose `/M` is the signer's claimed time (PAdES takes the time from the
/// dictionary, as DSS does; no signing-time attribute is needed there).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Container {
    /// A `.p7s`: CAdES rules.
    Cms,
    /// A PDF signature, with its `/M` if it has one, and the earliest time
    /// a later document time-stamp proves the signature existed at.
    Pdf(Option<DateTime>, Option<DateTime>),
    /// An RFC 3161 token: its TSTInfo's genTime is the time, no
    /// signing-time attribute is needed.
    TimeStamp,
}

/// How a signer's time-stamps are judged: given the SignerInfo, the earliest
/// time they prove, recorded in the report. Signatures pass
/// [`super::verify`]'s, which validates signature-time-stamps; a TSA's own
/// token passes one that proves nothing (tokens carry none), which keeps
/// this module below [`crate::tsp`].
pub(crate) type Timestamps<'a> = &'a dyn Fn(
    &cms::signed_data::SignerInfo,
    &VerifyOptions<'_>,
    &mut SignatureReport,
) -> Option<DateTime>;

/// Checks one SignerInfo found in `container`, its content given by digest.
pub(crate) fn verify_signer_at(
    view: &SignedDataView,
    signer: &SignerView,
    content_digest: &dyn Fn(HashAlgorithm) -> Option<Vec<u8>>,
    options: &VerifyOptions<'_>,
    container: Container,
    timestamps: Timestamps<'_>,
) -> SignatureReport {
    let mut report = SignatureReport::empty();
    check_signer(
        view,
        signer,
        content_digest,
        options,
        container,
        timestamps,
        &mut report,
    );
    report
}

fn check_signer(
    view: &SignedDataView,
    signer: &SignerView,
    content_digest: &dyn Fn(HashAlgorithm) -> Option<Vec<u8>>,
    options: &VerifyOptions<'_>,
    container: Container,
    timestamps: Timestamps<'_>,
    report: &mut SignatureReport,
) {
    let info = &signer.info;
    report.digest_algorithm = Some(digest_name(&info.digest_alg.oid));
    report.pass(
        Block::FormatChecking,
        "CMS_SIGNED_DATA",
        "Chữ ký là một CMS SignedData đọc được",
        "The signature is a readable CMS SignedData",
    );

    // ISC: identify the signer's certificate.
    let embedded = embedded_validation_data(view, info);
    let pool: Vec<Certificate> = view
        .certificates
        .iter()
        .chain(&embedded.certificates)
        .chain(options.extra_certificates)
        .chain(options.trust_anchors.iter())
        .cloned()
        .collect();
    let isc = Block::IdentificationOfSigningCertificate;
    let Some(cert) = pool.iter().find(|c| identifies(&info.sid, c)).cloned() else {
        report.fail(
            isc,
            SubIndication::NoSigningCertificateFound,
            Finding::new(
                "NO_SIGNING_CERTIFICATE_FOUND",
                "Chữ ký không kèm chứng thư số của người ký",
                "The signer's certificate is not in the signature",
            ),
        );
        return;
    };
    report.signer = Some(cert.info());
    report.pass(
        isc,
        "SIGNING_CERTIFICATE_IDENTIFIED",
        "Đã tìm thấy chứng thư số khớp với định danh người ký (sid)",
        "A certificate matching the signer identifier (sid) was found",
    );

    // VCI: the algorithms can be used at all.
    let vci = Block::ValidationContextInitialization;
    let digest_alg = match HashAlgorithm::from_oid(&info.digest_alg.oid) {
        Ok(a) => a,
        Err(e) => return report.fail(vci, SubIndication::FormatFailure, (&e).into()),
    };
    let sig_alg = match SignatureAlgorithm::from_identifier(&info.signature_algorithm) {
        Ok(a) => a,
        Err(e) => return report.fail(vci, SubIndication::FormatFailure, (&e).into()),
    };
    report.signature_algorithm = Some(sig_alg.kind.scheme_name().into());
    report.pass(
        vci,
        "VALIDATION_POLICY",
        &format!("Chính sách kiểm tra: {}", options.policy.name),
        &format!("Validation policy: {}", options.policy.name),
    );

    // CV, step 1: the content digest.
    let cv = Block::CryptographicVerification;
    let Some(content_digest) = content_digest(digest_alg) else {
        report.fail(
            cv,
            SubIndication::SignedDataNotFound,
            Finding::new(
                "SIGNED_DATA_NOT_FOUND",
                "Chữ ký tách rời nhưng không có tài liệu gốc để kiểm tra",
                "The signature is detached and the signed content was not provided",
            ),
        );
        return;
    };

    // Signed attributes, or a signature over the content digest directly.
    let sav = Block::SignatureAcceptanceValidation;
    let mut claimed = None;
    let mut has_signing_cert_v2 = false;
    let has_signed_attrs = signer.signed_attrs_der.is_some();
    let signed = match &signer.signed_attrs_der {
        Some(attrs_der) => {
            let attrs = match signed_attrs::inspect(attrs_der, None) {
                Ok(a) => a,
                Err(e) => {
                    return report.fail(
                        Block::FormatChecking,
                        SubIndication::FormatFailure,
                        (&e).into(),
                    )
                }
            };
            if attrs.content_type != view.content_type {
                return report.fail(
                    Block::FormatChecking,
                    SubIndication::FormatFailure,
                    Finding::new(
                        "FORMAT_FAILURE",
                        "Thuộc tính content-type không khớp với nội dung",
                        "The content-type attribute does not match the content",
                    ),
                );
            }
            if attrs.message_digest != content_digest {
                return report.fail(
                    cv,
                    SubIndication::HashFailure,
                    Finding::new(
                        "HASH_FAILURE",
                        "Tài liệu đã bị thay đổi sau khi ký (giá trị băm không khớp)",
                        "The document was changed after signing (message digest mismatch)",
                    ),
                );
            }
            report.pass(
                cv,
                "MESSAGE_DIGEST_MATCHES",
                "Giá trị băm của tài liệu khớp với thuộc tính message-digest",
                "The document's digest matches the message-digest attribute",
            );
            claimed = attrs.signing_time;
            if let Some(sc) = &attrs.signing_certificate_v2 {
                has_signing_cert_v2 = true;
                if !binds(sc, &cert) {
                    return report.fail(
                        isc,
                        SubIndication::NoSigningCertificateFound,
                        Finding::new(
                            "NO_SIGNING_CERTIFICATE_FOUND",
                            "Thuộc tính signing-certificate-v2 chỉ tới một chứng thư số khác",
                            "The signing-certificate-v2 attribute names another certificate",
                        ),
                    );
                }
                report.pass(
                    isc,
                    "SIGNING_CERTIFICATE_BOUND",
                    "Thuộc tính signing-certificate-v2 khớp với chứng thư số của người ký",
                    "The signing-certificate-v2 attribute matches the signer's certificate",
                );
            } else if attrs.signing_certificate_v1 {
                report.warn(
                    isc,
                    Finding::new(
                        "SIGNING_CERTIFICATE_V1",
                        "Có thuộc tính signing-certificate cũ (SHA-1); chưa kiểm tra ràng buộc",
                        "Legacy ESS signing-certificate (SHA-1) present; binding not checked",
                    ),
                );
            }
            Signed::Message(attrs_der)
        }
        None => {
            if view.content_type != ID_DATA {
                return report.fail(
                    Block::FormatChecking,
                    SubIndication::FormatFailure,
                    Finding::new(
                        "FORMAT_FAILURE",
                        "Nội dung loại này bắt buộc có thuộc tính ký",
                        "Signed attributes are required for this content type",
                    ),
                );
            }
            Signed::Digest(&content_digest)
        }
    };
    let has_signing_time = claimed.is_some();
    let claimed = match container {
        Container::Pdf(Some(m), _) => Some(m),
        _ => claimed,
    };
    report.claimed_signing_time = claimed.map(|t| t.to_string());

    // CV, step 2: the signature value.
    let key = cert.public_key();
    let verified = key.as_ref().map_err(Clone::clone).and_then(|key| {
        key.verify(
            &sig_alg,
            sig_alg.digest_or(digest_alg),
            signed,
            info.signature.as_bytes(),
        )
    });
    if let Err(e) = verified {
        let unsupported = matches!(e, crate::Error::UnsupportedAlgorithm(_));
        return report.fail(
            cv,
            if unsupported {
                SubIndication::FormatFailure
            } else {
                SubIndication::SigCryptoFailure
            },
            Finding::new(
                if unsupported {
                    e.code()
                } else {
                    "SIG_CRYPTO_FAILURE"
                },
                format!(
                    "Giá trị chữ ký không hợp lệ với khóa của người ký ({})",
                    e.message_vi()
                ),
                format!(
                    "The signature value is not valid for the signer's key ({})",
                    e.message()
                ),
            ),
        );
    }
    report.pass(
        cv,
        "SIGNATURE_VALUE_INTACT",
        "Giá trị chữ ký hợp lệ với khóa công khai của người ký",
        "The signature value verifies with the signer's public key",
    );

    // SAV: signed attributes (DSS's MessageDigestOrSignedPropertiesPresent):
    // without them nothing binds the signing certificate or the content type.
    if !has_signed_attrs {
        return report.fail(
            sav,
            SubIndication::SigConstraintsFailure,
            Finding::new(
                "SIGNED_ATTRIBUTES_MISSING",
                "Chữ ký không có thuộc tính ký (message-digest): không phải chữ ký CAdES",
                "The signature has no signed attributes (message-digest): not a CAdES signature",
            ),
        );
    }
    // SAV: a CAdES signature claims when it was made (ETSI EN 319 122-1
    // §5.2.1: signing-time is mandatory; DSS's default policy requires it).
    // In a PDF, `/M` carries that claim instead.
    if matches!(container, Container::Cms) && !has_signing_time {
        return report.fail(
            sav,
            SubIndication::SigConstraintsFailure,
            Finding::new(
                "SIGNING_TIME_MISSING",
                "Chữ ký CAdES không có thuộc tính signing-time (thời điểm ký)",
                "The CAdES signature has no signing-time attribute",
            ),
        );
    }
    // SAV: the claimed signing time does not predate the signer's
    // certificate (DSS: "signing-time is not within the signing-certificate's
    // validity"). One after its end means the certificate has expired by
    // now, which X.509 certificate validation reports (OUT_OF_BOUNDS_NO_POE).
    if let Some(t) = claimed {
        if t < cert.not_before() {
            return report.fail(
                sav,
                SubIndication::SigConstraintsFailure,
                Finding::new(
                    "SIGNING_TIME_OUTSIDE_CERTIFICATE",
                    format!(
                        "Thời điểm ký {t} nằm ngoài thời hạn của chứng thư số của người ký ({} – {})",
                        cert.not_before(),
                        cert.not_after()
                    ),
                    format!(
                        "The claimed signing time {t} is outside the signer's certificate validity ({} – {})",
                        cert.not_before(),
                        cert.not_after()
                    ),
                ),
            );
        }
    }
    report.pass(
        sav,
        "SIGNED_ATTRIBUTES_PRESENT",
        "Chữ ký có thuộc tính ký (message-digest)",
        "The signature has signed attributes (message-digest)",
    );

    // SAV: the level reached, signature time-stamps and the cryptographic
    // constraints.
    report.level = Some(if has_signing_cert_v2 { "B-B" } else { "CMS" }.into());
    let mut proof_of_existence = timestamps(info, options, report);
    // PAdES B-T may also come from a document time-stamp over a later
    // revision (EN 319 142-1 §6.3): it proves the signature existed too.
    if let Container::Pdf(_, Some(later)) = container {
        if proof_of_existence.is_none_or(|p| later < p) {
            proof_of_existence = Some(later);
            report.proven_signing_time = Some(later.to_string());
            if report.level.as_deref() == Some("B-B") {
                report.level = Some("B-T".into());
            }
        }
    }
    let key = key.expect("the key verified the signature");
    let mut digests = vec![digest_alg];
    if let Some(d) = sig_alg.digest.filter(|d| *d != digest_alg) {
        digests.push(d);
    }
    let crypto = digests
        .into_iter()
        .map(|d| options.policy.check_digest(d, options.now))
        .chain([options
            .policy
            .check_key(sig_alg.kind.name(), key.bits(), options.now)])
        .find_map(Result::err);
    match crypto {
        Some(f) if !f.warning_only => return f.record(report, sav),
        Some(f) => f.record(report, sav),
        None => report.pass(
            sav,
            "CRYPTO_CONSTRAINTS",
            &format!(
                "Thuật toán {} / {} với khóa {} bit được chính sách chấp nhận",
                digest_alg,
                sig_alg.kind.name(),
                key.bits()
            ),
            &format!(
                "{} / {} with a {}-bit key is acceptable under the policy",
                digest_alg,
                sig_alg.kind.name(),
                key.bits()
            ),
        ),
    }

    // XCV: the certification path.
    let xcv = Block::X509CertificateValidation;
    let time = ValidationTime {
        now: options.now,
        proof_of_existence,
    };
    let Some(found) = path::validate_into(report, xcv, &cert, &pool, options.trust_anchors, time)
    else {
        return;
    };
    report.pass(
        xcv,
        "CERTIFICATE_CHAIN_VALID",
        "Chuỗi chứng thực tới CA gốc tin cậy hợp lệ tại thời điểm kiểm tra",
        "The certification path to a trusted root is valid at the validation time",
    );
    if let Some(f) = path::check_crypto(&found, options.policy, options.now) {
        f.record(report, xcv);
    }

    // XCV: revocation, the signature's own data first.
    let mut sources = vec![(&embedded.revocation, Origin::Signature)];
    sources.extend(options.revocation.iter().map(|(d, o)| (d, *o)));
    let status = crate::revocation::check_path(report, &found, &sources, proof_of_existence);
    if status.embedded_complete && report.level.as_deref() == Some("B-T") {
        report.level = Some("B-LT".into());
    }
}

/// What a CAdES signature carries for verifiers who are offline: the
/// certificate-values and revocation-values attributes and the SignedData's
/// own `crls`.
struct EmbeddedValidationData {
    certificates: Vec<Certificate>,
    revocation: RevocationData,
}

fn embedded_validation_data(
    view: &SignedDataView,
    info: &cms::signed_data::SignerInfo,
) -> EmbeddedValidationData {
    use super::unsigned_attrs::{ID_AA_ETS_CERT_VALUES, ID_AA_ETS_REVOCATION_VALUES};
    let mut certificates = Vec::new();
    for seq in super::unsigned_attrs::values_of(info, ID_AA_ETS_CERT_VALUES).unwrap_or_default() {
        if let Ok(seq) = crate::asn1::Tlv::parse_exact(&seq) {
            for cert in seq.children().flatten() {
                if let Ok(c) = Certificate::from_der(cert.raw) {
                    certificates.push(c);
                }
            }
        }
    }
    let mut crls = view.crls.clone();
    let mut ocsp = view.ocsp_responses.clone();
    for values in
        super::unsigned_attrs::values_of(info, ID_AA_ETS_REVOCATION_VALUES).unwrap_or_default()
    {
        let Ok(seq) = crate::asn1::Tlv::parse_exact(&values) else {
            continue;
        };
        for part in seq.children().flatten() {
            let list = match part.tag_byte() {
                Some(0xa0) => &mut crls,
                Some(0xa1) => &mut ocsp,
                _ => continue,
            };
            if let Ok(inner) = crate::asn1::Tlv::parse_exact(part.content) {
                list.extend(inner.children().flatten().map(|t| t.raw.to_vec()));
            }
        }
    }
    // Unreadable items prove nothing; the validation reports what it used.
    let (revocation, _) = RevocationData::from_der(ocsp, crls);
    EmbeddedValidationData {
        certificates,
        revocation,
    }
}

/// Whether a SignerIdentifier names `cert`.
pub(crate) fn identifies(sid: &SignerIdentifier, cert: &Certificate) -> bool {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(isn) => {
            isn.serial_number.as_bytes() == cert.serial()
                && isn.issuer.to_der().ok() == Some(cert.issuer_der())
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            cert.subject_key_id().as_deref() == Some(ski.0.as_bytes())
        }
    }
}

/// Whether the first ESSCertIDv2 (the signer's, RFC 5035 §5.4) hashes to `cert`.
fn binds(sc: &super::ess::SigningCertificateV2, cert: &Certificate) -> bool {
    let Some(first) = sc.certs.first() else {
        return false;
    };
    let alg = match &first.hash_algorithm {
        None => HashAlgorithm::Sha256,
        Some(id) => match HashAlgorithm::from_oid(&id.oid) {
            Ok(a) => a,
            Err(_) => return false,
        },
    };
    first.cert_hash.as_bytes() == cert.fingerprint(alg).as_slice()
}
