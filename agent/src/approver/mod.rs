//! Who says yes to a signature. Every token operation goes through an
//! [`Approver`]: it shows (or, unattended, records) what is about to be signed
//! and supplies the PIN. The PIN never comes from the HTTP request.

mod dialog;
mod unattended;

pub use dialog::DialogApprover;
pub use unattended::UnattendedApprover;

use kyso_core::cert::CertificateInfo;

use crate::error::Error;
use crate::origin::Origin;
use kyso_token::{Pin, TokenInfo};

/// One document of a signing request, as the user sees it.
#[derive(Clone, Debug)]
pub struct Document {
    pub name: String,
    /// The message digest from the signed attributes (what the page hashed).
    pub digest: Vec<u8>,
}

/// What the user is asked to approve.
#[derive(Clone, Debug)]
pub enum Action {
    /// Sign one or more documents (a batch lists every one).
    Sign(Vec<Document>),
    /// Prove possession of the key to log in to `origin`.
    Authenticate,
    /// Sign a bare hash (only for origins the admin allowed).
    SignHash(Vec<u8>),
}

/// Everything an approval dialog shows.
#[derive(Clone, Debug)]
pub struct ApprovalRequest<'a> {
    pub origin: &'a Origin,
    pub action: &'a Action,
    pub certificate: &'a CertificateInfo,
    pub token: &'a TokenInfo,
    /// The PIN given for this request was wrong: ask again, saying so.
    pub pin_retry: Option<PinRetry>,
    /// The certificate's revocation status could not be checked
    /// (`revocation.before_signing = "warn"`): the window says so.
    pub revocation_unchecked: bool,
}

/// What the token said about a wrong PIN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PinRetry {
    pub retries_left: Option<u32>,
    pub count_low: bool,
}

/// How to log in once approved.
pub enum Credential {
    Pin(Pin),
    /// The token has a PIN pad; the user types the PIN there.
    PinPad,
}

pub trait Approver: Send + Sync {
    /// A short name for the audit log.
    fn name(&self) -> &'static str;

    /// Asks for approval; blocks until the user answers or the approver gives
    /// up. `Err(UserCancelled)` when refused.
    fn approve(&self, request: &ApprovalRequest<'_>) -> Result<Credential, Error>;

    /// Asks the user whether `origin` may use the agent from now on.
    fn approve_site(&self, origin: &Origin) -> Result<bool, Error>;

    /// Whether the agent may keep a token logged in between requests (true
    /// only where no person types the PIN).
    fn keeps_sessions(&self) -> bool {
        false
    }

    /// The token refused the PIN this approver supplied. A person can retype
    /// it; a PIN from a file would be refused again and lock the token.
    fn pin_rejected(&self) {}

    /// Whether a wrong PIN is asked for again in the same request (a person
    /// retyping it) rather than failing the request.
    fn asks_again_after_wrong_pin(&self) -> bool {
        false
    }
}
