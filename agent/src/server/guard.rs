//! Request admission: Host check, origin allow-list, per-origin rate limit and
//! the bounded queue of token operations.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::LimitsConfig;
use crate::error::Error;

pub(crate) struct Guard {
    queue: Arc<Semaphore>,
    per_minute: u32,
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Guard {
    pub(crate) fn new(limits: &LimitsConfig) -> Self {
        Guard {
            queue: Arc::new(Semaphore::new(limits.queue)),
            per_minute: limits.requests_per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// A place in the token-operation queue, or BUSY at once.
    pub(crate) fn enqueue(&self) -> Result<OwnedSemaphorePermit, Error> {
        self.queue
            .clone()
            .try_acquire_owned()
            .map_err(|_| Error::Busy("too many signing requests are waiting".into()))
    }

    /// Counts a request of `origin` in its one-minute window.
    pub(crate) fn rate(&self, origin: &str) -> Result<(), Error> {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        // Forget idle origins so the table cannot grow without bound.
        if windows.len() > 1024 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(60));
        }
        let entry = windows.entry(origin.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= Duration::from_secs(60) {
            *entry = (now, 0);
        }
        entry.1 += 1;
        if entry.1 > self.per_minute {
            return Err(Error::Busy(format!(
                "more than {} requests a minute from this site",
                self.per_minute
            )));
        }
        Ok(())
    }
}

/// Whether `host` (the Host header) names this agent on loopback. Anything else
/// — notably a DNS name that rebinds to 127.0.0.1 — is refused.
pub(crate) fn host_allowed(host: Option<&str>, port: u16) -> bool {
    let Some(host) = host else { return false };
    let host = host.to_ascii_lowercase();
    [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ]
    .contains(&host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_names_with_our_port() {
        assert!(host_allowed(Some("127.0.0.1:27182"), 27182));
        assert!(host_allowed(Some("LOCALHOST:27182"), 27182));
        assert!(host_allowed(Some("[::1]:27182"), 27182));
        assert!(!host_allowed(Some("127.0.0.1:27183"), 27182));
        assert!(!host_allowed(Some("127.0.0.1"), 27182));
        assert!(!host_allowed(Some("evil.example:27182"), 27182));
        assert!(!host_allowed(Some("127.0.0.1.nip.io:27182"), 27182));
        assert!(!host_allowed(None, 27182));
    }

    #[test]
    fn rate_limit_counts_per_origin() {
        let g = Guard::new(&LimitsConfig {
            body_bytes: 1024,
            queue: 1,
            requests_per_minute: 2,
        });
        assert!(g.rate("a").is_ok() && g.rate("a").is_ok());
        assert!(matches!(g.rate("a"), Err(Error::Busy(_))));
        assert!(g.rate("b").is_ok());
        let p = g.enqueue().unwrap();
        assert!(g.enqueue().is_err());
        drop(p);
        assert!(g.enqueue().is_ok());
    }
}
