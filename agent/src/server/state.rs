//! What every request handler shares: the service, the configuration and the
//! controls' own state.

use std::sync::Arc;
use std::time::Duration;

use super::guard::Guard;
use super::pairing::Pairing;
use crate::config::Config;
use crate::service::Service;

/// Shared state of the running server.
pub struct State {
    pub service: Arc<Service>,
    pub port: u16,
    pub config: Config,
    pub guard: Guard,
    pub pairing: Arc<Pairing>,
}

impl State {
    /// How long a request may wait: the user's time to answer, plus time for
    /// the token to sign afterwards (a slow smart card takes seconds).
    pub fn operation_timeout(&self) -> Duration {
        Duration::from_secs(self.config.approver.timeout_seconds + 30)
    }
}
