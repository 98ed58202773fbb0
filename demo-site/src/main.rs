//! `kyso-demo-site`: a demo public-service portal. Citizens file a household
//! business registration with a PDF signed in the browser; staff approve and
//! issue documents per Decree 30; anyone verifies a file in the page; an
//! administrator sees how many signatures are made. The browser signs through
//! the Kyso SDK and the local agent; this server verifies every file with
//! kyso-core before storing it in SQLite.
//!
//! The modules, each using only those below it: `server` (binding, the warp
//! filter, the body limit, responses) → `routes` (method and path to a
//! handler) → the handlers `api`, `assets`, `uploads` → the types they share,
//! `app` (the state) and `http` (request and answer) → the portal's parts
//! `login`, `store`, `usage`, `verification`, `preview`, `stamps` → `error`.

#![forbid(unsafe_code)]

mod api;
mod app;
mod assets;
mod error;
mod http;
mod login;
mod preview;
mod routes;
mod server;
mod stamps;
mod store;
mod uploads;
mod usage;
mod verification;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;

use crate::app::App;
use crate::login::Logins;
use crate::store::Store;
use crate::verification::Verifier;

#[derive(Parser)]
#[command(name = "kyso-demo-site", version, about)]
struct Args {
    /// Address to serve on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The portal's public origin(s), as the browser names it (login tokens
    /// must be made for one of these; POSTs from other origins are refused).
    /// Default: http://ADDRESS:PORT of --listen (and localhost's).
    #[arg(long)]
    origin: Vec<String>,
    /// SQLite database (created if missing); `:memory:` keeps nothing.
    #[arg(long, default_value = "kyso-demo.sqlite3")]
    db: PathBuf,
    /// Extra trust anchors (PEM or DER), beside the bundled Vietnamese roots.
    #[arg(long)]
    trust: Vec<PathBuf>,
    /// Ports the page looks for the agent on (default 27182–27184).
    #[arg(long = "agent-port")]
    agent_ports: Vec<u16>,
    /// The portal's pages.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/static"))]
    static_dir: PathBuf,
    /// The SDK and its wasm (`cargo xtask build` puts them in js-sdk/dist).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../js-sdk/dist"))]
    sdk_dir: PathBuf,
    /// Sample PDFs to offer (`du-thao*.pdf` are drafts for the staff flow).
    #[arg(long)]
    samples: Option<PathBuf>,
}

fn main() -> std::process::ExitCode {
    match run(Args::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kyso-demo-site: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    if !args.sdk_dir.join("kyso.js").is_file() {
        return Err(format!(
            "{} has no kyso.js: run `cargo xtask build` first (or pass --sdk-dir)",
            args.sdk_dir.display()
        ));
    }
    let mut extra = Vec::new();
    for path in &args.trust {
        let bytes = std::fs::read(path).map_err(|e| format!("--trust {}: {e}", path.display()))?;
        extra.push((path.display().to_string(), bytes));
    }
    let verifier = Verifier::new(&extra)?;
    let store = Store::open(&args.db).map_err(|e| format!("--db {}: {e}", args.db.display()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = server::bind(args.listen).await?;
        let bound = listener.local_addr().map_err(|e| e.to_string())?;
        if args.origin.is_empty() && bound.ip().is_unspecified() {
            return Err(format!(
                "--listen {bound}: no browser names this address; give the portal's address with --origin"
            ));
        }
        let origins = if args.origin.is_empty() {
            let mut own = vec![format!("http://{bound}")];
            if bound.ip().is_loopback() {
                own.push(format!("http://localhost:{}", bound.port()));
            }
            own
        } else {
            args.origin.clone()
        };
        let app = Arc::new(App {
            store,
            verifier,
            logins: Logins::new(origins),
            static_dir: args.static_dir,
            sdk_dir: args.sdk_dir,
            samples_dir: args.samples,
            agent_ports: args.agent_ports,
        });
        server::run(app, listener).await
    })
}
