//! The agent's errors: each has a stable code, an HTTP status and a message
//! in Vietnamese and English (docs/agent-api.md § Errors lists them all).
//! Token failures keep kyso-token's codes and messages.

use kyso_core::Localized;
use kyso_wire::api::error::ErrorBody;

/// Everything that can go wrong between a request and a token.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The request itself is unusable.
    BadRequest(String),
    /// The token, its PIN or its module (kyso-token's codes).
    Token(kyso_token::Error),
    /// The user said no in the consent window.
    UserCancelled,
    /// The user did not answer in time.
    UserTimeout,
    /// The request's `Origin` is missing or not allowed for this operation.
    OriginNotAllowed(String),
    /// The `Host` header is not a loopback name of this agent (DNS rebinding).
    HostNotAllowed,
    /// The body is over the configured limit.
    PayloadTooLarge,
    /// Queue full or rate limit reached.
    Busy(String),
    /// No approver can ask the user (e.g. no display for the consent window).
    ApproverUnavailable(String),
    /// No such endpoint.
    NotFound,
    /// The endpoint exists, not with this method.
    MethodNotAllowed,
    /// A format problem reported by kyso-core (signed attributes, a key).
    Core(kyso_core::Error),
    /// A file or an internal step failed.
    Io(String),
    /// An outbound request failed (kyso-net): `TSA_UNAVAILABLE` or
    /// `REVOCATION_UNAVAILABLE`, with every server's reason.
    Net(kyso_net::NetError),
    /// No usable revocation status for a reason other than the network: no
    /// responder or distribution point in the certificate, an answer that
    /// does not verify, a responder that does not know the certificate
    /// (the before-signing check under `require`).
    RevocationUnavailable(String),
    /// The signer's certificate is revoked (when, and why, in the text);
    /// found before the consent window opens.
    CertificateRevoked(String),
}

impl Error {
    /// The HTTP status the agent answers with.
    pub fn http_status(&self) -> u16 {
        match self {
            Error::BadRequest(_) | Error::Core(_) => 400,
            Error::Token(e) => token_status(e),
            Error::UserCancelled => 409,
            Error::UserTimeout => 408,
            Error::OriginNotAllowed(_) | Error::HostNotAllowed => 403,
            Error::PayloadTooLarge => 413,
            Error::Busy(_) => 429,
            Error::ApproverUnavailable(_) => 503,
            Error::NotFound => 404,
            Error::MethodNotAllowed => 405,
            Error::Io(_) => 500,
            // The TSA or the responder failed, not the agent: a bad gateway.
            Error::Net(_) | Error::RevocationUnavailable(_) => 502,
            Error::CertificateRevoked(_) => 403,
        }
    }

    /// The JSON error body, with `retriesLeft` and `ckr` where they apply.
    pub fn body(&self) -> ErrorBody {
        let mut body = ErrorBody::new(self);
        if let Error::Token(e) = self {
            body.retries_left = e.retries_left();
            body.ckr = e.ckr().map(String::from);
        }
        body
    }

    /// Whether the token went away (or came back elsewhere): a kept session
    /// is then stale.
    pub fn is_token_gone(&self) -> bool {
        matches!(
            self,
            Error::Token(kyso_token::Error::TokenRemoved | kyso_token::Error::Pkcs11 { .. })
        )
    }
}

fn token_status(e: &kyso_token::Error) -> u16 {
    use kyso_token::Error as T;
    match e {
        T::PinIncorrect { .. } | T::PinUnavailable(_) => 401,
        T::PinLocked => 423,
        T::TokenNotFound(_) | T::CertificateNotFound(_) => 404,
        T::TokenRemoved => 410,
        T::Pkcs11 { .. } | T::Module(_) => 502,
        T::Cancelled => 409,
        T::BadRequest(_) | T::Core(_) => 400,
    }
}

impl Localized for Error {
    fn code(&self) -> &'static str {
        match self {
            Error::BadRequest(_) | Error::Core(_) => "BAD_REQUEST",
            Error::Token(e) => e.code(),
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
            Error::Net(e) => e.code(),
            Error::RevocationUnavailable(_) => "REVOCATION_UNAVAILABLE",
            Error::CertificateRevoked(_) => "CERTIFICATE_REVOKED",
        }
    }

    fn message(&self) -> String {
        match self {
            Error::BadRequest(m) => format!("Bad request: {m}"),
            Error::Token(e) => e.message(),
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
            Error::Io(m) => m.clone(),
            Error::Net(e) => e.message(),
            Error::RevocationUnavailable(m) => {
                format!("Cannot get the certificate's revocation status: {m}")
            }
            Error::CertificateRevoked(m) => {
                format!("The signing certificate has been revoked: {m}")
            }
        }
    }

    fn message_vi(&self) -> String {
        match self {
            Error::BadRequest(m) => format!("Yêu cầu không hợp lệ: {m}"),
            Error::Token(e) => e.message_vi(),
            Error::UserCancelled => "Người dùng đã hủy".into(),
            Error::UserTimeout => "Người dùng không phản hồi kịp thời".into(),
            Error::OriginNotAllowed(m) => {
                format!("Trang web này không được phép sử dụng phần mềm ký số: {m}")
            }
            Error::HostNotAllowed => "Yêu cầu phải gửi tới 127.0.0.1, localhost hoặc [::1]".into(),
            Error::PayloadTooLarge => "Yêu cầu quá lớn".into(),
            Error::Busy(m) => format!("Phần mềm ký số đang bận: {m}"),
            Error::ApproverUnavailable(m) => {
                format!("Không thể hỏi ý kiến người dùng: {m}")
            }
            Error::NotFound => "Không có chức năng này".into(),
            Error::MethodNotAllowed => "Phương thức không được hỗ trợ".into(),
            Error::Core(e) => e.message_vi(),
            Error::Io(m) => format!("Lỗi đọc/ghi: {m}"),
            Error::Net(e) => e.message_vi(),
            Error::RevocationUnavailable(m) => {
                format!("Không lấy được tình trạng thu hồi của chứng thư số: {m}")
            }
            Error::CertificateRevoked(m) => {
                format!("Chứng thư số dùng để ký đã bị thu hồi: {m}")
            }
        }
    }
}

kyso_core::localized_error!(Error);

impl From<kyso_core::Error> for Error {
    fn from(e: kyso_core::Error) -> Self {
        Error::Core(e)
    }
}

impl From<kyso_net::NetError> for Error {
    fn from(e: kyso_net::NetError) -> Self {
        Error::Net(e)
    }
}

impl From<kyso_token::Error> for Error {
    fn from(e: kyso_token::Error) -> Self {
        match e {
            // The PIN pad's cancel is the user's "no", like the window's.
            kyso_token::Error::Cancelled => Error::UserCancelled,
            other => Error::Token(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kyso_token::Error as T;

    #[test]
    fn token_errors_keep_their_codes_and_get_statuses() {
        let cases = [
            (
                T::PinIncorrect {
                    retries_left: None,
                    count_low: false,
                },
                "PIN_INCORRECT",
                401,
            ),
            (T::PinLocked, "PIN_LOCKED", 423),
            (T::TokenRemoved, "TOKEN_REMOVED", 410),
            (T::TokenNotFound("x".into()), "TOKEN_NOT_FOUND", 404),
            (
                T::Pkcs11 {
                    function: "Sign".into(),
                    ckr: "CKR_DEVICE_ERROR".into(),
                },
                "TOKEN_ERROR",
                502,
            ),
            (T::Cancelled, "USER_CANCELLED", 409),
        ];
        for (token, code, status) in cases {
            let e = Error::from(token);
            assert_eq!((e.code(), e.http_status()), (code, status), "{e:?}");
        }
    }

    #[test]
    fn outbound_and_revocation_errors() {
        use kyso_net::{Failure, NetError, Reason};
        let tsa = Error::from(NetError::TsaUnavailable(vec![Failure {
            url: "http://tsa.ca.gov.vn".into(),
            reason: Reason::Status(503),
        }]));
        let ocsp = Error::from(NetError::RevocationUnavailable(Failure {
            url: "http://ocsp.example.vn".into(),
            reason: Reason::HostNotFound,
        }));
        let cases = [
            (&tsa, "TSA_UNAVAILABLE", 502),
            (&ocsp, "REVOCATION_UNAVAILABLE", 502),
            (
                &Error::RevocationUnavailable("no OCSP responder or CRL in the certificate".into()),
                "REVOCATION_UNAVAILABLE",
                502,
            ),
            (
                &Error::CertificateRevoked("on 2026-10-01T08:00:00Z (keyCompromise)".into()),
                "CERTIFICATE_REVOKED",
                403,
            ),
        ];
        for (e, code, status) in cases {
            assert_eq!((e.code(), e.http_status()), (code, status), "{e:?}");
            let body = e.body();
            assert_eq!(body.code, code);
            assert!(!body.message.is_empty() && body.message_vi != body.message);
        }
        // The URL and its reason reach the page, in both languages.
        assert!(tsa
            .message()
            .contains("http://tsa.ca.gov.vn: HTTP status 503"));
        assert!(tsa.message_vi().contains("mã trạng thái HTTP 503"));
    }

    #[test]
    fn the_body_carries_tries_left_and_ckr() {
        let e = Error::from(T::PinIncorrect {
            retries_left: Some(1),
            count_low: true,
        });
        let body = e.body();
        assert_eq!(body.retries_left, Some(1));
        assert!(body.message_vi.contains("Còn 1 lần"));
        let e = Error::from(T::Pkcs11 {
            function: "Sign".into(),
            ckr: "CKR_DEVICE_ERROR".into(),
        });
        assert_eq!(e.body().ckr.as_deref(), Some("CKR_DEVICE_ERROR"));
        assert!(e.is_token_gone());
    }
}
