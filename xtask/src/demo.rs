use std::path::Path;

use crate::cmd::{self, cargo, Result};
use crate::setup;

const SOFTHSM_MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";

pub fn run(ws: &Path) -> Result {
    setup::run(ws)?;
    cmd::run(cargo(ws).args(["build", "--release", "-p", "kyso-agent"]))?;
    let dir = ws.join("target").join("demo");
    provision(ws, &dir)?;
    let pin_file = dir.join("pin.txt");
    let pin = std::fs::read_to_string(&pin_file)
        .map_err(|e| format!("the provisioner left no PIN in {}: {e}", pin_file.display()))?;
    print_usage(ws, &dir, pin.trim());
    Ok(())
}

fn provision(ws: &Path, dir: &Path) -> Result {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    cmd::run(
        cargo(ws)
            .args([
                "run",
                "--release",
                "-p",
                "kyso-testkit",
                "--bin",
                "kyso-testkit",
            ])
            .args(["--", "provision", "--dir"])
            .arg(dir),
    )
}

fn print_usage(ws: &Path, dir: &Path, pin: &str) {
    let conf = dir.join("softhsm2.conf");
    let rel = dir.strip_prefix(ws).unwrap_or(dir);
    let sig = rel.join("README.md.p7s");
    let root = rel.join("root.pem");
    println!(
        "
Demo token ready in {dir}. User PIN: {pin}

  cd {ws}
  export SOFTHSM2_CONF={conf} KYSO_PKCS11_MODULE={SOFTHSM_MODULE}
  target/release/kyso tokens
  target/release/kyso sign cms README.md --out {sig} --cert ID
  target/release/kyso verify {sig} --content README.md --trust {root}

ID is a certificate id printed by `kyso tokens`; `sign` asks for the PIN
(or reads it from standard input with --pin-stdin). `verify` exits 0 when the
signature is TOTAL_PASSED.

The loopback agent is `target/release/kyso-agent` (docs/agent-api.md). Its
default dialog approver asks in the `kyso-dialog` window (a graphical session
is needed); the demo web site arrives with later work.",
        dir = dir.display(),
        ws = ws.display(),
        conf = conf.display(),
        sig = sig.display(),
        root = root.display(),
    );
}
