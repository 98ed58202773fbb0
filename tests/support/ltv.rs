//! A token of the `ltv` set whose certificates point (AIA, CRL distribution
//! points) at loopback responders started for the test: a TSA, an OCSP
//! responder and CRLs over HTTP (`kyso_testkit::ltv::Responders`), all on
//! 127.0.0.1.

use kyso_testkit::ltv::{free_ports, Responders};

use crate::{bin, Fixture};

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
