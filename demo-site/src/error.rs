//! The portal's errors: a stable machine code, an HTTP status and the same
//! message in Vietnamese and English ([`Localized`]), sent as a
//! [`kyso_wire::api::error::ErrorResponse`] —
//! `{"error":{"code","message","messageVi"}}`, the shape of the agent's
//! errors, so the page turns both into a `KysoError` the same way.

use std::fmt;

use kyso_core::report::ValidationReport;
use kyso_core::{Lang, Localized};
use kyso_wire::api::error::{ErrorBody, ErrorResponse};

#[derive(Debug)]
pub enum Error {
    /// A field the form needs is missing or malformed (names the field).
    BadField {
        field: &'static str,
        vi: String,
        en: String,
    },
    /// The body is not the JSON the endpoint takes, or not base64.
    BadRequest(String),
    /// The upload is larger than the portal accepts.
    PayloadTooLarge {
        limit: usize,
    },
    /// A body without a `Content-Length` (chunked): its size is not known
    /// before it is read.
    LengthRequired,
    /// The file is not a PDF at all (no `%PDF-` header).
    NotPdf,
    /// The signatures did not verify; the report says why.
    SignatureInvalid(Box<ValidationReport>),
    /// A PDF that was supposed to be signed carries no signature.
    NotSigned,
    /// The clerk's file is not an incremental update of the approved draft.
    NotAnUpdate,
    /// The document is not in the state this step needs (e.g. issuing twice).
    WrongState {
        vi: String,
        en: String,
    },
    /// No such submission or document.
    NotFound,
    MethodNotAllowed,
    /// The login nonce was never issued here, expired or was used already.
    NonceUnknown,
    NonceUsed,
    NonceExpired,
    /// The login token was refused by `kyso_core::auth::verify`.
    Login(kyso_core::auth::AuthError),
    /// The token was made for an origin this portal does not serve.
    LoginOrigin(String),
    /// No session cookie, or an unknown one.
    NotLoggedIn,
    /// A state-changing call from a page of another site (CSRF).
    ForeignOrigin(String),
    /// The preview could not be rendered (pdftoppm missing or failed).
    Preview(String),
    /// Storage failed (SQLite).
    Store(String),
}

impl Localized for Error {
    fn code(&self) -> &'static str {
        match self {
            Error::BadField { .. } => "BAD_FIELD",
            Error::BadRequest(_) => "BAD_REQUEST",
            Error::PayloadTooLarge { .. } => "PAYLOAD_TOO_LARGE",
            Error::LengthRequired => "LENGTH_REQUIRED",
            Error::NotPdf => "PDF_MALFORMED",
            Error::SignatureInvalid(_) => "SIGNATURE_INVALID",
            Error::NotSigned => "NOT_SIGNED",
            Error::NotAnUpdate => "NOT_AN_UPDATE",
            Error::WrongState { .. } => "WRONG_STATE",
            Error::NotFound => "NOT_FOUND",
            Error::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Error::NonceUnknown => "NONCE_UNKNOWN",
            Error::NonceUsed => "NONCE_USED",
            Error::NonceExpired => "NONCE_EXPIRED",
            Error::Login(e) => e.code(),
            Error::LoginOrigin(_) => "AUTH_ORIGIN_MISMATCH",
            Error::NotLoggedIn => "NOT_LOGGED_IN",
            Error::ForeignOrigin(_) => "ORIGIN_NOT_ALLOWED",
            Error::Preview(_) => "PREVIEW_UNAVAILABLE",
            Error::Store(_) => "STORE_ERROR",
        }
    }

    fn message(&self) -> String {
        match self {
            Error::BadField { en, .. } | Error::WrongState { en, .. } => en.clone(),
            Error::BadRequest(m) => format!("Bad request: {m}"),
            Error::PayloadTooLarge { limit } => {
                format!(
                    "The upload is too large (a PDF of at most {} MiB)",
                    limit >> 20
                )
            }
            Error::LengthRequired => "The upload must state its length (Content-Length)".into(),
            Error::NotPdf => "The file is not a PDF".into(),
            Error::SignatureInvalid(r) => format!(
                "The signature is not valid: {}",
                first_problem(r, Lang::En).unwrap_or_else(|| r.summary())
            ),
            Error::NotSigned => "The PDF carries no digital signature; sign it first".into(),
            Error::NotAnUpdate => {
                "The issued file must be the approved draft with one more signature appended".into()
            }
            Error::NotFound => "Not found".into(),
            Error::MethodNotAllowed => "Method not allowed".into(),
            Error::NonceUnknown => {
                "This login challenge was not issued by this portal; reload the page".into()
            }
            Error::NonceUsed => {
                "This login challenge was already used (replay refused); log in again".into()
            }
            Error::NonceExpired => "This login challenge expired; log in again".into(),
            Error::Login(e) => e.message(),
            Error::LoginOrigin(o) => {
                format!("The login token was made for {o}, which is not this portal")
            }
            Error::NotLoggedIn => "Not logged in: log in with your signing token first".into(),
            Error::ForeignOrigin(o) => format!("Requests from {o} are not accepted by this portal"),
            Error::Preview(m) => format!("The page preview is not available: {m}"),
            Error::Store(m) => format!("Storage error: {m}"),
        }
    }

    fn message_vi(&self) -> String {
        match self {
            Error::BadField { vi, .. } | Error::WrongState { vi, .. } => vi.clone(),
            Error::BadRequest(m) => format!("Yêu cầu không hợp lệ: {m}"),
            Error::PayloadTooLarge { limit } => {
                format!("Tệp tải lên quá lớn (tệp PDF tối đa {} MiB)", limit >> 20)
            }
            Error::LengthRequired => "Tệp tải lên phải ghi rõ độ dài (Content-Length)".into(),
            Error::NotPdf => "Tệp không phải là PDF".into(),
            Error::SignatureInvalid(r) => format!(
                "Chữ ký số không hợp lệ: {}",
                first_problem(r, Lang::Vi).unwrap_or_else(|| r.summary_vi())
            ),
            Error::NotSigned => "Tệp PDF chưa có chữ ký số; hãy ký trước khi nộp".into(),
            Error::NotAnUpdate => {
                "Tệp ban hành phải là bản dự thảo đã duyệt, ký thêm một chữ ký ở cuối".into()
            }
            Error::NotFound => "Không tìm thấy".into(),
            Error::MethodNotAllowed => "Phương thức không được hỗ trợ".into(),
            Error::NonceUnknown => {
                "Mã thử thách đăng nhập không do cổng này cấp; hãy tải lại trang".into()
            }
            Error::NonceUsed => {
                "Mã thử thách đăng nhập đã được dùng (từ chối gửi lại); hãy đăng nhập lại".into()
            }
            Error::NonceExpired => "Mã thử thách đăng nhập đã hết hạn; hãy đăng nhập lại".into(),
            Error::Login(e) => e.message_vi(),
            Error::LoginOrigin(o) => {
                format!("Mã đăng nhập được tạo cho {o}, không phải cổng dịch vụ này")
            }
            Error::NotLoggedIn => "Chưa đăng nhập: hãy đăng nhập bằng thiết bị ký số trước".into(),
            Error::ForeignOrigin(o) => format!("Cổng dịch vụ không nhận yêu cầu từ {o}"),
            Error::Preview(m) => format!("Không tạo được ảnh xem trước trang: {m}"),
            Error::Store(m) => format!("Lỗi lưu trữ: {m}"),
        }
    }
}

impl Error {
    /// The HTTP status it is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Error::BadField { .. } | Error::BadRequest(_) | Error::NotPdf => 400,
            Error::PayloadTooLarge { .. } => 413,
            Error::LengthRequired => 411,
            Error::SignatureInvalid(_) | Error::NotSigned | Error::NotAnUpdate => 422,
            Error::WrongState { .. } | Error::NonceUsed => 409,
            Error::NotFound => 404,
            Error::ForeignOrigin(_) => 403,
            Error::MethodNotAllowed => 405,
            Error::NonceUnknown
            | Error::NonceExpired
            | Error::Login(_)
            | Error::LoginOrigin(_)
            | Error::NotLoggedIn => 401,
            Error::Preview(_) => 503,
            Error::Store(_) => 500,
        }
    }

    /// The JSON body; a failed verification carries its report for the page,
    /// a form error names its field.
    pub fn body(&self) -> ErrorResponse {
        let mut error = ErrorBody::new(self);
        if let Error::SignatureInvalid(report) = self {
            error.report = Some(report.clone());
        }
        if let Error::BadField { field, .. } = self {
            error.field = Some((*field).to_string());
        }
        error.into()
    }

    /// A form field error, Vietnamese first.
    pub fn field(field: &'static str, vi: impl Into<String>, en: impl Into<String>) -> Error {
        Error::BadField {
            field,
            vi: vi.into(),
            en: en.into(),
        }
    }
}

/// The first error finding of the first failing signature: the most useful
/// single reason to show.
fn first_problem(report: &ValidationReport, lang: Lang) -> Option<String> {
    report
        .signatures
        .iter()
        .flat_map(|s| s.errors.iter())
        .next()
        .map(|f| lang.pick(&f.message_vi, &f.message).clone())
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.code(), self.message())
    }
}

impl std::error::Error for Error {}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Store(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_the_agent_shape() {
        let b = serde_json::to_value(Error::NonceUsed.body()).unwrap();
        assert_eq!(b["error"]["code"], "NONCE_USED");
        assert!(b["error"]["messageVi"]
            .as_str()
            .unwrap()
            .contains("đã được dùng"));
        assert!(b["error"]["message"].as_str().unwrap().contains("replay"));
        assert_eq!(b["error"].as_object().unwrap().len(), 3);
        assert_eq!(Error::NonceUsed.status(), 409);
    }

    #[test]
    fn a_field_error_names_its_field() {
        let e = Error::field(
            "cccd",
            "Số CCCD gồm 12 chữ số",
            "The citizen ID (CCCD) has 12 digits",
        );
        // Keys sorted, as in every answer of the portal.
        assert_eq!(
            serde_json::to_value(e.body()).unwrap().to_string(),
            r#"{"error":{"code":"BAD_FIELD","field":"cccd","message":"The citizen ID (CCCD) has 12 digits","messageVi":"Số CCCD gồm 12 chữ số"}}"#
        );
        assert_eq!(e.message_in(Lang::Vi), "Số CCCD gồm 12 chữ số");
    }
}
