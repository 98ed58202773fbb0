use std::path::Path;

use crate::cmd::{self, cargo, Result};
use crate::setup;

pub fn run(ws: &Path) -> Result {
    native(ws)?;
    wasm(ws)
}

fn native(ws: &Path) -> Result {
    cmd::run(cargo(ws).args(["build", "--release", "--workspace"]))
}

/// The page's module: a size-optimised wasm32 build (`wasm-release` profile,
/// simd128 from .cargo/config.toml), then the pinned wasm-bindgen CLI writes
/// the ES-module glue into js-sdk/dist beside the SDK.
pub fn wasm(ws: &Path) -> Result {
    cmd::run(cargo(ws).args([
        "build",
        "--profile",
        "wasm-release",
        "--target",
        "wasm32-unknown-unknown",
        "-p",
        "kyso-wasm",
    ]))?;
    let dist = ws.join("js-sdk").join("dist");
    std::fs::create_dir_all(&dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    cmd::run(
        std::process::Command::new(setup::cargo_bin("wasm-bindgen"))
            .arg(ws.join("target/wasm32-unknown-unknown/wasm-release/kyso_wasm.wasm"))
            .args(["--target", "web", "--out-name", "kyso_wasm", "--out-dir"])
            .arg(&dist),
    )?;
    // The SDK itself is hand-written ES module code: copied as is.
    for file in ["kyso.js", "kyso.d.ts"] {
        let from = ws.join("js-sdk").join("src").join(file);
        std::fs::copy(&from, dist.join(file)).map_err(|e| format!("{}: {e}", from.display()))?;
    }
    let wasm = dist.join("kyso_wasm_bg.wasm");
    let size = std::fs::metadata(&wasm).map(|m| m.len()).unwrap_or(0);
    println!("build: {} ({} KiB)", wasm.display(), size / 1024);
    Ok(())
}
