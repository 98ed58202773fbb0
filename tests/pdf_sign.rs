//! `kyso sign pdf` on PDFs from independent writers, checked by pdfsig,
//! pyHanko and `kyso verify`: a leader's approval then the clerk's issuing
//! signature (Decree 30), each valid, trusted and intact.

use std::path::Path;

use kyso_tests::pdf::{self, CorpusFile};
use kyso_tests::{assert_success, Fixture};

fn images(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let (sig, seal) = (dir.join("chu-ky.png"), dir.join("con-dau.png"));
    pdf::test_png(&sig, false);
    pdf::test_png(&seal, true);
    (sig, seal)
}

#[test]
fn approved_then_issued_on_every_writer() {
    let fx = Fixture::full();
    let dir = fx.scratch("pdf-corpus");
    let (sig_png, seal_png) = images(&dir);
    for CorpusFile { name, path } in pdf::corpus(fx) {
        let original = std::fs::read(path).unwrap();
        let approved = dir.join(format!("{name}-1-approved.pdf"));
        let out = pdf::kyso_sign_pdf(
            fx,
            "rsa2048",
            path,
            &approved,
            &[
                "--role",
                "approved",
                "--image",
                sig_png.to_str().unwrap(),
                "--reason",
                "Phê duyệt",
            ],
        );
        assert_success(&out, &format!("{name}: sign approved"));
        let after_one = std::fs::read(&approved).unwrap();
        assert_eq!(
            &after_one[..original.len()],
            &original[..],
            "{name}: original bytes kept"
        );
        pdf::assert_all_valid(fx, &approved, 1, &format!("{name} approved"));

        let issued = dir.join(format!("{name}-2-issued.pdf"));
        let out = pdf::kyso_sign_pdf(
            fx,
            "p256",
            &approved,
            &issued,
            &[
                "--role",
                "issued",
                "--seal",
                seal_png.to_str().unwrap(),
                "--doc-number",
                "12/QĐ-UBND",
                "--issued-date",
                "25/11/2026",
            ],
        );
        assert_success(&out, &format!("{name}: sign issued"));
        let after_two = std::fs::read(&issued).unwrap();
        assert_eq!(
            &after_two[..after_one.len()],
            &after_one[..],
            "{name}: first signature's bytes kept"
        );
        pdf::assert_all_valid(fx, &issued, 2, &format!("{name} approved+issued"));
        let (_, report) = fx.verify(&issued, None, true);
        let first = &report["signatures"][0];
        assert_eq!(
            first["pdf"]["revision"],
            first["pdf"]["revisions"].as_u64().unwrap() - 1
        );
        assert_eq!(first["pdf"]["modifications"], serde_json::json!([]));
        assert!(first["warnings"]
            .to_string()
            .contains("PDF_LATER_REVISIONS"));

        let png = pdf::render_artifact(&issued, 1, &format!("pdf-{name}-approved-issued"));
        assert!(std::fs::metadata(&png).unwrap().len() > 1000);
    }
}

#[test]
fn copy_appendix_incoming_and_invisible() {
    let fx = Fixture::full();
    let dir = fx.scratch("pdf-roles");
    let input = &pdf::corpus(fx)[0].path;
    let mut current = input.to_path_buf();
    for (i, (signer, args)) in [
        (
            "rsa2048",
            vec![
                "--role",
                "copy",
                "--doc-number",
                "15/SY-UBND",
                "--organization",
                "Ủy ban nhân dân phường Bến Nghé",
            ],
        ),
        (
            "p256",
            vec![
                "--role",
                "appendix",
                "--page",
                "1",
                "--rect",
                "300,400,200,60",
            ],
        ),
        (
            "rsa3072",
            vec![
                "--role",
                "incoming",
                "--doc-number",
                "245",
                "--issued-date",
                "26/11/2026",
            ],
        ),
        ("p384", vec![]),
    ]
    .into_iter()
    .enumerate()
    {
        let out_path = dir.join(format!("roles-{i}.pdf"));
        let out = pdf::kyso_sign_pdf(fx, signer, &current, &out_path, &args);
        assert_success(&out, &format!("{args:?}"));
        current = out_path;
    }
    pdf::assert_all_valid(fx, &current, 4, "copy+appendix+incoming+invisible");
    pdf::render_artifact(&current, 1, "pdf-copy-appendix-incoming");
}

#[test]
fn a_pyhanko_signed_pdf_gets_a_second_signature() {
    let fx = Fixture::full();
    let dir = fx.scratch("pdf-pyhanko");
    let input = &pdf::corpus(fx)[0].path;
    let by_pyhanko = dir.join("pyhanko.pdf");
    pdf::pyhanko_signed(fx, input, &by_pyhanko);
    let (code, report) = fx.verify(&by_pyhanko, None, true);
    assert_eq!(
        code, 0,
        "kyso verify accepts pyHanko's signature: {report:#}"
    );
    let both = dir.join("both.pdf");
    let out = pdf::kyso_sign_pdf(fx, "rsa2048", &by_pyhanko, &both, &["--role", "approved"]);
    assert_success(&out, "sign after pyHanko");
    pdf::assert_all_valid(fx, &both, 2, "pyHanko then kyso");
}

#[test]
fn unsignable_inputs_get_clear_errors_and_no_output() {
    let fx = Fixture::full();
    let dir = fx.scratch("pdf-bad");
    let good = &pdf::corpus(fx)[0].path;
    let bytes = std::fs::read(good).unwrap();
    let encrypted = dir.join("encrypted.pdf");
    let out = std::process::Command::new("qpdf")
        .args(["--encrypt", "user", "owner", "256", "--"])
        .arg(good)
        .arg(&encrypted)
        .output()
        .unwrap();
    assert!(out.status.success());
    let truncated = dir.join("truncated.pdf");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let garbage = dir.join("garbage.pdf");
    std::fs::write(&garbage, b"hello, this is not a PDF").unwrap();
    for (file, code, extra) in [
        (&encrypted, "PDF_ENCRYPTED", vec![]),
        (&truncated, "PDF_MALFORMED", vec![]),
        (&garbage, "PDF_MALFORMED", vec![]),
        (good, "PDF_PAGE_NOT_FOUND", vec!["--page", "99"]),
        (good, "BAD_REQUEST", vec!["--role", "boss"]),
    ] {
        let out_path = dir.join("out.pdf");
        let _ = std::fs::remove_file(&out_path);
        let out = pdf::kyso_sign_pdf(fx, "rsa2048", file, &out_path, &extra);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{}: {stderr}", file.display());
        assert!(
            stderr.contains(code),
            "{} {extra:?}: expected {code}: {stderr}",
            file.display()
        );
        assert!(!out_path.exists(), "nothing written for {}", file.display());
    }

    // A wrong PIN: the token refuses, nothing is written.
    let out_path = dir.join("wrong-pin.pdf");
    let mut cmd = fx.kyso();
    cmd.args(["sign", "pdf"])
        .arg(good)
        .arg("--out")
        .arg(&out_path)
        .args(["--cert", &fx.cert_id("rsa2048"), "--pin-stdin"]);
    let out = kyso_tests::run_with_stdin(cmd, "00000000\n");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("PIN_INCORRECT"), "{stderr}");
    assert!(!out_path.exists());
}

/// A document certified by another tool: with form fill-in allowed (P=2) an
/// invisible signature may be added and the certification stays intact (a
/// new visible field is refused, as pyHanko's policy would reject it); with
/// no change allowed (P=1) kyso refuses to sign rather than break it.
#[test]
fn certified_documents_are_respected() {
    let fx = Fixture::full();
    let dir = fx.scratch("pdf-certified");
    let input = &pdf::corpus(fx)[0].path;

    let p2 = dir.join("certified-p2.pdf");
    pdf::pyhanko_certified(fx, input, &p2, "FILL_FORMS");
    let signed = dir.join("certified-p2-signed.pdf");
    let out = pdf::kyso_sign_pdf(fx, "rsa2048", &p2, &signed, &["--role", "approved"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("PDF_CERTIFIED_NO_VISIBLE_FIELD"),
        "{stderr}"
    );
    assert!(!signed.exists());
    assert_success(
        &pdf::kyso_sign_pdf(fx, "rsa2048", &p2, &signed, &[]),
        "sign a P=2 certified PDF invisibly",
    );
    pdf::assert_all_valid(fx, &signed, 2, "certified P=2 then signed");
    let (_, report) = fx.verify(&signed, None, true);
    assert_eq!(report["signatures"][0]["pdf"]["certificationLevel"], 2);

    let p1 = dir.join("certified-p1.pdf");
    pdf::pyhanko_certified(fx, input, &p1, "NO_CHANGES");
    let refused = dir.join("certified-p1-signed.pdf");
    let out = pdf::kyso_sign_pdf(fx, "rsa2048", &p1, &refused, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("PDF_CERTIFIED_NO_CHANGES"), "{stderr}");
    assert!(!refused.exists());
    let (code, report) = fx.verify(&p1, None, true);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["signatures"][0]["pdf"]["certificationLevel"], 1);
}
