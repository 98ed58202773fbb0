//! The one PDF writer of the tests: objects written one after another, then a
//! classic cross-reference table (ISO 32000-2 §7.5.4) or an xref stream
//! (§7.5.8), for a new file or an incremental update of one (§7.5.6).
//!
//! It writes exactly what it is told, so that a test can also write it
//! wrong: offsets a little off, sections pointing at each other, object
//! numbers out of range. It never checks what it writes; `kyso_core::pdf`
//! is what is under test.
//!
//! ```
//! use kyso_testkit::pdf::{At, PdfWriter};
//!
//! let mut w = PdfWriter::new();
//! w.obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
//!     .obj(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
//!     .obj(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>");
//! let mut entries = w.written();
//! entries.push((0, At::Free(65535)));
//! w.table(&entries, "/Root 1 0 R");
//! let doc = kyso_core::pdf::Document::open(&w.out).unwrap();
//! assert_eq!(doc.pages().unwrap().len(), 1);
//! ```

use std::collections::BTreeMap;

use kyso_core::pdf::{Object, ObjectId};

/// How a cross-reference section lists an object (ISO 32000-2 §7.5.4, and
/// Table 18 for the three kinds of xref stream row).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    /// Free, with the generation its next use gets.
    Free(u16),
    /// In use at a byte offset, with a generation.
    Offset(usize, u16),
    /// In object stream `.0`, the `.1`-th object of it (xref streams only).
    Compressed(u32, u32),
}

/// Writes objects one after another and remembers where each went.
#[derive(Clone, Debug)]
pub struct PdfWriter {
    /// The file so far: tests append or patch bytes in it directly.
    pub out: Vec<u8>,
    /// Where each object written so far starts (its `N G obj` line).
    pub offsets: BTreeMap<u32, usize>,
    /// The generation each object was written with.
    generations: BTreeMap<u32, u16>,
}

impl Default for PdfWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl PdfWriter {
    /// A new file: the `%PDF-1.7` header and the binary comment that tells
    /// transfer programs it is not text.
    pub fn new() -> Self {
        Self::update(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    }

    /// An incremental update appended to `pdf`: objects and sections go
    /// after its bytes, offsets count from its start. The update's trailer
    /// needs `/Prev` ([`startxref`] of `pdf`).
    pub fn update(pdf: &[u8]) -> Self {
        PdfWriter {
            out: pdf.to_vec(),
            offsets: BTreeMap::new(),
            generations: BTreeMap::new(),
        }
    }

    /// `N 0 obj body endobj`.
    pub fn obj(&mut self, number: u32, body: &[u8]) -> &mut Self {
        self.obj_gen(number, 0, body)
    }

    /// `N G obj body endobj`.
    pub fn obj_gen(&mut self, number: u32, generation: u16, body: &[u8]) -> &mut Self {
        self.offsets.insert(number, self.out.len());
        self.generations.insert(number, generation);
        self.out
            .extend_from_slice(format!("{number} {generation} obj\n").as_bytes());
        self.out.extend_from_slice(body);
        self.out.extend_from_slice(b"\nendobj\n");
        self
    }

    /// `object` as kyso writes it, numbered `id`.
    pub fn object(&mut self, id: ObjectId, object: &Object) -> &mut Self {
        let mut body = Vec::new();
        object.write(&mut body);
        self.obj_gen(id.number, id.generation, &body)
    }

    /// A stream object; `dict` is the dictionary's inside, without /Length.
    pub fn stream(&mut self, number: u32, dict: &str, data: &[u8]) -> &mut Self {
        let mut body = format!("<<{dict} /Length {}>>\nstream\n", data.len()).into_bytes();
        body.extend_from_slice(data);
        body.extend_from_slice(b"\nendstream");
        self.obj(number, &body)
    }

    /// An object stream (§7.5.7) holding `objects` (number, text),
    /// Flate-compressed.
    pub fn object_stream(&mut self, number: u32, objects: &[(u32, &str)]) -> &mut Self {
        let mut header = String::new();
        let mut body = String::new();
        for (n, text) in objects {
            header.push_str(&format!("{n} {} ", body.len()));
            body.push_str(text);
            body.push('\n');
        }
        let data = deflate(format!("{header}{body}").as_bytes());
        let dict = format!(
            "/Type /ObjStm /N {} /First {} /Filter /FlateDecode",
            objects.len(),
            header.len()
        );
        self.stream(number, &dict, &data)
    }

    /// Where object `number` was written, as an in-use entry.
    ///
    /// # Panics
    ///
    /// When it was not written by this writer.
    pub fn at(&self, number: u32) -> At {
        At::Offset(self.offsets[&number], self.generations[&number])
    }

    /// Every object written so far as in-use entries.
    pub fn written(&self) -> Vec<(u32, At)> {
        self.offsets.keys().map(|&n| (n, self.at(n))).collect()
    }

    /// A classic table with one subsection per run of `entries`, then the
    /// trailer (`trailer` is the dictionary's inside; `/Size`, one more than
    /// the highest number listed, is added unless it has one) and `%%EOF`.
    /// Returns the table's offset, for a later `/Prev`.
    ///
    /// # Panics
    ///
    /// When `entries` holds an [`At::Compressed`]: only streams list those.
    pub fn table(&mut self, entries: &[(u32, At)], trailer: &str) -> usize {
        let start = self.out.len();
        let entries: BTreeMap<u32, At> = entries.iter().copied().collect();
        let size = with_size(trailer, &entries);
        self.out.extend_from_slice(b"xref\n");
        for run in runs(&entries) {
            self.out
                .extend_from_slice(format!("{} {}\n", run[0].0, run.len()).as_bytes());
            for (_, e) in run {
                // Each entry is exactly 20 bytes (§7.5.4): CR LF ends it.
                let line = match e {
                    At::Free(g) => format!("0000000000 {g:05} f\r\n"),
                    At::Offset(o, g) => format!("{o:010} {g:05} n\r\n"),
                    At::Compressed(..) => panic!("a table cannot list compressed objects"),
                };
                self.out.extend_from_slice(line.as_bytes());
            }
        }
        self.out.extend_from_slice(
            format!("trailer\n<<{trailer}{size}>>\nstartxref\n{start}\n%%EOF\n").as_bytes(),
        );
        start
    }

    /// An xref stream (object `number`, `/W [1 4 2]`, Flate) listing
    /// `entries` plus itself, with `trailer`'s entries in its dictionary
    /// (`/Size` added unless given); `startxref` and `%%EOF` after it unless
    /// `last` is false (the stream of a hybrid file, which its table's
    /// `/XRefStm` names). Returns its offset.
    pub fn xref_stream(
        &mut self,
        number: u32,
        entries: &[(u32, At)],
        trailer: &str,
        last: bool,
    ) -> usize {
        let start = self.out.len();
        let mut entries: BTreeMap<u32, At> = entries.iter().copied().collect();
        entries.insert(number, At::Offset(start, 0));
        let mut index = Vec::new();
        let mut data = Vec::new();
        for run in runs(&entries) {
            index.push(format!("{} {}", run[0].0, run.len()));
            for (_, e) in run {
                // Offsets and stream numbers wider than /W allows are cut:
                // a test writing such a file means to.
                let (kind, f2, f3) = match e {
                    At::Free(g) => (0u8, 0u32, g),
                    At::Offset(o, g) => (1, o as u32, g),
                    At::Compressed(s, i) => (2, s, i as u16),
                };
                data.push(kind);
                data.extend_from_slice(&f2.to_be_bytes());
                data.extend_from_slice(&f3.to_be_bytes());
            }
        }
        let size = with_size(trailer, &entries);
        let dict = format!(
            "/Type /XRef {trailer}{size} /Index [{}] /W [1 4 2] /Filter /FlateDecode",
            index.join(" ")
        );
        self.stream(number, &dict, &deflate(&data));
        if last {
            self.out
                .extend_from_slice(format!("startxref\n{start}\n%%EOF\n").as_bytes());
        }
        start
    }
}

/// The offset the last `startxref` of `pdf` states: the `/Prev` of an
/// update appended to it.
///
/// # Panics
///
/// When `pdf` has no `startxref` followed by a number.
pub fn startxref(pdf: &[u8]) -> usize {
    let keyword = b"startxref";
    let at = pdf
        .windows(keyword.len())
        .rposition(|w| w == keyword)
        .expect("a startxref");
    String::from_utf8_lossy(&pdf[at + keyword.len()..])
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a startxref offset")
}

/// Zlib-wrapped Flate (RFC 1950/1951), what `/FlateDecode` undoes.
pub fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

/// ` /Size N` for a section listing `entries`, or nothing when `trailer`
/// states its own.
fn with_size(trailer: &str, entries: &BTreeMap<u32, At>) -> String {
    if trailer.contains("/Size") {
        return String::new();
    }
    let size = entries.keys().next_back().map_or(1, |n| n + 1);
    format!(" /Size {size}")
}

/// `entries` cut into runs of consecutive numbers: the subsections of a
/// table, the `/Index` pairs of a stream.
fn runs(entries: &BTreeMap<u32, At>) -> Vec<Vec<(u32, At)>> {
    let mut runs: Vec<Vec<(u32, At)>> = Vec::new();
    for (&n, &e) in entries {
        match runs.last_mut() {
            Some(run) if run.last().map(|l| l.0 + 1) == Some(n) => run.push((n, e)),
            _ => runs.push(vec![(n, e)]),
        }
    }
    runs
}
