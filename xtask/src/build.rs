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
    let dist = ws.join("js-sdk").join("dist");
    std::fs::create_dir_all(&dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    // Two modules from one crate: the CMS one every page loads, and the one
    // with PAdES that the SDK loads only for PDFs (it is twice the size).
    for (name, features) in [("kyso_wasm", ""), ("kyso_wasm_pdf", "pdf")] {
        cmd::run(cargo(ws).args([
            "build",
            "--profile",
            "wasm-release",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "kyso-wasm",
            "--features",
            features,
        ]))?;
        cmd::run(
            std::process::Command::new(setup::cargo_bin("wasm-bindgen"))
                .arg(ws.join("target/wasm32-unknown-unknown/wasm-release/kyso_wasm.wasm"))
                .args(["--target", "web", "--out-name", name, "--out-dir"])
                .arg(&dist),
        )?;
    }
    // The SDK itself is hand-written ES module code: copied as is; the stamp
    // font (fetched by signPdf for visible signatures) and its licence beside it.
    let sources = [
        ws.join("js-sdk/src/kyso.js"),
        ws.join("js-sdk/src/kyso.d.ts"),
        ws.join("core/fonts/LiberationSerif-Regular.ttf"),
        ws.join("core/fonts/LICENSE-LiberationSerif.txt"),
    ];
    for from in sources {
        let name = from.file_name().unwrap_or_default();
        std::fs::copy(&from, dist.join(name)).map_err(|e| format!("{}: {e}", from.display()))?;
    }
    for name in ["kyso_wasm_bg.wasm", "kyso_wasm_pdf_bg.wasm"] {
        let wasm = dist.join(name);
        let size = std::fs::metadata(&wasm).map(|m| m.len()).unwrap_or(0);
        println!("build: {} ({} KiB)", wasm.display(), size / 1024);
    }
    Ok(())
}
