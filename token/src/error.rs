//! What can go wrong between a caller and a token, each with a stable code
//! and a message in Vietnamese and English. The agent answers these codes over
//! HTTP; the CLI prints them.

use kyso_core::Localized;

/// A token operation failed.
#[derive(Debug)]
pub enum Error {
    /// The caller's input is unusable (a malformed certificate id, a digest
    /// of the wrong length, a scheme that does not fit the key).
    BadRequest(String),
    /// Wrong PIN. `retries_left` is set when the token says this is the final
    /// try; `count_low` when it says few tries remain.
    PinIncorrect {
        /// Tries left before the token locks, when the token says.
        retries_left: Option<u32>,
        /// CKF_USER_PIN_COUNT_LOW or CKF_USER_PIN_FINAL_TRY.
        count_low: bool,
    },
    /// Too many wrong PINs: only the issuing CA can unlock the token.
    PinLocked,
    /// No PIN could be obtained (empty, no terminal, nothing typed).
    PinUnavailable(String),
    /// No token, or not the token the certificate id names.
    TokenNotFound(String),
    /// The token is there but holds no such certificate (or no key beside it).
    CertificateNotFound(String),
    /// The token was pulled out during the operation.
    TokenRemoved,
    /// A PKCS#11 call failed: the function and the `CKR_*` name.
    Pkcs11 {
        /// The PKCS#11 function, e.g. `Sign`.
        function: String,
        /// The return value's name, e.g. `CKR_DEVICE_ERROR`.
        ckr: String,
    },
    /// The PKCS#11 module could not be loaded or initialised.
    Module(String),
    /// The token's own PIN pad was cancelled (CKR_FUNCTION_CANCELED).
    Cancelled,
    /// The certificate's key cannot be used (kyso-core's reason).
    Core(kyso_core::Error),
}

impl Error {
    /// `retriesLeft` for an error body.
    pub fn retries_left(&self) -> Option<u32> {
        match self {
            Error::PinIncorrect { retries_left, .. } => *retries_left,
            _ => None,
        }
    }

    /// The `CKR_*` name of a failed PKCS#11 call.
    pub fn ckr(&self) -> Option<&str> {
        match self {
            Error::Pkcs11 { ckr, .. } => Some(ckr),
            _ => None,
        }
    }
}

impl Localized for Error {
    fn code(&self) -> &'static str {
        match self {
            Error::BadRequest(_) | Error::Core(_) => "BAD_REQUEST",
            Error::PinIncorrect { .. } => "PIN_INCORRECT",
            Error::PinLocked => "PIN_LOCKED",
            Error::PinUnavailable(_) => "PIN_UNAVAILABLE",
            Error::TokenNotFound(_) => "TOKEN_NOT_FOUND",
            Error::CertificateNotFound(_) => "CERTIFICATE_NOT_FOUND",
            Error::TokenRemoved => "TOKEN_REMOVED",
            Error::Pkcs11 { .. } | Error::Module(_) => "TOKEN_ERROR",
            Error::Cancelled => "USER_CANCELLED",
        }
    }

    fn message(&self) -> String {
        match self {
            Error::BadRequest(m) => format!("Bad request: {m}"),
            Error::PinIncorrect {
                retries_left: Some(n),
                ..
            } => format!("Incorrect PIN. {n} attempt(s) left before the token locks"),
            Error::PinIncorrect {
                count_low: true, ..
            } => "Incorrect PIN. Only a few attempts are left before the token locks".into(),
            Error::PinIncorrect { .. } => "Incorrect PIN".into(),
            Error::PinLocked => "The token's PIN is locked; ask the issuing CA to unlock it".into(),
            Error::PinUnavailable(m) => format!("No PIN was entered: {m}"),
            Error::TokenNotFound(m) => format!("No token found: {m}"),
            Error::CertificateNotFound(m) => format!("Certificate not found: {m}"),
            Error::TokenRemoved => "The token was removed".into(),
            Error::Pkcs11 { function, ckr } => format!("The token refused {function}: {ckr}"),
            Error::Module(m) => format!("Cannot load the PKCS#11 module: {m}"),
            Error::Cancelled => "Cancelled by the user".into(),
            Error::Core(e) => e.message(),
        }
    }

    fn message_vi(&self) -> String {
        match self {
            Error::BadRequest(m) => format!("Yêu cầu không hợp lệ: {m}"),
            Error::PinIncorrect {
                retries_left: Some(n),
                ..
            } => format!("Mã PIN không đúng. Còn {n} lần thử trước khi thiết bị bị khóa"),
            Error::PinIncorrect {
                count_low: true, ..
            } => "Mã PIN không đúng. Chỉ còn ít lần thử trước khi thiết bị bị khóa".into(),
            Error::PinIncorrect { .. } => "Mã PIN không đúng".into(),
            Error::PinLocked => {
                "Mã PIN của thiết bị ký số đã bị khóa; hãy liên hệ nhà cung cấp chứng thư số để mở khóa".into()
            }
            Error::PinUnavailable(m) => format!("Chưa nhập mã PIN: {m}"),
            Error::TokenNotFound(m) => format!("Không tìm thấy thiết bị ký số: {m}"),
            Error::CertificateNotFound(m) => format!("Không tìm thấy chứng thư số: {m}"),
            Error::TokenRemoved => "Thiết bị ký số đã bị rút ra".into(),
            Error::Pkcs11 { function, ckr } => {
                format!("Thiết bị ký số từ chối thao tác {function}: {ckr}")
            }
            Error::Module(m) => format!("Không nạp được thư viện PKCS#11: {m}"),
            Error::Cancelled => "Người dùng đã hủy".into(),
            Error::Core(e) => e.message_vi(),
        }
    }
}

kyso_core::localized_error!(Error);

impl From<kyso_core::Error> for Error {
    fn from(e: kyso_core::Error) -> Self {
        Error::Core(e)
    }
}

impl From<cryptoki::error::Error> for Error {
    fn from(e: cryptoki::error::Error) -> Self {
        use cryptoki::error::{Error as CkError, RvError};
        match e {
            CkError::Pkcs11(rv, function) => match rv {
                RvError::PinIncorrect => Error::PinIncorrect {
                    retries_left: None,
                    count_low: false,
                },
                RvError::PinLocked => Error::PinLocked,
                RvError::TokenNotPresent
                | RvError::DeviceRemoved
                | RvError::SessionHandleInvalid
                | RvError::SessionClosed
                | RvError::TokenNotRecognized => Error::TokenRemoved,
                RvError::FunctionCanceled => Error::Cancelled,
                other => Error::Pkcs11 {
                    function: format!("{function:?}"),
                    ckr: ckr_name(&format!("{other:?}")),
                },
            },
            CkError::LibraryLoading(e) => Error::Module(e.to_string()),
            other => Error::Pkcs11 {
                function: "PKCS#11".into(),
                ckr: other.to_string(),
            },
        }
    }
}

/// `PinIncorrect` → `CKR_PIN_INCORRECT`.
fn ckr_name(variant: &str) -> String {
    let mut out = String::from("CKR");
    for c in variant.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use cryptoki::context::Function;
    use cryptoki::error::{Error as CkError, RvError};

    #[test]
    fn pkcs11_errors_map_to_stable_codes() {
        let map = |rv| Error::from(CkError::Pkcs11(rv, Function::Login));
        assert_eq!(map(RvError::PinIncorrect).code(), "PIN_INCORRECT");
        assert_eq!(map(RvError::PinLocked).code(), "PIN_LOCKED");
        assert_eq!(map(RvError::DeviceRemoved).code(), "TOKEN_REMOVED");
        assert_eq!(map(RvError::TokenNotPresent).code(), "TOKEN_REMOVED");
        assert_eq!(map(RvError::FunctionCanceled).code(), "USER_CANCELLED");
        let other = map(RvError::MechanismInvalid);
        assert_eq!(other.code(), "TOKEN_ERROR");
        assert_eq!(other.ckr(), Some("CKR_MECHANISM_INVALID"));
        assert!(
            other.message().contains("CKR_MECHANISM_INVALID"),
            "{}",
            other.message()
        );
    }

    #[test]
    fn final_try_is_reported() {
        let e = Error::PinIncorrect {
            retries_left: Some(1),
            count_low: true,
        };
        assert_eq!(e.retries_left(), Some(1));
        assert!(e.message_vi().contains("Còn 1 lần"));
    }
}
