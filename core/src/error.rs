//! The error type of `kyso-core`: a stable machine code plus a message in English
//! and Vietnamese, so that every front end (CLI, agent, page) can show it as is.

use crate::lang::Localized;

/// Something in the input could not be used. Verification problems are *not*
/// errors: they are findings in a [`crate::report::ValidationReport`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not the ASN.1 structure expected.
    Malformed(String),
    /// A well-formed input uses an algorithm Kyso does not implement.
    UnsupportedAlgorithm(String),
    /// Signed attributes missing a mandatory attribute or carrying a bad value.
    InvalidSignedAttributes(&'static str),
    /// A digest or signature value has the wrong length or form.
    InvalidValue(&'static str),
    /// A certificate could not be parsed or used.
    InvalidCertificate(String),
    /// The signature does not belong to the certificate's key.
    KeyMismatch,
}

impl Error {
    pub(crate) fn malformed(what: impl Into<String>) -> Self {
        Error::Malformed(what.into())
    }
}

impl Localized for Error {
    /// A stable `SCREAMING_SNAKE` code for programs.
    fn code(&self) -> &'static str {
        match self {
            Error::Malformed(_) => "MALFORMED_INPUT",
            Error::UnsupportedAlgorithm(_) => "UNSUPPORTED_ALGORITHM",
            Error::InvalidSignedAttributes(_) => "INVALID_SIGNED_ATTRIBUTES",
            Error::InvalidValue(_) => "INVALID_VALUE",
            Error::InvalidCertificate(_) => "INVALID_CERTIFICATE",
            Error::KeyMismatch => "KEY_MISMATCH",
        }
    }

    /// The message in English.
    fn message(&self) -> String {
        match self {
            Error::Malformed(what) => format!("Malformed data: {what}"),
            Error::UnsupportedAlgorithm(alg) => format!("Unsupported algorithm: {alg}"),
            Error::InvalidSignedAttributes(what) => format!("Invalid signed attributes: {what}"),
            Error::InvalidValue(what) => format!("Invalid value: {what}"),
            Error::InvalidCertificate(what) => format!("Invalid certificate: {what}"),
            Error::KeyMismatch => "The signature does not match the certificate's key".into(),
        }
    }

    /// The message in Vietnamese.
    fn message_vi(&self) -> String {
        match self {
            Error::Malformed(what) => format!("Dữ liệu không đúng định dạng: {what}"),
            Error::UnsupportedAlgorithm(alg) => format!("Thuật toán không được hỗ trợ: {alg}"),
            Error::InvalidSignedAttributes(what) => {
                format!("Thuộc tính ký không hợp lệ: {what}")
            }
            Error::InvalidValue(what) => format!("Giá trị không hợp lệ: {what}"),
            Error::InvalidCertificate(what) => format!("Chứng thư số không hợp lệ: {what}"),
            Error::KeyMismatch => "Chữ ký không khớp với khóa của chứng thư số".into(),
        }
    }
}

crate::localized_error!(Error);

impl From<der::Error> for Error {
    fn from(e: der::Error) -> Self {
        Error::Malformed(e.to_string())
    }
}
