//! Long-term-signature fixtures: a token provisioned with the `ltv` set,
//! whose certificates point at loopback responders (an `openssl ts` TSA, an
//! OpenSSL OCSP responder, CRLs over HTTP) started for the test.

use std::path::Path;

use kyso_testkit::ltv::{free_ports, Responders};
use serde_json::json;

use crate::{bin, dss, python, Fixture};

/// A fresh `ltv` token in its own directory, with its responders running.
pub fn fixture(test: &str, name: &str) -> (Fixture, Responders) {
    let dir = std::env::temp_dir()
        .join("kyso-tests")
        .join(format!("{test}-{name}-{}", std::process::id()));
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
