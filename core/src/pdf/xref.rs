//! Cross-reference sections (ISO 32000-2 §7.5.4, §7.5.8): classic tables,
//! xref streams and hybrid files, followed through `/Prev` from the last
//! `startxref`.

use std::collections::{BTreeMap, HashSet};

use super::error::PdfError;
use super::filter;
use super::lexer::{is_delimiter, is_whitespace, rfind, Lexer};
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

/// Object numbers above this are refused: PDF integers are 32-bit signed
/// (ISO 32000-2 Annex C), and an update must be able to number its objects
/// after the highest one without overflowing.
pub(crate) const MAX_OBJECT_NUMBER: u32 = i32::MAX as u32;

/// Distinct objects a file may have (ISO 32000-1 Annex C's limit). A map of
/// more would take gigabytes, from a few kilobytes of compressed xref stream.
const MAX_OBJECTS: usize = 8_388_607;

/// Cross-reference rows read in all sections together: sections may list
/// the same objects again and again, and each row costs time.
const MAX_ROWS: usize = 4 * MAX_OBJECTS;

/// How far from a stated section offset to look for the section when it is
/// not exactly there (a file re-saved with other line ends, or with bytes
/// before `%PDF-`, which may be up to 1024 bytes in).
const NEARBY: usize = 1024;

impl Xref {
    pub(crate) fn read(data: &[u8]) -> Result<Xref, PdfError> {
        let mut reader = Reader {
            data,
            rows: 0,
            budget: filter::total_budget(data.len()),
        };
        let stated = find_startxref(data)?;
        let mut entries = BTreeMap::new();
        let mut newest: Option<(Dictionary, XrefKind, usize)> = None;
        let mut seen = HashSet::new();
        let mut hybrid_streams = HashSet::new();
        let mut next = Some(stated);
        while let Some(stated) = next.take() {
            // A /Prev back to a section already read adds nothing: the
            // chain is complete, however the loop closes.
            if !seen.insert(stated) {
                break;
            }
            if seen.len() > MAX_SECTIONS {
                return Err(bad("more than 10000 sections"));
            }
            let (offset, mut section, trailer, kind) = reader.section_near(stated)?;
            if offset != stated && !seen.insert(offset) {
                break;
            }
            // Hybrid files (ISO 32000-2 §7.5.8.4): objects in object streams
            // are listed in the stream /XRefStm names, and left out of the
            // table or marked free there so that older readers skip them.
            // The table's in-use entries take precedence.
            if let Some(stm) = trailer.get(b"XRefStm").and_then(Object::as_i64) {
                let stm = usize::try_from(stm).map_err(|_| bad("/XRefStm"))?;
                // Each revision's table may name the same stream: reading it
                // again would only repeat its rows.
                if hybrid_streams.insert(stm) {
                    let (_, hidden, _, _) = reader.section_near(stm)?;
                    for (n, e) in hidden {
                        if matches!(section.get(&n), None | Some(Entry::Free)) {
                            section.insert(n, e);
                        }
                    }
                }
            }
            for (n, e) in section {
                entries.entry(n).or_insert(e);
            }
            if entries.len() > MAX_OBJECTS {
                return Err(too_many_objects());
            }
            next = trailer
                .get(b"Prev")
                .and_then(Object::as_i64)
                .and_then(|p| usize::try_from(p).ok());
            if newest.is_none() {
                newest = Some((trailer, kind, offset));
            }
        }
        let (trailer, kind, startxref) = newest.ok_or_else(|| bad("no cross-reference section"))?;
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

fn too_many_objects() -> PdfError {
    PdfError::Unsupported(format!("more than {MAX_OBJECTS} objects"))
}

/// The offset after the last `startxref` keyword.
pub(crate) fn find_startxref(data: &[u8]) -> Result<usize, PdfError> {
    let tail_start = data.len().saturating_sub(2048);
    let at = rfind(&data[tail_start..], b"startxref")
        .ok_or_else(|| PdfError::Syntax("no `startxref` near the end (truncated file?)".into()))?;
    let mut lexer = Lexer::new(data, tail_start + at + b"startxref".len());
    let offset = lexer.unsigned().map_err(|_| bad("startxref value"))?;
    let offset = usize::try_from(offset).map_err(|_| bad("startxref value"))?;
    // A little past the end may still be a section a little off.
    if offset >= data.len().saturating_add(NEARBY) {
        return Err(bad("startxref points past the end of the file"));
    }
    Ok(offset)
}

type Section = BTreeMap<u32, Entry>;

/// Reads sections, keeping count of what hostile files could make costly.
struct Reader<'a> {
    data: &'a [u8],
    /// Rows read so far, over all sections.
    rows: usize,
    /// Bytes xref streams may still decode to.
    budget: usize,
}

impl Reader<'_> {
    /// The section at `offset`, or else the nearest one within [`NEARBY`]
    /// bytes; also returns where it was found.
    fn section_near(
        &mut self,
        offset: usize,
    ) -> Result<(usize, Section, Dictionary, XrefKind), PdfError> {
        // Only a misplaced section is looked for; one that is there but
        // broken or too big stays an error.
        if let Some((s, t, k)) = self.section(offset)? {
            return Ok((offset, s, t, k));
        }
        let data = self.data;
        let lo = offset.saturating_sub(NEARBY);
        let hi = offset.saturating_add(NEARBY).min(data.len());
        let mut candidates: Vec<usize> = (lo..hi)
            .filter(|&p| {
                p != offset
                    && (p == 0 || !is_regular(data[p - 1]))
                    && (data[p].is_ascii_digit() || data[p..].starts_with(b"xref"))
            })
            .collect();
        candidates.sort_by_key(|p| p.abs_diff(offset));
        for p in candidates {
            if let Ok(Some((s, t, k))) = self.section(p) {
                return Ok((p, s, t, k));
            }
        }
        Err(bad(
            "no `xref` table or xref stream where startxref or /Prev points",
        ))
    }

    /// The section at `offset`; `None` when there is none there at all.
    fn section(
        &mut self,
        offset: usize,
    ) -> Result<Option<(Section, Dictionary, XrefKind)>, PdfError> {
        let mut lexer = Lexer::new(self.data, offset);
        if lexer.eat_keyword(b"xref") {
            let (section, trailer) = self.table(&mut lexer)?;
            return Ok(Some((section, trailer, XrefKind::Table)));
        }
        let mut lexer = Lexer::new(self.data, offset);
        if lexer.object_header().is_err() {
            return Ok(None);
        }
        // The dictionary first: finding the end of a stream whose /Length
        // is wrong means scanning the rest of the file.
        let body = lexer.pos;
        match lexer.object() {
            Ok(Object::Dictionary(d)) if d.name(b"Type") == Some(b"XRef") => {}
            _ => return Ok(None),
        }
        lexer.pos = body;
        let Object::Stream(stream) = lexer.indirect_body(&|_| None)? else {
            return Err(bad("xref object is not a stream"));
        };
        let data = filter::decode_with_limit(&stream, self.budget)?;
        self.budget = self.budget.saturating_sub(data.len());
        let section = self.stream_rows(&stream.dict, &data)?;
        Ok(Some((section, stream.dict, XrefKind::Stream)))
    }

    fn count_row(&mut self) -> Result<(), PdfError> {
        self.rows += 1;
        if self.rows > MAX_ROWS {
            return Err(too_many_objects());
        }
        Ok(())
    }

    fn table(&mut self, lexer: &mut Lexer<'_>) -> Result<(Section, Dictionary), PdfError> {
        let mut section = Section::new();
        loop {
            if lexer.eat_keyword(b"trailer") {
                let trailer = lexer.object()?;
                let Object::Dictionary(trailer) = trailer else {
                    return Err(bad("trailer is not a dictionary"));
                };
                return Ok((section, trailer));
            }
            let mut first = lexer.unsigned().map_err(|_| bad("subsection header"))?;
            let count = lexer.unsigned().map_err(|_| bad("subsection header"))?;
            for i in 0..count {
                // A count larger than the entries that follow is a common
                // producer bug; the trailer ends the table all the same.
                let before = lexer.pos;
                if lexer.eat_keyword(b"trailer") {
                    lexer.pos = before;
                    break;
                }
                self.count_row()?;
                let offset = lexer.unsigned().map_err(|_| bad("entry"))?;
                let generation = lexer.unsigned().map_err(|_| bad("entry"))?;
                let entry = if lexer.eat_keyword(b"n") {
                    // An offset beyond the address space is past the end of
                    // the file: an error when the object is read.
                    let offset = usize::try_from(offset).unwrap_or(usize::MAX);
                    Entry::Offset(offset, generation.min(u16::MAX.into()) as u16)
                } else if lexer.eat_keyword(b"f") {
                    // Some producers number the subsection holding object 0's
                    // entry from 1 (pdf.js and others read it as object 0).
                    if i == 0 && first == 1 && generation == 65535 {
                        first = 0;
                    }
                    Entry::Free
                } else {
                    return Err(bad("entry type"));
                };
                let number = object_number(first.checked_add(i))?;
                // Producers sometimes write object 0 as in-use; it never is.
                if number != 0 {
                    section.insert(number, entry);
                }
            }
            if section.len() > MAX_OBJECTS {
                return Err(too_many_objects());
            }
        }
    }

    fn stream_rows(&mut self, dict: &Dictionary, data: &[u8]) -> Result<Section, PdfError> {
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
            let (Ok(first), Ok(count)) = (u64::try_from(*first), u64::try_from(*count)) else {
                return Err(bad("/Index"));
            };
            // The rows run out long before a huge count does.
            for i in 0..count {
                let Some(r) = rows.next() else {
                    return Err(bad("xref stream shorter than /Index says"));
                };
                self.count_row()?;
                let (f1, rest) = r.split_at(widths[0]);
                let (f2, f3) = rest.split_at(widths[1]);
                // A zero-width type field means type 1.
                let kind = if widths[0] == 0 { 1 } else { be(f1) };
                let number = object_number(first.checked_add(i))?;
                // Out-of-range values name no byte or object of the file: an
                // error when (and only if) the object is read.
                let entry = match kind {
                    0 => Entry::Free,
                    1 => Entry::Offset(
                        usize::try_from(be(f2)).unwrap_or(usize::MAX),
                        be(f3).min(u16::MAX.into()) as u16,
                    ),
                    2 => Entry::Compressed {
                        stream: u32::try_from(be(f2)).unwrap_or(u32::MAX),
                        index: u32::try_from(be(f3)).unwrap_or(u32::MAX),
                    },
                    // ISO 32000: unknown types are references to the null object.
                    _ => Entry::Free,
                };
                if number != 0 {
                    section.insert(number, entry);
                }
            }
            if section.len() > MAX_OBJECTS {
                return Err(too_many_objects());
            }
        }
        Ok(section)
    }
}

fn object_number(n: Option<u64>) -> Result<u32, PdfError> {
    n.and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n <= MAX_OBJECT_NUMBER)
        .ok_or_else(|| bad("object number out of range"))
}

fn is_regular(b: u8) -> bool {
    !is_whitespace(b) && !is_delimiter(b)
}

fn be(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |n, b| n << 8 | u64::from(*b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::object::Dictionary;

    fn reader(data: &[u8]) -> Reader<'_> {
        Reader {
            data,
            rows: 0,
            budget: filter::MAX_DECODED,
        }
    }

    fn xref_dict(index: Vec<i64>) -> Dictionary {
        Dictionary::new()
            .with(b"W", vec![Object::Integer(1), 2.into(), 1.into()])
            .with(
                b"Index",
                index.into_iter().map(Object::Integer).collect::<Vec<_>>(),
            )
    }

    #[test]
    fn index_numbers_that_overflow_are_errors() {
        let rows = [1u8, 0, 9, 0, 1, 0, 20, 0];
        for index in [
            vec![i64::MAX, 2],
            vec![i64::MAX - 1, 2],
            vec![i64::from(u32::MAX), 1],
            vec![0, i64::MAX],
            vec![-1, 1],
            vec![0],
        ] {
            let mut r = reader(&[]);
            assert!(
                r.stream_rows(&xref_dict(index.clone()), &rows).is_err(),
                "{index:?}"
            );
        }
        let mut r = reader(&[]);
        let section = r.stream_rows(&xref_dict(vec![4, 2]), &rows).unwrap();
        assert_eq!(section.get(&5), Some(&Entry::Offset(20, 0)));
    }

    #[test]
    fn tables_end_at_the_trailer_even_when_the_count_is_too_high() {
        let data = b"xref\n0 9\n0000000000 65535 f\r\n0000000017 00000 n\r\ntrailer\n<< /Size 2 >>";
        let (section, trailer, kind) = reader(data).section(0).unwrap().unwrap();
        assert_eq!(kind, XrefKind::Table);
        assert_eq!(section.get(&1), Some(&Entry::Offset(17, 0)));
        assert_eq!(trailer.get(b"Size"), Some(&Object::Integer(2)));
    }

    #[test]
    fn rows_are_counted_over_all_sections() {
        let mut r = reader(&[]);
        r.rows = MAX_ROWS;
        let rows = [1u8, 0, 9, 0];
        assert!(matches!(
            r.stream_rows(&xref_dict(vec![1, 1]), &rows),
            Err(PdfError::Unsupported(_))
        ));
    }
}
