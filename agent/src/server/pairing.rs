//! Sites the user allowed (`POST /v1/pair`), kept in a JSON file so the choice
//! survives restarts. One pending request at a time; a cool-down after "deny"
//! so a page cannot nag.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::origin::Origin;

const COOL_DOWN: Duration = Duration::from_secs(60);

pub struct Pairing {
    file: Option<PathBuf>,
    paired: Mutex<BTreeSet<String>>,
    pending: Mutex<bool>,
    denied: Mutex<HashMap<String, Instant>>,
}

impl Pairing {
    /// Loads the paired sites from `file` (missing file: none).
    pub fn load(file: Option<PathBuf>) -> Self {
        let paired = match file.as_ref().map(std::fs::read_to_string) {
            Some(Ok(text)) => serde_json::from_str::<BTreeSet<String>>(&text).unwrap_or_else(|e| {
                // Keep the file for the user to inspect; start with no pairings.
                eprintln!("kyso-agent: ignoring unreadable paired-sites file: {e}");
                BTreeSet::new()
            }),
            _ => BTreeSet::new(),
        };
        Pairing {
            file,
            paired: Mutex::new(paired),
            pending: Mutex::new(false),
            denied: Mutex::new(HashMap::new()),
        }
    }

    pub fn is_paired(&self, origin: &Origin) -> bool {
        self.paired
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(&origin.to_string())
    }

    /// Claims the single pending slot, refusing during a cool-down.
    pub(crate) fn begin(&self, origin: &Origin) -> Result<PendingGuard<'_>, Error> {
        if let Some(at) = self
            .denied
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&origin.to_string())
        {
            if at.elapsed() < COOL_DOWN {
                return Err(Error::Busy(
                    "this site was just refused; try again later".into(),
                ));
            }
        }
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        if *pending {
            return Err(Error::Busy("another site is waiting for approval".into()));
        }
        *pending = true;
        Ok(PendingGuard { pairing: self })
    }

    /// The sites the user allowed, in order.
    pub fn sites(&self) -> Vec<String> {
        self.paired
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    /// Forgets a site the user allowed (the tray's "revoke"): its next call
    /// gets `ORIGIN_NOT_ALLOWED` until it is paired again. Returns whether it
    /// was paired.
    pub fn revoke(&self, origin: &str) -> bool {
        let mut paired = self.paired.lock().unwrap_or_else(|p| p.into_inner());
        let removed = paired.remove(origin);
        if removed {
            self.save(&paired);
        }
        removed
    }

    fn save(&self, paired: &BTreeSet<String>) {
        let Some(f) = &self.file else { return };
        if let Some(dir) = f.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Ok(text) = serde_json::to_string_pretty(paired) {
            if let Err(e) = std::fs::write(f, text) {
                eprintln!("kyso-agent: cannot save paired sites: {e}");
            }
        }
    }

    pub(crate) fn record(&self, origin: &Origin, approved: bool) {
        let key = origin.to_string();
        if approved {
            let mut paired = self.paired.lock().unwrap_or_else(|p| p.into_inner());
            paired.insert(key);
            self.save(&paired);
        } else {
            self.denied
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(key, Instant::now());
        }
    }
}

/// Releases the pending slot when the pairing request ends, however it ends.
pub(crate) struct PendingGuard<'a> {
    pairing: &'a Pairing,
}

impl Drop for PendingGuard<'_> {
    fn drop(&mut self) {
        *self
            .pairing
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = false;
    }
}
