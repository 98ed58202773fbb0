//! PAdES B-T, B-LT and B-LTA made by `kyso sign pdf --level` and `kyso
//! extend`, against real loopback servers, judged by Kyso and EU DSS (default
//! policy, nothing fetched); after B-LT
//! the responders are stopped and the files must still validate.

use std::path::Path;
use std::process::Command;

use kyso_tests::{ltv, pyhanko, Fixture};

fn sign_pdf(fx: &Fixture, input: &Path, out: &Path, level: &str, tsa: &str) {
    sign_pdf_as(fx, "ltv", input, out, level, tsa)
}

fn sign_pdf_as(fx: &Fixture, signer: &str, input: &Path, out: &Path, level: &str, tsa: &str) {
    let res = ltv::kyso_sign(fx, "pdf", signer, input, out, level, tsa);
    assert!(
        res.status.success(),
        "kyso sign pdf: {}",
        String::from_utf8_lossy(&res.stderr)
    );
}

fn kyso_level(fx: &Fixture, pdf: &Path) -> (i32, serde_json::Value) {
    let (code, report) = fx.verify(pdf, None, true);
    (code, report)
}

#[test]
fn every_level_is_made_and_each_validator_agrees_offline() {
    let (fx, mut responders) = ltv::fixture("levels");
    let tsa = responders.entry().tsa_url.clone();
    let dir = fx.scratch("levels");
    let input = kyso_tests::pdf::one_page(&dir);
    let mut made = Vec::new();
    for level in ["B-T", "B-LT", "B-LTA"] {
        let out = dir.join(format!("{level}.pdf"));
        sign_pdf(&fx, &input, &out, level, &tsa);
        made.push((level, out));
    }
    // Everything below is judged with the responders gone.
    responders.stop();
    for (level, pdf) in &made {
        let (code, report) = kyso_level(&fx, pdf);
        let sig = &report["signatures"][0];
        assert_eq!(
            (code, sig["level"].as_str()),
            (0, Some(*level)),
            "{level}: {report:#}"
        );
        // B-T carries no revocation data: DSS's default policy requires it,
        // so B-T is judged under the tests' policy that only warns.
        let dss = if *level == "B-T" {
            kyso_tests::dss::validate(pdf, None, &[&fx.manifest.root_pem])
        } else {
            ltv::dss_default(&fx, pdf, None)
        };
        let s = &dss["signatures"][0];
        assert_eq!(s["indication"], "TOTAL_PASSED", "{level}: {dss:#}");
        assert_eq!(
            s["signatureFormat"].as_str(),
            Some(format!("PAdES-BASELINE-{}", &level[2..]).as_str()),
            "{level}: {dss:#}"
        );
    }
    // pyHanko's AdES process, also offline, on the long-term levels.
    for (level, pdf) in &made[1..] {
        let (ok, text) = ltv::pyhanko_ades(&fx, pdf);
        assert!(ok, "pyHanko on {level}: {text}");
    }
}

fn extend(fx: &Fixture, input: &Path, out: &Path, level: &str, tsa: &str) {
    let res = fx
        .kyso()
        .arg("extend")
        .arg(input)
        .arg("--out")
        .arg(out)
        .args(["--level", level, "--tsa", tsa])
        .output()
        .unwrap();
    assert!(
        res.status.success(),
        "kyso extend: {}",
        String::from_utf8_lossy(&res.stderr)
    );
    // The earlier revisions are untouched.
    let (before, after) = (std::fs::read(input).unwrap(), std::fs::read(out).unwrap());
    assert!(after.starts_with(&before));
}

fn valid_doc_timestamps(report: &serde_json::Value) -> usize {
    report["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["level"] == "DOC-TIMESTAMP" && s["indication"] == "TOTAL_PASSED")
        .count()
}

#[test]
fn signed_pdfs_are_extended_to_b_lta_and_renewed() {
    let (fx, mut responders) = ltv::fixture("extend");
    let tsa = responders.entry().tsa_url.clone();
    let dir = fx.scratch("extend");
    let input = kyso_tests::pdf::one_page(&dir);

    // B-B: the document time-stamp over the /DSS is its proof of existence
    // (EN 319 142-1 allows it for B-T), so it becomes B-LTA in one step.
    let bb = dir.join("b-b.pdf");
    sign_pdf(&fx, &input, &bb, "B-B", &tsa);
    let (bb_lta, bb_renewed) = (dir.join("b-b-lta.pdf"), dir.join("b-b-renewed.pdf"));
    extend(&fx, &bb, &bb_lta, "B-LTA", &tsa);
    extend(&fx, &bb_lta, &bb_renewed, "B-LTA", &tsa);

    // B-T: what pyHanko can judge too (it insists on a signature time-stamp
    // in the CMS, ades.py "No signature timestamp present").
    let bt = dir.join("b-t.pdf");
    sign_pdf(&fx, &input, &bt, "B-T", &tsa);
    let (bt_lta, bt_renewed) = (dir.join("b-t-lta.pdf"), dir.join("b-t-renewed.pdf"));
    extend(&fx, &bt, &bt_lta, "B-LTA", &tsa);
    extend(&fx, &bt_lta, &bt_renewed, "B-LTA", &tsa);

    // Another tool's signature: pyHanko (its PKCS#11 signer, the same token
    // key) with its own time-stamp from the same TSA.
    let foreign = dir.join("pyhanko-b-t.pdf");
    let out = Command::new(pyhanko())
        .env("SOFTHSM2_CONF", &fx.manifest.softhsm2_conf)
        .env("PYHANKO_PKCS11_PIN", &fx.manifest.pin)
        .args([
            "sign",
            "addsig",
            "--field",
            "Sig1",
            "--timestamp-url",
            &tsa,
            "--use-pades",
        ])
        .args(["pkcs11", "--lib"])
        .arg(&fx.manifest.module)
        .args(["--token-label", fx.manifest.tokens[0].label.as_str()])
        .args(["--cert-label", "ltv", "--key-label", "ltv"])
        .arg("--other-cert-file")
        .arg(&fx.manifest.intermediate_pem)
        .arg(&input)
        .arg(&foreign)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pyhanko addsig: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let foreign_lta = dir.join("pyhanko-lta.pdf");
    extend(&fx, &foreign, &foreign_lta, "B-LTA", &tsa);

    // Judged with what the files carry.
    responders.stop();
    for (pdf, stamps) in [
        (&foreign_lta, 1),
        (&bb_lta, 1),
        (&bb_renewed, 2),
        (&bt_lta, 1),
        (&bt_renewed, 2),
    ] {
        let (code, report) = kyso_level(&fx, pdf);
        let sig = &report["signatures"][0];
        assert_eq!(
            (code, sig["level"].as_str(), valid_doc_timestamps(&report)),
            (0, Some("B-LTA"), stamps),
            "{}: {report:#}",
            pdf.display()
        );
        let dss = ltv::dss_default(&fx, pdf, None);
        assert_eq!(
            dss["signatures"][0]["indication"],
            "TOTAL_PASSED",
            "{}: {dss:#}",
            pdf.display()
        );
    }
    for pdf in [&bt_renewed, &foreign_lta] {
        let (ok, text) = ltv::pyhanko_ades(&fx, pdf);
        assert!(ok, "pyHanko on {}: {text}", pdf.display());
    }
}

#[test]
fn signed_before_the_revocation_with_a_time_stamp_stays_valid_without_it_does_not() {
    let (fx, mut responders) = ltv::fixture("revoked");
    let tsa = responders.entry().tsa_url.clone();
    let dir = fx.scratch("revoked");
    let input = kyso_tests::pdf::one_page(&dir);
    let (bt, bb) = (dir.join("b-t.pdf"), dir.join("b-b.pdf"));
    sign_pdf_as(&fx, "ltv-revoked", &input, &bt, "B-T", &tsa);
    sign_pdf_as(&fx, "ltv-revoked", &input, &bb, "B-B", &tsa);
    // Revocation times have one-second precision.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let cert = fx.manifest.signer("ltv-revoked").cert_pem.clone();
    responders.revoke(&cert, "keyCompromise").expect("revoke");

    let online = |pdf: &Path| {
        let out = fx
            .kyso()
            .arg("verify")
            .arg(pdf)
            .args(["--json", "--online", "--trust"])
            .arg(&fx.manifest.root_pem)
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code(), report)
    };
    let (code, report) = online(&bt);
    let sig = &report["signatures"][0];
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(sig["revocation"][0]["status"], "REVOKED", "{sig:#}");
    assert_eq!(sig["revocation"][0]["origin"], "ONLINE", "{sig:#}");
    let (code, report) = online(&bb);
    let sig = &report["signatures"][0];
    assert_eq!(code, Some(2), "{report:#}");
    assert_eq!(sig["subIndication"], "REVOKED_NO_POE", "{sig:#}");

    // The time-stamped one is extended after the revocation and still holds
    // offline, for Kyso and for DSS: its proof of existence predates it.
    let lt = dir.join("b-lt.pdf");
    let out = fx
        .kyso()
        .arg("extend")
        .arg(&bt)
        .arg("--out")
        .arg(&lt)
        .args(["--level", "B-LT"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kyso extend: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    responders.stop();
    let (code, report) = fx.verify(&lt, None, true);
    let sig = &report["signatures"][0];
    assert_eq!(
        (code, sig["level"].as_str()),
        (0, Some("B-LT")),
        "{report:#}"
    );
    assert_eq!(sig["revocation"][0]["status"], "REVOKED");
    let dss = ltv::dss_default(&fx, &lt, None);
    assert_eq!(
        dss["signatures"][0]["indication"], "TOTAL_PASSED",
        "{dss:#}"
    );
}
