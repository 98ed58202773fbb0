//! `cargo xtask demo`: everything a visitor needs to try Kyso on this
//! machine — a SoftHSM demo token with a demo PKI, sample PDFs, the agent and
//! the demo portal — then waits for Ctrl-C and stops both.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;

use crate::cmd::{self, cargo, Result};
use crate::setup;

const SOFTHSM_MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const PORTAL_PORT: u16 = 8080;
const AGENT_PORT: u16 = 27182;

pub fn run(ws: &Path) -> Result {
    setup::run(ws)?;
    cmd::run(cargo(ws).args([
        "build",
        "--release",
        "-p",
        "kyso-agent",
        "-p",
        "kyso-dialog",
        "-p",
        "kyso-demo-site",
    ]))?;
    crate::build::wasm(ws)?;
    let dir = ws.join("target").join("demo");
    // The token survives between runs, so sites paired and documents signed
    // in an earlier demo stay valid.
    if !dir.join("manifest.json").is_file() {
        provision(ws, &dir)?;
    }
    let samples = samples(ws, &dir)?;
    let pin = std::fs::read_to_string(dir.join("pin.txt"))
        .map_err(|e| format!("the provisioner left no PIN in {}: {e}", dir.display()))?;
    let desktop =
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    let config = agent_config(&dir, desktop)?;

    let (stop_tx, stop_rx) = mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = stop_tx.send(());
    })
    .map_err(|e| format!("cannot catch Ctrl-C: {e}"))?;

    let release = ws.join("target").join("release");
    let mut agent = Server::start(
        "kyso-agent",
        Command::new(release.join("kyso-agent"))
            .arg("--config")
            .arg(&config)
            .env("SOFTHSM2_CONF", dir.join("softhsm2.conf")),
    )?;
    let agent_port = agent.port;
    let portal = Server::start(
        "kyso-demo-site",
        Command::new(release.join("kyso-demo-site"))
            .arg("--listen")
            .arg(format!("127.0.0.1:{PORTAL_PORT}"))
            .arg("--db")
            .arg(dir.join("demo.sqlite3"))
            .arg("--trust")
            .arg(dir.join("root.pem"))
            .arg("--samples")
            .arg(&samples)
            .arg("--agent-port")
            .arg(agent_port.to_string())
            .arg("--sdk-dir")
            .arg(ws.join("js-sdk").join("dist"))
            .arg("--static-dir")
            .arg(ws.join("demo-site").join("static")),
    );
    let mut portal = match portal {
        Ok(p) => p,
        Err(e) => {
            agent.stop();
            return Err(e);
        }
    };
    print_usage(&dir, pin.trim(), portal.port, agent_port, desktop);
    let _ = stop_rx.recv();
    println!("\nStopping the demo…");
    portal.stop();
    agent.stop();
    println!(
        "Kyso demo stopped. The token and the portal's data stay in {}.",
        dir.display()
    );
    Ok(())
}

fn provision(ws: &Path, dir: &Path) -> Result {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    cmd::run(
        cargo(ws)
            .args([
                "run",
                "--release",
                "-p",
                "kyso-testkit",
                "--bin",
                "kyso-testkit",
            ])
            .args(["--", "provision", "--dir"])
            .arg(dir),
    )
}

/// The sample PDFs, made once by LibreOffice from demo-site/samples/*.txt (a
/// citizen's request and a draft decision to approve and issue).
fn samples(ws: &Path, dir: &Path) -> Result<PathBuf> {
    let out = dir.join("samples");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let sources = ws.join("demo-site").join("samples");
    let entries = std::fs::read_dir(&sources).map_err(|e| format!("{}: {e}", sources.display()))?;
    for entry in entries.flatten() {
        let txt = entry.path();
        let Some(stem) = txt
            .file_stem()
            .filter(|_| txt.extension().is_some_and(|e| e == "txt"))
        else {
            continue;
        };
        if out.join(stem).with_extension("pdf").is_file() {
            continue;
        }
        cmd::run(
            Command::new("soffice")
                .arg(format!(
                    "-env:UserInstallation=file://{}",
                    dir.join("libreoffice-profile").display()
                ))
                .args(["--headless", "--convert-to", "pdf", "--outdir"])
                .arg(&out)
                .arg(&txt),
        )?;
    }
    Ok(out)
}

/// The agent's configuration for the demo: the portal's origins, the demo
/// token, and the window that asks for consent and the PIN — or, with no
/// desktop to show it on, the unattended approver reading the demo PIN.
fn agent_config(dir: &Path, desktop: bool) -> Result<PathBuf> {
    let origins = [
        format!("http://127.0.0.1:{PORTAL_PORT}"),
        format!("http://localhost:{PORTAL_PORT}"),
    ];
    let approver = if desktop {
        "mode = \"dialog\"\ntimeout_seconds = 120\n".to_string()
    } else {
        let pin_file = dir.join("pin.txt");
        set_owner_only(&pin_file)?;
        format!(
            "mode = \"unattended\"\npin_file = \"{}\"\ntimeout_seconds = 120\n",
            pin_file.display()
        )
    };
    let mut config = format!(
        "# Written by `cargo xtask demo`.\n[server]\nport = {AGENT_PORT}\n[pkcs11]\nmodules = [\"{SOFTHSM_MODULE}\"]\n[approver]\n{approver}[audit]\npath = \"{}\"\n",
        dir.join("audit.jsonl").display()
    );
    for origin in origins {
        config.push_str(&format!(
            "[[origins]]\norigin = \"{origin}\"\nunattended = {}\n",
            !desktop
        ));
    }
    let path = dir.join("agent.toml");
    std::fs::write(&path, config).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

#[cfg(unix)]
fn set_owner_only(path: &Path) -> Result {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(not(unix))]
fn set_owner_only(_: &Path) -> Result {
    Ok(())
}

/// A child server that prints `… listening on http://HOST:PORT` when ready.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(name: &str, command: &mut Command) -> Result<Server> {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {name}: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let port = lines
            .next()
            .and_then(|l| l.ok())
            .and_then(|l| l.rsplit(':').next().and_then(|p| p.trim().parse().ok()));
        let Some(port) = port else {
            let _ = child.kill();
            let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
            return Err(format!(
                "{name} did not start ({status}); see its message above"
            ));
        };
        // Keep reading so the child never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Ok(Server { child, port })
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn print_usage(dir: &Path, pin: &str, portal: u16, agent: u16, desktop: bool) {
    let approval = if desktop {
        format!("Each signature is confirmed in Kyso's own window, where you type the PIN: {pin}")
    } else {
        format!(
            "No desktop here, so the agent runs unattended with the demo PIN ({pin}) and\n\
             signs without asking — for the demo only."
        )
    };
    println!(
        "
Kyso demo is running.

  Portal:  http://127.0.0.1:{portal}/   (open it in Chrome or Firefox on this machine)
  Agent:   http://127.0.0.1:{agent}/v1/info
  Token:   SoftHSM \"Kyso Test Token\" in {dir}, user PIN {pin}

{approval}

Try: Nộp hồ sơ (a citizen signs a PDF), Văn bản (a leader approves, a clerk
issues with the seal), Kiểm tra chữ ký (verify any PDF or .p7s), Thống kê.
The CLI works on the same token:
  SOFTHSM2_CONF={dir}/softhsm2.conf target/release/kyso tokens --module {SOFTHSM_MODULE}

Press Ctrl-C to stop.",
        dir = dir.display(),
    );
}
