use std::path::Path;

use crate::cmd::{self, cargo, Result};
use crate::setup;

pub fn run(ws: &Path, cargo_test_args: &[String]) -> Result {
    setup::run(ws)?;
    fmt(ws)?;
    clippy(ws)?;
    wasm(ws)?;
    binaries(ws)?;
    cargo_test(ws, cargo_test_args)
}

/// The end-to-end tests run the real `kyso` and `kyso-testkit` executables;
/// `cargo test` alone builds binaries only as test harnesses.
fn binaries(ws: &Path) -> Result {
    cmd::run(cargo(ws).args(["build", "--workspace", "--bins"]))
}

fn fmt(ws: &Path) -> Result {
    cmd::run(cargo(ws).args(["fmt", "--all", "--", "--check"]))
}

fn clippy(ws: &Path) -> Result {
    cmd::run(cargo(ws).args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))
}

/// core must stay free of I/O and clocks; building it for wasm is what proves it.
fn wasm(ws: &Path) -> Result {
    cmd::run(cargo(ws).args([
        "build",
        "-p",
        "kyso-core",
        "-p",
        "kyso-wasm",
        "--target",
        "wasm32-unknown-unknown",
    ]))
}

fn cargo_test(ws: &Path, extra: &[String]) -> Result {
    let venv = setup::venv(ws);
    let artifacts = ws.join("target").join("artifacts");
    std::fs::create_dir_all(&artifacts)
        .map_err(|e| format!("cannot create {}: {e}", artifacts.display()))?;
    cmd::run(
        cargo(ws)
            .args(["test", "--workspace"])
            .args(extra)
            .env("KYSO_PYHANKO", venv.join("bin").join("pyhanko"))
            .env("KYSO_PYTHON", venv.join("bin").join("python"))
            .env("KYSO_ARTIFACTS", &artifacts),
    )
}
