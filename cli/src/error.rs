//! What can stop a `kyso` command, with a stable code and a message in
//! Vietnamese and English. Every one of them exits with status 3.

use std::fmt;

use kyso_core::pdf::PdfError;
use kyso_core::Localized;

/// A command failed before it could give a result.
#[derive(Debug)]
pub enum Error {
    /// The arguments or an input file are unusable.
    BadRequest(String),
    /// The token refused, is absent, or the PIN was wrong.
    Token(kyso_token::Error),
    /// kyso-core could not use an input (a certificate, a signature).
    Core(kyso_core::Error),
    /// A PDF that cannot be signed (damaged, encrypted, no such page…).
    Pdf(PdfError),
    /// A file could not be read or written.
    Io(String),
    /// A TSA or responder gave no usable answer; nothing was written.
    Net(kyso_net::NetError),
    /// The token signed, but a time-stamp or validation data could not be
    /// had: the signature at level `kept` was written to `out`.
    LongTerm {
        /// What failed (`TSA_UNAVAILABLE`, `REVOCATION_UNAVAILABLE`).
        error: kyso_net::NetError,
        /// The level saved.
        kept: String,
        /// Where.
        out: std::path::PathBuf,
    },
}

impl Error {
    /// `path: reason` for a file that could not be read or written.
    pub fn io(path: &std::path::Path, e: impl fmt::Display) -> Error {
        Error::Io(format!("{}: {e}", path.display()))
    }
}

impl Localized for Error {
    fn code(&self) -> &'static str {
        match self {
            Error::BadRequest(_) | Error::Core(_) => "BAD_REQUEST",
            Error::Token(e) => e.code(),
            Error::Pdf(e) => e.code(),
            Error::Io(_) => "IO_ERROR",
            Error::LongTerm { error, .. } | Error::Net(error) => error.code(),
        }
    }

    fn message(&self) -> String {
        match self {
            Error::BadRequest(m) => format!("Bad request: {m}"),
            Error::Token(e) => e.message(),
            Error::Core(e) => e.message(),
            Error::Pdf(e) => e.message(),
            Error::Io(m) => m.clone(),
            Error::Net(e) => e.message(),
            Error::LongTerm { error, kept, out } => format!(
                "{}; the {kept} signature was saved to {}",
                error.message(),
                out.display()
            ),
        }
    }

    fn message_vi(&self) -> String {
        match self {
            Error::BadRequest(m) => format!("Yêu cầu không hợp lệ: {m}"),
            Error::Token(e) => e.message_vi(),
            Error::Core(e) => e.message_vi(),
            Error::Pdf(e) => e.message_vi(),
            Error::Io(m) => format!("Lỗi đọc/ghi: {m}"),
            Error::Net(e) => e.message_vi(),
            Error::LongTerm { error, kept, out } => format!(
                "{}; chữ ký mức {kept} đã được lưu vào {}",
                error.message_vi(),
                out.display()
            ),
        }
    }
}

kyso_core::localized_error!(Error);

impl From<kyso_token::Error> for Error {
    fn from(e: kyso_token::Error) -> Self {
        Error::Token(e)
    }
}

impl From<kyso_core::Error> for Error {
    fn from(e: kyso_core::Error) -> Self {
        Error::Core(e)
    }
}

impl From<PdfError> for Error {
    fn from(e: PdfError) -> Self {
        match e {
            PdfError::Core(e) => Error::Core(e),
            other => Error::Pdf(other),
        }
    }
}
