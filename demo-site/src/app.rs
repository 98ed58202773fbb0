//! The portal's state: what every handler may use, built once by `main`.

use std::path::PathBuf;

use crate::login::Logins;
use crate::store::Store;
use crate::verification::Verifier;

/// Everything a request may use.
pub struct App {
    pub store: Store,
    pub verifier: Verifier,
    pub logins: Logins,
    /// This portal's pages (demo-site/static).
    pub static_dir: PathBuf,
    /// The SDK and its wasm (js-sdk/dist), served under `/kyso/`.
    pub sdk_dir: PathBuf,
    /// Sample PDFs offered to try the flows, served under `/samples/`.
    pub samples_dir: Option<PathBuf>,
    /// Where the page looks for the agent (empty: the SDK's default ports).
    pub agent_ports: Vec<u16>,
}
