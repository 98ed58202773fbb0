//! # kyso-testkit
//!
//! Kyso's test infrastructure: throw-away PKCS#11 tokens (SoftHSM2) holding
//! keys generated on the token, certificates from a Vietnamese-profile test
//! PKI, and headless browsers driven over WebDriver ([`browser`]), for the
//! tests, the demo and the benchmarks.
//!
//! SoftHSM reads `SOFTHSM2_CONF` when the module is initialised, so provisioning
//! runs in its own process: the `kyso-testkit provision` binary. Tests call it
//! through [`provision`] and then drive the real `kyso` CLI or agent with the
//! same `SOFTHSM2_CONF`.
//!
//! [`ltv`] serves what long-term signatures need on loopback: a time-stamping
//! authority, an OCSP responder, CRLs and CA certificates, for the PKI the
//! `ltv` set provisions.
//!
//! [`pdf`] is the one PDF writer of the tests, for files built by hand
//! (hostile structures, incremental updates a forger would append).

#![forbid(unsafe_code)]

pub mod browser;
pub mod display;
pub mod ltv;
pub mod manifest;
pub mod names;
pub mod pdf;
pub mod pki;
pub mod softhsm;
pub mod token;

pub use manifest::{LtvEntry, Manifest, SignerEntry};

use std::path::Path;
use std::process::Command;

/// Runs the `kyso-testkit` binary found at `exe` to provision `set` into `dir`
/// and returns its manifest.
pub fn provision(exe: &Path, dir: &Path, set: &str) -> Result<Manifest, String> {
    provision_with(exe, dir, set, &[])
}

/// As [`provision`], with more arguments for the set (the `ltv` set needs
/// `--responders http://127.0.0.1:PORT --ocsp http://127.0.0.1:PORT2`).
pub fn provision_with(
    exe: &Path,
    dir: &Path,
    set: &str,
    extra_args: &[&str],
) -> Result<Manifest, String> {
    let out = Command::new(exe)
        .args(["provision", "--set", set, "--dir"])
        .arg(dir)
        .args(extra_args)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    if !out.status.success() {
        return Err(format!(
            "kyso-testkit provision failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Manifest::load(&dir.join("manifest.json"))
}
