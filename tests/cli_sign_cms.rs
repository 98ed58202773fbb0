//! `kyso sign cms` on a SoftHSM token for every key type and digest, each result
//! checked by OpenSSL, pyHanko and `kyso verify`.

use kyso_tests::{assert_success, verdict, Fixture};

/// (signer, digest, extra flags)
const MATRIX: &[(&str, &str, &[&str])] = &[
    ("rsa2048", "SHA-256", &[]),
    ("rsa2048", "SHA-384", &[]),
    ("rsa2048", "SHA-512", &[]),
    ("rsa3072", "SHA-256", &[]),
    ("rsa3072", "SHA-512", &[]),
    ("rsa2048", "SHA-256", &["--pss"]),
    ("rsa3072", "SHA-384", &["--pss"]),
    ("p256", "SHA-256", &[]),
    ("p256", "SHA-384", &[]),
    ("p384", "SHA-384", &[]),
    ("p384", "SHA-512", &[]),
];

#[test]
fn detached_signatures_verify_everywhere() {
    let fx = Fixture::full();
    let dir = fx.scratch("detached");
    let content = dir.join("to-khai.xml");
    std::fs::write(
        &content,
        "<ToKhai>Nguyễn Văn An — thuế TNCN 2026</ToKhai>\n".repeat(50),
    )
    .unwrap();
    for (signer, digest, extra) in MATRIX {
        let label = format!("{signer} {digest} {extra:?}");
        let p7s = dir.join(format!("{signer}-{digest}-{}.p7s", extra.len()));
        let mut args = vec!["--digest", digest];
        args.extend_from_slice(extra);
        assert_success(&fx.sign_cms(signer, &content, &p7s, &args), &label);

        assert!(
            fx.openssl_verify(&p7s, Some(&content)),
            "OpenSSL rejects {label}"
        );
        let (ok, text) = fx.pyhanko_verify_detached(&p7s, &content);
        assert!(ok, "pyHanko rejects {label}: {text}");
        let dss = fx.dss_verdicts(&p7s, Some(&content));
        assert_eq!(dss.len(), 1, "{label}: DSS");
        assert_eq!(dss[0].0, "TOTAL_PASSED", "DSS on {label}: {dss:?}");
        let (code, report) = fx.verify(&p7s, Some(&content), true);
        assert_eq!(code, 0, "kyso verify rejects {label}: {report}");
        let sig = &report["signatures"][0];
        assert_eq!(sig["level"], "B-B", "{label}");
        assert_eq!(sig["digestAlgorithm"], *digest, "{label}");
        assert_eq!(
            sig["chain"].as_array().map(Vec::len),
            Some(3),
            "{label}: signer, CA, root"
        );
    }
}

#[test]
fn attached_signature_carries_the_content() {
    let fx = Fixture::full();
    let dir = fx.scratch("attached");
    let content = dir.join("quyet-dinh.txt");
    std::fs::write(&content, "Quyết định số 123/QĐ-UBND").unwrap();
    for signer in ["rsa2048", "p256"] {
        let p7s = dir.join(format!("{signer}.p7s"));
        assert_success(
            &fx.sign_cms(signer, &content, &p7s, &["--attached"]),
            signer,
        );
        assert!(
            fx.openssl_verify(&p7s, None),
            "OpenSSL rejects attached {signer}"
        );
        let dss = fx.dss_verdicts(&p7s, None);
        assert_eq!(
            dss[0].0, "TOTAL_PASSED",
            "DSS on attached {signer}: {dss:?}"
        );
        let (code, report) = fx.verify(&p7s, None, true);
        assert_eq!(code, 0, "{report}");
        // The content is inside: the signature alone is enough.
        let p7s_bytes = std::fs::read(&p7s).unwrap();
        let needle = "Quyết định".as_bytes();
        assert!(p7s_bytes.windows(needle.len()).any(|w| w == needle));
    }
}

#[test]
fn large_file_is_signed_in_a_stream() {
    let fx = Fixture::full();
    let dir = fx.scratch("large");
    let content = dir.join("big.bin");
    let chunk: Vec<u8> = (0..=255u8).cycle().take(1 << 20).collect();
    std::fs::write(&content, chunk.repeat(24)).unwrap();
    let p7s = dir.join("big.p7s");
    assert_success(&fx.sign_cms("rsa2048", &content, &p7s, &[]), "24 MiB");
    assert!(fx.openssl_verify(&p7s, Some(&content)));
    assert!(
        std::fs::metadata(&p7s).unwrap().len() < 16 * 1024,
        "detached stays small"
    );
    let (code, report) = fx.verify(&p7s, Some(&content), true);
    assert_eq!((code, verdict(&report).0.as_str()), (0, "TOTAL_PASSED"));
}
