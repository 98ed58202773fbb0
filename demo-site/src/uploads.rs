//! What every upload goes through: JSON parsing with a clear error, the PDF
//! decoded from base64 and checked to be a PDF at all, then verified by
//! kyso-core on a blocking thread (a large PDF takes a moment; the async
//! threads keep serving meanwhile).

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use kyso_core::report::ValidationReport;
use serde::de::DeserializeOwned;

use crate::app::App;
use crate::error::Error;

/// The body as JSON of type `T`; serde's message says which field is wrong.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|e| Error::BadRequest(e.to_string()))
}

/// A base64 PDF from the page. Only the header is checked here: whether it
/// is readable is core's verdict (`PDF_MALFORMED` findings in the report).
pub fn decode_pdf(b64: &str) -> Result<Vec<u8>, Error> {
    let bytes = STANDARD
        .decode(b64.trim())
        .map_err(|e| Error::BadRequest(format!("pdf: not base64 ({e})")))?;
    if !bytes.starts_with(b"%PDF-") {
        return Err(Error::NotPdf);
    }
    Ok(bytes)
}

/// Verifies `pdf` with kyso-core off the async threads.
async fn verify(app: &Arc<App>, pdf: Arc<Vec<u8>>) -> Result<ValidationReport, Error> {
    let app = app.clone();
    tokio::task::spawn_blocking(move || app.verifier.verify_pdf(&pdf))
        .await
        .map_err(|e| Error::Store(format!("verification task: {e}")))
}

/// Verifies an uploaded PDF and accepts it only with `want` signatures or
/// more, all passed: the file (shared, for storing) and its report.
pub async fn verified(
    app: &Arc<App>,
    pdf: Vec<u8>,
    want: usize,
) -> Result<(Arc<Vec<u8>>, ValidationReport), Error> {
    let pdf = Arc::new(pdf);
    let report = require_valid(verify(app, pdf.clone()).await?, want)?;
    Ok((pdf, report))
}

/// Accepts a report only when it has `want` signatures or more and all
/// passed; otherwise the error the page shows (with the report).
fn require_valid(report: ValidationReport, want: usize) -> Result<ValidationReport, Error> {
    if report.signatures.is_empty() {
        // An unreadable file reports one failed pseudo-signature; a readable
        // one without signatures reports none.
        return Err(Error::NotSigned);
    }
    if crate::verification::all_passed(&report, want) {
        Ok(report)
    } else {
        Err(Error::SignatureInvalid(Box::new(report)))
    }
}

/// A text field: trimmed, required unless `optional`, at most `max` chars.
/// `label` names it in the messages, Vietnamese first.
pub fn text(
    value: &str,
    field: &'static str,
    label: (&str, &str),
    max: usize,
    optional: bool,
) -> Result<String, Error> {
    let v = value.trim();
    if v.is_empty() && !optional {
        return Err(Error::field(
            field,
            format!("Chưa nhập {}", label.0),
            format!("{} is required", label.1),
        ));
    }
    if v.chars().count() > max || v.chars().any(|c| c.is_control()) {
        return Err(Error::field(
            field,
            format!("{}: tối đa {max} ký tự, không có ký tự điều khiển", label.0),
            format!(
                "{}: at most {max} characters, no control characters",
                label.1
            ),
        ));
    }
    Ok(v.to_string())
}

/// A file name safe to show and store: the last path component, printable.
pub fn file_name(name: &str, fallback: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    if clean.trim().is_empty() {
        fallback.to_string()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use kyso_core::Localized;

    use super::*;

    #[test]
    fn garbage_uploads_are_clear_errors() {
        assert_eq!(decode_pdf("@@@").unwrap_err().code(), "BAD_REQUEST");
        assert_eq!(
            decode_pdf(&STANDARD.encode(b"0\x82garbage cms"))
                .unwrap_err()
                .code(),
            "PDF_MALFORMED"
        );
        assert!(decode_pdf(&STANDARD.encode(b"%PDF-1.7\n")).is_ok());
        let e = parse_json::<serde_json::Map<String, serde_json::Value>>(b"{\"a\":").unwrap_err();
        assert_eq!(e.code(), "BAD_REQUEST");
    }

    #[test]
    fn unsigned_and_unreadable_files_are_refused() {
        let v = crate::verification::Verifier::new(&[]).unwrap();
        let truncated = require_valid(v.verify_pdf(b"%PDF-1.7\n1 0 obj"), 1).unwrap_err();
        assert_eq!(truncated.code(), "SIGNATURE_INVALID");
        let body = serde_json::to_value(truncated.body()).unwrap();
        assert!(body["error"]["report"]["signatures"].is_array());
    }

    #[test]
    fn fields_are_trimmed_and_bounded() {
        assert_eq!(
            text(" An ", "f", ("họ tên", "Name"), 10, false).unwrap(),
            "An"
        );
        let e = text("", "fullName", ("họ tên", "Name"), 10, false).unwrap_err();
        assert_eq!(e.body().error.field.as_deref(), Some("fullName"));
        assert_eq!(e.message_vi(), "Chưa nhập họ tên");
        assert_eq!(e.message(), "Name is required");
        assert!(text("a\u{7}", "f", ("tên", "Name"), 10, false).is_err());
        assert!(text(&"x".repeat(11), "f", ("tên", "Name"), 10, false).is_err());
        assert_eq!(text("", "f", ("tên", "Name"), 10, true).unwrap(), "");
        assert_eq!(file_name("C:\\Users\\a\\hồ sơ.pdf", "x.pdf"), "hồ sơ.pdf");
        assert_eq!(file_name("../../", "x.pdf"), "x.pdf");
    }
}
