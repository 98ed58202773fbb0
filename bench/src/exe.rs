//! The other programs of the workspace, built beside this one.

use std::path::PathBuf;

/// A binary built beside this one.
pub(crate) fn sibling(name: &str) -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let path = exe
        .parent()
        .ok_or("no exe dir")?
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if path.exists() {
        Ok(path)
    } else {
        Err(format!(
            "{} missing: build with `cargo xtask bench`",
            path.display()
        ))
    }
}
