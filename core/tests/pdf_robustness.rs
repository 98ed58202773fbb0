//! Hostile and damaged PDFs: files built in memory (classic tables, xref
//! streams, object streams, hybrids, signed revisions) and then broken on
//! purpose. Reading, verifying and preparing them must give an answer or an
//! error, quickly: never a panic, a hang or a giant allocation.

mod support;

use std::time::{Duration, Instant};

use signature::Signer as _;

use kyso_core::pdf::{prepare, Document, Object, ObjectId, PdfError};
use kyso_core::{Certificate, Localized, SignatureScheme};
use kyso_testkit::pdf::{At, PdfWriter};

use support::{find, rfind, sign, sign_options, test_signer, verify_report};

/// A one-page file with a classic table: catalog 1, pages 2, page 3,
/// contents 4.
fn simple_pdf() -> Vec<u8> {
    let mut w = PdfWriter::new();
    w.obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        .obj(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
        .obj(
            3,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>",
        )
        .stream(4, "", b"0 0 m 100 100 l S");
    let mut entries = w.written();
    entries.push((0, At::Free(65535)));
    w.table(&entries, "/Root 1 0 R");
    w.out
}

/// The same page with an xref stream and the catalog, page tree and page in
/// an object stream.
fn compressed_pdf() -> Vec<u8> {
    let mut w = PdfWriter::new();
    w.stream(4, "", b"0 0 m 100 100 l S").object_stream(
        5,
        &[
            (1, "<< /Type /Catalog /Pages 2 0 R >>"),
            (2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
            (
                3,
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            ),
        ],
    );
    let entries = [
        (1, At::Compressed(5, 0)),
        (2, At::Compressed(5, 1)),
        (3, At::Compressed(5, 2)),
        (4, w.at(4)),
        (5, w.at(5)),
    ];
    w.xref_stream(6, &entries, "/Root 1 0 R", true);
    w.out
}

/// Everything a caller can do with untrusted bytes. Errors are fine;
/// panics are not, and neither is taking long.
fn exercise(pdf: &[u8], signer: &Certificate) {
    if let Ok(doc) = Document::open(pdf) {
        let _ = doc.catalog();
        if let Ok(pages) = doc.pages() {
            for page in pages.iter().take(16) {
                let _ = doc.page_box(*page);
            }
        }
        let numbers: Vec<u32> = doc.object_numbers().take(10_000).collect();
        for n in numbers {
            for generation in [0, 1] {
                if let Ok(o) = doc.get(ObjectId::new(n, generation)) {
                    if let Some(d) = o.as_dict() {
                        for (_, v) in d.iter() {
                            let _ = doc.resolve(v);
                        }
                    }
                }
            }
        }
    }
    let _ = verify_report(pdf);
    let _ = prepare(pdf, sign_options(signer.clone()));
}

/// Small deterministic generator (xorshift64*): the same mutations on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Bytes that change how a PDF tokenises.
const INTERESTING: &[u8] = b"0123456789 \n\r<>[]()/%RnfeEobjstrx-+.#\\\0\xff";

/// The places worth mutating: everything but the zero padding of the
/// `/Contents` holes, where a change only breaks the CMS.
fn mutable_positions(pdf: &[u8]) -> Vec<usize> {
    let mut skip = vec![false; pdf.len()];
    let mut at = 0;
    while let Some(i) = find(&pdf[at..], b"/Contents <") {
        let start = at + i + b"/Contents <".len();
        let end = pdf[start..]
            .iter()
            .position(|b| *b == b'>')
            .map_or(pdf.len(), |e| start + e);
        // Keep the first bytes of the CMS mutable, and the closing `>`.
        for s in skip.iter_mut().take(end).skip(start + 64) {
            *s = true;
        }
        at = end;
    }
    (0..pdf.len()).filter(|&i| !skip[i]).collect()
}

fn check_quickly(name: &str, pdf: &[u8], signer: &Certificate) {
    check_within(name, pdf, signer, Duration::from_secs(5));
}

fn check_within(name: &str, pdf: &[u8], signer: &Certificate, limit: Duration) {
    let started = Instant::now();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| exercise(pdf, signer)));
    let took = started.elapsed();
    if outcome.is_err() {
        let path = std::env::temp_dir().join(format!("kyso-robustness-{name}.pdf"));
        let _ = std::fs::write(&path, pdf);
        panic!("{name}: panicked (input saved to {})", path.display());
    }
    // Generous for an unoptimised build on a busy machine: the point is to
    // catch loops and quadratic blow-ups, which take minutes.
    assert!(took < limit, "{name}: took {took:?} on {} bytes", pdf.len());
}

fn mutate_and_check(label: &str, seed: u64, pdf: &[u8], rounds: usize) {
    let (_, signer) = test_signer();
    check_quickly(&format!("{label}-original"), pdf, &signer);
    let positions = mutable_positions(pdf);
    let digits: Vec<usize> = positions
        .iter()
        .copied()
        .filter(|&p| pdf[p].is_ascii_digit() && (p == 0 || !pdf[p - 1].is_ascii_digit()))
        .collect();
    let mut rng = Rng(seed);
    for round in 0..rounds {
        let mut m = pdf.to_vec();
        // One to three edits, mostly single-byte.
        let edits = 1 + usize::from(rng.below(4) == 0) + usize::from(rng.below(8) == 0);
        let mut what = Vec::new();
        for _ in 0..edits {
            let kind = rng.below(7);
            // Half the number rewrites go to the start of a number.
            let from = if kind >= 5 && !digits.is_empty() {
                &digits
            } else {
                &positions
            };
            let p = from[rng.below(from.len())].min(m.len().saturating_sub(1));
            match kind {
                0 => m[p] ^= 1 << rng.below(8),
                1 | 2 => m[p] = INTERESTING[rng.below(INTERESTING.len())],
                3 => {
                    m.remove(p);
                }
                4 => m.insert(p, INTERESTING[rng.below(INTERESTING.len())]),
                _ => {
                    // A number rewritten: offsets, lengths, counts, object
                    // numbers a little off or far out of range.
                    let mut e = p;
                    while e < m.len() && m[e].is_ascii_digit() {
                        e += 1;
                    }
                    let old: u64 = std::str::from_utf8(&m[p..e])
                        .ok()
                        .and_then(|t| t.parse().ok())
                        .unwrap_or(0);
                    let new = if kind == 5 {
                        (old + rng.below(7) as u64).saturating_sub(3).to_string()
                    } else {
                        ["0", "4294967295", "9223372036854775807", "2147483648", "1"][rng.below(5)]
                            .to_string()
                    };
                    m.splice(p..e, new.bytes());
                }
            }
            what.push(p);
        }
        check_quickly(&format!("{label}-{round}-at-{what:?}"), &m, &signer);
    }
    // Cut short at every length near the structure, and at a sample elsewhere.
    let tail = pdf.len().saturating_sub(400);
    let mut lengths: Vec<usize> = (tail..pdf.len()).collect();
    lengths.extend((0..300).map(|_| rng.below(pdf.len())));
    lengths.extend(0..64);
    for len in lengths {
        check_quickly(&format!("{label}-cut-{len}"), &pdf[..len], &signer);
    }
}

#[test]
fn signed_files_verify_before_they_are_damaged() {
    let once = sign(&simple_pdf());
    let twice = sign(&once);
    let report = verify_report(&twice);
    assert_eq!(report.signatures.len(), 2, "{report:?}");
    for (i, s) in report.signatures.iter().enumerate() {
        let pdf = s.pdf.as_ref().expect("PDF details");
        assert!(pdf.modifications.is_empty(), "{pdf:?}");
        assert_eq!(pdf.revision, i + 2);
        assert!(
            !s.errors
                .iter()
                .any(|f| f.code.starts_with("PDF_") || f.code.contains("HASH")),
            "{s:?}"
        );
    }
    let compressed = sign(&compressed_pdf());
    let report = verify_report(&compressed);
    assert_eq!(report.signatures.len(), 1, "{report:?}");
}

#[test]
fn mutated_classic_signed_file() {
    let pdf = sign(&sign(&simple_pdf()));
    mutate_and_check("classic", 0x9e37_79b9_7f4a_7c15, &pdf, 1500);
}

#[test]
fn mutated_compressed_signed_file() {
    let pdf = sign(&compressed_pdf());
    mutate_and_check("compressed", 0xd1b5_4a32_d192_ed03, &pdf, 1000);
}

#[test]
fn mutated_unsigned_files() {
    mutate_and_check("simple", 7, &simple_pdf(), 1000);
    mutate_and_check("objstm", 11, &compressed_pdf(), 1000);
}

// Hand-written hostile files.

fn pages_of(pdf: &[u8]) -> Result<Vec<ObjectId>, PdfError> {
    Document::open(pdf)?.pages()
}

fn quickly<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "{what} took {took:?}");
    out
}

/// Catalog 1, page tree 2, page 3, as object texts.
const CATALOG: &[u8] = b"<< /Type /Catalog /Pages 2 0 R >>";
const PAGES: &[u8] = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>";
const PAGE: &[u8] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>";

fn one_page() -> PdfWriter {
    let mut w = PdfWriter::new();
    w.obj(1, CATALOG).obj(2, PAGES).obj(3, PAGE);
    w
}

/// Replaces the ten-digit placeholder `tag` (written as `/Prev tag`).
fn patch(pdf: &mut [u8], tag: &str, value: usize) {
    let at = find(pdf, tag.as_bytes()).expect("placeholder");
    pdf[at..at + 10].copy_from_slice(format!("{value:010}").as_bytes());
}

#[test]
fn prev_loops_end_the_chain() {
    // A section whose /Prev is itself.
    let mut w = one_page();
    let start = w.out.len();
    let entries = w.written();
    w.table(&entries, &format!("/Root 1 0 R /Prev {start}"));
    assert_eq!(quickly("self /Prev", || pages_of(&w.out)).unwrap().len(), 1);

    // Two sections that point at each other.
    let mut w = one_page();
    let entries = w.written();
    let first = w.table(&entries[..2], "/Root 1 0 R /Prev AAAAAAAAAA");
    let second = w.table(&entries[2..], &format!("/Root 1 0 R /Prev {first}"));
    patch(&mut w.out, "AAAAAAAAAA", second);
    let (_, signer) = test_signer();
    check_quickly("prev-cycle", &w.out, &signer);
    assert_eq!(pages_of(&w.out).unwrap().len(), 1);
}

#[test]
fn prev_past_the_end_is_an_error() {
    let mut w = one_page();
    let entries = w.written();
    w.table(&entries, "/Root 1 0 R /Prev 99999999");
    assert!(Document::open(&w.out).is_err());
    let mut w = one_page();
    let entries = w.written();
    w.table(&entries, "/Root 1 0 R /XRefStm 99999999");
    assert!(Document::open(&w.out).is_err());
}

#[test]
fn an_object_stream_inside_itself() {
    let mut w = PdfWriter::new();
    w.obj(1, CATALOG)
        .object_stream(5, &[(2, "<< /Type /Pages /Kids [] >>")]);
    let entries = [
        (1, w.at(1)),
        (2, At::Compressed(5, 0)),
        // The stream claims to live inside itself.
        (5, At::Compressed(5, 0)),
    ];
    w.xref_stream(6, &entries, "/Root 1 0 R", true);
    let doc = Document::open(&w.out).unwrap();
    assert!(quickly("self-contained object stream", || doc
        .get(ObjectId::new(2, 0)))
    .is_err());
    assert!(doc.get(ObjectId::new(5, 0)).is_err());
    let (_, signer) = test_signer();
    check_quickly("objstm-in-itself", &w.out, &signer);
}

#[test]
fn an_object_stream_whose_length_is_inside_itself() {
    // /Length 7 0 R, and object 7 is in this very stream: finding the
    // stream's end must not recurse (the `endstream` keyword is used).
    let mut w = PdfWriter::new();
    w.obj(1, CATALOG);
    let text = "2 0 7 28 << /Type /Pages /Kids [] >> 999";
    let data = text.as_bytes();
    let mut body = b"<< /Type /ObjStm /N 2 /First 9 /Length 7 0 R >>\nstream\n".to_vec();
    body.extend_from_slice(data);
    body.extend_from_slice(b"\nendstream");
    w.obj(5, &body);
    let entries = [
        (1, w.at(1)),
        (2, At::Compressed(5, 0)),
        (5, w.at(5)),
        (7, At::Compressed(5, 1)),
    ];
    w.xref_stream(6, &entries, "/Root 1 0 R", true);
    let doc = Document::open(&w.out).unwrap();
    let pages = quickly("length inside itself", || doc.get(ObjectId::new(2, 0))).unwrap();
    assert_eq!(
        pages.as_dict().and_then(|d| d.name(b"Type")),
        Some(&b"Pages"[..])
    );
    assert_eq!(doc.get(ObjectId::new(7, 0)).unwrap(), 999.into());
}

#[test]
fn a_length_held_in_an_object_stream_is_followed() {
    // The data contains `endstream`: only the real /Length finds its end.
    let content = b"BT (endstream) Tj ET";
    let mut w = PdfWriter::new();
    w.obj(1, CATALOG).obj(2, PAGES).obj(
        3,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
    );
    let mut body = b"<< /Length 7 0 R >>\nstream\n".to_vec();
    body.extend_from_slice(content);
    body.extend_from_slice(b"\nendstream");
    w.obj(4, &body)
        .object_stream(6, &[(7, &content.len().to_string())]);
    let mut entries = w.written();
    entries.push((7, At::Compressed(6, 0)));
    w.xref_stream(8, &entries, "/Root 1 0 R", true);
    let doc = Document::open(&w.out).unwrap();
    let Object::Stream(s) = doc.get(ObjectId::new(4, 0)).unwrap() else {
        panic!("not a stream")
    };
    assert_eq!(s.data, content);
}

#[test]
fn page_tree_cycles_and_repeats() {
    let (_, signer) = test_signer();
    // 2 → 3 → 2.
    let mut w = PdfWriter::new();
    w.obj(1, CATALOG)
        .obj(2, b"<< /Type /Pages /Kids [3 0 R] >>")
        .obj(3, b"<< /Type /Pages /Kids [2 0 R] /Parent 2 0 R >>");
    let entries = w.written();
    w.table(&entries, "/Root 1 0 R");
    assert!(quickly("page tree cycle", || pages_of(&w.out)).is_err());
    check_quickly("pages-cycle", &w.out, &signer);

    // A million references to the same page.
    let mut kids = b"<< /Type /Pages /Kids [".to_vec();
    for _ in 0..1_000_000 {
        kids.extend_from_slice(b"3 0 R ");
    }
    kids.extend_from_slice(b"] >>");
    let mut w = PdfWriter::new();
    w.obj(1, CATALOG).obj(2, &kids).obj(3, PAGE);
    let entries = w.written();
    w.table(&entries, "/Root 1 0 R");
    assert!(quickly("a million kids", || pages_of(&w.out)).is_err());
    // Opening, the page tree, every object, verifying and preparing each
    // read the 6 MB array again: linear, but not fast unoptimised.
    check_within("million-kids", &w.out, &signer, Duration::from_secs(30));
}

#[test]
fn intermediate_page_nodes_without_type_are_followed() {
    let mut w = PdfWriter::new();
    w.obj(1, CATALOG)
        .obj(2, b"<< /Kids [4 0 R] /Count 1 >>")
        .obj(4, b"<< /Kids [3 0 R] /Parent 2 0 R /Count 1 >>")
        .obj(3, b"<< /Parent 4 0 R /MediaBox [0 0 595 842] >>");
    let entries = w.written();
    w.table(&entries, "/Root 1 0 R");
    assert_eq!(pages_of(&w.out).unwrap(), vec![ObjectId::new(3, 0)]);
}

#[test]
fn xref_stream_with_huge_size_and_index() {
    let (_, signer) = test_signer();
    let xref = |w: &mut PdfWriter, dict: &str, rows: &[(u8, u64, u16)]| {
        let start = w.out.len();
        let mut data = Vec::new();
        for (t, f2, f3) in rows {
            data.push(*t);
            data.extend_from_slice(&f2.to_be_bytes());
            data.extend_from_slice(&f3.to_be_bytes());
        }
        w.stream(
            9,
            &format!("/Type /XRef /Root 1 0 R /W [1 8 2] {dict}"),
            &data,
        );
        w.out
            .extend_from_slice(format!("startxref\n{start}\n%%EOF\n").as_bytes());
    };
    let rows = |w: &PdfWriter| {
        vec![
            (0, 0, 65535),
            (1, w.offsets[&1] as u64, 0),
            (1, w.offsets[&2] as u64, 0),
            (1, w.offsets[&3] as u64, 0),
        ]
    };
    // /Size 2^31 and no /Index: the rows run out long before.
    let mut w = one_page();
    let r = rows(&w);
    xref(&mut w, "/Size 2147483648", &r);
    assert!(quickly("/Size 2^31", || Document::open(&w.out)).is_err());
    check_quickly("size-2-31", &w.out, &signer);

    // /Index counts far beyond the data, and first numbers that overflow.
    for index in [
        "[0 4294967295]",
        "[0 9223372036854775807]",
        "[9223372036854775807 4]",
        "[9223372036854775806 4]",
        "[4294967295 4]",
        "[0 4 9223372036854775807 1]",
        "[-1 4]",
        "[0]",
    ] {
        let mut w = one_page();
        let r = rows(&w);
        xref(&mut w, &format!("/Size 4 /Index {index}"), &r);
        assert!(
            quickly(index, || Document::open(&w.out)).is_err(),
            "{index}"
        );
        check_quickly("index", &w.out, &signer);
    }

    // A /Size nothing backs is not where an update numbers its objects.
    for size in ["4294967295", "2147483648", "9999999"] {
        let mut w = one_page();
        let r = rows(&w);
        xref(&mut w, &format!("/Size {size} /Index [0 4]"), &r);
        let signed = sign(&w.out);
        // The update's trailer /Size: one more than the numbers it used.
        let doc = Document::open(&signed).unwrap();
        let next = doc.trailer().get(b"Size").and_then(Object::as_i64);
        assert!(next.is_some_and(|n| n < 100), "/Size {size}: {next:?}");
    }
}

#[test]
fn object_numbers_out_of_range() {
    let (_, signer) = test_signer();
    for first in ["4294967295", "2147483648", "4294967296"] {
        let mut w = one_page();
        let mut entries = w.written();
        entries.push((0, At::Free(65535)));
        w.table(&entries, "/Root 1 0 R");
        // One more subsection, numbered out of range.
        let at = find(&w.out, b"trailer").unwrap();
        let extra = format!("{first} 1\n0000000015 00000 n\r\n");
        let mut pdf = w.out[..at].to_vec();
        pdf.extend_from_slice(extra.as_bytes());
        pdf.extend_from_slice(&w.out[at..]);
        assert!(Document::open(&pdf).is_err(), "{first}");
        check_quickly("high-number", &pdf, &signer);
    }
    // The highest number allowed opens, but leaves no room for an update.
    let mut w = one_page();
    let mut entries = w.written();
    entries.push((2147483647, At::Free(0)));
    w.table(&entries, "/Root 1 0 R");
    assert!(Document::open(&w.out).is_ok());
    assert!(matches!(
        prepare(&w.out, sign_options(signer.clone())),
        Err(PdfError::Unsupported(_))
    ));
}

#[test]
fn deep_nesting_and_reference_chains() {
    let (_, signer) = test_signer();
    let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    for (depth, ok) in [(64, true), (66, false)] {
        let page = format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Deep {} >>",
            nested(depth)
        );
        let mut w = PdfWriter::new();
        w.obj(1, CATALOG).obj(2, PAGES).obj(3, page.as_bytes());
        let entries = w.written();
        w.table(&entries, "/Root 1 0 R");
        let doc = Document::open(&w.out).unwrap();
        assert_eq!(doc.get(ObjectId::new(3, 0)).is_ok(), ok, "depth {depth}");
        check_quickly("nested", &w.out, &signer);
    }

    // 10 → 11 → … → 2009 → 10, each object only a reference to the next;
    // the catalog's /Pages and /AcroForm enter the chain.
    let mut w = PdfWriter::new();
    w.obj(
        1,
        b"<< /Type /Catalog /Pages 10 0 R /AcroForm 10 0 R /Perms << /DocMDP 10 0 R >> >>",
    );
    for n in 10..2010u32 {
        let next = if n == 2009 { 10 } else { n + 1 };
        w.obj(n, format!("{next} 0 R").as_bytes());
    }
    let entries = w.written();
    w.table(&entries, "/Root 1 0 R");
    let doc = Document::open(&w.out).unwrap();
    assert_eq!(
        doc.resolve(&ObjectId::new(10, 0).into()).unwrap(),
        ObjectId::new(11, 0).into()
    );
    check_quickly("reference-chain", &w.out, &signer);
}

/// A hybrid-reference file as ISO 32000-2 §7.5.8.4 shows it: the table lists
/// the catalog and the contents, and marks free the page tree, the page and
/// the object stream holding them, which only the /XRefStm stream lists.
fn hybrid_pdf() -> Vec<u8> {
    let mut w = PdfWriter::new();
    w.obj(1, CATALOG)
        .stream(4, "", b"0 0 m 100 100 l S")
        .object_stream(
            5,
            &[
                (2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
                (
                    3,
                    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
                ),
            ],
        );
    let hidden = [
        (2, At::Compressed(5, 0)),
        (3, At::Compressed(5, 1)),
        (5, w.at(5)),
    ];
    let stm = w.xref_stream(6, &hidden, "", false);
    let table = [
        (0, At::Free(65535)),
        (1, w.at(1)),
        (2, At::Free(65535)),
        (3, At::Free(65535)),
        (4, w.at(4)),
        (5, At::Free(65535)),
        (6, At::Free(65535)),
    ];
    w.table(&table, &format!("/Root 1 0 R /XRefStm {stm}"));
    w.out
}

#[test]
fn hybrid_files_read_objects_only_the_stream_lists() {
    let pdf = hybrid_pdf();
    assert_eq!(pages_of(&pdf).unwrap(), vec![ObjectId::new(3, 0)]);
    let signed = sign(&pdf);
    assert_eq!(pages_of(&signed).unwrap(), vec![ObjectId::new(3, 0)]);
    let report = verify_report(&sign(&signed));
    assert_eq!(report.signatures.len(), 2, "{report:?}");
    for s in &report.signatures {
        assert!(s.pdf.as_ref().unwrap().modifications.is_empty(), "{s:?}");
    }
    mutate_and_check("hybrid", 3, &pdf, 300);
}

#[test]
fn many_revisions_naming_one_hybrid_stream() {
    // A stream of 300 000 rows, named by 2 000 tables: read once, not 2 000
    // times.
    let mut w = one_page();
    let mut rows = Vec::new();
    for n in 0..300_000u32 {
        rows.push((n + 10, At::Free(0)));
    }
    let stm = w.xref_stream(9, &rows, "", false);
    let entries = w.written();
    let mut prev = w.table(&entries, &format!("/Root 1 0 R /XRefStm {stm}"));
    for _ in 0..2000 {
        prev = w.table(&[], &format!("/Root 1 0 R /XRefStm {stm} /Prev {prev}"));
    }
    let doc = quickly("2000 hybrid sections", || Document::open(&w.out)).unwrap();
    assert_eq!(doc.pages().unwrap().len(), 1);
}

#[test]
fn offsets_a_little_off() {
    let pdf = simple_pdf();
    let stated = kyso_testkit::pdf::startxref(&pdf);
    for delta in [-7i64, -2, 1, 3, 40] {
        let mut m = pdf.clone();
        let at = rfind(&m, b"startxref").unwrap() + b"startxref\n".len();
        let end = at + stated.to_string().len();
        let new = (stated as i64 + delta).to_string();
        m.splice(at..end, new.bytes());
        assert_eq!(pages_of(&m).unwrap().len(), 1, "startxref off by {delta}");
    }
    // Bytes before `%PDF-`: every offset is counted from the header.
    let mut m = b"From: someone\r\nContent-Type: application/pdf\r\n\r\n".to_vec();
    m.extend_from_slice(&pdf);
    let doc = Document::open(&m).unwrap();
    let pages = doc.pages().unwrap();
    assert_eq!(doc.page_box(pages[0]).unwrap(), [0.0, 0.0, 595.0, 842.0]);
    // Reading works; signing is refused, as readers would misplace the update.
    let err = prepare(&m, sign_options(test_signer().1)).err().unwrap();
    assert_eq!(err.code(), "PDF_UNSUPPORTED", "{err}");
}

#[test]
fn a_subsection_numbered_from_one_that_starts_with_object_zero() {
    let mut w = one_page();
    let start = w.out.len();
    let mut table = b"xref\n1 4\n0000000000 65535 f\r\n".to_vec();
    for n in 1..=3 {
        table.extend_from_slice(format!("{:010} 00000 n\r\n", w.offsets[&n]).as_bytes());
    }
    table.extend_from_slice(
        format!("trailer\n<< /Root 1 0 R /Size 4 >>\nstartxref\n{start}\n%%EOF\n").as_bytes(),
    );
    w.out.extend_from_slice(&table);
    assert_eq!(pages_of(&w.out).unwrap(), vec![ObjectId::new(3, 0)]);
}

#[test]
fn generations_must_match() {
    // Object 3 is at generation 1: `3 0 R` names a deleted object.
    let mut w = PdfWriter::new();
    w.obj(1, CATALOG)
        .obj(2, b"<< /Type /Pages /Kids [3 0 R 3 1 R 3 2 R] /Count 3 >>")
        .obj_gen(3, 1, PAGE);
    let mut entries = w.written();
    entries.retain(|(n, _)| *n != 3);
    entries.push((3, At::Offset(w.offsets[&3], 1)));
    w.table(&entries, "/Root 1 0 R");
    let doc = Document::open(&w.out).unwrap();
    assert_eq!(doc.get(ObjectId::new(3, 0)).unwrap(), Object::Null);
    assert_eq!(doc.get(ObjectId::new(3, 2)).unwrap(), Object::Null);
    assert!(doc.get(ObjectId::new(3, 1)).unwrap().as_dict().is_some());
    assert_eq!(doc.pages().unwrap(), vec![ObjectId::new(3, 1)]);

    // A table whose generation is wrong: the object header decides.
    let mut w = one_page();
    let mut entries = w.written();
    entries.retain(|(n, _)| *n != 3);
    entries.push((3, At::Offset(w.offsets[&3], 7)));
    w.table(&entries, "/Root 1 0 R");
    assert_eq!(pages_of(&w.out).unwrap(), vec![ObjectId::new(3, 0)]);
}

/// Appends to `pdf` a revision whose table lists `entries` and nothing
/// else.
fn append_revision(pdf: &[u8], entries: &[(u32, At)]) -> Vec<u8> {
    let doc = Document::open(pdf).unwrap();
    let prev = kyso_testkit::pdf::startxref(pdf);
    let size = doc.trailer().get(b"Size").and_then(Object::as_i64).unwrap();
    let mut w = PdfWriter::update(pdf);
    w.table(entries, &format!(" /Root 1 0 R /Size {size} /Prev {prev} "));
    w.out
}

fn modifications_of_first(pdf: &[u8]) -> Vec<String> {
    let report = verify_report(pdf);
    let first = report
        .signatures
        .iter()
        .find(|s| s.pdf.as_ref().is_some_and(|p| p.revision == 2))
        .expect("the first signature");
    first.pdf.as_ref().unwrap().modifications.clone()
}

#[test]
fn deleting_shown_content_after_signing_is_a_modification() {
    let signed = sign(&simple_pdf());
    assert!(modifications_of_first(&append_revision(&signed, &[])).is_empty());
    // Object 4, the page's content stream, freed.
    let changed = append_revision(&signed, &[(4, At::Free(1))]);
    assert!(!modifications_of_first(&changed).is_empty());
}

#[test]
fn repointing_shown_content_into_signed_bytes_is_a_modification() {
    // Object 9 carries, inside its data, the text of another object 4; a
    // later xref entry points object 4 there. The bytes are all signed, but
    // the page now shows something else.
    let hidden = b"4 0 obj\n<< /Length 3 >>\nstream\nBAD\nendstream\nendobj";
    let mut w = PdfWriter::new();
    w.obj(1, CATALOG)
        .obj(2, PAGES)
        .obj(
            3,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        )
        .stream(4, "", b"0 0 m 100 100 l S")
        .stream(9, "", hidden);
    let entries = w.written();
    w.table(&entries, "/Root 1 0 R");
    let at = find(&w.out, hidden).unwrap();
    let signed = sign(&w.out);
    let changed = append_revision(&signed, &[(4, At::Offset(at, 0))]);
    let doc = Document::open(&changed).unwrap();
    let Object::Stream(s) = doc.get(ObjectId::new(4, 0)).unwrap() else {
        panic!("not a stream")
    };
    assert_eq!(s.data, b"BAD");
    assert!(!modifications_of_first(&changed).is_empty());
}

#[test]
fn annots_or_acroform_naming_other_objects_are_not_overwritten() {
    // The page's /Annots and the catalog's /AcroForm are references to the
    // page and the catalog themselves.
    let mut w = PdfWriter::new();
    w.obj(1, b"<< /Type /Catalog /Pages 2 0 R /AcroForm 1 0 R >>")
        .obj(2, PAGES)
        .obj(
            3,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots 3 0 R >>",
        );
    let entries = w.written();
    w.table(&entries, "/Root 1 0 R");
    let signed = sign(&w.out);
    let doc = Document::open(&signed).unwrap();
    let pages = doc.pages().unwrap();
    let page = doc.get(pages[0]).unwrap();
    let annots = page.as_dict().and_then(|d| d.get(b"Annots")).unwrap();
    assert_eq!(annots.as_array().map(<[Object]>::len), Some(1));
    assert_eq!(verify_report(&signed).signatures.len(), 1);
}

#[test]
fn a_form_with_many_fields_is_signed_quickly() {
    let mut fields = b"<< /Fields [".to_vec();
    for i in 1..=50_000 {
        fields.extend_from_slice(format!("<< /T (Signature{i}) >> ").as_bytes());
    }
    fields.extend_from_slice(b"] >>");
    let mut w = PdfWriter::new();
    w.obj(1, b"<< /Type /Catalog /Pages 2 0 R /AcroForm 4 0 R >>")
        .obj(2, PAGES)
        .obj(3, PAGE)
        .obj(4, &fields);
    let entries = w.written();
    w.table(&entries, "/Root 1 0 R");
    let pdf = w.out;
    let (_, signer) = test_signer();
    quickly("50 000 fields", || {
        prepare(&pdf, sign_options(signer)).unwrap();
    });
}

#[test]
fn visible_signatures_on_odd_page_boxes() {
    use kyso_core::pdf::appearance::Role;
    use kyso_core::pdf::Visible;
    let (key, signer) = test_signer();
    // Near f64::MAX: finite, but widths overflow to infinity.
    let big = format!("9{}.0", "9".repeat(307));
    for mediabox in [
        "[0 0 0 0]".to_string(),
        "[595 842 0 0]".to_string(),
        "[10 2 3]".to_string(),
        format!("[-{big} 0 {big} 10]"),
        format!("[0 0 {big} {big}]"),
        "[(a) /b null 4]".to_string(),
        "5 0 R".to_string(),
    ] {
        let mediabox = mediabox.as_str();
        let page = format!("<< /Type /Page /Parent 2 0 R /MediaBox {mediabox} /CropBox 3 0 R >>");
        let mut w = PdfWriter::new();
        w.obj(1, CATALOG).obj(2, PAGES).obj(3, page.as_bytes());
        let entries = w.written();
        w.table(&entries, "/Root 1 0 R");
        for role in [Role::Approved, Role::Issued, Role::Copy, Role::Incoming] {
            let mut options = sign_options(signer.clone());
            options.visible = Some(Visible {
                role,
                page: 1,
                rect: None,
                image: None,
                seal: None,
                organization: None,
                doc_number: None,
                issued_date: None,
                font: support::FONT,
            });
            let prepared = quickly(mediabox, || prepare(&w.out, options));
            let prepared = prepared.unwrap_or_else(|e| panic!("{mediabox}: {e}"));
            let signature: p256::ecdsa::Signature = key.sign(prepared.signed_attributes());
            let signed = prepared
                .finish(&signature.to_bytes(), SignatureScheme::Ecdsa)
                .unwrap();
            assert_eq!(verify_report(&signed).signatures.len(), 1, "{mediabox}");
        }
    }
}
