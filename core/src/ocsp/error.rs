//! Why an OCSP request could not be made, or a response could not be read
//! or trusted.

use super::ResponseStatus;
use crate::lang::Localized;
use crate::time::DateTime;

/// What went wrong with OCSP.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OcspError {
    /// The bytes are not an OCSP structure of RFC 6960.
    Malformed(String),
    /// The responder answered without a status (responseStatus other than
    /// `successful`).
    Unsuccessful(ResponseStatus),
    /// A responseType other than id-pkix-ocsp-basic.
    UnsupportedResponseType(String),
    /// Neither the CA nor a certificate in the response is the one its
    /// responderID names.
    ResponderNotFound,
    /// The responder's certificate was not issued by the CA the response is
    /// about (RFC 6960 §4.2.2.2).
    ResponderNotIssuedByCa(String),
    /// The responder's certificate, issued by the CA, lacks the
    /// id-kp-OCSPSigning extended key usage.
    ResponderNotAuthorized(String),
    /// The responder's certificate was not valid when the response was
    /// produced.
    ResponderNotValid {
        /// The responder's name.
        responder: String,
        /// producedAt.
        at: DateTime,
    },
    /// The signature does not verify with the responder's key over the
    /// tbsResponseData.
    SignatureInvalid,
    /// An algorithm or key problem from the rest of core.
    Core(crate::Error),
}

impl Localized for OcspError {
    fn code(&self) -> &'static str {
        match self {
            OcspError::Malformed(_) => "OCSP_MALFORMED",
            OcspError::Unsuccessful(_) => "OCSP_UNSUCCESSFUL",
            OcspError::UnsupportedResponseType(_) => "OCSP_RESPONSE_TYPE_UNSUPPORTED",
            OcspError::ResponderNotFound => "OCSP_RESPONDER_NOT_FOUND",
            OcspError::ResponderNotIssuedByCa(_) => "OCSP_RESPONDER_NOT_ISSUED_BY_CA",
            OcspError::ResponderNotAuthorized(_) => "OCSP_RESPONDER_NOT_AUTHORIZED",
            OcspError::ResponderNotValid { .. } => "OCSP_RESPONDER_NOT_VALID",
            OcspError::SignatureInvalid => "OCSP_SIGNATURE_INVALID",
            OcspError::Core(e) => e.code(),
        }
    }

    fn message(&self) -> String {
        match self {
            OcspError::Malformed(what) => format!("Malformed OCSP data: {what}"),
            OcspError::Unsuccessful(s) => format!(
                "The OCSP responder gave no status: {} ({})",
                s.name(),
                s.meaning()
            ),
            OcspError::UnsupportedResponseType(oid) => {
                format!("Unsupported OCSP response type {oid} (only id-pkix-ocsp-basic is read)")
            }
            OcspError::ResponderNotFound => {
                "The OCSP response names a responder that is neither the CA nor a certificate it carries"
                    .into()
            }
            OcspError::ResponderNotIssuedByCa(who) => format!(
                "OCSP responder '{who}' was not issued by the certificate's CA, so it may not answer for it"
            ),
            OcspError::ResponderNotAuthorized(who) => format!(
                "OCSP responder '{who}' lacks the OCSP signing key purpose (id-kp-OCSPSigning)"
            ),
            OcspError::ResponderNotValid { responder, at } => format!(
                "OCSP responder '{responder}' had no valid certificate when the response was produced ({at})"
            ),
            OcspError::SignatureInvalid => {
                "The OCSP response's signature does not verify with the responder's key".into()
            }
            OcspError::Core(e) => e.message(),
        }
    }

    fn message_vi(&self) -> String {
        match self {
            OcspError::Malformed(what) => format!("Dữ liệu OCSP không đúng định dạng: {what}"),
            OcspError::Unsuccessful(s) => format!(
                "Máy chủ OCSP không trả về tình trạng: {} ({})",
                s.name(),
                s.meaning_vi()
            ),
            OcspError::UnsupportedResponseType(oid) => format!(
                "Không hỗ trợ loại phản hồi OCSP {oid} (chỉ đọc id-pkix-ocsp-basic)"
            ),
            OcspError::ResponderNotFound => {
                "Phản hồi OCSP nêu một máy chủ trả lời không phải CA và không có chứng thư số đi kèm"
                    .into()
            }
            OcspError::ResponderNotIssuedByCa(who) => format!(
                "Máy chủ OCSP '{who}' không do CA của chứng thư số cấp nên không được trả lời thay CA"
            ),
            OcspError::ResponderNotAuthorized(who) => format!(
                "Máy chủ OCSP '{who}' không có mục đích sử dụng khóa ký OCSP (id-kp-OCSPSigning)"
            ),
            OcspError::ResponderNotValid { responder, at } => format!(
                "Chứng thư số của máy chủ OCSP '{responder}' không còn hiệu lực lúc tạo phản hồi ({at})"
            ),
            OcspError::SignatureInvalid => {
                "Chữ ký của phản hồi OCSP không hợp lệ với khóa của máy chủ trả lời".into()
            }
            OcspError::Core(e) => e.message_vi(),
        }
    }
}

crate::localized_error!(OcspError);

impl From<crate::Error> for OcspError {
    fn from(e: crate::Error) -> Self {
        match e {
            crate::Error::Malformed(what) => OcspError::Malformed(what),
            other => OcspError::Core(other),
        }
    }
}

impl From<der::Error> for OcspError {
    fn from(e: der::Error) -> Self {
        OcspError::Malformed(e.to_string())
    }
}
