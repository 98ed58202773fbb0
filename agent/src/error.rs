//! The agent's error type: the codes of DESIGN §3, each with an HTTP status and
//! a message in Vietnamese and English. The CLI prints the same messages.

use std::fmt;

/// Everything that can go wrong between a request and a token.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The request itself is unusable.
    BadRequest(String),
    /// Wrong PIN. `retries_left` is set when the token says this is the final
    /// try; `count_low` when it says few tries remain.
    PinIncorrect {
        retries_left: Option<u32>,
        count_low: bool,
    },
    PinLocked,
    /// No PIN could be obtained (no terminal, nothing on stdin).
    PinUnavailable(String),
    TokenNotFound(String),
    CertificateNotFound(String),
    TokenRemoved,
    /// A PKCS#11 call failed: the function and the `CKR_*` name.
    Token {
        function: String,
        ckr: String,
    },
    /// The PKCS#11 module could not be loaded.
    Module(String),
    UserCancelled,
    /// The user did not answer in time.
    UserTimeout,
    /// The request's `Origin` is missing or not allowed for this operation.
    OriginNotAllowed(String),
    /// The `Host` header is not a loopback name of this agent (DNS rebinding).
    HostNotAllowed,
    PayloadTooLarge,
    /// Queue full or rate limit reached.
    Busy(String),
    /// No approver can ask the user (e.g. no consent window in this build).
    ApproverUnavailable(String),
    /// No such endpoint.
    NotFound,
    MethodNotAllowed,
    /// A format problem reported by kyso-core.
    Core(kyso_core::Error),
    /// A PDF that cannot be signed (damaged, encrypted, no such page…).
    Pdf(kyso_core::pdf::PdfError),
    Io(String),
}

impl Error {
    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            Error::BadRequest(_) | Error::Core(_) => "BAD_REQUEST",
            Error::Pdf(e) => e.code(),
            Error::PinIncorrect { .. } => "PIN_INCORRECT",
            Error::PinLocked => "PIN_LOCKED",
            Error::PinUnavailable(_) => "PIN_UNAVAILABLE",
            Error::TokenNotFound(_) => "TOKEN_NOT_FOUND",
            Error::CertificateNotFound(_) => "CERTIFICATE_NOT_FOUND",
            Error::TokenRemoved => "TOKEN_REMOVED",
            Error::Token { .. } | Error::Module(_) => "TOKEN_ERROR",
            Error::UserCancelled => "USER_CANCELLED",
            Error::UserTimeout => "USER_TIMEOUT",
            Error::OriginNotAllowed(_) => "ORIGIN_NOT_ALLOWED",
            Error::HostNotAllowed => "HOST_NOT_ALLOWED",
            Error::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Error::Busy(_) => "BUSY",
            Error::ApproverUnavailable(_) => "APPROVER_UNAVAILABLE",
            Error::NotFound => "NOT_FOUND",
            Error::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Error::Io(_) => "IO_ERROR",
        }
    }

    /// The HTTP status the agent answers with.
    pub fn http_status(&self) -> u16 {
        match self {
            Error::BadRequest(_) | Error::Core(_) | Error::Pdf(_) => 400,
            Error::PinIncorrect { .. } | Error::PinUnavailable(_) => 401,
            Error::PinLocked => 423,
            Error::TokenNotFound(_) | Error::CertificateNotFound(_) => 404,
            Error::TokenRemoved => 410,
            Error::Token { .. } | Error::Module(_) => 502,
            Error::UserCancelled => 409,
            Error::UserTimeout => 408,
            Error::OriginNotAllowed(_) | Error::HostNotAllowed => 403,
            Error::PayloadTooLarge => 413,
            Error::Busy(_) => 429,
            Error::ApproverUnavailable(_) => 503,
            Error::NotFound => 404,
            Error::MethodNotAllowed => 405,
            Error::Io(_) => 500,
        }
    }

    /// English message.
    pub fn message(&self) -> String {
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
            Error::Token { function, ckr } => format!("The token refused {function}: {ckr}"),
            Error::Module(m) => format!("Cannot load the PKCS#11 module: {m}"),
            Error::UserCancelled => "Cancelled by the user".into(),
            Error::UserTimeout => "No answer from the user in time".into(),
            Error::OriginNotAllowed(m) => {
                format!("This site is not allowed to use the signing agent: {m}")
            }
            Error::HostNotAllowed => {
                "Requests must address the agent as 127.0.0.1, localhost or [::1]".into()
            }
            Error::PayloadTooLarge => "The request is too large".into(),
            Error::Busy(m) => format!("The agent is busy: {m}"),
            Error::ApproverUnavailable(m) => format!("Cannot ask the user for approval: {m}"),
            Error::NotFound => "No such endpoint".into(),
            Error::MethodNotAllowed => "Method not allowed on this endpoint".into(),
            Error::Core(e) => e.message(),
            Error::Pdf(e) => e.message(),
            Error::Io(m) => m.clone(),
        }
    }

    /// Vietnamese message.
    pub fn message_vi(&self) -> String {
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
            Error::Token { function, ckr } => {
                format!("Thiết bị ký số từ chối thao tác {function}: {ckr}")
            }
            Error::Module(m) => format!("Không nạp được thư viện PKCS#11: {m}"),
            Error::UserCancelled => "Người dùng đã hủy".into(),
            Error::UserTimeout => "Người dùng không phản hồi kịp thời".into(),
            Error::OriginNotAllowed(m) => {
                format!("Trang web này không được phép sử dụng phần mềm ký số: {m}")
            }
            Error::HostNotAllowed => {
                "Yêu cầu phải gửi tới 127.0.0.1, localhost hoặc [::1]".into()
            }
            Error::PayloadTooLarge => "Yêu cầu quá lớn".into(),
            Error::Busy(m) => format!("Phần mềm ký số đang bận: {m}"),
            Error::ApproverUnavailable(m) => {
                format!("Không thể hỏi ý kiến người dùng: {m}")
            }
            Error::NotFound => "Không có chức năng này".into(),
            Error::MethodNotAllowed => "Phương thức không được hỗ trợ".into(),
            Error::Core(e) => e.message_vi(),
            Error::Pdf(e) => e.message_vi(),
            Error::Io(m) => format!("Lỗi đọc/ghi: {m}"),
        }
    }

    /// `retriesLeft` for the JSON error body.
    pub fn retries_left(&self) -> Option<u32> {
        match self {
            Error::PinIncorrect { retries_left, .. } => *retries_left,
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for Error {}

impl From<kyso_core::pdf::PdfError> for Error {
    fn from(e: kyso_core::pdf::PdfError) -> Self {
        match e {
            kyso_core::pdf::PdfError::Core(e) => Error::Core(e),
            other => Error::Pdf(other),
        }
    }
}

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
                RvError::FunctionCanceled => Error::UserCancelled,
                other => Error::Token {
                    function: format!("{function:?}"),
                    ckr: ckr_name(&format!("{other:?}")),
                },
            },
            CkError::LibraryLoading(e) => Error::Module(e.to_string()),
            other => Error::Token {
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
    fn pkcs11_errors_map_to_design_codes() {
        let map = |rv| Error::from(CkError::Pkcs11(rv, Function::Login));
        assert_eq!(map(RvError::PinIncorrect).code(), "PIN_INCORRECT");
        assert_eq!(map(RvError::PinIncorrect).http_status(), 401);
        assert_eq!(map(RvError::PinLocked).code(), "PIN_LOCKED");
        assert_eq!(map(RvError::PinLocked).http_status(), 423);
        assert_eq!(map(RvError::DeviceRemoved).code(), "TOKEN_REMOVED");
        assert_eq!(map(RvError::TokenNotPresent).http_status(), 410);
        let other = map(RvError::MechanismInvalid);
        assert_eq!(other.code(), "TOKEN_ERROR");
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
