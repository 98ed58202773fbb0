//! Signed PDFs written by hand, for what real files do that no one signer
//! does all of: legacy SubFilters, BER or several signers in `/Contents`,
//! document time-stamps, a final `%%EOF` without an end of line, xref
//! streams, cross-reference offsets a reader must repair.
//!
//! The file is written with the tests' PDF writer around a `/Contents` hole;
//! the caller makes what goes into the hole from the bytes the `/ByteRange`
//! covers (with OpenSSL, say), so the signature is genuine.

use kyso_testkit::pdf::{At, PdfWriter};

/// How the cross-reference section is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Xref {
    /// A classic table.
    Table,
    /// An xref stream (PDF 1.5).
    Stream,
    /// A table whose offsets are all a few bytes off, which readers repair
    /// by finding the `N 0 obj` lines.
    TableOffsetsOff,
}

/// What the signature dictionary says and how the file ends.
#[derive(Clone, Debug)]
pub struct Layout {
    /// `/SubFilter`.
    pub sub_filter: &'static str,
    /// `/Type`: `Sig`, or `DocTimeStamp` for an `ETSI.RFC3161` time-stamp.
    pub sig_type: &'static str,
    /// More entries of the signature dictionary (e.g. `/Cert <…>`).
    pub extra: String,
    /// The cross-reference section.
    pub xref: Xref,
    /// Whether the final `%%EOF` has its end of line.
    pub eof_newline: bool,
    /// `/M`, the claimed signing time; `None`: now.
    pub signing_time: Option<&'static str>,
}

impl Layout {
    /// A detached CMS signature, classic table, `%%EOF\n`.
    pub fn detached(sub_filter: &'static str) -> Layout {
        Layout {
            sub_filter,
            sig_type: "Sig",
            extra: String::new(),
            xref: Xref::Table,
            eof_newline: true,
            signing_time: None,
        }
    }
}

/// Bytes reserved for what goes into `/Contents`.
const HOLE: usize = 24 * 1024;
/// Room for four numbers of up to 10 digits.
const RANGE_WIDTH: usize = 44;

/// Writes a one-page PDF with one signature field and fills its hole with
/// `contents(signed_bytes)`.
///
/// # Panics
///
/// When `contents` returns more than the hole holds.
pub fn signed_pdf(layout: &Layout, contents: impl FnOnce(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let mut w = PdfWriter::new();
    w.obj(
        1,
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] /SigFlags 3 >> >>",
    )
    .obj(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    .obj(
        3,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] /Contents 6 0 R /Resources << /Font << /F1 7 0 R >> >> >>",
    )
    .obj(
        4,
        b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature1) /V 5 0 R /Rect [0 0 0 0] /P 3 0 R /F 132 >>",
    );
    let sig = format!(
        "<< /Type /{} /Filter /Adobe.PPKLite /SubFilter /{} /ByteRange [{}] /Contents <{}>{} /M ({}) >>",
        layout.sig_type,
        layout.sub_filter,
        " ".repeat(RANGE_WIDTH),
        "0".repeat(2 * HOLE),
        if layout.extra.is_empty() {
            String::new()
        } else {
            format!(" {}", layout.extra)
        },
        layout.signing_time.map(str::to_string).unwrap_or_else(pdf_now),
    );
    w.obj(5, sig.as_bytes())
        .stream(6, "", b"BT /F1 14 Tf 72 720 Td (Cong van so 12/UBND) Tj ET")
        .obj(
            7,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>",
        );
    let mut entries = w.written();
    match layout.xref {
        Xref::Table => {
            entries.push((0, At::Free(65535)));
            w.table(&entries, "/Root 1 0 R");
        }
        Xref::TableOffsetsOff => {
            let off: Vec<(u32, At)> = entries
                .iter()
                .map(|&(n, at)| match at {
                    At::Offset(o, g) => (n, At::Offset(o + 3, g)),
                    other => (n, other),
                })
                .chain([(0, At::Free(65535))])
                .collect();
            w.table(&off, "/Root 1 0 R");
        }
        Xref::Stream => {
            entries.push((0, At::Free(65535)));
            w.xref_stream(8, &entries, "/Root 1 0 R", true);
        }
    }
    let mut pdf = w.out;
    if !layout.eof_newline {
        assert_eq!(pdf.pop(), Some(b'\n'));
    }

    let start = find(&pdf, b"/Contents <") + b"/Contents ".len();
    let end = start + 2 + 2 * HOLE;
    let range = format!("0 {start} {end} {}", pdf.len() - end);
    let at = find(&pdf, b"/ByteRange [") + b"/ByteRange [".len();
    pdf[at..at + range.len()].copy_from_slice(range.as_bytes());
    let signed = [&pdf[..start], &pdf[end..]].concat();
    let value = contents(&signed);
    assert!(
        value.len() <= HOLE,
        "{} bytes do not fit the hole",
        value.len()
    );
    let hex: String = value.iter().map(|b| format!("{b:02X}")).collect();
    pdf[start + 1..start + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    pdf
}

/// The current time as a PDF date, `D:YYYYMMDDHHmmSSZ`.
fn pdf_now() -> String {
    let t = kyso_core::time::from_system(std::time::SystemTime::now());
    let digits: String = t.to_string().chars().filter(char::is_ascii_digit).collect();
    format!("D:{digits}Z")
}

fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("the placeholder")
}

/// DER OCTET STRING around `value` (for `adbe.x509.rsa_sha1`).
pub fn octet_string(value: &[u8]) -> Vec<u8> {
    let mut out = vec![0x04];
    match value.len() {
        n if n < 0x80 => out.push(n as u8),
        n if n < 0x100 => out.extend([0x81, n as u8]),
        n => out.extend([0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(value);
    out
}
