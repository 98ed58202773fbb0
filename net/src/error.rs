//! What can go wrong with an outbound request: a [`NetError`] with the
//! code the agent answers (`TSA_UNAVAILABLE`, `REVOCATION_UNAVAILABLE`), made
//! of one [`Failure`] per server tried, each with its [`Reason`].
//!
//! The reasons are spelled out in both languages because an administrator
//! reading "TSA_UNAVAILABLE" needs to know whether to fix a URL (redirect,
//! wrong scheme), a firewall (timeout, refused) or the server (HTTP status,
//! content type).

use std::time::Duration;

use kyso_core::Localized;

/// No server gave a usable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NetError {
    /// `TSA_UNAVAILABLE`: no time-stamping authority answered; one failure
    /// per URL, in the order tried (none when no URL was given).
    TsaUnavailable(Vec<Failure>),
    /// `REVOCATION_UNAVAILABLE`: an OCSP responder, a CRL distribution point
    /// or an issuer-certificate URL gave no usable answer.
    RevocationUnavailable(Failure),
}

/// One server that failed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The URL as given.
    pub url: String,
    /// Why it gave no usable answer.
    pub reason: Reason,
}

/// Why one request gave no usable answer. Each has a code of its own
/// (`TIMEOUT`, `HTTP_STATUS`…) for logs and programs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// Not an absolute `http`/`https` URL with a host (a `file:` or `ftp:`
    /// URL, a relative one, one with user credentials): never requested.
    UrlRefused(String),
    /// The host name does not resolve.
    HostNotFound,
    /// No connection: refused, unreachable, reset.
    ConnectionFailed(String),
    /// No complete answer within this time.
    Timeout(Duration),
    /// The server answered with a redirect, which is not followed: it could
    /// send the request anywhere, including inside the user's network.
    Redirect {
        /// The 3xx status.
        status: u16,
        /// Its `Location`, when it gave one.
        location: Option<String>,
    },
    /// An HTTP status other than 200.
    Status(u16),
    /// The answer is longer than the limit for its kind, in bytes.
    TooLarge(u64),
    /// The `Content-Type` is not the one the protocol defines.
    ContentType {
        /// What the protocol defines.
        expected: &'static str,
        /// What the server sent, if anything.
        got: Option<String>,
    },
    /// A 200 with an empty body.
    Empty,
    /// The TLS handshake failed (certificate not trusted by the operating
    /// system, wrong name, protocol).
    Tls(String),
    /// Any other failure on the wire.
    Protocol(String),
}

impl Localized for NetError {
    fn code(&self) -> &'static str {
        match self {
            NetError::TsaUnavailable(_) => "TSA_UNAVAILABLE",
            NetError::RevocationUnavailable(_) => "REVOCATION_UNAVAILABLE",
        }
    }

    fn message(&self) -> String {
        match self {
            NetError::TsaUnavailable(f) if f.is_empty() => {
                "No time-stamping authority was configured".into()
            }
            NetError::TsaUnavailable(f) => format!(
                "No time-stamping authority answered: {}",
                list(f, Reason::message)
            ),
            NetError::RevocationUnavailable(f) => format!(
                "Cannot get the certificate's revocation status: {}",
                list(std::slice::from_ref(f), Reason::message)
            ),
        }
    }

    fn message_vi(&self) -> String {
        match self {
            NetError::TsaUnavailable(f) if f.is_empty() => {
                "Chưa cấu hình máy chủ cấp dấu thời gian".into()
            }
            NetError::TsaUnavailable(f) => format!(
                "Không máy chủ cấp dấu thời gian nào trả lời: {}",
                list(f, Reason::message_vi)
            ),
            NetError::RevocationUnavailable(f) => format!(
                "Không lấy được tình trạng thu hồi của chứng thư số: {}",
                list(std::slice::from_ref(f), Reason::message_vi)
            ),
        }
    }
}

kyso_core::localized_error!(NetError);

/// `url: reason; url: reason`.
fn list(failures: &[Failure], say: fn(&Reason) -> String) -> String {
    failures
        .iter()
        .map(|f| format!("{}: {}", f.url, say(&f.reason)))
        .collect::<Vec<_>>()
        .join("; ")
}

impl Localized for Reason {
    fn code(&self) -> &'static str {
        match self {
            Reason::UrlRefused(_) => "URL_REFUSED",
            Reason::HostNotFound => "HOST_NOT_FOUND",
            Reason::ConnectionFailed(_) => "CONNECTION_FAILED",
            Reason::Timeout(_) => "TIMEOUT",
            Reason::Redirect { .. } => "REDIRECT",
            Reason::Status(_) => "HTTP_STATUS",
            Reason::TooLarge(_) => "TOO_LARGE",
            Reason::ContentType { .. } => "CONTENT_TYPE",
            Reason::Empty => "EMPTY",
            Reason::Tls(_) => "TLS",
            Reason::Protocol(_) => "PROTOCOL",
        }
    }

    fn message(&self) -> String {
        match self {
            Reason::UrlRefused(m) => format!("not an http or https URL ({m})"),
            Reason::HostNotFound => "host name not found".into(),
            Reason::ConnectionFailed(m) => format!("connection failed ({m})"),
            Reason::Timeout(d) => format!("no answer within {}", seconds(*d)),
            Reason::Redirect { status, location } => format!(
                "redirected ({status}) to {}; redirects are not followed",
                location.as_deref().unwrap_or("(no Location)")
            ),
            Reason::Status(s) => format!("HTTP status {s}"),
            Reason::TooLarge(n) => format!("answer larger than {n} bytes"),
            Reason::ContentType { expected, got } => format!(
                "content type {} instead of {expected}",
                got.as_deref().unwrap_or("(none)")
            ),
            Reason::Empty => "empty answer".into(),
            Reason::Tls(m) => format!("TLS failed ({m})"),
            Reason::Protocol(m) => format!("HTTP failed ({m})"),
        }
    }

    fn message_vi(&self) -> String {
        match self {
            Reason::UrlRefused(m) => format!("không phải địa chỉ http hoặc https ({m})"),
            Reason::HostNotFound => "không tìm thấy tên máy chủ".into(),
            Reason::ConnectionFailed(m) => format!("không kết nối được ({m})"),
            Reason::Timeout(d) => format!("không có phản hồi trong {}", seconds_vi(*d)),
            Reason::Redirect { status, location } => format!(
                "bị chuyển hướng ({status}) tới {}; không đi theo chuyển hướng",
                location.as_deref().unwrap_or("(không có Location)")
            ),
            Reason::Status(s) => format!("mã trạng thái HTTP {s}"),
            Reason::TooLarge(n) => format!("phản hồi lớn hơn {n} byte"),
            Reason::ContentType { expected, got } => format!(
                "kiểu nội dung {} thay vì {expected}",
                got.as_deref().unwrap_or("(không có)")
            ),
            Reason::Empty => "phản hồi rỗng".into(),
            Reason::Tls(m) => format!("lỗi TLS ({m})"),
            Reason::Protocol(m) => format!("lỗi HTTP ({m})"),
        }
    }
}

kyso_core::localized_error!(Reason);

/// `10 s`, `1.5 s`.
fn seconds(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}

/// `10 giây`.
fn seconds_vi(d: Duration) -> String {
    format!("{} giây", d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsa_message_names_every_url_and_reason_in_both_languages() {
        let e = NetError::TsaUnavailable(vec![
            Failure {
                url: "http://a.example".into(),
                reason: Reason::Timeout(Duration::from_secs(10)),
            },
            Failure {
                url: "https://b.example".into(),
                reason: Reason::Status(503),
            },
        ]);
        assert_eq!(e.code(), "TSA_UNAVAILABLE");
        assert_eq!(
            e.message(),
            "No time-stamping authority answered: http://a.example: no answer within 10 s; \
             https://b.example: HTTP status 503"
        );
        assert!(e
            .message_vi()
            .contains("http://a.example: không có phản hồi trong 10 giây"));
        assert!(e.message_vi().contains("mã trạng thái HTTP 503"));
        assert_eq!(e.to_string(), e.message());
    }

    #[test]
    fn no_tsa_and_revocation_messages() {
        let none = NetError::TsaUnavailable(Vec::new());
        assert!(none.message().contains("configured"), "{}", none.message());
        let e = NetError::RevocationUnavailable(Failure {
            url: "http://ocsp.example".into(),
            reason: Reason::ContentType {
                expected: "application/ocsp-response",
                got: Some("text/html".into()),
            },
        });
        assert_eq!(e.code(), "REVOCATION_UNAVAILABLE");
        assert!(e.message().ends_with(
            "http://ocsp.example: content type text/html instead of application/ocsp-response"
        ));
        assert!(e.message_vi().starts_with("Không lấy được"));
    }
}
