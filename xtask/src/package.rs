//! `cargo xtask package`: a Debian package of the desktop agent — the agent,
//! its consent window and the CLI, the system-wide configuration, the
//! autostart entry for every user, the trust anchors and the docs.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd::{self, cargo, Result};

/// (source in the workspace, destination in the package, mode).
const FILES: &[(&str, &str, u32)] = &[
    ("agent/packaging/agent.toml", "etc/kyso/agent.toml", 0o644),
    (
        "agent/packaging/kyso-agent.desktop",
        "etc/xdg/autostart/kyso-agent.desktop",
        0o644,
    ),
    (
        "agent/packaging/kyso-agent.desktop",
        "usr/share/applications/kyso-agent.desktop",
        0o644,
    ),
    ("README.md", "usr/share/doc/kyso/README.md", 0o644),
    ("SECURITY.md", "usr/share/doc/kyso/SECURITY.md", 0o644),
    (
        "docs/agent-api.md",
        "usr/share/doc/kyso/agent-api.md",
        0o644,
    ),
];

const COPYRIGHT: &str = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: kyso\n\nFiles: *\nLicense: Apache-2.0 OR MIT\n\nFiles: usr/share/kyso/trust/*\nComment: public root and intermediate certificates of Vietnamese CAs\n";

const BINARIES: &[&str] = &["kyso-agent", "kyso-dialog", "kyso"];

/// The crates of the desktop programs (the agent, its window, the CLI): what
/// the package ships and what must compile for Windows and macOS.
const DESKTOP_PACKAGES: &[&str] = &["kyso-agent", "kyso-dialog", "kyso-cli"];

/// `-p NAME` for each desktop program's crate.
pub fn desktop_packages() -> Vec<&'static str> {
    DESKTOP_PACKAGES.iter().flat_map(|p| ["-p", *p]).collect()
}

/// dpkg keeps an administrator's edits to these across upgrades.
const CONFFILES: &[&str] = &[
    "/etc/kyso/agent.toml",
    "/etc/xdg/autostart/kyso-agent.desktop",
];

/// What the binaries load at run time: the window's OpenGL and X libraries
/// (winit loads them with dlopen, so dpkg-shlibdeps would not see them), and
/// OpenSSL 3, which kyso-net links for outbound TLS through native-tls
/// (`libssl3t64` is its name from Debian 13).
const DEPENDS: &str = "libc6 (>= 2.36), libssl3 | libssl3t64, libgl1, libegl1, libxkbcommon-x11-0, libxcursor1, libxi6";

/// Builds the package from a release build, or from the debug binaries
/// already built (`--debug`, what the test suite checks). Returns its path.
pub fn run(ws: &Path, debug: bool) -> Result<PathBuf> {
    let profile = if debug { "debug" } else { "release" };
    let mut build = cargo(ws);
    build.arg("build").args(desktop_packages()).arg("--bins");
    if !debug {
        build.arg("--release");
    }
    cmd::run(&mut build)?;

    let arch = cmd::output(Command::new("dpkg").arg("--print-architecture"))?
        .map(|a| a.trim().to_string())
        .ok_or("dpkg --print-architecture failed")?;
    let version = env!("CARGO_PKG_VERSION");
    let name = format!("kyso_{version}_{arch}");
    let out = ws.join("target").join("debian");
    let root = out.join(&name);
    let _ = std::fs::remove_dir_all(&root);

    for bin in BINARIES {
        let from = ws.join("target").join(profile).join(bin);
        copy(&from, &root.join("usr/bin").join(bin), 0o755)?;
    }
    for (from, to, mode) in FILES {
        copy(&ws.join(from), &root.join(to), *mode)?;
    }
    let trust = ws.join("core").join("trust");
    for entry in read_dir(&trust)? {
        let file_name = entry.file_name();
        copy(
            &entry.path(),
            &root.join("usr/share/kyso/trust").join(&file_name),
            0o644,
        )?;
    }
    write(&root.join("usr/share/doc/kyso/copyright"), COPYRIGHT, 0o644)?;

    let installed_kib = size(&root)? / 1024 + 1;
    let control = format!(
        "Package: kyso\nVersion: {version}\nArchitecture: {arch}\nMaintainer: Kyso developers <kyso@example.org>\nInstalled-Size: {installed_kib}\nDepends: {DEPENDS}\nRecommends: opensc-pkcs11\nSuggests: softhsm2\nSection: utils\nPriority: optional\nHomepage: https://example.org/kyso\nDescription: browser signing bridge for Vietnamese USB tokens (ký số)\n Kyso lets web portals collect a digital signature from a PKCS#11 USB token\n in Chrome or Firefox without a browser plugin. This package installs the\n loopback agent (kyso-agent) with its consent and PIN window and tray icon,\n the kyso command-line tool, a system-wide configuration in /etc/kyso and an\n autostart entry for every user.\n"
    );
    write(&root.join("DEBIAN/control"), &control, 0o644)?;
    let conffiles: String = CONFFILES.iter().map(|c| format!("{c}\n")).collect();
    write(&root.join("DEBIAN/conffiles"), &conffiles, 0o644)?;

    let deb = out.join(format!("{name}.deb"));
    cmd::run(
        Command::new("dpkg-deb")
            .args(["--root-owner-group", "--build"])
            .arg(&root)
            .arg(&deb),
    )?;
    println!("package: {}", deb.display());
    Ok(deb)
}

fn read_dir(dir: &Path) -> Result<Vec<std::fs::DirEntry>> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.file_name());
    Ok(entries)
}

fn copy(from: &Path, to: &Path, mode: u32) -> Result {
    let bytes = std::fs::read(from).map_err(|e| format!("{}: {e}", from.display()))?;
    write_bytes(to, &bytes, mode)
}

fn write(to: &Path, text: &str, mode: u32) -> Result {
    write_bytes(to, text.as_bytes(), mode)
}

fn write_bytes(to: &Path, bytes: &[u8], mode: u32) -> Result {
    use std::os::unix::fs::PermissionsExt;
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(to, bytes).map_err(|e| format!("{}: {e}", to.display()))?;
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(mode))
        .map_err(|e| format!("{}: {e}", to.display()))
}

fn size(dir: &Path) -> Result<u64> {
    let mut total = 0;
    for entry in read_dir(dir)? {
        let meta = entry.metadata().map_err(|e| e.to_string())?;
        total += if meta.is_dir() {
            size(&entry.path())?
        } else {
            meta.len()
        };
    }
    Ok(total)
}
