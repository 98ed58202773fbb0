//! A token of the `ltv` set whose certificates point (AIA, CRL distribution
//! points) at loopback responders started for the test: a TSA, an OCSP
//! responder and CRLs over HTTP (`kyso_testkit::ltv::Responders`), all on
//! 127.0.0.1.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use kyso_testkit::ltv::{free_ports, Responders};
use serde_json::json;

use crate::{bin, dss, python, Fixture};

/// A freshly provisioned `ltv` token and its running responders, private
/// to the calling test (`name` tells the fixtures of one binary apart).
pub fn fixture(name: &str) -> (Fixture, Responders) {
    let test_name = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.file_stem().and_then(|s| s.to_str()).map(String::from))
        .unwrap_or_else(|| "test".into());
    let dir = std::env::temp_dir()
        .join("kyso-tests")
        .join(format!("{test_name}-ltv-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("fixture dir");
    let ports = free_ports(2).expect("ports");
    let front = format!("http://127.0.0.1:{}", ports[0]);
    let ocsp = format!("http://127.0.0.1:{}", ports[1]);
    let manifest = kyso_testkit::provision_with(
        &bin("kyso-testkit"),
        &dir,
        "ltv",
        &["--responders", &front, "--ocsp", &ocsp],
    )
    .unwrap_or_else(|e| panic!("provisioning failed: {e}"));
    let responders = Responders::start(&manifest).expect("responders");
    (Fixture { dir, manifest }, responders)
}

/// Asserts that OpenSSL verifies the time-stamp token in `token` (DER) over
/// `imprint` — `["-data", FILE]` or `["-digest", HEX]` — trusting `fx`'s
/// root, with its intermediate as the TSA's issuer.
pub fn assert_openssl_ts_verifies<S: AsRef<OsStr>>(fx: &Fixture, token: &Path, imprint: &[S]) {
    let out = Command::new("openssl")
        .args(["ts", "-verify", "-token_in", "-in"])
        .arg(token)
        .args(imprint)
        .arg("-CAfile")
        .arg(&fx.manifest.root_pem)
        .arg("-untrusted")
        .arg(&fx.manifest.intermediate_pem)
        .output()
        .expect("run openssl");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Verification: OK"),
        "openssl ts -verify: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// EU DSS with its own default policy (revocation data required), offline:
/// no AIA, OCSP or CRL source but what the file carries.
pub fn dss_default(fx: &Fixture, file: &Path, content: Option<&Path>) -> serde_json::Value {
    let mut request = json!({
        "cmd": "validate", "file": file,
        "trust": [&fx.manifest.root_pem], "policy": "default",
    });
    if let Some(c) = content {
        request["content"] = json!(c);
    }
    dss::request(request)
}

/// pyHanko's AdES long-term validation (EN 319 102-1 §5.6.3, §5.5 for a
/// signature no document time-stamp covers) of every signature in `pdf`,
/// trusting only the test root and fetching nothing: whether all PASSED, and
/// its JSON lines with, on failure, pyHanko's full report.
pub fn pyhanko_ades(fx: &Fixture, pdf: &Path) -> (bool, String) {
    let out = std::process::Command::new(python())
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("support/pyhanko_ltv.py"))
        .arg(pdf)
        .arg(&fx.manifest.root_pem)
        .output()
        .expect("run pyhanko_ltv.py");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// `kyso sign cms|pdf INPUT --out OUT --level LEVEL --tsa TSA` with `signer`'s
/// key and the PIN on standard input.
pub fn kyso_sign(
    fx: &Fixture,
    format: &str,
    signer: &str,
    input: &Path,
    out: &Path,
    level: &str,
    tsa: &str,
) -> std::process::Output {
    let mut cmd = fx.kyso();
    cmd.args(["sign", format])
        .arg(input)
        .arg("--out")
        .arg(out)
        .args(["--cert", &fx.cert_id(signer), "--pin-stdin"])
        .args(["--level", level, "--tsa", tsa]);
    crate::run_with_stdin(cmd, &format!("{}\n", fx.manifest.pin))
}
