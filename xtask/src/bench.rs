use std::path::Path;

use crate::cmd::{self, cargo, Result};
use crate::setup;

/// Release builds of the agent, the provisioner, the page bundle and the
/// benchmark driver, then the driver itself, which rewrites its sections of
/// docs/benchmarks.md.
pub fn run(ws: &Path, extra: &[String]) -> Result {
    setup::run(ws)?;
    crate::build::wasm(ws)?;
    cmd::run(cargo(ws).args([
        "build",
        "--release",
        "-p",
        "kyso-agent",
        "-p",
        "kyso-cli",
        "-p",
        "kyso-testkit",
        "-p",
        "kyso-bench",
    ]))?;
    cmd::run(
        std::process::Command::new(ws.join("target/release/kyso-bench"))
            .args(extra)
            .current_dir(ws),
    )
}
