//! Writing an incremental update (ISO 32000-2 §7.5.6): new and changed
//! objects appended after the original bytes, which stay byte-identical, with
//! a cross-reference section of the same kind as the file's newest one.

use std::collections::BTreeMap;

use super::byte_range::Placeholder;
use super::document::Document;
use super::error::PdfError;
use super::object::{Dictionary, Object, ObjectId, ObjectSink, Stream};
use super::xref::{XrefKind, MAX_OBJECT_NUMBER};

/// Object numbers an update may use: far more than a signature revision
/// adds (fonts, images, forms: tens), so that numbering never overflows.
const ROOM: u32 = 1 << 20;

/// What goes at an object number in the update.
enum Pending {
    Object(Object),
    /// The signature dictionary, written with fixed-width placeholders.
    Signature(Placeholder),
}

/// Objects to append to a document.
pub(crate) struct Update<'d, 'a> {
    doc: &'d Document<'a>,
    next: u32,
    objects: BTreeMap<u32, (u16, Pending)>,
}

/// The written file and where the signature's placeholders ended up.
pub(crate) struct Written {
    pub bytes: Vec<u8>,
    /// Offsets of the signature dictionary's `/ByteRange` value and
    /// `/Contents` hex string, when the update has one.
    pub signature: Option<(usize, usize, Placeholder)>,
}

impl<'d, 'a> Update<'d, 'a> {
    pub(crate) fn new(doc: &'d Document<'a>) -> Result<Self, PdfError> {
        let next = doc.size().max(1);
        // Numbers past MAX_OBJECT_NUMBER would make a file no reader
        // (Kyso included) accepts.
        if next > MAX_OBJECT_NUMBER - ROOM {
            return Err(PdfError::Unsupported(format!(
                "object numbers up to {next}: no room to add the signature's"
            )));
        }
        Ok(Update {
            doc,
            next,
            objects: BTreeMap::new(),
        })
    }

    /// Reserves an object number to fill later.
    pub(crate) fn reserve(&mut self) -> ObjectId {
        let id = ObjectId::new(self.next, 0);
        // `new` left ROOM numbers: a revision adds tens.
        self.next = self.next.saturating_add(1);
        self.objects
            .insert(id.number, (0, Pending::Object(Object::Null)));
        id
    }

    /// Sets (or replaces) object `id` in the update.
    pub(crate) fn set(&mut self, id: ObjectId, object: Object) {
        self.objects
            .insert(id.number, (id.generation, Pending::Object(object)));
    }

    pub(crate) fn set_signature(&mut self, id: ObjectId, placeholder: Placeholder) {
        self.objects
            .insert(id.number, (id.generation, Pending::Signature(placeholder)));
    }

    /// The original bytes, then the update.
    pub(crate) fn write(self) -> Written {
        let original = self.doc.bytes();
        let mut out = Vec::with_capacity(original.len() + 64 * 1024);
        out.extend_from_slice(original);
        if !matches!(original.last(), Some(b'\n' | b'\r')) {
            out.push(b'\n');
        }
        let mut offsets = BTreeMap::new();
        let mut signature = None;
        for (&number, (generation, pending)) in &self.objects {
            offsets.insert(number, (out.len(), *generation));
            out.extend_from_slice(format!("{number} {generation} obj\n").as_bytes());
            match pending {
                Pending::Object(o) => o.write(&mut out),
                Pending::Signature(p) => {
                    let (byte_range_at, contents_at) = p.write(&mut out);
                    signature = Some((byte_range_at, contents_at, p.clone()));
                }
            }
            out.extend_from_slice(b"\nendobj\n");
        }
        let mut trailer = Dictionary::new();
        for key in [&b"Root"[..], b"Info", b"ID"] {
            if let Some(v) = self.doc.trailer().get(key) {
                trailer.set(key, v.clone());
            }
        }
        trailer.set(b"Prev", self.doc.startxref() as i64);
        match self.doc.xref_kind() {
            XrefKind::Table => write_table(&mut out, &offsets, trailer, self.next),
            XrefKind::Stream => write_stream(&mut out, &offsets, trailer, self.next),
        }
        Written {
            bytes: out,
            signature,
        }
    }
}

impl ObjectSink for Update<'_, '_> {
    fn add(&mut self, object: Object) -> ObjectId {
        let id = self.reserve();
        self.set(id, object);
        id
    }
}

/// Consecutive runs of object numbers: xref subsections.
fn runs(offsets: &BTreeMap<u32, (usize, u16)>) -> Vec<Vec<(u32, usize, u16)>> {
    let mut runs: Vec<Vec<(u32, usize, u16)>> = Vec::new();
    for (&n, &(o, g)) in offsets {
        match runs.last_mut() {
            Some(run) if run.last().map(|l| l.0 + 1) == Some(n) => run.push((n, o, g)),
            _ => runs.push(vec![(n, o, g)]),
        }
    }
    runs
}

fn write_table(
    out: &mut Vec<u8>,
    offsets: &BTreeMap<u32, (usize, u16)>,
    mut trailer: Dictionary,
    size: u32,
) {
    let start = out.len();
    out.extend_from_slice(b"xref\n");
    for run in runs(offsets) {
        out.extend_from_slice(format!("{} {}\n", run[0].0, run.len()).as_bytes());
        for (_, offset, generation) in run {
            // Each entry is exactly 20 bytes.
            out.extend_from_slice(format!("{offset:010} {generation:05} n\r\n").as_bytes());
        }
    }
    trailer.set(b"Size", i64::from(size));
    out.extend_from_slice(b"trailer\n");
    trailer.write(out);
    out.extend_from_slice(format!("\nstartxref\n{start}\n%%EOF\n").as_bytes());
}

/// Bytes needed for offsets up to `widest` in an xref stream row. In u64:
/// on wasm32 a usize shifted by 32 overflows (files of 16 MiB and up).
fn offset_width(widest: u64) -> usize {
    (1..8).find(|w| widest >> (8 * w) == 0).unwrap_or(8)
}

fn write_stream(
    out: &mut Vec<u8>,
    offsets: &BTreeMap<u32, (usize, u16)>,
    mut trailer: Dictionary,
    size: u32,
) {
    let number = size;
    let start = out.len();
    let mut offsets = offsets.clone();
    offsets.insert(number, (start, 0));
    let widest = offsets.values().map(|(o, _)| *o as u64).max().unwrap_or(0);
    let width = offset_width(widest);
    let mut data = Vec::new();
    let mut index = Vec::new();
    for run in runs(&offsets) {
        index.push(Object::from(run[0].0));
        index.push(Object::Integer(run.len() as i64));
        for (_, offset, generation) in run {
            data.push(1u8);
            data.extend_from_slice(&(offset as u64).to_be_bytes()[8 - width..]);
            data.extend_from_slice(&generation.to_be_bytes());
        }
    }
    trailer.set(b"Type", Object::name("XRef"));
    trailer.set(b"Size", i64::from(size + 1));
    trailer.set(b"Index", index);
    trailer.set(
        b"W",
        vec![
            Object::Integer(1),
            Object::Integer(width as i64),
            Object::Integer(2),
        ],
    );
    out.extend_from_slice(format!("{number} 0 obj\n").as_bytes());
    Object::Stream(Stream {
        dict: trailer,
        data,
    })
    .write(out);
    out.extend_from_slice(format!("\nendobj\nstartxref\n{start}\n%%EOF\n").as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_widths_up_to_eight_bytes() {
        assert_eq!(offset_width(0), 1);
        assert_eq!(offset_width(255), 1);
        assert_eq!(offset_width(256), 2);
        assert_eq!(offset_width(16 << 20), 4);
        assert_eq!(offset_width(u64::from(u32::MAX)), 4);
        assert_eq!(offset_width(1 << 32), 5);
        assert_eq!(offset_width(1 << 56), 8);
        assert_eq!(offset_width(u64::MAX), 8);
    }
}
