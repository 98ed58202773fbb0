//! `POST /v1/authenticate`: a `kyso-auth:1` login token for the asking site.
//!
//! The agent signs `SHA-256(SHA-256(origin) ‖ SHA-256(nonce))` with the origin
//! taken from the request's `Origin` header, never from the body, so a token
//! made for one site is useless on another. The answer is core's
//! [`AuthToken`], which portal servers verify with `kyso_core::auth::verify`.

use serde::{Deserialize, Serialize};

pub use kyso_core::auth::AuthToken;

/// The server's challenge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthRequest {
    /// At least 32 random bytes, base64url, issued by the portal's server
    /// and accepted by it once.
    pub nonce: String,
    /// Which certificate to log in with; the only one present when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_id: Option<String>,
}
