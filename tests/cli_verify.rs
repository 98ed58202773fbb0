//! `kyso verify` on bad signatures: each failure gets the ETSI indication and
//! the exit status of docs/cli.md § Exit status, and OpenSSL agrees where it can judge.

use std::path::PathBuf;

use kyso_core::cms::SignedDataView;
use kyso_tests::{assert_success, corrupt_inside, verdict, Fixture};

fn signed(fx: &Fixture, name: &str, signer: &str) -> (PathBuf, PathBuf) {
    let dir = fx.scratch(name);
    let content = dir.join("doc.txt");
    std::fs::write(&content, "Giấy chứng nhận đăng ký hộ kinh doanh").unwrap();
    let p7s = dir.join("doc.p7s");
    assert_success(&fx.sign_cms(signer, &content, &p7s, &[]), name);
    (content, p7s)
}

#[test]
fn tampered_content_is_a_hash_failure() {
    let fx = Fixture::full();
    let (content, p7s) = signed(fx, "tampered-content", "rsa2048");
    std::fs::write(&content, "Giấy chứng nhận đăng ký hộ kinh doanh!").unwrap();
    assert!(!fx.openssl_verify(&p7s, Some(&content)));
    let (code, report) = fx.verify(&p7s, Some(&content), true);
    assert_eq!(code, 1);
    assert_eq!(
        verdict(&report),
        ("TOTAL_FAILED".into(), "HASH_FAILURE".into())
    );
    let vi = report["signatures"][0]["errors"][0]["messageVi"]
        .as_str()
        .unwrap();
    assert!(vi.contains("thay đổi"), "{vi}");
}

#[test]
fn tampered_signature_value_is_a_crypto_failure() {
    let fx = Fixture::full();
    for signer in ["rsa2048", "p256"] {
        let (content, p7s) = signed(fx, &format!("tampered-sig-{signer}"), signer);
        let view = SignedDataView::parse(&std::fs::read(&p7s).unwrap()).unwrap();
        let sig = view.signers[0].info.signature.as_bytes().to_vec();
        corrupt_inside(&p7s, &sig);
        assert!(!fx.openssl_verify(&p7s, Some(&content)));
        let (code, report) = fx.verify(&p7s, Some(&content), true);
        assert_eq!(code, 1, "{signer}: {report}");
        assert_eq!(
            verdict(&report),
            ("TOTAL_FAILED".into(), "SIG_CRYPTO_FAILURE".into())
        );
    }
}

#[test]
fn tampered_signed_attributes_are_a_crypto_failure() {
    let fx = Fixture::full();
    let (content, p7s) = signed(fx, "tampered-attrs", "rsa2048");
    // The signing-time digits sit inside the signed attributes.
    let view = SignedDataView::parse(&std::fs::read(&p7s).unwrap()).unwrap();
    let attrs = view.signers[0].signed_attrs_der.clone().unwrap();
    let time_at = attrs
        .windows(2)
        .position(|w| w == [0x17, 0x0d])
        .expect("UTCTime");
    // Flip the last digit of the seconds: always another valid digit, so the
    // attributes still parse and only the signature check can fail (the
    // middle digit, the hour's first, gives an invalid hour from 20:00 UTC).
    let digits = &attrs[time_at + 2..time_at + 14];
    let mut bytes = std::fs::read(&p7s).unwrap();
    let at = bytes
        .windows(digits.len())
        .position(|w| w == digits)
        .expect("signing time in the file");
    bytes[at + digits.len() - 1] ^= 0x01;
    std::fs::write(&p7s, bytes).unwrap();
    let (code, report) = fx.verify(&p7s, Some(&content), true);
    assert_eq!(code, 1);
    assert_eq!(verdict(&report).1, "SIG_CRYPTO_FAILURE");
}

#[test]
fn unknown_root_is_indeterminate() {
    let fx = Fixture::full();
    let (content, p7s) = signed(fx, "unknown-root", "rsa2048");
    // Without --trust only the bundled Vietnamese roots are anchors.
    let (code, report) = fx.verify(&p7s, Some(&content), false);
    assert_eq!(code, 2);
    assert_eq!(
        verdict(&report),
        ("INDETERMINATE".into(), "NO_CERTIFICATE_CHAIN_FOUND".into())
    );
}

#[test]
fn expired_signer_has_no_proof_of_existence() {
    let fx = Fixture::full();
    let (content, p7s) = signed(fx, "expired", "expired");
    assert!(
        !fx.openssl_verify(&p7s, Some(&content)),
        "OpenSSL also refuses"
    );
    let (code, report) = fx.verify(&p7s, Some(&content), true);
    assert_eq!(code, 2);
    // ETSI EN 319 102-1: expired at validation time, no timestamp before expiry.
    assert_eq!(
        verdict(&report),
        ("INDETERMINATE".into(), "OUT_OF_BOUNDS_NO_POE".into())
    );
}

#[test]
fn signer_without_signing_key_usage_is_refused() {
    let fx = Fixture::full();
    let (content, p7s) = signed(fx, "wrong-ku", "wrong-ku");
    let (code, report) = fx.verify(&p7s, Some(&content), true);
    assert_eq!(code, 2);
    assert_eq!(verdict(&report).1, "CHAIN_CONSTRAINTS_FAILURE");
}

#[test]
fn detached_signature_without_content_is_indeterminate() {
    let fx = Fixture::full();
    let (_, p7s) = signed(fx, "no-content", "p256");
    let (code, report) = fx.verify(&p7s, None, true);
    assert_eq!(code, 2);
    assert_eq!(verdict(&report).1, "SIGNED_DATA_NOT_FOUND");
}

#[test]
fn garbage_and_truncated_files_are_format_failures() {
    let fx = Fixture::full();
    let (content, p7s) = signed(fx, "garbage", "rsa2048");
    let bytes = std::fs::read(&p7s).unwrap();
    let dir = fx.scratch("garbage-files");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("text", b"this is not a signature".to_vec()),
        ("truncated", bytes[..bytes.len() / 2].to_vec()),
        ("trailing", [bytes.as_slice(), b"junk"].concat()),
        (
            "deep",
            std::iter::repeat_n([0x30u8, 0x80], 5000)
                .flatten()
                .collect(),
        ),
    ];
    for (name, data) in cases {
        let f = dir.join(name);
        std::fs::write(&f, data).unwrap();
        let (code, report) = fx.verify(&f, Some(&content), true);
        assert_eq!(code, 1, "{name}");
        assert_eq!(verdict(&report).1, "FORMAT_FAILURE", "{name}");
    }
}

#[test]
fn missing_file_is_an_io_error_with_exit_3() {
    let fx = Fixture::full();
    let out = fx
        .kyso()
        .args(["verify", "/nonexistent/x.p7s"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let out = fx.kyso().args(["verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "usage error");
}
