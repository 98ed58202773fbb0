//! Where PKCS#11 modules of the tokens used in Vietnam are installed, per OS.
//! An explicit `--module`, the admin config or `$KYSO_PKCS11_MODULE` wins; these
//! paths are only tried when nothing was named.

use std::path::PathBuf;

/// The environment variable naming a module.
pub const ENV_MODULE: &str = "KYSO_PKCS11_MODULE";

#[cfg(windows)]
const KNOWN: &[&str] = &[
    r"C:\Windows\System32\vnptca_p11_v8.dll",
    r"C:\Windows\System32\vnpt-ca_csp11.dll",
    r"C:\Windows\System32\viettel-ca_v6.dll",
    r"C:\Windows\System32\BkavCA.dll",
    r"C:\Windows\System32\fpt-ca.dll",
    r"C:\Windows\System32\eps2003csp11.dll",
    r"C:\Windows\System32\eTPKCS11.dll",
    r"C:\Windows\System32\gclib.dll",
    r"C:\Windows\System32\ShuttleCsp11_3003.dll",
    r"C:\Windows\System32\bit4xpki.dll",
];

#[cfg(target_os = "macos")]
const KNOWN: &[&str] = &[
    "/usr/local/lib/libbit4xpki.dylib",
    "/Library/Frameworks/eToken.framework/Versions/Current/libeToken.dylib",
    "/usr/local/lib/libcastle.1.0.0.dylib",
    "/Library/OpenSC/lib/opensc-pkcs11.so",
];

#[cfg(all(unix, not(target_os = "macos")))]
const KNOWN: &[&str] = &[
    "/usr/lib/libbit4xpki.so",
    "/usr/lib/libeTPkcs11.so",
    "/usr/lib/libcastle.so.1.0.0",
    "/usr/lib/libshuttle_p11v220.so.1.0.0",
    "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
];

/// The modules to load: `explicit` if given, else `$KYSO_PKCS11_MODULE`, else the
/// known vendor paths that exist on this machine.
pub fn resolve(explicit: &[PathBuf]) -> Vec<PathBuf> {
    if !explicit.is_empty() {
        return explicit.to_vec();
    }
    if let Some(env) = std::env::var_os(ENV_MODULE).filter(|v| !v.is_empty()) {
        return vec![PathBuf::from(env)];
    }
    KNOWN
        .iter()
        .map(PathBuf::from)
        .filter(|p| p.exists())
        .collect()
}
