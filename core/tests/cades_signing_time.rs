//! The signing-time rules of CAdES verification (ETSI EN 319 122-1 §5.2.1;
//! DSS's default policy): a `.p7s` must claim when it was made, and that
//! claim may not predate the signer's certificate.

mod support;

use signature::Signer as _;

use kyso_core::cms::{self, CadesParams, Content, PreparedSignature, VerifyOptions};
use kyso_core::{DigestAlgorithm, SignatureScheme, TrustAnchors};

fn signed(signing_time: Option<u64>) -> Vec<u8> {
    let (key, cert) = support::test_signer();
    let prepared = PreparedSignature::new(CadesParams {
        signer: cert,
        chain: vec![],
        digest: DigestAlgorithm::Sha256,
        content: Content::Detached {
            digest: DigestAlgorithm::Sha256.digest(b"to khai"),
        },
        signing_time: signing_time.map(|t| kyso_core::time::from_unix(t).unwrap()),
    })
    .unwrap();
    let sig: p256::ecdsa::Signature = key.sign(prepared.signed_attributes());
    prepared
        .finish(&sig.to_bytes(), SignatureScheme::Ecdsa)
        .unwrap()
}

fn verdict(p7s: &[u8]) -> (String, Option<String>) {
    let (_, cert) = support::test_signer();
    let mut anchors = TrustAnchors::empty();
    anchors.add(cert);
    let report = cms::verify(
        p7s,
        &VerifyOptions {
            trust_anchors: &anchors,
            now: kyso_core::time::from_unix(1_764_000_600).unwrap(),
            content: Some(b"to khai"),
            extra_certificates: &[],
            policy: kyso_core::policy::CryptoPolicy::etsi_default(),
            revocation: &[],
        },
    );
    let s = &report.signatures[0];
    (
        serde_json::to_value(s.indication)
            .unwrap()
            .as_str()
            .unwrap()
            .to_string(),
        s.errors.first().map(|f| f.code.clone()),
    )
}

#[test]
fn a_cades_signature_must_claim_a_time_within_its_certificate() {
    // The test certificate is valid from 2025-01-01.
    assert_eq!(
        verdict(&signed(Some(1_764_000_000))),
        ("TOTAL_PASSED".into(), None)
    );
    assert_eq!(
        verdict(&signed(None)),
        ("INDETERMINATE".into(), Some("SIGNING_TIME_MISSING".into()))
    );
    // 2024-06-01: before the certificate existed.
    assert_eq!(
        verdict(&signed(Some(1_717_200_000))),
        (
            "INDETERMINATE".into(),
            Some("SIGNING_TIME_OUTSIDE_CERTIFICATE".into())
        )
    );
}
