//! Revocation: what the OCSP responses and CRLs at hand say about a
//! certificate, as facts for path validation and for long-term signatures
//! (B-LT embeds the data, B-LTA keeps it provable).
//!
//! Core fetches nothing and reads no clock. The fetchers (agent, CLI)
//! collect URLs with [`Certificate::ocsp_urls`] and
//! [`Certificate::crl_urls`], signatures bring their embedded data; both
//! become a [`RevocationData`], and [`status`] picks the evidence that
//! decides. Whether that evidence is fresh enough for a given signing time
//! is the validation policy's call, not this module's.
//!
//! The modules below depend one way: `status` (the shared vocabulary,
//! [`CertStatus`] and [`RevocationReason`]) is a leaf that [`crate::ocsp`]
//! and [`crate::crl`] use; `data`, `rejection` and `evidence` sit above
//! both.
//!
//! [`Certificate::ocsp_urls`]: crate::Certificate::ocsp_urls
//! [`Certificate::crl_urls`]: crate::Certificate::crl_urls

mod data;
mod evidence;
#[cfg(test)]
pub(crate) mod fixtures;
mod rejection;
mod status;
mod validation;

pub use data::RevocationData;
pub use evidence::{assess, status, Assessment, Source, StatusEvidence};
pub use rejection::Rejection;
pub use status::{CertStatus, RevocationReason};
pub use validation::{check_path, Origin, PathStatus};
