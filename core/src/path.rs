//! Certification path building and validation (RFC 5280 §6, reduced to what
//! signature validation needs), with the time rules of ETSI EN 319 102-1: without
//! a proof of existence, certificates must be valid at validation time.

use crate::digest::HashAlgorithm;
use crate::report::{Finding, SubIndication};
use crate::signature_scheme::SignatureAlgorithm;
use crate::time::DateTime;
use crate::{Certificate, Error, TrustAnchors};

/// Longer chains are not built: real Vietnamese paths have three certificates.
const MAX_PATH_LEN: usize = 8;

/// The times a path is validated for.
#[derive(Clone, Copy, Debug)]
pub struct ValidationTime {
    /// The current time (the verifier's clock).
    pub now: DateTime,
    /// A time the signature is proven to have existed at (a timestamp), if any.
    pub proof_of_existence: Option<DateTime>,
}

/// Why a path was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathFailure {
    /// What the signature's report says (ETSI EN 319 102-1 §5.1.3).
    pub sub_indication: SubIndication,
    /// The finding that explains it, for the report's errors.
    pub finding: Finding,
}

/// A certification path from a signer to a trust anchor.
#[derive(Clone, Debug)]
pub struct CertificationPath {
    /// Signer first, trust anchor last.
    pub certificates: Vec<Certificate>,
}

/// Builds a path from `signer` to one of `anchors` using `pool` for intermediates,
/// then checks it at `time`.
///
/// The returned path is the one found even when a check failed, so a report can
/// show it.
pub fn validate(
    signer: &Certificate,
    pool: &[Certificate],
    anchors: &TrustAnchors,
    time: ValidationTime,
) -> (Option<CertificationPath>, Result<(), PathFailure>) {
    let Some(path) = build(signer, pool, anchors) else {
        return (
            None,
            Err(PathFailure {
                sub_indication: SubIndication::NoCertificateChainFound,
                finding: Finding::new(
                    "NO_CERTIFICATE_CHAIN_FOUND",
                    "Không tìm thấy chuỗi chứng thực từ chứng thư số của người ký tới một CA gốc tin cậy",
                    "No certification path to a trusted root was found for the signer's certificate",
                ),
            }),
        );
    };
    let outcome = check(&path, time);
    (Some(path), outcome)
}

fn build(
    signer: &Certificate,
    pool: &[Certificate],
    anchors: &TrustAnchors,
) -> Option<CertificationPath> {
    let mut path = vec![signer.clone()];
    extend(&mut path, pool, anchors).then_some(CertificationPath { certificates: path })
}

/// Depth-first search from the last certificate of `path` up to an anchor.
fn extend(path: &mut Vec<Certificate>, pool: &[Certificate], anchors: &TrustAnchors) -> bool {
    let Some(current) = path.last().cloned() else {
        return false;
    };
    if anchors.contains(&current) {
        return true;
    }
    if path.len() >= MAX_PATH_LEN {
        return false;
    }
    let issuer_name = current.issuer_der();
    let aki = current.authority_key_id();
    // Anchors first: a shorter path to a trusted certificate beats a longer one.
    let candidates = anchors.iter().chain(pool.iter()).filter(|c| {
        c.subject_der() == issuer_name
            && !path.contains(c)
            && match (&aki, c.subject_key_id()) {
                (Some(a), Some(s)) => *a == s,
                _ => true,
            }
    });
    for candidate in candidates.cloned().collect::<Vec<_>>() {
        if verify_issued_by(&current, &candidate).is_err() {
            continue;
        }
        path.push(candidate);
        if extend(path, pool, anchors) {
            return true;
        }
        path.pop();
    }
    false
}

/// [`validate`] for a signature's report: the path found goes into
/// `report.chain`, a failure into `block`. Returns the path when it holds.
pub(crate) fn validate_into(
    report: &mut crate::report::SignatureReport,
    block: crate::report::Block,
    signer: &Certificate,
    pool: &[Certificate],
    anchors: &TrustAnchors,
    time: ValidationTime,
) -> Option<CertificationPath> {
    let (found, outcome) = validate(signer, pool, anchors, time);
    if let Some(found) = &found {
        report.chain = found.certificates.iter().map(Certificate::info).collect();
    }
    match outcome {
        Ok(()) => found,
        Err(f) => {
            report.fail(block, f.sub_indication, f.finding);
            None
        }
    }
}

/// Checks that `issuer`'s key made the signature on `cert`.
pub fn verify_issued_by(cert: &Certificate, issuer: &Certificate) -> Result<(), Error> {
    let alg = SignatureAlgorithm::from_identifier(cert.x509().signature_algorithm())?;
    let digest_alg = alg.digest.unwrap_or(HashAlgorithm::Sha256);
    let sig = cert
        .x509()
        .signature()
        .as_bytes()
        .ok_or_else(|| Error::InvalidCertificate("signature bit string".into()))?;
    issuer.public_key()?.verify(
        &alg,
        digest_alg,
        crate::public_key::Signed::Message(cert.tbs_der()),
        sig,
    )
}

/// The cryptographic constraints on the path's certificates (DSS checks
/// them in X.509 certificate validation): each certificate below the trust
/// anchor was signed with an acceptable digest and an acceptable issuer key.
pub fn check_crypto(
    path: &CertificationPath,
    policy: &crate::policy::CryptoPolicy,
    at: crate::time::DateTime,
) -> Option<crate::policy::CryptoFailure> {
    let certs = &path.certificates;
    for pair in certs.windows(2) {
        let (cert, issuer) = (&pair[0], &pair[1]);
        let Ok(alg) = SignatureAlgorithm::from_identifier(cert.x509().signature_algorithm()) else {
            continue;
        };
        let digest = alg.digest.unwrap_or(HashAlgorithm::Sha256);
        let bits = issuer.public_key().map(|k| k.bits()).unwrap_or(0);
        let outcome = policy
            .check_digest(digest, at)
            .and_then(|()| policy.check_key(alg.kind.name(), bits, at));
        if let Err(mut f) = outcome {
            let name = cert.info().common_name.unwrap_or_default();
            f.finding.message = format!("Certificate '{name}': {}", f.finding.message);
            f.finding.message_vi = format!("Chứng thư số '{name}': {}", f.finding.message_vi);
            return Some(f);
        }
    }
    None
}

fn check(path: &CertificationPath, time: ValidationTime) -> Result<(), PathFailure> {
    let certs = &path.certificates;
    let signer = &certs[0];
    let chain_fail = |vi: String, en: String| PathFailure {
        sub_indication: SubIndication::ChainConstraintsFailure,
        finding: Finding::new("CHAIN_CONSTRAINTS_FAILURE", vi, en),
    };

    // The signer's key must be meant for signatures.
    if let Some(ku) = signer.key_usage() {
        if !ku.digital_signature() && !ku.non_repudiation() {
            return Err(chain_fail(
                "Chứng thư số của người ký không cho phép ký số (key usage)".into(),
                "The signer's certificate does not allow digital signatures (key usage)".into(),
            ));
        }
    }

    // Every issuing certificate below the anchor must be a CA allowed to sign
    // certificates, within its path length constraint.
    for (i, ca) in certs.iter().enumerate().skip(1) {
        let is_anchor = i == certs.len() - 1;
        let name = ca.info().common_name.unwrap_or_default();
        let bc = ca.basic_constraints();
        if !is_anchor {
            if !bc.as_ref().is_some_and(|bc| bc.ca) {
                return Err(chain_fail(
                    format!("Chứng thư số cấp phát '{name}' không phải của CA (basicConstraints)"),
                    format!("Issuing certificate '{name}' is not a CA (basicConstraints)"),
                ));
            }
            if ca.key_usage().is_some_and(|ku| !ku.key_cert_sign()) {
                return Err(chain_fail(
                    format!("Chứng thư số cấp phát '{name}' không được phép ký chứng thư số (keyCertSign)"),
                    format!("Issuing certificate '{name}' may not sign certificates (keyCertSign)"),
                ));
            }
        }
        // Intermediates strictly between this CA and the signer.
        let below = certs[1..i].iter().filter(|c| !c.is_self_issued()).count();
        if let Some(max) = bc.and_then(|bc| bc.path_len_constraint) {
            if below > max as usize {
                return Err(chain_fail(
                    format!("Vượt quá giới hạn độ dài chuỗi của '{name}'"),
                    format!("Path length constraint of '{name}' exceeded"),
                ));
            }
        }
    }

    check_times(certs, time)
}

fn check_times(certs: &[Certificate], time: ValidationTime) -> Result<(), PathFailure> {
    let fail = |sub: SubIndication, vi: String, en: String| {
        Err(PathFailure {
            sub_indication: sub,
            finding: Finding::new(sub.code(), vi, en),
        })
    };
    let signer = &certs[0];
    // A signature cannot predate its certificate: a proven time before
    // notBefore is a hard failure. (A claimed time outside the certificate is
    // a signature constraint, checked in signature acceptance validation.)
    for t in time.proof_of_existence.into_iter() {
        if t < signer.not_before() {
            return fail(
                SubIndication::NotYetValid,
                format!(
                    "Thời điểm ký {t} trước ngày chứng thư số của người ký có hiệu lực ({})",
                    signer.not_before()
                ),
                format!(
                    "The signing time {t} is before the signer's certificate became valid ({})",
                    signer.not_before()
                ),
            );
        }
    }
    for (i, cert) in certs.iter().enumerate() {
        let name = cert.info().common_name.unwrap_or_default();
        let t = time.proof_of_existence.unwrap_or(time.now);
        if t < cert.not_before() {
            let sub = if i == 0 {
                SubIndication::NotYetValid
            } else {
                SubIndication::OutOfBoundsNoPoe
            };
            return fail(
                sub,
                format!(
                    "Chứng thư số '{name}' chưa có hiệu lực (từ {})",
                    cert.not_before()
                ),
                format!(
                    "Certificate '{name}' is not yet valid (from {})",
                    cert.not_before()
                ),
            );
        }
        if cert.not_after() < time.now {
            match time.proof_of_existence {
                Some(poe) if poe <= cert.not_after() => {}
                Some(_) => {
                    return fail(
                        SubIndication::Expired,
                        format!(
                            "Chứng thư số '{name}' đã hết hạn ({}) trước thời điểm ký được chứng minh",
                            cert.not_after()
                        ),
                        format!(
                            "Certificate '{name}' had expired ({}) before the proven signing time",
                            cert.not_after()
                        ),
                    )
                }
                None => {
                    return fail(
                        SubIndication::OutOfBoundsNoPoe,
                        format!(
                            "Chứng thư số '{name}' đã hết hạn ngày {} và không có dấu thời gian chứng minh chữ ký được tạo trước đó",
                            cert.not_after()
                        ),
                        format!(
                            "Certificate '{name}' expired on {} and no timestamp proves the signature existed before that",
                            cert.not_after()
                        ),
                    )
                }
            }
        }
    }
    Ok(())
}
