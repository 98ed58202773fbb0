//! `kyso-agent [--config PATH]`: the loopback signing agent.

use std::path::PathBuf;
use std::sync::Arc;

use kyso_agent::approver::{Approver, DialogApprover, UnattendedApprover};
use kyso_agent::audit::Audit;
use kyso_agent::config::{self, ApproverMode, Config};
use kyso_agent::pkcs11::{module_paths, Tokens};
use kyso_agent::preferences::Preferences;
use kyso_agent::server::{self, Pairing};
use kyso_agent::service::Service;
use kyso_core::TrustAnchors;

fn main() -> std::process::ExitCode {
    match start() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kyso-agent: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

fn start() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut config_path: Option<PathBuf> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--config" => {
                config_path = Some(args.next().ok_or("--config needs a path")?.into());
            }
            "--autostart" => {
                return autostart(&args.next().ok_or("--autostart needs on, off or status")?);
            }
            "--help" | "-h" => {
                let shown = |p: Option<PathBuf>| p.map(|p| p.display().to_string());
                let defaults: Vec<String> = [config::default_path(), config::system_path()]
                    .into_iter()
                    .filter_map(shown)
                    .collect();
                println!(
                    "usage: kyso-agent [--config PATH]\n       kyso-agent --autostart on|off|status   (start at login)\ndefault config (first found): {}",
                    defaults.join(", ")
                );
                return Ok(());
            }
            "--version" => {
                println!("kyso-agent {}", env!("CARGO_PKG_VERSION"));
                return Ok(());
            }
            other => {
                return Err(format!(
                    "unknown argument {other} (usage: kyso-agent [--config PATH])"
                ))
            }
        }
    }
    let config = Config::load(config_path.as_deref())?;
    // State (paired sites, preferences, the default audit log, the instance
    // lock) lives beside an explicit configuration, else in the user's own
    // directory — never beside the read-only system-wide file.
    let config_dir = config_path
        .as_ref()
        .and_then(|p| p.parent().map(PathBuf::from))
        .or_else(config::config_dir)
        .ok_or("no configuration directory for the instance lock")?;
    let _instance = kyso_agent::instance::acquire(&config_dir)?;
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
    ));
    let pairing = Arc::new(Pairing::load(Some(config_dir.join("paired-sites.json"))));
    if service.approver().name() == "unattended" {
        service.audit().record(&kyso_agent::audit::Event::new(
            "start-unattended",
            "ok",
            "unattended",
        ));
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
    use kyso_agent::tray;
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
fn autostart(what: &str) -> Result<(), String> {
    use kyso_agent::autostart;
    match what {
        "on" => {
            let exe = std::env::current_exe().map_err(|e| e.to_string())?;
            let at = autostart::enable(&exe)?;
            println!("autostart on: {}", at.display());
        }
        "off" => {
            autostart::disable()?;
            println!("autostart off");
        }
        "status" => println!(
            "autostart {}: {}",
            if autostart::is_enabled() { "on" } else { "off" },
            autostart::location()?.display()
        ),
        other => return Err(format!("--autostart {other}: expected on, off or status")),
    }
    Ok(())
}
