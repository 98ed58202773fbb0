//! `kyso verify` against signatures made by independent implementations:
//! OpenSSL (DER, and BER with -stream) and pyHanko.

use std::path::Path;
use std::process::Command;

use kyso_tests::{assert_success, python, verdict, Fixture};

fn openssl_sign(fx: &Fixture, signer: &str, content: &Path, out: &Path, extra: &[&str]) {
    let s = fx.manifest.signer(signer);
    let chain = if signer == "foreign" {
        fx.dir.join("foreign-intermediate.pem")
    } else {
        fx.manifest.intermediate_pem.clone()
    };
    let o = Command::new("openssl")
        .args([
            "cms", "-sign", "-binary", "-outform", "DER", "-md", "sha256", "-in",
        ])
        .arg(content)
        .arg("-signer")
        .arg(&s.cert_pem)
        .arg("-inkey")
        .arg(s.key_pem.as_ref().unwrap())
        .arg("-certfile")
        .arg(&chain)
        .arg("-out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    assert_success(&o, "openssl cms -sign");
}

#[test]
fn openssl_der_and_ber_signatures_are_accepted_and_tampering_is_caught() {
    let fx = Fixture::full();
    let dir = fx.scratch("openssl");
    let content = dir.join("hop-dong.txt");
    std::fs::write(&content, "Hợp đồng mua bán — bên A, bên B").unwrap();
    let variants: &[(&str, &[&str])] = &[
        ("der-detached", &[]),
        ("der-cades", &["-cades"]),
        ("ber-stream-attached", &["-stream", "-nodetach"]),
        // OpenSSL 3.0 embeds the content with -stream even without -nodetach.
        ("ber-stream", &["-stream"]),
    ];
    for (name, extra) in variants {
        let p7s = dir.join(format!("{name}.p7s"));
        openssl_sign(fx, "software", &content, &p7s, extra);
        let attached = extra.contains(&"-stream");
        if name.starts_with("ber") {
            // Indefinite length somewhere in the first bytes: really BER.
            assert_eq!(std::fs::read(&p7s).unwrap()[1], 0x80, "{name} is BER");
        }
        let content_arg = (!attached).then_some(content.as_path());
        let (code, report) = fx.verify(&p7s, content_arg, true);
        assert_eq!(code, 0, "{name}: {report}");
        // Naming the right content explicitly is fine for attached ones too.
        assert_eq!(
            fx.verify(&p7s, Some(&content), true).0,
            0,
            "{name} with --content"
        );
        let level = report["signatures"][0]["level"].as_str().unwrap();
        assert_eq!(
            level,
            if *name == "der-cades" { "B-B" } else { "CMS" },
            "{name}"
        );
        assert!(report["signatures"][0]["claimedSigningTime"].is_string());

        // Asking about other content fails, whether the signature is detached or
        // embeds the content it really signed.
        {
            let other = dir.join(format!("{name}.other.txt"));
            std::fs::write(&other, "Hợp đồng mua bán — bên A, bên C").unwrap();
            let (code, report) = fx.verify(&p7s, Some(&other), true);
            assert_eq!(code, 1, "{name} tampered");
            assert_eq!(verdict(&report).1, "HASH_FAILURE");
        }
    }
}

#[test]
fn foreign_pki_is_untrusted_until_its_root_is_given() {
    let fx = Fixture::full();
    let dir = fx.scratch("foreign");
    let content = dir.join("doc.txt");
    std::fs::write(&content, "văn bản").unwrap();
    let p7s = dir.join("foreign.p7s");
    openssl_sign(fx, "foreign", &content, &p7s, &[]);
    let (code, report) = fx.verify(&p7s, Some(&content), true);
    assert_eq!(code, 2);
    assert_eq!(verdict(&report).1, "NO_CERTIFICATE_CHAIN_FOUND");

    let out = fx
        .kyso()
        .arg("verify")
        .arg(&p7s)
        .arg("--content")
        .arg(&content)
        .arg("--trust")
        .arg(fx.dir.join("foreign-root.pem"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn pyhanko_signatures_are_accepted_and_tampering_is_caught() {
    let fx = Fixture::full();
    let dir = fx.scratch("pyhanko");
    let content = dir.join("bien-ban.txt");
    std::fs::write(&content, "Biên bản nghiệm thu").unwrap();
    let p7s = dir.join("pyhanko.p7s");
    let s = fx.manifest.signer("software");
    let o = Command::new(python())
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("support/pyhanko_sign.py"))
        .arg(s.key_pem.as_ref().unwrap())
        .arg(&s.cert_pem)
        .arg(&fx.manifest.intermediate_pem)
        .arg(&content)
        .arg(&p7s)
        .output()
        .unwrap();
    assert_success(&o, "pyhanko sign");
    let (code, report) = fx.verify(&p7s, Some(&content), true);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["signatures"][0]["level"], "B-B");

    std::fs::write(&content, "Biên bản nghiệm thu (sửa)").unwrap();
    let (code, report) = fx.verify(&p7s, Some(&content), true);
    assert_eq!(code, 1);
    assert_eq!(verdict(&report).1, "HASH_FAILURE");
}
