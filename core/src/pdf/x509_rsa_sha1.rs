//! `adbe.x509.rsa_sha1` signatures (ISO 32000-1 §12.8.3.2): no CMS, just a
//! PKCS#1 v1.5 RSA signature over the SHA-1 digest of the byte range, DER
//! encoded as an OCTET STRING in `/Contents`, with the signer's certificate
//! (first) and its chain in `/Cert`. Deprecated by PDF 2.0 but still met in
//! archives; SHA-1 makes the default policy judge it INDETERMINATE.

use super::byte_range;
use super::object::{Dictionary, Object};
use crate::cms::VerifyOptions;
use crate::digest::HashAlgorithm;
use crate::path::{self, ValidationTime};
use crate::public_key::Signed;
use crate::report::{Block, Finding, SignatureReport, SubIndication};
use crate::signature_scheme::{SignatureAlgorithm, SignatureKind};
use crate::{Certificate, Localized};

/// Verifies one such signature; `Err` when it cannot even be read.
pub(super) fn verify(
    bytes: &[u8],
    sig: &Dictionary,
    range: &[usize; 4],
    contents: &[u8],
    options: &VerifyOptions<'_>,
) -> Result<SignatureReport, String> {
    let (der, _) = crate::asn1::to_der_first(contents).map_err(|e| e.message())?;
    let value = crate::asn1::Tlv::parse_exact(&der).map_err(|e| e.message())?;
    if value.tag_byte() != Some(0x04) {
        return Err("/Contents is not an OCTET STRING".into());
    }
    let certs: Vec<Certificate> = match sig.get(b"Cert") {
        Some(Object::Array(items)) => items.iter().filter_map(Object::as_bytes).collect(),
        Some(other) => other.as_bytes().into_iter().collect(),
        None => Vec::new(),
    }
    .into_iter()
    .filter_map(|der| Certificate::from_der(der).ok())
    .collect();
    let Some(cert) = certs.first().cloned() else {
        return Err("no certificate in /Cert".into());
    };

    let mut report = SignatureReport::empty();
    report.pass(
        Block::FormatChecking,
        "PKCS1_SIGNATURE",
        "Chữ ký là một giá trị RSA PKCS#1 kèm chứng thư số trong /Cert",
        "The signature is an RSA PKCS#1 value with its certificate in /Cert",
    );
    report.signer = Some(cert.info());
    report.digest_algorithm = Some("SHA-1".into());
    report.signature_algorithm = Some("RsaPkcs1v15".into());
    report.level = Some("PDF".into());
    let alg = SignatureAlgorithm {
        kind: SignatureKind::RsaPkcs1v15,
        digest: Some(HashAlgorithm::Sha1),
    };
    let digest = byte_range::digest(bytes, range, HashAlgorithm::Sha1);
    let key = cert.public_key().map_err(|e| e.message())?;
    if let Err(e) = key.verify(
        &alg,
        HashAlgorithm::Sha1,
        Signed::Digest(&digest),
        value.content,
    ) {
        report.fail(
            Block::CryptographicVerification,
            SubIndication::SigCryptoFailure,
            Finding::new(
                "SIG_CRYPTO_FAILURE",
                format!("Giá trị chữ ký không hợp lệ ({})", e.message_vi()),
                format!("The signature value is not valid ({})", e.message()),
            ),
        );
        return Ok(report);
    }
    report.pass(
        Block::CryptographicVerification,
        "SIGNATURE_VALUE_INTACT",
        "Giá trị chữ ký hợp lệ với khóa công khai của người ký",
        "The signature value verifies with the signer's public key",
    );
    let crypto = options
        .policy
        .check_digest(HashAlgorithm::Sha1, options.now)
        .and_then(|()| options.policy.check_key("RSA", key.bits(), options.now));
    if let Err(f) = crypto {
        let fatal = !f.warning_only;
        f.record(&mut report, Block::SignatureAcceptanceValidation);
        if fatal {
            return Ok(report);
        }
    }
    let pool: Vec<Certificate> = certs
        .iter()
        .chain(options.extra_certificates)
        .cloned()
        .collect();
    let time = ValidationTime {
        now: options.now,
        proof_of_existence: None,
    };
    let block = Block::X509CertificateValidation;
    path::validate_into(
        &mut report,
        block,
        &cert,
        &pool,
        options.trust_anchors,
        time,
    );
    Ok(report)
}
