//! Certificate revocation lists (RFC 5280 §5): full CRLs, read and checked
//! against their issuer.
//!
//! Core never downloads one: the agent and the CLI fetch the URLs of
//! [`Certificate::crl_urls`] and hand the bytes to [`Crl::from_der`] (or
//! [`Crl::from_pem`]). Delta CRLs are refused (`CRL_DELTA_UNSUPPORTED`), as
//! are CRLs with a critical extension Kyso does not process; how an
//! issuingDistributionPoint is followed is described in `scope.rs`: in
//! short, a CRL limited to a distribution point or to end-entity or CA
//! certificates is used for the certificates in that scope, and one limited
//! to some reasons, indirect or for attribute certificates is refused
//! (`CRL_SCOPE_UNSUPPORTED`).
//!
//! [`Certificate::crl_urls`]: crate::Certificate::crl_urls

mod certificate_list;
mod error;
mod scope;

pub use certificate_list::{Crl, RevokedEntry};
pub use error::CrlError;
