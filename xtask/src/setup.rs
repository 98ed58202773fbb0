use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd::{self, Result};

/// softhsm2: the test token; opensc: pkcs11-tool; openssl, libnss3-tools
/// (certutil) and poppler-utils (pdfsig): independent validators; python3-venv:
/// Debian's python3 cannot create the pyHanko venv without it; chromium,
/// chromium-driver and firefox-esr: the browsers the wasm and SDK tests run in;
/// libreoffice-writer-nogui, ghostscript and qpdf: independent PDF writers the
/// PAdES tests sign the output of; time: GNU time's peak-memory figure in
/// the benchmarks; xvfb, xdotool and imagemagick: the consent window is
/// tested on a virtual display, driven and photographed; libxcursor1, libxi6
/// and libxkbcommon-x11-0: what the window (winit) loads at run time;
/// dbus-daemon, xfce4-panel and python3-dbus: the tray test runs a private
/// session bus with a real StatusNotifier host (the panel's systray) and
/// reads and clicks the menu over D-Bus; fonts-dejavu-core: the font the
/// panel draws the menu in, with Vietnamese letters (fontconfig would
/// otherwise settle for whichever font some package brought); libssl-dev and
/// pkg-config: kyso-net's TLS (native-tls) builds against the system's
/// OpenSSL.
const APT_PACKAGES: &[&str] = &[
    "softhsm2",
    "opensc",
    "openssl",
    "libnss3-tools",
    "poppler-utils",
    "python3-venv",
    "chromium",
    "chromium-driver",
    "firefox-esr",
    "libreoffice-writer-nogui",
    "ghostscript",
    "qpdf",
    "time",
    "xvfb",
    "xdotool",
    "imagemagick",
    "libxcursor1",
    "libxi6",
    "libxkbcommon-x11-0",
    "dbus-daemon",
    "xfce4-panel",
    "python3-dbus",
    "fonts-dejavu-core",
    "libssl-dev",
    "pkg-config",
];

/// Must equal the `wasm-bindgen` pin in Cargo.toml exactly: the CLI refuses
/// modules made by another version.
pub const WASM_BINDGEN_VERSION: &str = "0.2.130";

/// Cargo-installed tools: (binary, crate, version or None, extra args).
/// geckodriver comes from crates.io because npm's package downloads a binary
/// at run time, which fails here.
const CARGO_TOOLS: &[(&str, &str, Option<&str>, &[&str])] = &[
    (
        "wasm-bindgen",
        "wasm-bindgen-cli",
        Some(WASM_BINDGEN_VERSION),
        &[],
    ),
    ("geckodriver", "geckodriver", None, &["--locked"]),
];

const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Minimal rustup profiles leave these out, and `cargo xtask test` needs both.
const RUST_COMPONENTS: &[&str] = &["rustfmt", "clippy"];

pub fn venv(ws: &Path) -> PathBuf {
    ws.join("target").join("venv")
}

pub fn run(ws: &Path) -> Result {
    apt_packages()?;
    rust_components()?;
    wasm_target()?;
    cargo_tools()?;
    pyhanko(ws)?;
    dss_harness(ws)?;
    npm_packages(ws)
}

/// The EU DSS validation harness (`tests/dss/`, Maven, versions pinned in
/// its pom.xml) as `target/dss/kyso-dss.jar`. The first build downloads DSS
/// into ~/.m2 (about 2 minutes); later ones run offline. Java and Maven come
/// with this machine kind; Debian's packages are the fallback.
pub fn dss_harness(ws: &Path) -> Result {
    if Command::new("mvn").arg("--version").output().is_err() {
        apt_install(&["maven", "openjdk-17-jdk-headless"])?;
    }
    let project = ws.join("tests").join("dss");
    let jar = ws.join("target").join("dss").join("kyso-dss.jar");
    if is_newer_than_sources(&jar, &project) {
        println!("setup: DSS harness present in {}", jar.display());
        return Ok(());
    }
    println!("setup: building the DSS harness ({})", project.display());
    let pom = project.join("pom.xml");
    let build = |offline: bool| {
        let mut mvn = Command::new("mvn");
        mvn.args(["-B", "-q"]);
        if offline {
            mvn.arg("-o");
        }
        mvn.arg("-f").arg(&pom).arg("package");
        mvn
    };
    // Offline first: once ~/.m2 holds DSS, no network is needed.
    if cmd::run(&mut build(true)).is_ok() {
        return Ok(());
    }
    cmd::run(&mut build(false))
}

/// Whether `output` exists and is newer than every file under `sources`.
fn is_newer_than_sources(output: &Path, sources: &Path) -> bool {
    fn newest(dir: &Path) -> Option<std::time::SystemTime> {
        let mut best = None;
        for entry in std::fs::read_dir(dir).ok()?.flatten() {
            let path = entry.path();
            let t = if path.is_dir() {
                newest(&path)
            } else {
                entry.metadata().and_then(|m| m.modified()).ok()
            };
            best = best.max(t);
        }
        best
    }
    let built = std::fs::metadata(output).and_then(|m| m.modified()).ok();
    match (built, newest(sources)) {
        (Some(built), Some(src)) => built >= src,
        _ => false,
    }
}

/// The portal page the bundler test builds (Vite, pinned in its
/// package-lock.json).
pub fn bundler_fixture(ws: &Path) -> PathBuf {
    ws.join("js-sdk").join("test").join("bundler")
}

/// Node.js comes with this machine kind; Debian's packages are the fallback.
fn npm_packages(ws: &Path) -> Result {
    if Command::new("npm").arg("--version").output().is_err() {
        apt_install(&["nodejs", "npm"])?;
    }
    let fixture = bundler_fixture(ws);
    if fixture.join("node_modules/.bin/vite").is_file() {
        println!("setup: npm packages present in {}", fixture.display());
        return Ok(());
    }
    println!("setup: npm ci in {}", fixture.display());
    cmd::run(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&fixture),
    )
}

/// `~/.cargo/bin/NAME`, where `cargo install` puts tools.
pub fn cargo_bin(name: &str) -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"));
    home.join("bin").join(name)
}

fn cargo_tools() -> Result {
    for &(bin, krate, version, extra) in CARGO_TOOLS {
        let path = cargo_bin(bin);
        let current = cmd::output(Command::new(&path).arg("--version"))
            .ok()
            .flatten();
        let ok = match (&current, version) {
            (Some(v), Some(want)) => v.split_whitespace().any(|w| w == want),
            (Some(_), None) => true,
            (None, _) => false,
        };
        if ok {
            println!("setup: {bin} present");
            continue;
        }
        println!("setup: installing {krate} (a few minutes, once)");
        let mut install = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        install.args(["install", krate]).args(extra);
        if let Some(v) = version {
            // --locked failed once for wasm-bindgen-cli (a lockfile entry the
            // registry lacks); its own pins are exact enough.
            install.args(["--version", v, "--force"]);
        }
        cmd::run(&mut install)?;
    }
    Ok(())
}

fn apt_packages() -> Result {
    let mut missing = Vec::new();
    for &package in APT_PACKAGES {
        if apt_installed(package)? {
            println!("setup: {package} present");
        } else {
            missing.push(package);
        }
    }
    apt_install(&missing)
}

fn apt_install(missing: &[&str]) -> Result {
    if missing.is_empty() {
        return Ok(());
    }
    let list = missing.join(" ");
    if !is_root()? {
        return Err(format!(
            "missing apt packages: {list}; run `cargo xtask setup` as root or `sudo apt-get install {list}`"
        ));
    }
    println!("setup: installing {list}");
    cmd::run(apt_get().args(["update", "-q"]))?;
    cmd::run(apt_get().args(["install", "-y", "-q"]).args(missing))
}

fn apt_get() -> Command {
    let mut apt = Command::new("apt-get");
    apt.env("DEBIAN_FRONTEND", "noninteractive");
    apt
}

fn apt_installed(package: &str) -> Result<bool> {
    // `dpkg -s` also succeeds for removed packages whose config files remain.
    let status = cmd::output(Command::new("dpkg-query").args(["-W", "-f=${Status}", package]))
        .map_err(|e| {
            format!(
                "{e}; setup supports Debian 12 only, install {} yourself",
                APT_PACKAGES.join(" ")
            )
        })?;
    Ok(status.is_some_and(|s| s.trim() == "install ok installed"))
}

fn is_root() -> Result<bool> {
    let uid = cmd::output(Command::new("id").arg("-u"))?;
    Ok(uid.is_some_and(|u| u.trim() == "0"))
}

fn rust_components() -> Result {
    let installed = rustup_list(&["component", "list", "--installed"])?;
    let missing: Vec<&str> = RUST_COMPONENTS
        .iter()
        .copied()
        .filter(|c| {
            let present = installed.iter().any(|line| {
                line.strip_prefix(c)
                    .is_some_and(|rest| rest.starts_with('-'))
            });
            if present {
                println!("setup: {c} present");
            }
            !present
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    println!("setup: installing {}", missing.join(" "));
    cmd::run(
        Command::new("rustup")
            .args(["component", "add"])
            .args(&missing),
    )
}

/// The desktop targets the agent and its window must compile for; `cargo
/// xtask test` checks them (no linker needed for `cargo check`).
pub const DESKTOP_TARGETS: &[&str] = &["x86_64-pc-windows-gnu", "x86_64-apple-darwin"];

fn wasm_target() -> Result {
    let installed = rustup_list(&["target", "list", "--installed"])?;
    for target in std::iter::once(WASM_TARGET).chain(DESKTOP_TARGETS.iter().copied()) {
        if installed.iter().any(|t| t == target) {
            println!("setup: {target} target present");
            continue;
        }
        println!("setup: installing the {target} target");
        cmd::run(Command::new("rustup").args(["target", "add", target]))?;
    }
    Ok(())
}

fn rustup_list(args: &[&str]) -> Result<Vec<String>> {
    let out = cmd::output(Command::new("rustup").args(args))
        .map_err(|e| format!("{e}; setup needs rustup to add the {WASM_TARGET} target"))?
        .ok_or_else(|| format!("`rustup {}` failed", args.join(" ")))?;
    Ok(out.lines().map(|l| l.trim().to_string()).collect())
}

fn pyhanko(ws: &Path) -> Result {
    let venv = venv(ws);
    let bin = venv.join("bin");
    // python-pkcs11 came later than the first venvs: check for it too.
    let complete = bin.join("pyhanko").is_file()
        && Command::new(bin.join("python"))
            .args(["-c", "import pkcs11, pyhanko"])
            .output()
            .is_ok_and(|o| o.status.success());
    if complete {
        println!("setup: pyHanko present in {}", venv.display());
        return Ok(());
    }
    println!("setup: installing pyHanko into {}", venv.display());
    // A venv made while python3-venv was missing has python but no pip;
    // --clear rebuilds it rather than failing on `python -m pip`.
    if !bin.join("pip").is_file() {
        cmd::run(
            Command::new("python3")
                .args(["-m", "venv", "--clear"])
                .arg(&venv),
        )?;
    }
    cmd::run(
        Command::new(bin.join("python"))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            // pkcs11: the PDF benchmark's peer signs on the same SoftHSM key.
            .args(["pyhanko[pkcs11]", "pyhanko-cli"]),
    )?;
    if bin.join("pyhanko").is_file() {
        Ok(())
    } else {
        Err(format!(
            "pip finished but {} is missing",
            bin.join("pyhanko").display()
        ))
    }
}
