//! `kyso-agent`: Kyso's loopback signing agent (docs/agent-api.md).
//!
//! It serves the HTTP API on 127.0.0.1, asks the user in its own consent and
//! PIN window (`kyso-dialog`), signs on the token through kyso-token, keeps
//! an audit log and shows a tray icon. Start-up reads the configuration (the
//! user's, else the system-wide one), takes the one-instance lock, loads the
//! PKCS#11 modules, then serves on tokio threads while the main thread runs
//! the tray (macOS needs it there). Nothing depends on this crate.

// Unsafe code only where the OS tray's event pump needs FFI (tray/event_loop.rs).
#![deny(unsafe_code)]

mod activity;
mod approver;
mod audit;
mod autostart;
mod clock;
mod config;
mod error;
mod instance;
mod origin;
mod outbound;
mod preferences;
mod server;
mod service;
#[cfg(feature = "tray")]
mod tray;

use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;
use kyso_core::{Localized, TrustAnchors};
use kyso_token::{module_paths, Tokens};

use approver::{Approver, DialogApprover, UnattendedApprover};
use audit::Audit;
use config::{ApproverMode, Config};
use outbound::Outbound;

use preferences::Preferences;
use server::Pairing;
use service::Service;

/// Exit status when the agent cannot start (a bad configuration, no module,
/// another agent already running on this configuration).
const EXIT_START_FAILED: u8 = 2;

/// Kyso's signing agent: lets allowed web pages sign with your USB token,
/// asking you each time in its own window.
#[derive(Parser)]
#[command(name = "kyso-agent", version, after_help = after_help())]
struct Args {
    /// The configuration file (TOML). Default: the user's agent.toml, else
    /// the system-wide one.
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Start at login: write, remove or show the login item.
    #[arg(long, value_name = "on|off|status")]
    autostart: Option<Autostart>,
}

/// `--autostart`'s values.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Autostart {
    On,
    Off,
    Status,
}

/// Where the configuration is looked for, for `--help`.
fn after_help() -> String {
    let defaults: Vec<String> = [config::default_path(), config::system_path()]
        .into_iter()
        .flatten()
        .map(|p| p.display().to_string())
        .collect();
    format!(
        "Default configuration (first found): {}",
        defaults.join(", ")
    )
}

fn main() -> std::process::ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            let _ = e.print();
            let quiet = matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            );
            return if quiet {
                std::process::ExitCode::SUCCESS
            } else {
                std::process::ExitCode::from(EXIT_START_FAILED)
            };
        }
    };
    let result = match args.autostart {
        Some(what) => autostart(what),
        None => start(args.config),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kyso-agent: {e}");
            std::process::ExitCode::from(EXIT_START_FAILED)
        }
    }
}

fn start(config_path: Option<PathBuf>) -> Result<(), String> {
    let config = Config::load(config_path.as_deref())?;
    // State (paired sites, preferences, the default audit log, the instance
    // lock) lives beside an explicit configuration, else in the user's own
    // directory — never beside the read-only system-wide file.
    let config_dir = config_path
        .as_ref()
        .and_then(|p| p.parent().map(PathBuf::from))
        .or_else(config::config_dir)
        .ok_or("no configuration directory for the instance lock")?;
    let _instance = instance::acquire(&config_dir)?;
    let allowed = config.allowed_origins()?;
    let preferences = Arc::new(Preferences::load(Some(config_dir.join("preferences.json"))));
    let approver: Box<dyn Approver> = match config.approver.mode {
        ApproverMode::Dialog => Box::new(DialogApprover::new(
            std::time::Duration::from_secs(config.approver.timeout_seconds),
            preferences.clone(),
        )),
        ApproverMode::Unattended => {
            let pin_file = config
                .approver
                .pin_file
                .as_deref()
                .ok_or("approver.pin_file is required")?;
            eprintln!(
                "kyso-agent: WARNING: unattended approver: origins flagged `unattended` are signed for without asking anyone; every signature is audited"
            );
            Box::new(UnattendedApprover::new(pin_file, allowed.clone())?)
        }
    };
    // A desktop user expects a signing log without configuring one.
    let audit_path = config
        .audit
        .path
        .clone()
        .unwrap_or_else(|| config_dir.join("audit.jsonl"));
    let audit = Audit::open(Some(&audit_path))?;
    let tokens = Tokens::load(&module_paths::resolve(&config.pkcs11.modules))
        .map_err(|e| format!("pkcs11.modules: {}", e.message()))?;
    let service = Arc::new(Service::new(
        tokens,
        TrustAnchors::bundled(),
        approver,
        audit,
        allowed,
        Outbound::new(&config.timestamp, &config.revocation),
    ));
    let pairing = Arc::new(Pairing::load(Some(config_dir.join("paired-sites.json"))));
    if service.approver().name() == "unattended" {
        service
            .audit()
            .record(&audit::Event::new("start-unattended", "ok", "unattended"));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let tray_enabled = config.tray.enabled;
    // The administrator's list (or the built-in default), for the tray to show.
    let admin_origins = service
        .allowed()
        .iter()
        .map(|a| a.pattern.to_string())
        .collect();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    // The server runs on the runtime's threads; the main thread is the tray's
    // (macOS insists on it), or just waits.
    let server = {
        let service = service.clone();
        let pairing = pairing.clone();
        std::thread::spawn(move || {
            runtime.block_on(server::run(config, service, pairing, |port| {
                // Tests and supervisors wait for this line.
                println!("kyso-agent listening on http://127.0.0.1:{port}");
                use std::io::Write;
                let _ = std::io::stdout().flush();
                let _ = ready_tx.send(());
            }))
        })
    };
    // The tray appears once the agent can serve, or not at all if binding failed.
    if ready_rx.recv().is_ok() && tray_enabled {
        show_tray(
            service,
            pairing,
            preferences,
            admin_origins,
            audit_path,
            &server,
        );
    }
    server
        .join()
        .map_err(|_| "the server thread panicked".to_string())?
}

#[cfg(feature = "tray")]
fn show_tray(
    service: Arc<Service>,
    pairing: Arc<Pairing>,
    preferences: Arc<Preferences>,
    admin_origins: Vec<String>,
    audit_path: PathBuf,
    server: &std::thread::JoinHandle<Result<(), String>>,
) {
    let context = tray::Context {
        service,
        pairing,
        preferences,
        admin_origins,
        audit_log: audit_path,
    };
    match tray::run(&context, || !server.is_finished()) {
        Ok(tray::Ended::Quit) => std::process::exit(0),
        Ok(tray::Ended::Stopped) => {}
        // No desktop session: serve without an icon.
        Err(e) => eprintln!("kyso-agent: no tray icon ({e}); serving without one"),
    }
}

#[cfg(not(feature = "tray"))]
fn show_tray(
    _: Arc<Service>,
    _: Arc<Pairing>,
    _: Arc<Preferences>,
    _: Vec<String>,
    _: PathBuf,
    _: &std::thread::JoinHandle<Result<(), String>>,
) {
}

/// `--autostart on|off|status`: the login item (XDG autostart, the Run key,
/// a LaunchAgent).
fn autostart(what: Autostart) -> Result<(), String> {
    match what {
        Autostart::On => {
            let exe = std::env::current_exe().map_err(|e| e.to_string())?;
            let at = autostart::enable(&exe)?;
            println!("autostart on: {}", at.display());
        }
        Autostart::Off => {
            autostart::disable()?;
            println!("autostart off");
        }
        Autostart::Status => println!(
            "autostart {}: {}",
            if autostart::is_enabled() { "on" } else { "off" },
            autostart::location()?.display()
        ),
    }
    Ok(())
}
