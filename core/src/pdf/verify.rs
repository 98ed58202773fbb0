//! Verifying the signatures of a PDF: each signature's byte coverage and the
//! revision it signed, its CMS (the checks of [`crate::cms`]), and what later
//! revisions changed.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::byte_range;
use super::document::Document;
use super::fields::signature_fields;
use super::lexer::{find, Lexer};
use super::object::{Dictionary, Object, ObjectId};
use super::xref::Entry;
use crate::cms::{verify_signer_at, Container, SignedDataView, VerifyOptions};
use crate::digest::HashAlgorithm;
use crate::report::{
    Block, Finding, PdfSignatureDetails, SignatureReport, SubIndication, ValidationReport,
};
use crate::revocation::{Origin, RevocationData};
use crate::Localized;

/// What a signature dictionary's `/SubFilter` says its `/Contents` holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SubFilter {
    /// `ETSI.CAdES.detached` (PAdES) or `adbe.pkcs7.detached`: a detached CMS
    /// over the byte range.
    Detached,
    /// `adbe.pkcs7.sha1` (ISO 32000-1 §12.8.3.3.1, deprecated in PDF 2.0): a
    /// CMS whose encapsulated content is the SHA-1 digest of the byte range.
    Pkcs7Sha1,
    /// `ETSI.RFC3161` (ISO 32000-2 §12.8.5): a document time-stamp token
    /// whose imprint is the digest of the byte range.
    DocTimeStamp,
    /// `adbe.x509.rsa_sha1`: a bare PKCS#1 RSA signature in an OCTET STRING,
    /// the certificates in `/Cert`.
    X509RsaSha1,
}

/// Verifies every signature of a PDF.
///
/// An unreadable file gives a `TOTAL_FAILED`/`FORMAT_FAILURE` report, and a
/// PDF without signatures `TOTAL_FAILED` with no signature in the list.
///
/// ```
/// use kyso_core::{pdf, cms::VerifyOptions, report::Indication, TrustAnchors};
/// let anchors = TrustAnchors::bundled();
/// let now = kyso_core::time::from_unix(1_764_000_000).unwrap();
/// let options = VerifyOptions { trust_anchors: &anchors, now, content: None, extra_certificates: &[],
///     policy: kyso_core::policy::CryptoPolicy::etsi_default(), revocation: &[] };
/// let report = pdf::verify(b"%PDF-1.7 truncated", &options);
/// assert_eq!(report.indication, Indication::TotalFailed);
/// ```
pub fn verify(pdf: &[u8], options: &VerifyOptions<'_>) -> ValidationReport {
    let failed = |code: SubIndication, finding: Finding| {
        let mut r = SignatureReport::empty();
        r.fail(Block::FormatChecking, code, finding);
        ValidationReport::from_signatures("PDF", options.now, vec![r])
    };
    let doc = match Document::open(pdf) {
        Ok(d) => d,
        Err(e) => {
            return failed(
                SubIndication::FormatFailure,
                Finding::new(e.code(), e.message_vi(), e.message()),
            )
        }
    };
    let fields = match signature_fields(&doc) {
        Ok(f) => f,
        Err(e) => {
            return failed(
                SubIndication::FormatFailure,
                Finding::new(e.code(), e.message_vi(), e.message()),
            )
        }
    };
    if fields.is_empty() {
        // No signature to report on: TOTAL_FAILED with an empty list.
        return ValidationReport::from_signatures("PDF", options.now, Vec::new());
    }
    let revision_ends = revision_ends(pdf);
    let certification = certification(&doc);
    // The /DSS: certificates and revocation data for every signature.
    let (dss_certs, dss_revocation) = super::dss::read(&doc).parsed();
    let mut extra: Vec<crate::Certificate> = options.extra_certificates.to_vec();
    extra.extend(dss_certs);
    let mut revocation: Vec<(RevocationData, Origin)> = vec![(dss_revocation, Origin::Dss)];
    revocation.extend(options.revocation.iter().cloned());
    let options = &VerifyOptions {
        extra_certificates: &extra,
        revocation: &revocation,
        ..*options
    };
    // Signatures of the same revision share what later revisions changed.
    let mut changes = HashMap::new();
    let range_end = |report: &SignatureReport| {
        report.pdf.as_ref().map_or(usize::MAX, |p| {
            p.byte_range
                .get(2)
                .zip(p.byte_range.get(3))
                .map_or(usize::MAX, |(c, d)| c + d)
        })
    };
    let is_doc_timestamp = |sig: &Dictionary| sig.name(b"SubFilter") == Some(b"ETSI.RFC3161");
    // Document time-stamps first: those that hold prove that everything
    // before them existed (B-T for the signatures they cover, B-LTA over a
    // /DSS).
    let mut reports: Vec<(usize, SignatureReport)> = Vec::new();
    let mut doc_timestamps: Vec<(usize, der::DateTime)> = Vec::new();
    for pass in [true, false] {
        for (name, sig_id, sig) in fields
            .iter()
            .filter(|(_, _, s)| is_doc_timestamp(s) == pass)
        {
            let level = certification.filter(|(id, _)| id == sig_id).map(|(_, p)| p);
            let report = verify_one(
                &doc,
                name,
                sig,
                level,
                certification,
                &revision_ends,
                &mut changes,
                &doc_timestamps,
                options,
            );
            let end = range_end(&report);
            if pass && report.sub_indication.is_none() {
                if let Some(t) = report.proven_signing_time.as_deref().and_then(parse_utc) {
                    doc_timestamps.push((end, t));
                }
            }
            reports.push((end, report));
        }
    }
    // B-LTA: B-LT, and a document time-stamp that holds over a revision
    // that already had the /DSS (EN 319 142-1 §6.5).
    let archive_ends: Vec<usize> = doc_timestamps
        .iter()
        .map(|(end, _)| *end)
        .filter(|end| {
            Document::open(&pdf[..*end])
                .map(|d| !super::dss::read(&d).is_empty())
                .unwrap_or(false)
        })
        .collect();
    for (end, report) in reports.iter_mut() {
        let later: Vec<&(usize, der::DateTime)> =
            doc_timestamps.iter().filter(|(e, _)| e > end).collect();
        if report.level.as_deref() == Some("DOC-TIMESTAMP") {
            continue;
        }
        for (_, t) in &later {
            report.timestamps.push(crate::report::TimestampReport {
                kind: crate::tsp::TimestampKind::Document,
                indication: crate::report::Indication::TotalPassed,
                sub_indication: None,
                gen_time: Some(t.to_string()),
                tsa: None,
                errors: Vec::new(),
            });
        }
        if report.level.as_deref() == Some("B-LT") && archive_ends.iter().any(|e| e > end) {
            report.level = Some("B-LTA".into());
        }
    }
    // In signing order.
    reports.sort_by_key(|(end, _)| *end);
    ValidationReport::from_signatures(
        "PDF",
        options.now,
        reports.into_iter().map(|(_, r)| r).collect(),
    )
}

#[allow(clippy::too_many_arguments)]
fn verify_one(
    doc: &Document<'_>,
    field: &str,
    sig: &Dictionary,
    certification_level: Option<i64>,
    certification: Option<(ObjectId, i64)>,
    revision_ends: &[usize],
    changes: &mut HashMap<usize, Vec<String>>,
    doc_timestamps: &[(usize, der::DateTime)],
    options: &VerifyOptions<'_>,
) -> SignatureReport {
    let bytes = doc.bytes();
    let sub_filter = String::from_utf8_lossy(sig.name(b"SubFilter").unwrap_or(b"")).into_owned();
    let mut details = PdfSignatureDetails {
        field: field.into(),
        sub_filter: sub_filter.clone(),
        byte_range: Vec::new(),
        covers_whole_file: false,
        revision: 0,
        revisions: revision_ends.len(),
        certification_level,
        modifications: Vec::new(),
    };
    let format_failure = |mut details: PdfSignatureDetails, vi: String, en: String| {
        let mut r = SignatureReport::empty();
        details.modifications.clear();
        r.pdf = Some(details);
        r.fail(
            Block::FormatChecking,
            SubIndication::FormatFailure,
            Finding::new("PDF_SIGNATURE_MALFORMED", vi, en),
        );
        r
    };
    let kind = match sub_filter.as_str() {
        "ETSI.CAdES.detached" | "adbe.pkcs7.detached" => SubFilter::Detached,
        "adbe.pkcs7.sha1" => SubFilter::Pkcs7Sha1,
        "ETSI.RFC3161" => SubFilter::DocTimeStamp,
        "adbe.x509.rsa_sha1" => SubFilter::X509RsaSha1,
        _ => {
            return format_failure(
                details,
                format!("Định dạng chữ ký /{sub_filter} chưa được hỗ trợ"),
                format!("Signature format /{sub_filter} is not supported"),
            )
        }
    };
    let (range, cms) = match byte_range::check(bytes, sig) {
        Ok(v) => v,
        Err(why) => {
            return format_failure(
                details,
                format!("Vùng dữ liệu được ký (/ByteRange) không hợp lệ: {why}"),
                format!("The signature's byte range is not acceptable: {why}"),
            )
        }
    };
    details.byte_range = range.to_vec();
    let end = range[2] + range[3];
    details.covers_whole_file = end == bytes.len();
    details.revision = match revision_of(bytes, revision_ends, end) {
        Some(i) => i + 1,
        None => {
            return format_failure(
                details,
                "Phần được ký không kết thúc ở cuối một phiên bản của tệp (%%EOF)".into(),
                "The signed bytes do not end at the end of a revision (%%EOF)".into(),
            )
        }
    };

    let mut report = match kind {
        SubFilter::X509RsaSha1 => {
            match super::x509_rsa_sha1::verify(bytes, sig, &range, &cms, options) {
                Ok(r) => r,
                Err(why) => {
                    return format_failure(
                        details,
                        format!("Chữ ký adbe.x509.rsa_sha1 không đọc được: {why}"),
                        format!("The adbe.x509.rsa_sha1 signature cannot be read: {why}"),
                    )
                }
            }
        }
        _ => {
            let (view, trailing) = match SignedDataView::parse_first(&cms) {
                Ok(v) => v,
                Err(e) => {
                    return format_failure(
                        details,
                        format!("/Contents không phải chữ ký CMS: {}", e.message_vi()),
                        format!("/Contents is not a CMS signature: {}", e.message()),
                    )
                }
            };
            let Some(signer) = view.signers.first() else {
                return format_failure(
                    details,
                    "CMS không có người ký".into(),
                    "The CMS has no signer".into(),
                );
            };
            // More than one SignerInfo is not a PDF signature (ISO 32000-2
            // §12.8.3.3.1; DSS refuses it too): which one would it be?
            if view.signers.len() > 1 {
                return format_failure(
                    details,
                    format!(
                        "CMS trong PDF có {} người ký; chỉ được có một",
                        view.signers.len()
                    ),
                    format!(
                        "The CMS in the PDF has {} SignerInfos; exactly one is allowed",
                        view.signers.len()
                    ),
                );
            }
            let m = sig
                .get(b"M")
                .and_then(Object::as_bytes)
                .and_then(parse_pdf_date);
            let end = range[2] + range[3];
            let poe = doc_timestamps
                .iter()
                .filter(|(ts_end, _)| *ts_end > end)
                .map(|(_, t)| *t)
                .min();
            let container = Container::Pdf(m, poe);
            let mut report = verify_cms(bytes, &range, kind, &view, signer, container, options);
            if trailing > 0 {
                report.warn(
                    Block::FormatChecking,
                    Finding::new(
                        "PDF_CONTENTS_TRAILING_DATA",
                        format!("/Contents còn {trailing} byte khác 0 sau chữ ký CMS (bị bỏ qua)"),
                        format!("/Contents has {trailing} non-zero bytes after the CMS (ignored)"),
                    ),
                );
            }
            report
        }
    };
    // Padding or an end of line after the last %%EOF is not a later revision.
    if !details.covers_whole_file && details.revision == details.revisions {
        let rest = &bytes[end..];
        details.covers_whole_file = rest
            .iter()
            .all(|b| matches!(b, b'\r' | b'\n' | b' ' | b'\t' | 0));
    }
    if !details.covers_whole_file {
        details.modifications = changes
            .entry(end)
            .or_insert_with(|| match modifications(doc, end, certification) {
                Ok(m) => m,
                Err(e) => vec![format!(
                    "later revisions could not be compared: {}",
                    e.message()
                )],
            })
            .clone();
        if !details.modifications.is_empty() {
            let list = details.modifications.join("; ");
            report.fail(
                Block::SignatureAcceptanceValidation,
                SubIndication::SigConstraintsFailure,
                Finding::new(
                    "PDF_MODIFIED_AFTER_SIGNING",
                    format!("Tài liệu đã bị thay đổi sau khi ký: {list}"),
                    format!("The document was changed after this signature: {list}"),
                ),
            );
        } else {
            report.warn(Block::SignatureAcceptanceValidation, Finding::new(
                "PDF_LATER_REVISIONS",
                format!(
                    "Chữ ký này ký phiên bản {} trên tổng số {}; các phiên bản sau chỉ thêm chữ ký, dữ liệu biểu mẫu hoặc dữ liệu kiểm tra hợp lệ",
                    details.revision, details.revisions
                ),
                format!(
                    "This signature covers revision {} of {}; later revisions only add signatures, form data or validation data",
                    details.revision, details.revisions
                ),
            ));
        }
    }
    report.pdf = Some(details);
    report
}

/// Verifies the CMS of a CMS-based SubFilter against the byte range.
fn verify_cms(
    bytes: &[u8],
    range: &[usize; 4],
    kind: SubFilter,
    view: &SignedDataView,
    signer: &crate::cms::SignerView,
    container: Container,
    options: &VerifyOptions<'_>,
) -> SignatureReport {
    let hash_failure = |vi: &str, en: &str| {
        let mut r = SignatureReport::empty();
        r.fail(
            Block::CryptographicVerification,
            SubIndication::HashFailure,
            Finding::new("HASH_FAILURE", vi, en),
        );
        r
    };
    match kind {
        SubFilter::Pkcs7Sha1 => {
            // The CMS signs the SHA-1 digest of the byte range, carried as its
            // content: check that binding, then the CMS over that content.
            let Some(content) = view.content.as_deref() else {
                return hash_failure(
                    "adbe.pkcs7.sha1 không chứa giá trị băm của tài liệu",
                    "adbe.pkcs7.sha1 without the document digest as content",
                );
            };
            if content != byte_range::digest(bytes, range, HashAlgorithm::Sha1) {
                return hash_failure(
                    "Tài liệu đã bị thay đổi sau khi ký (SHA-1 của vùng được ký không khớp)",
                    "The document was changed after signing (SHA-1 of the signed bytes differs)",
                );
            }
            let digest_of = |alg: HashAlgorithm| Some(alg.digest(content));
            let mut report = verify_signer_at(view, signer, &digest_of, options, container);
            // The CMS's own digest is what the policy judges (as DSS does);
            // the SHA-1 that binds it to the document is worth a warning.
            if report.sub_indication.is_none() {
                if let Err(f) = options
                    .policy
                    .check_digest(HashAlgorithm::Sha1, options.now)
                {
                    report.warn(
                        Block::SignatureAcceptanceValidation,
                        Finding::new(
                            "PDF_SHA1_DOCUMENT_DIGEST",
                            format!("adbe.pkcs7.sha1 gắn chữ ký với tài liệu bằng SHA-1: {}", f.finding.message_vi),
                            format!("adbe.pkcs7.sha1 binds the signature to the document with SHA-1: {}", f.finding.message),
                        ),
                    );
                }
            }
            report
        }
        SubFilter::DocTimeStamp => {
            let covered = |alg: HashAlgorithm| Some(byte_range::digest(bytes, range, alg));
            let (mut report, _) = crate::tsp::validate_view(view, signer, &covered, options);
            // A document time-stamp proves its own time; it has no level.
            report.level = Some("DOC-TIMESTAMP".into());
            report
        }
        SubFilter::Detached | SubFilter::X509RsaSha1 => {
            let digest_of = |alg: HashAlgorithm| Some(byte_range::digest(bytes, range, alg));
            verify_signer_at(view, signer, &digest_of, options, container)
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`, as reports write times.
fn parse_utc(text: &str) -> Option<der::DateTime> {
    let b = text.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[10] != b'T' || b[19] != b'Z' {
        return None;
    }
    let n = |r: core::ops::Range<usize>| text.get(r)?.parse::<u16>().ok();
    der::DateTime::new(
        n(0..4)?,
        n(5..7)? as u8,
        n(8..10)? as u8,
        n(11..13)? as u8,
        n(14..16)? as u8,
        n(17..19)? as u8,
    )
    .ok()
}

/// The revision (0-based) a signature whose bytes end at `end` signed: the
/// last `%%EOF` at or before `end`, with only an end of line, spaces or zero
/// bytes between it and `end`. Writers differ on whether the end of line after
/// `%%EOF` is signed; some files end without one or carry padding.
fn revision_of(bytes: &[u8], revision_ends: &[usize], end: usize) -> Option<usize> {
    if let Some(i) = revision_ends.iter().position(|&e| e == end) {
        return Some(i);
    }
    let eof = find_eof_before(bytes, end)?;
    let gap = &bytes[eof + 5..end];
    if !gap
        .iter()
        .all(|b| matches!(b, b'\r' | b'\n' | b' ' | b'\t' | 0))
    {
        return None;
    }
    // The revision is the one whose %%EOF this is.
    revision_ends.iter().position(|&e| e >= eof + 5)
}

fn find_eof_before(bytes: &[u8], end: usize) -> Option<usize> {
    let head = &bytes[..end.min(bytes.len())];
    head.windows(5).rposition(|w| w == b"%%EOF")
}

/// The certification signature and its DocMDP level, if any.
pub(crate) fn certification(doc: &Document<'_>) -> Option<(ObjectId, i64)> {
    let (_, catalog) = doc.catalog().ok()?;
    let perms = doc.get_in(&catalog, b"Perms").ok()?;
    let sig_id = perms.as_dict()?.get(b"DocMDP")?.as_reference()?;
    let sig = doc.get(sig_id).ok()?;
    let level = sig
        .as_dict()?
        .get(b"Reference")
        .and_then(Object::as_array)
        .and_then(|refs| {
            refs.iter().find_map(|r| {
                let r = doc.resolve(r).ok()?;
                let r = r.as_dict()?;
                (r.name(b"TransformMethod") == Some(b"DocMDP")).then(|| {
                    doc.get_in(r, b"TransformParams")
                        .ok()
                        .and_then(|p| {
                            p.as_dict()
                                .and_then(|p| p.get(b"P"))
                                .and_then(Object::as_i64)
                        })
                        .unwrap_or(2)
                })
            })
        })
        .unwrap_or(2);
    Some((sig_id, level))
}

/// Offsets just after each `%%EOF` (and its end of line): where revisions
/// end. A linearized file's first-page trailer is not a revision.
fn revision_ends(bytes: &[u8]) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut at = 0;
    while let Some(i) = find(&bytes[at..], b"%%EOF") {
        let mut end = at + i + 5;
        if bytes.get(end) == Some(&b'\r') {
            end += 1;
        }
        if bytes.get(end) == Some(&b'\n') {
            end += 1;
        }
        ends.push(end);
        at = end;
    }
    if is_linearized(bytes) && ends.len() > 1 {
        ends.remove(0);
    }
    ends
}

fn is_linearized(bytes: &[u8]) -> bool {
    let Some(start) = find(&bytes[..bytes.len().min(1024)], b"obj") else {
        return false;
    };
    let mut lexer = Lexer::new(bytes, start + 3);
    matches!(lexer.object(), Ok(Object::Dictionary(d)) if d.get(b"Linearized").is_some())
}

/// What changed between the revision ending at `end` and the whole file,
/// beyond what PAdES and DocMDP allow after a signature (new signatures,
/// form fill-in, annotations, DSS).
fn modifications(
    final_doc: &Document<'_>,
    end: usize,
    certification: Option<(ObjectId, i64)>,
) -> Result<Vec<String>, super::PdfError> {
    let signed = Document::open(&final_doc.bytes()[..end])?;
    let mut changes = Vec::new();
    let before = signed.pages()?;
    let after = final_doc.pages()?;
    if before != after {
        changes.push(format!(
            "pages changed ({} before, {} now)",
            before.len(),
            after.len()
        ));
    }
    // Objects of the signed revision that the file now reads from anywhere
    // else: redefined by a later revision, deleted, or pointed by a later
    // xref at other bytes (even bytes inside the signed range).
    let redefined: BTreeSet<u32> = signed
        .object_numbers()
        .filter(|&n| relocated(&signed, final_doc, n))
        .collect();
    if redefined.is_empty() && changes.is_empty() {
        return Ok(changes);
    }
    // What a page shows: its content streams and everything its resources
    // reach. Any of those redefined means the visible content changed.
    let mut shown = HashSet::new();
    for page in &before {
        if let Some(d) = signed.get(*page)?.as_dict() {
            for key in [&b"Contents"[..], b"Resources"] {
                if let Some(o) = d.get(key) {
                    reach(&signed, o, &mut shown)?;
                }
            }
        }
    }
    let pages_before: HashMap<u32, ObjectId> = before.iter().map(|p| (p.number, *p)).collect();
    let mut page_changes = 0;
    for &n in &redefined {
        if let Some(page) = pages_before.get(&n) {
            let old = signed.get(*page)?;
            let new = current(final_doc, n)?;
            if strip_annots(&old) != strip_annots(&new) {
                page_changes += 1;
            }
        } else if shown.contains(&n) {
            page_changes += 1;
        }
    }
    if page_changes > 0 {
        changes.push(format!("page content changed ({page_changes} objects)"));
    }
    if let Some((_, 1)) = certification {
        if !redefined.is_empty() {
            changes.push(
                "changes after a certification signature that allows none (DocMDP P=1)".into(),
            );
        }
    }
    Ok(changes)
}

/// Whether object `number` of the signed revision is read from elsewhere in
/// the whole file. An object in an object stream moves with its stream.
fn relocated(signed: &Document<'_>, now: &Document<'_>, number: u32) -> bool {
    let old = signed.entry(number);
    if old != now.entry(number) {
        return true;
    }
    match old {
        Some(Entry::Compressed { stream, .. }) => signed.entry(stream) != now.entry(stream),
        _ => false,
    }
}

/// Object `number` as the file now defines it, whatever its generation.
fn current(doc: &Document<'_>, number: u32) -> Result<Object, super::PdfError> {
    match doc.entry(number) {
        Some(Entry::Offset(_, generation)) => doc.get(ObjectId::new(number, generation)),
        Some(Entry::Compressed { .. }) => doc.get(ObjectId::new(number, 0)),
        None | Some(Entry::Free) => Ok(Object::Null),
    }
}

fn strip_annots(o: &Object) -> Object {
    match o {
        Object::Dictionary(d) => {
            let mut d = d.clone();
            d.remove(b"Annots");
            Object::Dictionary(d)
        }
        other => other.clone(),
    }
}

/// Object numbers reachable from `o` (not through /Parent or /P, which lead
/// back up the tree).
fn reach(doc: &Document<'_>, o: &Object, seen: &mut HashSet<u32>) -> Result<(), super::PdfError> {
    let mut stack = vec![o.clone()];
    while let Some(o) = stack.pop() {
        match o {
            Object::Reference(r) if seen.len() < 1_000_000 && seen.insert(r.number) => {
                stack.push(doc.get(r)?);
            }
            Object::Array(a) => stack.extend(a),
            Object::Dictionary(d) => stack.extend(children(&d)),
            Object::Stream(s) => stack.extend(children(&s.dict)),
            _ => {}
        }
    }
    Ok(())
}

fn children(d: &Dictionary) -> Vec<Object> {
    d.iter()
        .filter(|(k, _)| !matches!(*k, b"Parent" | b"P"))
        .map(|(_, v)| v.clone())
        .collect()
}

/// `D:YYYYMMDDHHmmSS+HH'mm'` → ISO 8601 UTC (`2026-11-25T08:00:00Z`).
fn parse_pdf_date(b: &[u8]) -> Option<der::DateTime> {
    let s = std::str::from_utf8(b).ok()?;
    let s = s.strip_prefix("D:").unwrap_or(s);
    let num = |from: usize, len: usize, default: u32| -> Option<u32> {
        match s.get(from..from + len) {
            Some(v) if v.bytes().all(|c| c.is_ascii_digit()) => v.parse().ok(),
            Some(_) => None,
            // Omitted fields default; a field cut short is malformed.
            None if s.len() <= from => Some(default),
            None => None,
        }
    };
    let (y, mo, d) = (num(0, 4, 0)?, num(4, 2, 1)?, num(6, 2, 1)?);
    let (h, mi, se) = (num(8, 2, 0)?, num(10, 2, 0)?, num(12, 2, 0)?);
    let local =
        der::DateTime::new(y as u16, mo as u8, d as u8, h as u8, mi as u8, se as u8).ok()?;
    let tz = s.get(14..).unwrap_or("");
    let offset_secs: i64 = match tz.as_bytes().first() {
        Some(sign @ (b'+' | b'-')) => {
            let hh: i64 = tz.get(1..3)?.parse().ok()?;
            let mm: i64 = tz.get(4..6).and_then(|m| m.parse().ok()).unwrap_or(0);
            let v = hh * 3600 + mm * 60;
            if *sign == b'+' {
                v
            } else {
                -v
            }
        }
        _ => 0,
    };
    let unix = local.unix_duration().as_secs() as i64 - offset_secs;
    let utc = der::DateTime::from_unix_duration(core::time::Duration::from_secs(
        u64::try_from(unix).ok()?,
    ))
    .ok()?;
    Some(utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates_become_utc() {
        assert_eq!(
            parse_pdf_date(b"D:20261125150405+07'00'")
                .map(|t| t.to_string())
                .as_deref(),
            Some("2026-11-25T08:04:05Z")
        );
        assert_eq!(
            parse_pdf_date(b"D:20261125080405Z")
                .map(|t| t.to_string())
                .as_deref(),
            Some("2026-11-25T08:04:05Z")
        );
        assert_eq!(
            parse_pdf_date(b"D:2026").map(|t| t.to_string()).as_deref(),
            Some("2026-01-01T00:00:00Z")
        );
        assert_eq!(parse_pdf_date(b"D:20261"), None);
        assert_eq!(parse_pdf_date(b"garbage"), None);
    }

    #[test]
    fn a_range_ending_beside_the_eof_names_its_revision() {
        let f = b"%PDF-1.7\n%%EOF\r\nrev2\n%%EOF\n\0\0";
        let ends = revision_ends(f);
        assert_eq!(ends, vec![16, 27]);
        // Exactly at an end, just before the EOL, or after padding.
        assert_eq!(revision_of(f, &ends, 16), Some(0));
        assert_eq!(revision_of(f, &ends, 14), Some(0), "%%EOF without its EOL");
        assert_eq!(revision_of(f, &ends, 26), Some(1));
        assert_eq!(
            revision_of(f, &ends, f.len()),
            Some(1),
            "zero padding after"
        );
        // Inside a revision's body: not the end of any revision.
        assert_eq!(revision_of(f, &ends, 20), None);
        assert_eq!(revision_of(f, &ends, 5), None);
    }

    #[test]
    fn revisions_end_after_each_eof() {
        let f = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\nmore\n%%EOF";
        let ends = revision_ends(f);
        assert_eq!(ends, vec![35, f.len()]);
    }
}
