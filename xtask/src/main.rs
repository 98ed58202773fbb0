//! `cargo xtask <command>`: set-up, checks and builds for the Kyso workspace.

#![forbid(unsafe_code)]

mod bench;
mod build;
mod cmd;
mod demo;
mod modules;
mod package;
mod setup;
mod test;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  setup            install what the tests need: apt packages (softhsm2, opensc,
                   openssl, libnss3-tools, poppler-utils, python3-venv, chromium,
                   chromium-driver, firefox-esr, libreoffice-writer-nogui,
                   ghostscript, qpdf, time, xvfb, xdotool, imagemagick, X libraries),
                   rustfmt, clippy, the wasm32 target, wasm-bindgen-cli, geckodriver,
                   pyHanko in target/venv, Vite (npm ci in js-sdk/test/bundler)
  test [ARGS]      setup, then cargo fmt --check, the module-cycle check, clippy,
                   the wasm build of core and cargo test --workspace (ARGS go to
                   it, e.g. -- --nocapture), then the wasm tests in headless
                   Chromium and Firefox
  modules          no module cycle in any crate of the workspace: prints each
                   cycle (files and the names that close it), fails if any
  build [--wasm]   release build of the workspace and the page's wasm module
                   (js-sdk/dist); --wasm: only the page's module and the SDK
  demo             setup, build the agent, the demo portal and the SDK, provision
                   a SoftHSM demo token and sample PDFs in target/demo, start the
                   agent and the portal (http://127.0.0.1:8080); Ctrl-C stops both
  package [--debug]
                   a .deb of the agent, its window and the CLI with the
                   system-wide config, autostart entry and trust anchors, in
                   target/debian (--debug: from the debug build)
  bench [--quick] [--only=agent|hash]
                   benchmarks against peers measured in the same run; writes
                   docs/benchmarks.md (--quick: fewer iterations)
  help             this text";

/// Exit status for usage errors, as distinct from a step that failed (1).
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(EXIT_USAGE);
    };
    let ws = workspace_root();
    let result = match (command.as_str(), rest) {
        ("help" | "-h" | "--help", _) => {
            println!("{USAGE}");
            Ok(())
        }
        ("test", extra) => test::run(&ws, extra),
        ("bench", extra)
            if extra
                .iter()
                .all(|a| a == "--quick" || a.starts_with("--only=")) =>
        {
            bench::run(&ws, extra)
        }
        ("setup", []) => setup::run(&ws),
        ("modules", []) => modules::run(&ws),
        ("package", []) => package::run(&ws, false).map(drop),
        ("package", [flag]) if flag == "--debug" => package::run(&ws, true).map(drop),
        ("build", []) => build::run(&ws),
        ("build", [flag]) if flag == "--wasm" => build::wasm(&ws),
        ("demo", []) => demo::run(&ws),
        ("setup" | "build" | "demo" | "bench" | "package" | "modules", _) => {
            eprintln!("xtask: `{command}` takes no arguments\n\n{USAGE}");
            return ExitCode::from(EXIT_USAGE);
        }
        _ => {
            eprintln!("xtask: unknown command `{command}`\n\n{USAGE}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one directory below the workspace root")
        .to_path_buf()
}
