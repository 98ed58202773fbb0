use std::path::Path;

use zeroize::Zeroizing;

use super::{ApprovalRequest, Approver, Credential};
use crate::error::Error;
use crate::origin::Origin;
use kyso_token::Pin;

/// For organisation seal servers and tests: no person in the loop. Serves only
/// origins the administrator flagged `unattended`, with the PIN from a file
/// only its owner can read. Every signature is audited by the service.
pub struct UnattendedApprover {
    pin: Zeroizing<String>,
    /// Set once the token refused the PIN: retrying the same PIN from a file
    /// would only count down to a locked token.
    rejected: std::sync::atomic::AtomicBool,
    allowed: Vec<crate::config::AllowedOrigin>,
}

impl UnattendedApprover {
    /// Reads the PIN file, refusing one that others could read.
    pub fn new(
        pin_file: &Path,
        allowed: Vec<crate::config::AllowedOrigin>,
    ) -> Result<Self, String> {
        check_private(pin_file)?;
        let text = Zeroizing::new(
            std::fs::read_to_string(pin_file)
                .map_err(|e| format!("approver.pin_file {}: {e}", pin_file.display()))?,
        );
        let pin = Zeroizing::new(text.trim_end_matches(['\r', '\n']).to_string());
        if pin.is_empty() {
            return Err(format!("approver.pin_file {}: empty", pin_file.display()));
        }
        Ok(UnattendedApprover {
            pin,
            allowed,
            rejected: std::sync::atomic::AtomicBool::new(false),
        })
    }
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path)
        .map_err(|e| format!("approver.pin_file {}: {e}", path.display()))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(format!(
            "approver.pin_file {}: mode {mode:o} lets others read the PIN; chmod 600 it",
            path.display()
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), String> {
    // Windows ACLs are checked by the installer; nothing portable to test here.
    Ok(())
}

impl Approver for UnattendedApprover {
    fn name(&self) -> &'static str {
        "unattended"
    }

    fn approve(&self, request: &ApprovalRequest<'_>) -> Result<Credential, Error> {
        let entry = crate::config::AllowedOrigin::find(&self.allowed, request.origin);
        if !entry.is_some_and(|e| e.unattended) {
            return Err(Error::OriginNotAllowed(format!(
                "{} may not be served without a person approving",
                request.origin
            )));
        }
        if self.rejected.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(kyso_token::Error::PinUnavailable(
                "the token refused the PIN in approver.pin_file; it is not tried again until the agent restarts, so the token does not lock".into(),
            )
            .into());
        }
        Ok(Credential::Pin(Pin::new(self.pin.to_string())?))
    }

    fn pin_rejected(&self) {
        self.rejected
            .store(true, std::sync::atomic::Ordering::SeqCst);
        eprintln!("kyso-agent: the token refused the PIN from approver.pin_file; unattended signing is stopped until restart");
    }

    fn approve_site(&self, _origin: &Origin) -> Result<bool, Error> {
        Err(Error::ApproverUnavailable(
            "pairing needs a person; the unattended approver cannot approve sites".into(),
        ))
    }

    fn keeps_sessions(&self) -> bool {
        true
    }
}
