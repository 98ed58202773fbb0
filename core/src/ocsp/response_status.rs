//! Whether a responder answered at all.
//!
//! ```text
//! OCSPResponseStatus ::= ENUMERATED {                  -- RFC 6960 §4.2.1
//!     successful            (0),  -- Response has valid confirmations
//!     malformedRequest      (1),  -- Illegal confirmation request
//!     internalError         (2),  -- Internal error in issuer
//!     tryLater              (3),  -- Try again later
//!                                 -- (4) is not used
//!     sigRequired           (5),  -- Must sign the request
//!     unauthorized          (6)   -- Request unauthorized
//! }
//! ```

/// The responseStatus of an OCSPResponse. Only `successful` carries a
/// status; the others are the responder's refusals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResponseStatus {
    /// The response holds signed statuses.
    Successful,
    /// The responder could not read the request.
    MalformedRequest,
    /// The responder failed.
    InternalError,
    /// The responder cannot answer now: ask again later.
    TryLater,
    /// The responder wants signed requests.
    SigRequired,
    /// The responder does not answer for this certificate (not its CA's).
    Unauthorized,
}

impl ResponseStatus {
    /// The status with the ENUMERATED value `code`.
    pub fn from_code(code: u8) -> Option<Self> {
        use ResponseStatus::*;
        Some(match code {
            0 => Successful,
            1 => MalformedRequest,
            2 => InternalError,
            3 => TryLater,
            5 => SigRequired,
            6 => Unauthorized,
            _ => return None,
        })
    }

    /// The RFC 6960 name, e.g. `tryLater`.
    pub fn name(self) -> &'static str {
        use ResponseStatus::*;
        match self {
            Successful => "successful",
            MalformedRequest => "malformedRequest",
            InternalError => "internalError",
            TryLater => "tryLater",
            SigRequired => "sigRequired",
            Unauthorized => "unauthorized",
        }
    }

    /// What it means, in Vietnamese.
    pub(crate) fn meaning_vi(self) -> &'static str {
        use ResponseStatus::*;
        match self {
            Successful => "thành công",
            MalformedRequest => "yêu cầu sai định dạng",
            InternalError => "lỗi nội bộ của máy chủ OCSP",
            TryLater => "máy chủ đang bận, hãy thử lại sau",
            SigRequired => "máy chủ yêu cầu yêu cầu phải được ký",
            Unauthorized => "máy chủ không trả lời cho chứng thư số này",
        }
    }

    /// What it means, in English.
    pub(crate) fn meaning(self) -> &'static str {
        use ResponseStatus::*;
        match self {
            Successful => "successful",
            MalformedRequest => "the request was malformed",
            InternalError => "the responder had an internal error",
            TryLater => "the responder is busy, try again later",
            SigRequired => "the responder requires signed requests",
            Unauthorized => "the responder does not answer for this certificate",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_name_statuses() {
        assert_eq!(ResponseStatus::from_code(3), Some(ResponseStatus::TryLater));
        assert_eq!(
            ResponseStatus::from_code(6).map(ResponseStatus::name),
            Some("unauthorized")
        );
        assert_eq!(ResponseStatus::from_code(4), None);
    }
}
