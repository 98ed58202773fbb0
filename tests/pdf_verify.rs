//! `kyso verify FILE.pdf`: what it must catch, cross-checked with pdfsig
//! where pdfsig sees the same thing.

use std::path::{Path, PathBuf};

use kyso_core::pdf::{Dictionary, Document, Object, ObjectId, Stream};
use kyso_testkit::pdf::{startxref, PdfWriter};
use kyso_tests::pdf;
use kyso_tests::{assert_success, verdict, Fixture};

/// A LibreOffice PDF signed once by `rsa2048` (approved, visible).
fn signed(fx: &Fixture, name: &str) -> (PathBuf, PathBuf) {
    let dir = fx.scratch(name);
    let input = &pdf::corpus(fx)[0].path;
    let out = dir.join("signed.pdf");
    assert_success(
        &pdf::kyso_sign_pdf(fx, "rsa2048", input, &out, &["--role", "approved"]),
        "sign",
    );
    (dir, out)
}

#[test]
fn a_changed_byte_inside_the_signed_range_is_a_hash_failure() {
    let fx = Fixture::full();
    let (dir, signed) = signed(fx, "pdf-tamper");
    let mut bytes = std::fs::read(&signed).unwrap();
    // Inside the header's binary comment: the file still parses, only the
    // signed bytes differ.
    assert_eq!(bytes[9], b'%');
    bytes[11] ^= 0x01;
    let tampered = dir.join("tampered.pdf");
    std::fs::write(&tampered, &bytes).unwrap();
    let (code, report) = fx.verify(&tampered, None, true);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        verdict(&report),
        ("TOTAL_FAILED".into(), "HASH_FAILURE".into())
    );
    let (_, text) = pdf::pdfsig(fx, &tampered);
    assert!(text.contains("Digest Mismatch"), "pdfsig agrees: {text}");
}

/// Appends a revision that replaces page 1's content, as a forger would.
fn change_page_content(signed: &Path, out: &Path) {
    let bytes = std::fs::read(signed).unwrap();
    let doc = Document::open(&bytes).unwrap();
    let page = doc.pages().unwrap()[0];
    let mut dict = doc.get(page).unwrap().as_dict().unwrap().clone();
    let size = doc.trailer().get(b"Size").and_then(Object::as_i64).unwrap() as u32;
    let content = ObjectId::new(size, 0);
    dict.set(b"Contents", content);
    let mut w = PdfWriter::update(&bytes);
    w.object(page, &Object::Dictionary(dict)).object(
        content,
        &Object::Stream(Stream {
            dict: Dictionary::new(),
            data: b"BT /F1 30 Tf 100 500 Td (DA SUA NOI DUNG) Tj ET".to_vec(),
        }),
    );
    let root = doc.trailer().get(b"Root").and_then(Object::as_reference);
    let root = root.unwrap();
    let entries = w.written();
    let prev = startxref(&bytes);
    w.table(
        &entries,
        &format!("/Root {} {} R /Prev {prev}", root.number, root.generation),
    );
    std::fs::write(out, w.out).unwrap();
}

#[test]
fn page_content_changed_after_signing_is_reported() {
    let fx = Fixture::full();
    let (dir, signed) = signed(fx, "pdf-modified");
    let modified = dir.join("modified.pdf");
    change_page_content(&signed, &modified);
    let (code, report) = fx.verify(&modified, None, true);
    assert_eq!(code, 2, "{report:#}");
    let s = &report["signatures"][0];
    assert_eq!(s["subIndication"], "SIG_CONSTRAINTS_FAILURE", "{s:#}");
    assert!(s["errors"]
        .to_string()
        .contains("PDF_MODIFIED_AFTER_SIGNING"));
    assert_eq!(s["pdf"]["coversWholeFile"], false);
    assert!(
        s["pdf"]["modifications"][0]
            .as_str()
            .unwrap()
            .contains("page content"),
        "{s:#}"
    );
    // The cryptography itself is intact: pdfsig still says the digest matches
    // the signed revision, which is exactly why the check above is needed.
    let (sigs, text) = pdf::pdfsig(fx, &modified);
    assert_eq!(sigs, vec![(true, true)], "{text}");
    let png = pdf::render_artifact(&modified, 1, "pdf-modified-after-signing");
    assert!(png.exists());
}

#[test]
fn broken_signatures_and_unsigned_files() {
    let fx = Fixture::full();
    let (dir, signed) = signed(fx, "pdf-broken");
    let bytes = std::fs::read(&signed).unwrap();
    let contents = bytes.windows(10).rposition(|w| w == b"/Contents ").unwrap() + 11;

    // Garbage where the CMS should be.
    let mut garbage = bytes.clone();
    for b in &mut garbage[contents..contents + 64] {
        *b = b'A';
    }
    let garbage_path = dir.join("garbage-cms.pdf");
    std::fs::write(&garbage_path, &garbage).unwrap();
    let (code, report) = fx.verify(&garbage_path, None, true);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["signatures"][0]["subIndication"], "FORMAT_FAILURE");

    // A ByteRange that leaves out more than the signature.
    let range_at = bytes
        .windows(11)
        .rposition(|w| w == b"/ByteRange ")
        .unwrap()
        + 11;
    let mut moved = bytes.clone();
    let text = String::from_utf8_lossy(&bytes[range_at..range_at + 45]).into_owned();
    let nums: Vec<usize> = text
        .trim_matches(|c| c == '[' || c == ']' || c == ' ')
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    let forged = format!("[0 {} {} {}]", nums[1] - 100, nums[2], nums[3]);
    let mut forged = forged.into_bytes();
    forged.resize(45, b' ');
    moved[range_at..range_at + 45].copy_from_slice(&forged);
    let moved_path = dir.join("moved-range.pdf");
    std::fs::write(&moved_path, &moved).unwrap();
    let (code, report) = fx.verify(&moved_path, None, true);
    assert_eq!(code, 1, "{report:#}");
    assert!(
        report.to_string().contains("PDF_SIGNATURE_MALFORMED"),
        "{report:#}"
    );

    // Untrusted without the test root.
    let (code, report) = fx.verify(&signed, None, false);
    assert_eq!(code, 2);
    assert_eq!(
        report["signatures"][0]["subIndication"],
        "NO_CERTIFICATE_CHAIN_FOUND"
    );

    // Not signed at all; truncated.
    let unsigned = &pdf::corpus(fx)[0].path;
    let (code, report) = fx.verify(unsigned, None, true);
    assert_eq!(code, 1);
    assert_eq!(report["indication"], "TOTAL_FAILED");
    assert_eq!(report["signatures"], serde_json::json!([]));
    let truncated = dir.join("truncated.pdf");
    std::fs::write(&truncated, &bytes[..bytes.len() - 300]).unwrap();
    let (code, report) = fx.verify(&truncated, None, true);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["signatures"][0]["subIndication"], "FORMAT_FAILURE");
}
