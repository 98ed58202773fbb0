//! A SoftHSM2 configuration of our own, so tests never touch the machine's tokens.

use std::path::{Path, PathBuf};

/// Where Debian and other distributions install the SoftHSM2 module.
const MODULE_PATHS: [&str; 3] = [
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
];

/// The SoftHSM2 PKCS#11 module on this machine.
pub fn module_path() -> Result<PathBuf, String> {
    MODULE_PATHS
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .ok_or_else(|| "SoftHSM2 is not installed (apt-get install softhsm2)".to_string())
}

/// Writes `dir/softhsm2.conf` with a token directory `dir/tokens` and returns the
/// configuration's path (the value for `SOFTHSM2_CONF`).
pub fn write_config(dir: &Path) -> Result<PathBuf, String> {
    let tokens = dir.join("tokens");
    std::fs::create_dir_all(&tokens).map_err(|e| format!("{}: {e}", tokens.display()))?;
    let conf = dir.join("softhsm2.conf");
    let text = format!(
        "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = true\n",
        tokens.display()
    );
    std::fs::write(&conf, text).map_err(|e| format!("{}: {e}", conf.display()))?;
    Ok(conf)
}
