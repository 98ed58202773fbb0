//! The audit log: one JSON line per security-relevant event. Never the PIN.

use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use serde::Serialize;

/// One line of the audit log.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event<'a> {
    pub time: String,
    pub event: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_serial: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_name: Option<&'a str>,
    /// Hex of the digest the user approved (message digest or auth challenge).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// The signer's revocation status found before signing (`good`,
    /// `unknown`, `revoked`); absent when `revocation.before_signing = "off"`
    /// and for events that sign nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation: Option<&'a str>,
    /// `ok`, or the error code.
    pub outcome: &'a str,
    pub approver: &'a str,
}

impl<'a> Event<'a> {
    /// An event stamped now; fill the optional fields with struct update syntax.
    pub fn new(event: &'a str, outcome: &'a str, approver: &'a str) -> Self {
        Event {
            time: now(),
            event,
            origin: None,
            certificate_id: None,
            certificate_serial: None,
            document_name: None,
            digest: None,
            revocation: None,
            outcome,
            approver,
        }
    }
}

/// The current time, ISO 8601 UTC.
pub fn now() -> String {
    crate::clock::now().to_string()
}

/// An append-only JSON-lines file, or nothing when no path is configured.
pub struct Audit {
    file: Option<Mutex<std::fs::File>>,
}

impl Audit {
    pub fn open(path: Option<&Path>) -> Result<Self, String> {
        let file = match path {
            None => None,
            Some(p) => {
                if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| format!("audit.path {}: {e}", dir.display()))?;
                }
                let mut options = std::fs::OpenOptions::new();
                options.create(true).append(true);
                // Who signed what, for whom: readable by the user only.
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let f = options
                    .open(p)
                    .map_err(|e| format!("audit.path {}: {e}", p.display()))?;
                Some(Mutex::new(f))
            }
        };
        Ok(Audit { file })
    }

    /// Appends one event. A failing disk must not fail the signature the user
    /// already approved, so errors go to stderr.
    pub fn record(&self, event: &Event<'_>) {
        let Some(file) = &self.file else { return };
        let Ok(mut line) = serde_json::to_string(event) else {
            return;
        };
        line.push('\n');
        let mut f = file.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = f.write_all(line.as_bytes()) {
            eprintln!("kyso-agent: audit log write failed: {e}");
        }
    }
}
