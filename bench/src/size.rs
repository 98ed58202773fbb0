//! What a page downloads: the SDK's files raw and gzipped (level 9, as a
//! server would send them).

use std::path::Path;

const BUDGET_GZ_KIB: f64 = 350.0;

pub fn run(workspace: &Path) -> Result<String, String> {
    let dist = workspace.join("js-sdk/dist");
    let mut rows = String::new();
    let files = [
        ("kyso.js", "the SDK"),
        ("kyso_wasm.js", "glue of the CMS module"),
        (
            "kyso_wasm_bg.wasm",
            "CMS + verification module (every page)",
        ),
        ("kyso_wasm_pdf.js", "glue of the PAdES module"),
        (
            "kyso_wasm_pdf_bg.wasm",
            "PAdES module (loaded for PDFs only)",
        ),
        (
            "LiberationSerif-Regular.ttf",
            "stamp font (visible PDF signatures only)",
        ),
    ];
    for (name, what) in files {
        let bytes = std::fs::read(dist.join(name)).map_err(|e| {
            format!(
                "{}: {e} (run `cargo xtask build`)",
                dist.join(name).display()
            )
        })?;
        let gz = miniz_oxide::deflate::compress_to_vec(&bytes, 9).len();
        let budget = if name == "kyso_wasm_bg.wasm" {
            format!(
                " (budget {BUDGET_GZ_KIB:.0} KiB: {})",
                if gz as f64 / 1024.0 <= BUDGET_GZ_KIB {
                    "met"
                } else {
                    "MISSED"
                }
            )
        } else {
            String::new()
        };
        rows.push_str(&format!(
            "| `{name}` | {what} | {:.0} KiB | {:.0} KiB{budget} |\n",
            bytes.len() as f64 / 1024.0,
            gz as f64 / 1024.0
        ));
    }
    Ok(format!(
        "## What the page downloads\n\n\
         `js-sdk/dist` after `cargo xtask build` (wasm: `wasm-release` profile, opt-level \"s\", \
         LTO, no wasm-opt). Compressed with DEFLATE level 9, as a web server's gzip would.\n\n\
         | file | what | raw | gzipped |\n|---|---|---|---|\n{rows}"
    ))
}
