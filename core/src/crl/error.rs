//! Why a CRL could not be read or trusted.

use crate::lang::Localized;

/// What went wrong with a CRL.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CrlError {
    /// The bytes are not a CertificateList of RFC 5280.
    Malformed(String),
    /// A delta CRL (deltaCRLIndicator): it lists only changes since a base
    /// CRL, so a serial it does not list may still be revoked. Kyso reads
    /// full CRLs only.
    DeltaUnsupported,
    /// A critical extension Kyso does not process: RFC 5280 §5.2 forbids
    /// using such a CRL.
    UnsupportedCriticalExtension(String),
    /// The issuingDistributionPoint limits the CRL in a way Kyso does not
    /// follow (reasons, indirect CRL, attribute certificates).
    ScopeUnsupported(&'static str),
    /// The CRL's issuer is not the certificate given as its issuer.
    IssuerMismatch,
    /// The issuer's key usage does not include cRLSign.
    IssuerNotCrlSigner,
    /// The signature does not verify with the issuer's key over the
    /// tbsCertList.
    SignatureInvalid,
    /// An algorithm or key problem from the rest of core.
    Core(crate::Error),
}

impl Localized for CrlError {
    fn code(&self) -> &'static str {
        match self {
            CrlError::Malformed(_) => "CRL_MALFORMED",
            CrlError::DeltaUnsupported => "CRL_DELTA_UNSUPPORTED",
            CrlError::UnsupportedCriticalExtension(_) => "CRL_CRITICAL_EXTENSION_UNSUPPORTED",
            CrlError::ScopeUnsupported(_) => "CRL_SCOPE_UNSUPPORTED",
            CrlError::IssuerMismatch => "CRL_ISSUER_MISMATCH",
            CrlError::IssuerNotCrlSigner => "CRL_ISSUER_NOT_CRL_SIGNER",
            CrlError::SignatureInvalid => "CRL_SIGNATURE_INVALID",
            CrlError::Core(e) => e.code(),
        }
    }

    fn message(&self) -> String {
        match self {
            CrlError::Malformed(what) => format!("Malformed CRL: {what}"),
            CrlError::DeltaUnsupported => {
                "Delta CRLs are not supported; a full CRL is needed".into()
            }
            CrlError::UnsupportedCriticalExtension(oid) => {
                format!("The CRL has a critical extension Kyso does not process ({oid})")
            }
            CrlError::ScopeUnsupported(what) => {
                format!("The CRL covers only part of the certificates in a way Kyso does not follow ({what})")
            }
            CrlError::IssuerMismatch => "The CRL was not issued by this certificate's CA".into(),
            CrlError::IssuerNotCrlSigner => {
                "The CRL issuer's key may not sign CRLs (no cRLSign key usage)".into()
            }
            CrlError::SignatureInvalid => {
                "The CRL's signature does not verify with the issuer's key".into()
            }
            CrlError::Core(e) => e.message(),
        }
    }

    fn message_vi(&self) -> String {
        match self {
            CrlError::Malformed(what) => format!("CRL không đúng định dạng: {what}"),
            CrlError::DeltaUnsupported => {
                "Không hỗ trợ CRL delta (chỉ chứa thay đổi); cần CRL đầy đủ".into()
            }
            CrlError::UnsupportedCriticalExtension(oid) => {
                format!("CRL có phần mở rộng bắt buộc (critical) mà Kyso không xử lý ({oid})")
            }
            CrlError::ScopeUnsupported(what) => {
                format!("CRL chỉ áp dụng cho một phần chứng thư số theo cách Kyso không hỗ trợ ({what})")
            }
            CrlError::IssuerMismatch => "CRL không do CA của chứng thư số này phát hành".into(),
            CrlError::IssuerNotCrlSigner => {
                "Khóa của bên phát hành CRL không được phép ký CRL (thiếu cRLSign)".into()
            }
            CrlError::SignatureInvalid => {
                "Chữ ký của CRL không hợp lệ với khóa của bên phát hành".into()
            }
            CrlError::Core(e) => e.message_vi(),
        }
    }
}

crate::localized_error!(CrlError);

impl From<crate::Error> for CrlError {
    fn from(e: crate::Error) -> Self {
        match e {
            crate::Error::Malformed(what) => CrlError::Malformed(what),
            other => CrlError::Core(other),
        }
    }
}

impl From<der::Error> for CrlError {
    fn from(e: der::Error) -> Self {
        CrlError::Malformed(e.to_string())
    }
}
