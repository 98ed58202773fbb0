//! docs/benchmarks.md holds one section per benchmark between markers, so each
//! benchmark rewrites only its own table.

use std::path::Path;

pub fn write_section(path: &Path, name: &str, body: &str) -> Result<(), String> {
    let begin = format!("<!-- bench:{name} -->");
    let end = format!("<!-- /bench:{name} -->");
    let old = std::fs::read_to_string(path).unwrap_or_else(|_| {
        "# Benchmarks\n\nWritten by `cargo xtask bench`; do not edit the sections by hand.\nEach figure has a peer measured in the same run: compare ratios, not absolute times.\n\n".into()
    });
    let block = format!("{begin}\n{body}\n{end}");
    let new = match (old.find(&begin), old.find(&end)) {
        (Some(b), Some(e)) if e > b => format!("{}{}{}", &old[..b], block, &old[e + end.len()..]),
        _ => format!("{}\n{}\n", old.trim_end(), block),
    };
    std::fs::write(path, new).map_err(|e| format!("{}: {e}", path.display()))
}
