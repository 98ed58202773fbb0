//! Revocation data that was set aside, and why: for the report, since a
//! response that does not verify is not evidence but is worth telling.

use crate::crl::CrlError;
use crate::lang::Localized;
use crate::ocsp::OcspError;
use crate::report::Finding;

/// An OCSP response or CRL that could not be read or trusted. `index` is
/// its position in the list it came in (0-based).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// An OCSP response.
    Ocsp {
        /// Its position among the OCSP responses.
        index: usize,
        /// Why.
        error: OcspError,
    },
    /// A CRL.
    Crl {
        /// Its position among the CRLs.
        index: usize,
        /// Why.
        error: CrlError,
    },
}

impl Localized for Rejection {
    fn code(&self) -> &'static str {
        match self {
            Rejection::Ocsp { error, .. } => error.code(),
            Rejection::Crl { error, .. } => error.code(),
        }
    }

    fn message(&self) -> String {
        match self {
            Rejection::Ocsp { index, error } => {
                format!("OCSP response {}: {}", index + 1, error.message())
            }
            Rejection::Crl { index, error } => format!("CRL {}: {}", index + 1, error.message()),
        }
    }

    fn message_vi(&self) -> String {
        match self {
            Rejection::Ocsp { index, error } => {
                format!("Phản hồi OCSP thứ {}: {}", index + 1, error.message_vi())
            }
            Rejection::Crl { index, error } => {
                format!("CRL thứ {}: {}", index + 1, error.message_vi())
            }
        }
    }
}

crate::localized_error!(Rejection);

impl From<&Rejection> for Finding {
    fn from(r: &Rejection) -> Self {
        Finding::new(r.code(), r.message_vi(), r.message())
    }
}
