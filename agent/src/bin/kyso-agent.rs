//! `kyso-agent [--config PATH]`: the loopback signing agent.

use std::path::PathBuf;
use std::sync::Arc;

use kyso_agent::approver::{Approver, DialogApprover, UnattendedApprover};
use kyso_agent::audit::Audit;
use kyso_agent::config::{self, ApproverMode, Config};
use kyso_agent::pkcs11::{module_paths, Tokens};
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
                println!(
                    "usage: kyso-agent [--config PATH]\n       kyso-agent --autostart on|off|status   (start at login)\ndefault config: {}",
                    config::default_path()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default()
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
    let (config, loaded_from) = Config::load(config_path.as_deref())?;
    let config_dir = loaded_from
        .as_ref()
        .and_then(|p| p.parent().map(PathBuf::from))
        .or_else(config::config_dir)
        .ok_or("no configuration directory for the instance lock")?;
    let _instance = kyso_agent::instance::acquire(&config_dir)?;
    let allowed = config.allowed_origins()?;
    let approver: Box<dyn Approver> = match config.approver.mode {
        ApproverMode::Dialog => Box::new(DialogApprover::new(std::time::Duration::from_secs(
            config.approver.timeout_seconds,
        ))),
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
    let audit = Audit::open(config.audit.path.as_deref())?;
    let tokens = Tokens::load(&module_paths::resolve(&config.pkcs11.modules))
        .map_err(|e| format!("pkcs11.modules: {}", e.message()))?;
    let service = Arc::new(Service::new(
        tokens,
        TrustAnchors::bundled(),
        approver,
        audit,
        allowed,
    ));
    let pairing = Pairing::load(
        loaded_from
            .as_ref()
            .and_then(|p| p.parent().map(|d| d.join("paired-sites.json")))
            .or_else(|| config::config_dir().map(|d| d.join("paired-sites.json"))),
    );
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
    runtime.block_on(server::run(config, service, pairing, |port| {
        // Tests and supervisors wait for this line.
        println!("kyso-agent listening on http://127.0.0.1:{port}");
        use std::io::Write;
        let _ = std::io::stdout().flush();
    }))
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
