//! The error body of every Kyso server: the agent, the demo portal and the
//! verification service answer a failure with an HTTP status and
//!
//! ```json
//! {"error": {"code": "PIN_INCORRECT", "message": "Incorrect PIN",
//!            "messageVi": "Mã PIN không đúng", "retriesLeft": 2}}
//! ```
//!
//! ```
//! use kyso_wire::api::error::ErrorResponse;
//!
//! let body = ErrorResponse::from(&kyso_core::Error::KeyMismatch);
//! let json = serde_json::to_value(&body).unwrap();
//! assert_eq!(json["error"]["code"], "KEY_MISMATCH");
//! ```

use kyso_core::report::ValidationReport;
use kyso_core::Localized;
use serde::{Deserialize, Serialize};

/// The whole body: `{"error": ErrorBody}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ErrorResponse {
    /// What went wrong.
    pub error: ErrorBody,
}

/// A stable code and the message in both languages, plus what some codes
/// carry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ErrorBody {
    /// `SCREAMING_SNAKE`, stable: programs match on it.
    pub code: String,
    /// English.
    pub message: String,
    /// Vietnamese.
    pub message_vi: String,
    /// `PIN_INCORRECT`: tries left, when the token says few remain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries_left: Option<u32>,
    /// `TOKEN_ERROR`: the PKCS#11 return value, e.g. `CKR_DEVICE_ERROR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ckr: Option<String>,
    /// The request field the error is about (a portal's form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// A verification that failed: its whole report, for the page to show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<Box<ValidationReport>>,
}

impl ErrorBody {
    /// The body of `e` with no extra members.
    pub fn new(e: &(impl Localized + ?Sized)) -> ErrorBody {
        ErrorBody {
            code: e.code().to_string(),
            message: e.message(),
            message_vi: e.message_vi(),
            retries_left: None,
            ckr: None,
            field: None,
            report: None,
        }
    }
}

impl<E: Localized + ?Sized> From<&E> for ErrorBody {
    fn from(e: &E) -> ErrorBody {
        ErrorBody::new(e)
    }
}

impl<E: Localized + ?Sized> From<&E> for ErrorResponse {
    fn from(e: &E) -> ErrorResponse {
        ErrorResponse {
            error: ErrorBody::new(e),
        }
    }
}

impl From<ErrorBody> for ErrorResponse {
    fn from(error: ErrorBody) -> ErrorResponse {
        ErrorResponse { error }
    }
}
