//! The default approver: a native consent and PIN window for every
//! signature and for site approval.
//!
//! The window is a separate program, `kyso-dialog` (crate `dialog/`), run once
//! per question: the agent writes one JSON request on its stdin and reads one
//! JSON answer from its stdout. The agent stays a small server without a GUI
//! toolkit, and a crash of the window is a cancelled request, not a dead
//! agent. The PIN crosses only that private pipe, never HTTP.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kyso_token::Pin;
use kyso_wire::dialog::{self, Answer, Decision, Kind};
use zeroize::Zeroizing;

use super::{Action, ApprovalRequest, Approver, Credential};
use crate::error::Error;
use crate::origin::Origin;
use crate::preferences::Preferences;

/// Extra time the agent gives the window beyond its own countdown before
/// treating it as hung.
const GRACE: Duration = Duration::from_secs(5);

pub struct DialogApprover {
    program: PathBuf,
    timeout: Duration,
    preferences: Arc<Preferences>,
    /// PINs the user asked to remember, per token serial, until they expire.
    remembered: Mutex<HashMap<String, (Zeroizing<String>, Instant)>>,
}

impl DialogApprover {
    /// `kyso-dialog` from `$KYSO_DIALOG`, else beside this executable; the
    /// window speaks the language chosen in `preferences` when it opens.
    pub fn new(timeout: Duration, preferences: Arc<Preferences>) -> Self {
        let program = std::env::var_os("KYSO_DIALOG")
            .map(PathBuf::from)
            .or_else(|| {
                let exe = std::env::current_exe().ok()?;
                Some(exe.with_file_name(format!("kyso-dialog{}", std::env::consts::EXE_SUFFIX)))
            })
            .unwrap_or_else(|| PathBuf::from("kyso-dialog"));
        DialogApprover {
            program,
            timeout,
            preferences,
            remembered: Mutex::new(HashMap::new()),
        }
    }

    fn remembered_pin(&self, token_serial: &str) -> Option<Zeroizing<String>> {
        let mut map = self.remembered.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(token_serial) {
            Some((pin, until)) if Instant::now() < *until => Some(pin.clone()),
            Some(_) => {
                map.remove(token_serial);
                None
            }
            None => None,
        }
    }

    /// Runs the window with `request`; its answer.
    fn ask(&self, request: &dialog::Request) -> Result<Answer, Error> {
        if !has_display() {
            return Err(Error::ApproverUnavailable(
                "no graphical session to show the consent window in (DISPLAY/WAYLAND_DISPLAY unset)"
                    .into(),
            ));
        }
        let json = serde_json::to_vec(request).map_err(|e| Error::Io(e.to_string()))?;
        let mut child = Command::new(&self.program)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| {
                Error::ApproverUnavailable(format!(
                    "cannot start the consent window {}: {e}",
                    self.program.display()
                ))
            })?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(&json)
                .map_err(|e| Error::ApproverUnavailable(format!("consent window: {e}")))?;
        }
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| Error::ApproverUnavailable("consent window: no output".into()))?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = Zeroizing::new(String::new());
            let read = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(read.map(|_| line));
        });
        let answer = rx.recv_timeout(self.timeout + GRACE);
        let answer = match answer {
            Ok(Ok(line)) => line,
            Ok(Err(e)) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Error::ApproverUnavailable(format!("consent window: {e}")));
            }
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Error::UserTimeout);
            }
        };
        let _ = child.wait();
        let answer: Answer = serde_json::from_str(answer.trim()).map_err(|_| {
            Error::ApproverUnavailable("the consent window closed without an answer".into())
        })?;
        Ok(answer)
    }
}

fn has_display() -> bool {
    if cfg!(any(target_os = "windows", target_os = "macos")) {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

impl Approver for DialogApprover {
    fn name(&self) -> &'static str {
        "dialog"
    }

    fn approve(&self, request: &ApprovalRequest<'_>) -> Result<Credential, Error> {
        let remembered = if request.token.protected_path {
            None
        } else {
            self.remembered_pin(&request.token.serial)
        };
        let (kind, documents, hash) = match request.action {
            Action::Sign(docs) => (
                Kind::Sign,
                docs.iter()
                    .map(|d| dialog::Document {
                        name: d.name.clone(),
                        digest: hex_prefix(&d.digest),
                    })
                    .collect(),
                None,
            ),
            Action::Authenticate => (Kind::Authenticate, Vec::new(), None),
            Action::SignHash(h) => (Kind::SignHash, Vec::new(), Some(hex_prefix(h))),
        };
        let info = request.certificate;
        let answer = self.ask(&dialog::Request {
            kind,
            lang: self.preferences.language(),
            origin: request.origin.to_string(),
            documents,
            hash,
            certificate: Some(dialog::Certificate {
                name: info.holder_name().to_string(),
                identifiers: info.identifiers.labelled(),
                issuer: info.issuer_name().to_string(),
                not_before: info.not_before.clone(),
                not_after: info.not_after.clone(),
            }),
            token: Some(dialog::Token {
                label: request.token.label.clone(),
                pin_pad: request.token.protected_path,
            }),
            pin_error: request.pin_retry.as_ref().map(|r| dialog::PinError {
                retries_left: r.retries_left,
                count_low: r.count_low,
            }),
            pin_remembered: remembered.is_some(),
            allow_remember: !request.token.protected_path,
            revocation_unchecked: request.revocation_unchecked,
            timeout_seconds: self.timeout.as_secs(),
        })?;
        match answer.decision {
            Decision::Approve => {}
            Decision::Timeout => return Err(Error::UserTimeout),
            Decision::Cancel => return Err(Error::UserCancelled),
            Decision::Error => return Err(window_error(&answer)),
        }
        if request.token.protected_path {
            return Ok(Credential::PinPad);
        }
        let pin = match (answer.pin, remembered) {
            (Some(pin), _) => pin,
            (None, Some(pin)) => pin,
            (None, None) => {
                return Err(kyso_token::Error::PinUnavailable("no PIN was typed".into()).into())
            }
        };
        let minutes = u64::from(answer.remember_minutes.unwrap_or(0));
        if minutes > 0 {
            let until = Instant::now() + Duration::from_secs(minutes.min(60) * 60);
            self.remembered
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(request.token.serial.clone(), (pin.clone(), until));
        }
        Ok(Credential::Pin(Pin::new(pin.to_string())?))
    }

    fn approve_site(&self, origin: &Origin) -> Result<bool, Error> {
        let answer = self.ask(&dialog::Request {
            kind: Kind::Site,
            lang: self.preferences.language(),
            origin: origin.to_string(),
            documents: Vec::new(),
            hash: None,
            certificate: None,
            token: None,
            pin_error: None,
            pin_remembered: false,
            allow_remember: false,
            revocation_unchecked: false,
            timeout_seconds: self.timeout.as_secs(),
        })?;
        match answer.decision {
            Decision::Approve => Ok(true),
            Decision::Cancel => Ok(false),
            Decision::Timeout => Err(Error::UserTimeout),
            // The window could not be shown: not the user's "no", so no
            // cool-down for the site.
            Decision::Error => Err(window_error(&answer)),
        }
    }

    fn asks_again_after_wrong_pin(&self) -> bool {
        true
    }

    fn pin_rejected(&self) {
        // A remembered PIN the token refuses must not be offered again.
        self.remembered
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

fn hex_prefix(bytes: &[u8]) -> String {
    bytes.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The window could not show the question (its `error` answer). Its reason
/// goes to the agent's log, not to the page: it may describe the desktop.
fn window_error(answer: &Answer) -> Error {
    eprintln!(
        "kyso-agent: the consent window could not ask: {}",
        answer.message.as_deref().unwrap_or("(no message)")
    );
    Error::ApproverUnavailable("consent window answered error".into())
}
