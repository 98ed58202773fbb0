//! Why a PDF could not be signed or read: a stable code and a message in
//! English and Vietnamese. (Verification findings go in the report instead.)

use crate::lang::Localized;

/// Why a PDF could not be read, prepared or finished.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PdfError {
    /// Not a PDF, or a structure Kyso cannot read (bad xref, truncated).
    Syntax(String),
    /// Encrypted PDFs are not signed (the signature would cover ciphertext
    /// readers decrypt differently).
    Encrypted,
    /// A valid PDF feature Kyso does not handle.
    Unsupported(String),
    /// The requested page does not exist.
    NoSuchPage {
        /// The page asked for, 1-based.
        page: usize,
        /// How many pages the document has.
        pages: usize,
    },
    /// A certification signature allows no change (DocMDP P=1): another
    /// signature would break it.
    CertifiedNoChanges,
    /// A certified document (DocMDP P=2 or 3) may be signed, but a new
    /// visible field changes what the certifier approved (pyHanko and Adobe
    /// refuse it): only an invisible signature can be added.
    CertifiedNoNewVisibleField,
    /// The CMS did not fit the space reserved for it.
    SignatureTooLarge {
        /// The CMS's size in bytes.
        size: usize,
        /// The bytes reserved for it in `/Contents`.
        capacity: usize,
    },
    /// A certificate, signature or appearance problem from the rest of core.
    Core(crate::Error),
}

impl Localized for PdfError {
    fn code(&self) -> &'static str {
        match self {
            PdfError::Syntax(_) => "PDF_MALFORMED",
            PdfError::Encrypted => "PDF_ENCRYPTED",
            PdfError::Unsupported(_) => "PDF_UNSUPPORTED",
            PdfError::NoSuchPage { .. } => "PDF_PAGE_NOT_FOUND",
            PdfError::CertifiedNoChanges => "PDF_CERTIFIED_NO_CHANGES",
            PdfError::CertifiedNoNewVisibleField => "PDF_CERTIFIED_NO_VISIBLE_FIELD",
            PdfError::SignatureTooLarge { .. } => "PDF_SIGNATURE_TOO_LARGE",
            PdfError::Core(e) => e.code(),
        }
    }

    fn message(&self) -> String {
        match self {
            PdfError::Syntax(what) => format!("The PDF is damaged or not a PDF: {what}"),
            PdfError::Encrypted => {
                "The PDF is encrypted; remove the password protection before signing".into()
            }
            PdfError::Unsupported(what) => format!("Unsupported PDF feature: {what}"),
            PdfError::NoSuchPage { page, pages } => {
                format!("Page {page} does not exist (the document has {pages} pages)")
            }
            PdfError::CertifiedNoChanges => "The document is certified with no changes allowed; \
                 another signature would invalidate its certification"
                .into(),
            PdfError::CertifiedNoNewVisibleField => "The document is certified: it may be signed, \
                 but only with an invisible signature (no --role, --page, --rect or image)"
                .into(),
            PdfError::SignatureTooLarge { size, capacity } => format!(
                "The signature ({size} bytes) does not fit the space reserved ({capacity} bytes)"
            ),
            PdfError::Core(e) => e.message(),
        }
    }

    fn message_vi(&self) -> String {
        match self {
            PdfError::Syntax(what) => format!("Tệp PDF bị hỏng hoặc không phải PDF: {what}"),
            PdfError::Encrypted => {
                "Tệp PDF đã được mã hóa; hãy gỡ mật khẩu bảo vệ trước khi ký".into()
            }
            PdfError::Unsupported(what) => format!("Tính năng PDF chưa được hỗ trợ: {what}"),
            PdfError::NoSuchPage { page, pages } => {
                format!("Không có trang {page} (tài liệu có {pages} trang)")
            }
            PdfError::CertifiedNoChanges => "Tài liệu đã được chứng nhận và không cho phép \
                 thay đổi; ký thêm sẽ làm mất hiệu lực chứng nhận"
                .into(),
            PdfError::CertifiedNoNewVisibleField => "Tài liệu đã được chứng nhận: chỉ có thể \
                 ký thêm bằng chữ ký ẩn (không có hình chữ ký)"
                .into(),
            PdfError::SignatureTooLarge { size, capacity } => {
                format!("Chữ ký ({size} byte) vượt quá chỗ dành sẵn trong tệp ({capacity} byte)")
            }
            PdfError::Core(e) => e.message_vi(),
        }
    }
}

crate::localized_error!(PdfError);

impl From<crate::Error> for PdfError {
    fn from(e: crate::Error) -> Self {
        PdfError::Core(e)
    }
}
