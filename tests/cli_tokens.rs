//! `kyso tokens`, certificate selection and PIN handling against SoftHSM.

use kyso_tests::{assert_success, run_with_stdin, Fixture};

#[test]
fn tokens_json_lists_certificates_as_the_agent_api_does() {
    let fx = Fixture::full();
    let out = fx.kyso().args(["tokens", "--json"]).output().unwrap();
    assert_success(&out, "kyso tokens --json");
    let typed: kyso_wire::api::certificates::CertificatesResponse =
        serde_json::from_slice(&out.stdout).expect("the agent API's certificate list");
    assert_eq!(typed.certificates.len(), 6);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let certs = v["certificates"].as_array().unwrap();
    // Six signers; the CA certificates on the token are chain, not signers.
    assert_eq!(certs.len(), 6, "{v:#}");
    let p256 = certs
        .iter()
        .find(|c| c["id"] == fx.cert_id("p256"))
        .expect("p256 listed by id");
    assert_eq!(p256["keyType"], "EC");
    assert_eq!(p256["keyBits"], 256);
    assert_eq!(p256["identifiers"]["mst"], "0401234567");
    assert_eq!(p256["identifiers"]["cccd"], "048190005678");
    assert_eq!(p256["token"]["label"], "Kyso Test Token");
    assert_eq!(p256["chain"].as_array().unwrap().len(), 2);
    assert!(p256["subject"]
        .as_str()
        .unwrap()
        .contains("CN=Trần Thị Ánh"));
    let rsa = certs
        .iter()
        .find(|c| c["id"] == fx.cert_id("rsa3072"))
        .unwrap();
    assert_eq!(rsa["keyBits"], 3072);
    assert_eq!(rsa["identifiers"]["mst"], "0301234567-029");
}

#[test]
fn tokens_text_shows_names_with_diacritics() {
    let fx = Fixture::full();
    let out = fx.kyso().arg("tokens").output().unwrap();
    assert_success(&out, "kyso tokens");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Ủy ban nhân dân phường Bến Nghé"), "{text}");
    assert!(text.contains("MST:0301234567-029"), "{text}");
}

#[test]
fn cert_may_be_omitted_only_when_there_is_one() {
    let single = Fixture::single();
    let dir = single.scratch("omit");
    let content = dir.join("a.txt");
    std::fs::write(&content, "một chứng thư").unwrap();
    let p7s = dir.join("a.p7s");
    let mut cmd = single.kyso();
    cmd.args(["sign", "cms"])
        .arg(&content)
        .arg("--out")
        .arg(&p7s)
        .arg("--pin-stdin");
    assert_success(&run_with_stdin(cmd, "12345678\n"), "sign without --cert");
    assert!(single.independently_valid(&p7s, Some(&content)));

    let full = Fixture::full();
    let mut cmd = full.kyso();
    cmd.args(["sign", "cms"])
        .arg(&content)
        .arg("--out")
        .arg(dir.join("b.p7s"))
        .arg("--pin-stdin");
    let out = run_with_stdin(cmd, "12345678\n");
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--cert") && err.contains(&full.cert_id("p256")),
        "{err}"
    );
}

#[test]
fn wrong_pin_and_unknown_certificate_have_stable_codes() {
    let fx = Fixture::full();
    let dir = fx.scratch("pin");
    let content = dir.join("a.txt");
    std::fs::write(&content, "x").unwrap();
    let out = fx.sign_cms_with_pin("rsa2048", &content, &dir.join("a.p7s"), &[], "00000000");
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("[PIN_INCORRECT]"));
    assert!(!dir.join("a.p7s").exists(), "no output on failure");

    let mut vi = fx.kyso();
    vi.env("KYSO_LANG", "vi")
        .args(["sign", "cms"])
        .arg(&content)
        .arg("--out")
        .arg(dir.join("b.p7s"))
        .args(["--cert", "deadbeef:01", "--pin-stdin"]);
    let out = run_with_stdin(vi, "12345678\n");
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("[CERTIFICATE_NOT_FOUND]") && err.contains("Không tìm thấy"),
        "{err}"
    );

    // The token still works after a wrong PIN.
    assert_success(
        &fx.sign_cms("rsa2048", &content, &dir.join("c.p7s"), &[]),
        "right PIN",
    );
}

#[test]
fn missing_module_is_a_clear_error() {
    let fx = Fixture::full();
    let out = fx
        .kyso()
        .args(["tokens", "--module", "/nonexistent/libpkcs11.so"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("[TOKEN_ERROR]"));
}

/// `kyso tokens --json | head`: the reader goes away early; the CLI ends
/// quietly with its own status instead of panicking on the closed pipe.
#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let fx = Fixture::full();
    let mut child = fx
        .kyso()
        .args(["tokens", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Closed before the CLI has loaded the module and written anything, so
    // its first write meets a pipe with no reader (EPIPE).
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "status {:?}: {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}
