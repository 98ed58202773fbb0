//! What the integration tests of kyso-core share: a signer made without a
//! token, signing and verifying in one call, test PNGs and byte search.
//! Files are written with [`kyso_testkit::pdf::PdfWriter`].
//!
//! Each test binary compiles its own copy and uses only part of it.
#![allow(dead_code)]

use signature::Signer as _;

use kyso_core::cms::VerifyOptions;
use kyso_core::pdf::{prepare, verify, PdfSignOptions};
use kyso_core::report::ValidationReport;
use kyso_core::{Certificate, DigestAlgorithm, SignatureScheme, TrustAnchors};

/// Liberation Serif, read from the source tree so that the tests do not
/// depend on the `bundled-font` feature.
pub const FONT: &[u8] = include_bytes!("../../fonts/LiberationSerif-Regular.ttf");

/// A P-256 key and a self-signed certificate for it, encoded here (RFC 5280
/// §4.1, version 3, ecdsa-with-SHA256) so that tests can sign without a
/// token or a test PKI.
pub fn test_signer() -> (p256::ecdsa::SigningKey, Certificate) {
    fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = body.len();
        if len < 0x80 {
            out.push(len as u8);
        } else if len < 0x100 {
            out.extend_from_slice(&[0x81, len as u8]);
        } else {
            out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
        }
        out.extend_from_slice(body);
        out
    }
    let seq = |parts: &[&[u8]]| tlv(0x30, &parts.concat());
    let key = p256::ecdsa::SigningKey::from_slice(&[0x42; 32]).expect("a valid scalar");
    let point = key.verifying_key().to_sec1_bytes();
    let ecdsa_sha256 = tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]);
    let name = seq(&[&tlv(
        0x31,
        &seq(&[
            &tlv(0x06, &[0x55, 0x04, 0x03]),
            &tlv(0x0c, b"Kyso Robustness"),
        ]),
    )]);
    let validity = seq(&[&tlv(0x17, b"250101000000Z"), &tlv(0x17, b"491231000000Z")]);
    let spki = seq(&[
        &seq(&[
            &tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]),
            &tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]),
        ]),
        &tlv(0x03, &[&[0u8][..], &point].concat()),
    ]);
    let tbs = seq(&[
        &tlv(0xa0, &tlv(0x02, &[2])),
        &tlv(0x02, &[0x01, 0x23]),
        &seq(&[&ecdsa_sha256]),
        &name,
        &validity,
        &name,
        &spki,
    ]);
    let signature: p256::ecdsa::DerSignature = key.sign(&tbs);
    let der = seq(&[
        &tbs,
        &seq(&[&ecdsa_sha256]),
        &tlv(0x03, &[&[0u8][..], signature.as_bytes()].concat()),
    ]);
    let cert = Certificate::from_der(&der).expect("the test certificate parses");
    (key, cert)
}

/// Invisible, SHA-256, at a fixed time inside the certificate's validity.
pub fn sign_options(signer: Certificate) -> PdfSignOptions<'static> {
    PdfSignOptions {
        signer,
        chain: vec![],
        digest: DigestAlgorithm::Sha256,
        signing_time: kyso_core::time::from_unix(1_764_000_000).expect("a valid time"),
        reason: Some("robustness".into()),
        location: None,
        field_name: None,
        visible: None,
    }
}

/// `pdf` with one more signature revision, by [`test_signer`].
pub fn sign(pdf: &[u8]) -> Vec<u8> {
    let (key, cert) = test_signer();
    let prepared = prepare(pdf, sign_options(cert)).expect("prepare");
    let signature: p256::ecdsa::Signature = key.sign(prepared.signed_attributes());
    prepared
        .finish(&signature.to_bytes(), SignatureScheme::Ecdsa)
        .expect("finish")
}

/// The report on `pdf` with [`test_signer`]'s certificate trusted, ten
/// minutes after [`sign_options`]' signing time.
pub fn verify_report(pdf: &[u8]) -> ValidationReport {
    let (_, cert) = test_signer();
    let mut anchors = TrustAnchors::empty();
    anchors.add(cert);
    let options = VerifyOptions {
        trust_anchors: &anchors,
        now: kyso_core::time::from_unix(1_764_000_600).expect("a valid time"),
        content: None,
        extra_certificates: &[],
        policy: kyso_core::policy::CryptoPolicy::etsi_default(),
        revocation: &[],
    };
    verify(pdf, &options)
}

/// Encodes a PNG (for signature and seal images).
pub fn encode_png(
    width: u32,
    height: u32,
    color: png::ColorType,
    depth: png::BitDepth,
    data: &[u8],
) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(color);
        enc.set_depth(depth);
        let mut w = enc.write_header().unwrap();
        w.write_image_data(data).unwrap();
    }
    out
}

/// Where `needle` first occurs in `hay`.
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Where `needle` last occurs in `hay`.
pub fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}
