//! Cross-reference sections (ISO 32000-2 §7.5.4, §7.5.8): classic tables,
//! xref streams and hybrid files, followed through `/Prev` from the last
//! `startxref`.

use std::collections::{BTreeMap, HashSet};

use super::error::PdfError;
use super::filter;
use super::lexer::{rfind, Lexer};
use super::object::{Dictionary, Object};

/// Where an object lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Entry {
    Free,
    /// Byte offset of `N G obj`, and the generation.
    Offset(usize, u16),
    /// Inside object stream `stream`, at position `index`.
    Compressed {
        stream: u32,
        index: u32,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XrefKind {
    Table,
    Stream,
}

/// The cross-reference of a file: every object's location (the newest
/// section wins), the newest trailer, and how the newest section is written
/// (an update is written the same way).
#[derive(Debug)]
pub(crate) struct Xref {
    pub entries: BTreeMap<u32, Entry>,
    pub trailer: Dictionary,
    pub kind: XrefKind,
    /// Offset of the newest section (the update's `/Prev`).
    pub startxref: usize,
}

/// Sections followed at most (a loop guard beyond the visited set).
const MAX_SECTIONS: usize = 10_000;

impl Xref {
    pub(crate) fn read(data: &[u8]) -> Result<Xref, PdfError> {
        let startxref = find_startxref(data)?;
        let mut entries = BTreeMap::new();
        let mut newest: Option<(Dictionary, XrefKind)> = None;
        let mut seen = HashSet::new();
        let mut next = Some(startxref);
        while let Some(offset) = next.take() {
            if !seen.insert(offset) || seen.len() > MAX_SECTIONS {
                return Err(PdfError::Syntax(
                    "cross-reference sections form a loop".into(),
                ));
            }
            let (section, trailer, kind) = read_section(data, offset)?;
            let mut section = section;
            // Hybrid files: the table's trailer points at a stream holding the
            // objects compressed since; the table's own entries take precedence.
            if let Some(stm) = trailer.get(b"XRefStm").and_then(Object::as_i64) {
                let stm = usize::try_from(stm).map_err(|_| bad("/XRefStm"))?;
                if let Ok((extra, _, _)) = read_section(data, stm) {
                    for (n, e) in extra {
                        section.entry(n).or_insert(e);
                    }
                }
            }
            for (n, e) in section {
                entries.entry(n).or_insert(e);
            }
            next = match trailer.get(b"Prev").and_then(Object::as_f64) {
                Some(p) if p >= 0.0 => Some(p as usize),
                _ => None,
            };
            if newest.is_none() {
                newest = Some((trailer, kind));
            }
        }
        let (trailer, kind) = newest.ok_or_else(|| bad("no cross-reference section"))?;
        Ok(Xref {
            entries,
            trailer,
            kind,
            startxref,
        })
    }
}

fn bad(what: &str) -> PdfError {
    PdfError::Syntax(format!("bad cross-reference: {what}"))
}

/// The offset after the last `startxref` keyword.
pub(crate) fn find_startxref(data: &[u8]) -> Result<usize, PdfError> {
    let tail_start = data.len().saturating_sub(2048);
    let at = rfind(&data[tail_start..], b"startxref")
        .ok_or_else(|| PdfError::Syntax("no `startxref` near the end (truncated file?)".into()))?;
    let mut lexer = Lexer::new(data, tail_start + at + b"startxref".len());
    let offset = lexer.unsigned().map_err(|_| bad("startxref value"))?;
    let offset = usize::try_from(offset).map_err(|_| bad("startxref value"))?;
    if offset >= data.len() {
        return Err(bad("startxref points past the end of the file"));
    }
    Ok(offset)
}

type Section = BTreeMap<u32, Entry>;

fn read_section(data: &[u8], offset: usize) -> Result<(Section, Dictionary, XrefKind), PdfError> {
    let mut lexer = Lexer::new(data, offset);
    if lexer.eat_keyword(b"xref") {
        let (section, trailer) = read_table(&mut lexer)?;
        Ok((section, trailer, XrefKind::Table))
    } else {
        let mut lexer = Lexer::new(data, offset);
        lexer
            .object_header()
            .map_err(|_| bad("startxref points at neither `xref` nor an xref stream"))?;
        let Object::Stream(stream) = lexer.indirect_body(&|_| None)? else {
            return Err(bad("xref object is not a stream"));
        };
        if stream.dict.name(b"Type") != Some(b"XRef") {
            return Err(bad("stream is not /Type /XRef"));
        }
        let section = read_stream(&stream.dict, &filter::decode(&stream)?)?;
        Ok((section, stream.dict, XrefKind::Stream))
    }
}

fn read_table(lexer: &mut Lexer<'_>) -> Result<(Section, Dictionary), PdfError> {
    let mut section = Section::new();
    loop {
        if lexer.eat_keyword(b"trailer") {
            let trailer = lexer.object()?;
            let Object::Dictionary(trailer) = trailer else {
                return Err(bad("trailer is not a dictionary"));
            };
            return Ok((section, trailer));
        }
        let first = lexer.unsigned().map_err(|_| bad("subsection header"))?;
        let count = lexer.unsigned().map_err(|_| bad("subsection header"))?;
        for i in 0..count {
            let offset = lexer.unsigned().map_err(|_| bad("entry"))?;
            let generation = lexer.unsigned().map_err(|_| bad("entry"))?;
            let entry = if lexer.eat_keyword(b"n") {
                Entry::Offset(offset as usize, generation.min(u16::MAX.into()) as u16)
            } else if lexer.eat_keyword(b"f") {
                Entry::Free
            } else {
                return Err(bad("entry type"));
            };
            let number = u32::try_from(first + i).map_err(|_| bad("object number"))?;
            // Producers sometimes write object 0 as in-use; it never is.
            if number != 0 {
                section.insert(number, entry);
            }
        }
    }
}

fn read_stream(dict: &Dictionary, data: &[u8]) -> Result<Section, PdfError> {
    let widths: Vec<usize> = dict
        .get(b"W")
        .and_then(Object::as_array)
        .ok_or_else(|| bad("xref stream without /W"))?
        .iter()
        .map(|w| {
            w.as_i64()
                .and_then(|w| usize::try_from(w).ok())
                .filter(|w| *w <= 8)
        })
        .collect::<Option<_>>()
        .filter(|w: &Vec<usize>| w.len() == 3)
        .ok_or_else(|| bad("/W"))?;
    let row: usize = widths.iter().sum();
    if row == 0 {
        return Err(bad("/W"));
    }
    let size = dict.get(b"Size").and_then(Object::as_i64).unwrap_or(0);
    let index: Vec<i64> = match dict.get(b"Index").and_then(Object::as_array) {
        Some(a) => a.iter().map(|v| v.as_i64().unwrap_or(-1)).collect(),
        None => vec![0, size],
    };
    let mut section = Section::new();
    let mut rows = data.chunks_exact(row);
    for pair in index.chunks(2) {
        let [first, count] = pair else {
            return Err(bad("/Index"));
        };
        if *first < 0 || *count < 0 {
            return Err(bad("/Index"));
        }
        for i in 0..*count {
            let Some(r) = rows.next() else {
                return Err(bad("xref stream shorter than /Index says"));
            };
            let (f1, rest) = r.split_at(widths[0]);
            let (f2, f3) = rest.split_at(widths[1]);
            // A zero-width type field means type 1.
            let kind = if widths[0] == 0 { 1 } else { be(f1) };
            let number = u32::try_from(first + i).map_err(|_| bad("object number"))?;
            let entry = match kind {
                0 => Entry::Free,
                1 => Entry::Offset(be(f2) as usize, be(f3).min(u16::MAX.into()) as u16),
                2 => Entry::Compressed {
                    stream: u32::try_from(be(f2)).map_err(|_| bad("object stream number"))?,
                    index: u32::try_from(be(f3)).map_err(|_| bad("object stream index"))?,
                },
                // ISO 32000: unknown types are references to the null object.
                _ => Entry::Free,
            };
            if number != 0 {
                section.insert(number, entry);
            }
        }
    }
    Ok(section)
}

fn be(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |n, b| n << 8 | u64::from(*b))
}
