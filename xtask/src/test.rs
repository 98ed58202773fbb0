use std::path::Path;

use crate::cmd::{self, cargo, Result};
use crate::setup;

pub fn run(ws: &Path, cargo_test_args: &[String]) -> Result {
    setup::run(ws)?;
    fmt(ws)?;
    crate::modules::run(ws)?;
    clippy(ws)?;
    desktop_targets(ws)?;
    wasm(ws)?;
    crate::build::wasm(ws)?;
    binaries(ws)?;
    // tests/package_deb.rs inspects the package built from these binaries.
    crate::package::run(ws, true)?;
    cargo_test(ws, cargo_test_args)?;
    wasm_in_browsers(ws)
}

/// The agent, the CLI and the consent window compile for Windows and macOS
/// (their per-OS code: autostart, config paths, PKCS#11 types in kyso-token).
fn desktop_targets(ws: &Path) -> Result {
    for target in setup::DESKTOP_TARGETS {
        cmd::run(
            cargo(ws)
                .arg("check")
                .args(crate::package::desktop_packages())
                .args(["--target", target]),
        )?;
    }
    Ok(())
}

/// kyso-wasm's tests in headless Chromium, then Firefox. One driver variable
/// at a time: with both set, the runner picks Firefox.
fn wasm_in_browsers(ws: &Path) -> Result {
    let drivers = [
        (
            "CHROMEDRIVER",
            std::path::PathBuf::from("/usr/bin/chromedriver"),
        ),
        ("GECKODRIVER", setup::cargo_bin("geckodriver")),
    ];
    for (var, driver) in drivers {
        let mut test = cargo(ws);
        test.args([
            "test",
            "-p",
            "kyso-wasm",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .env_remove("CHROMEDRIVER")
        .env_remove("GECKODRIVER")
        .env(var, driver)
        .env("PATH", path_with_cargo_bin());
        cmd::run(&mut test)?;
    }
    Ok(())
}

/// The wasm test runner is found on PATH; make sure cargo's bin is on it.
fn path_with_cargo_bin() -> std::ffi::OsString {
    let bin = setup::cargo_bin("");
    let mut paths: Vec<std::path::PathBuf> = vec![bin];
    if let Some(p) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&p));
    }
    std::env::join_paths(paths).unwrap_or_default()
}

/// The end-to-end tests run the real `kyso` and `kyso-testkit` executables;
/// `cargo test` alone builds binaries only as test harnesses.
fn binaries(ws: &Path) -> Result {
    cmd::run(cargo(ws).args(["build", "--workspace", "--bins"]))
}

fn fmt(ws: &Path) -> Result {
    cmd::run(cargo(ws).args(["fmt", "--all", "--", "--check"]))
}

fn clippy(ws: &Path) -> Result {
    cmd::run(cargo(ws).args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))
}

/// core must stay free of I/O and clocks; building it for wasm is what proves it.
fn wasm(ws: &Path) -> Result {
    cmd::run(cargo(ws).args([
        "build",
        "-p",
        "kyso-core",
        "-p",
        "kyso-wasm",
        "--target",
        "wasm32-unknown-unknown",
    ]))
}

fn cargo_test(ws: &Path, extra: &[String]) -> Result {
    let venv = setup::venv(ws);
    let artifacts = ws.join("target").join("artifacts");
    std::fs::create_dir_all(&artifacts)
        .map_err(|e| format!("cannot create {}: {e}", artifacts.display()))?;
    cmd::run(
        cargo(ws)
            .args(["test", "--workspace"])
            .args(extra)
            .env("KYSO_PYHANKO", venv.join("bin").join("pyhanko"))
            .env("KYSO_PYTHON", venv.join("bin").join("python"))
            .env("KYSO_ARTIFACTS", &artifacts),
    )
}
