//! A PDF file opened for reading: objects are parsed when asked for, so a
//! 100 MB file costs its own bytes plus the few objects signing and
//! verification touch.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::error::PdfError;
use super::filter;
use super::lexer::Lexer;
use super::object::{Dictionary, Object, ObjectId};
use super::xref::{Entry, Xref, XrefKind};

/// Pages followed at most when walking the page tree (a loop guard).
const MAX_PAGES: usize = 1_000_000;

/// Object streams decoded inside one another at most: a stream's indirect
/// /Length may live in another object stream, whose /Length may too.
const MAX_NESTED_OBJECT_STREAMS: usize = 4;

/// A trailer /Size above this (ISO 32000-1 Annex C's object limit) that no
/// entry backs is not believed: new objects would be numbered from it.
const MAX_BELIEVED_SIZE: u32 = 8_388_607;

/// How far from its stated offset an object header is looked for when it is
/// not there (see `Document::nearby_header`).
const REPAIR_WINDOW: usize = 1024;

/// A decoded object stream: its bytes and each object's offset in them.
struct ObjectStream {
    data: Vec<u8>,
    first: usize,
    offsets: Vec<(u32, usize)>,
}

/// An opened PDF.
///
/// ```
/// use kyso_core::pdf::Document;
/// use kyso_core::Localized;
/// let err = Document::open(b"%PDF-1.7\nnot really").err().unwrap();
/// assert_eq!(err.code(), "PDF_MALFORMED");
/// ```
pub struct Document<'a> {
    data: &'a [u8],
    xref: Xref,
    /// Where `%PDF-` starts: a file with bytes before it (a mail or HTTP
    /// header) usually counts its offsets from there.
    header: usize,
    /// Object streams read so far, or why they could not be (a broken one
    /// is not decoded again for each of its objects).
    object_streams: RefCell<HashMap<u32, Result<Rc<ObjectStream>, PdfError>>>,
    /// Object streams being decoded, innermost last.
    loading: RefCell<Vec<u32>>,
    /// Bytes object streams may still decode to.
    budget: Cell<usize>,
}

impl<'a> Document<'a> {
    /// Reads the cross-reference sections of `data`, newest first, and
    /// nothing else: objects are parsed when asked for. Encrypted files and
    /// files without a catalog are refused here.
    pub fn open(data: &'a [u8]) -> Result<Self, PdfError> {
        let header = super::lexer::find(&data[..data.len().min(1024)], b"%PDF-")
            .ok_or_else(|| PdfError::Syntax("no %PDF- header".into()))?;
        let xref = Xref::read(data)?;
        let doc = Document {
            data,
            xref,
            header,
            object_streams: RefCell::new(HashMap::new()),
            loading: RefCell::new(Vec::new()),
            budget: Cell::new(super::filter::total_budget(data.len())),
        };
        if doc.trailer().get(b"Encrypt").is_some() {
            return Err(PdfError::Encrypted);
        }
        if doc
            .trailer()
            .get(b"Root")
            .and_then(Object::as_reference)
            .is_none()
        {
            return Err(PdfError::Syntax("the trailer has no /Root".into()));
        }
        Ok(doc)
    }

    /// The whole file, as opened.
    pub fn bytes(&self) -> &'a [u8] {
        self.data
    }

    /// The newest trailer (or xref stream dictionary): `/Root`, `/Size`,
    /// `/Info`, `/ID`.
    pub fn trailer(&self) -> &Dictionary {
        &self.xref.trailer
    }

    pub(crate) fn xref_kind(&self) -> XrefKind {
        self.xref.kind
    }

    pub(crate) fn startxref(&self) -> usize {
        self.xref.startxref
    }

    /// One more than the highest object number in use (the trailer's /Size
    /// when it is right); at most `MAX_OBJECT_NUMBER + 1`.
    pub(crate) fn size(&self) -> u32 {
        let declared = self
            .trailer()
            .get(b"Size")
            .and_then(Object::as_i64)
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n <= MAX_BELIEVED_SIZE)
            .unwrap_or(0);
        // Entries are at most MAX_OBJECT_NUMBER, so this cannot overflow.
        let highest = self
            .xref
            .entries
            .keys()
            .next_back()
            .map_or(0, |n| n.saturating_add(1));
        declared.max(highest)
    }

    /// The object numbers in use in this file, in order: what a tool
    /// listing or checking every object walks (free entries are left out).
    pub fn object_numbers(&self) -> impl Iterator<Item = u32> + '_ {
        self.xref
            .entries
            .iter()
            .filter(|(_, e)| !matches!(e, Entry::Free))
            .map(|(n, _)| *n)
    }

    /// Where the cross-reference says object `number` is (`None`: never
    /// listed).
    pub(crate) fn entry(&self, number: u32) -> Option<Entry> {
        self.xref.entries.get(&number).copied()
    }

    /// The object `id`; a missing or free object is `null` (ISO 32000-2
    /// §7.3.10), and so is a reference whose generation is not the object's
    /// (it names an object since deleted).
    pub fn get(&self, id: ObjectId) -> Result<Object, PdfError> {
        match self.xref.entries.get(&id.number) {
            None | Some(Entry::Free) => Ok(Object::Null),
            Some(Entry::Offset(offset, generation)) => {
                let (mut lexer, found) = self.header_at(*offset, id.number)?;
                // The header decides when the table's generation is wrong
                // (a common producer bug).
                if id.generation != *generation && id.generation != found.generation {
                    return Ok(Object::Null);
                }
                lexer.indirect_body(&|r| self.length(r))
            }
            Some(Entry::Compressed { .. }) if id.generation != 0 => Ok(Object::Null),
            Some(Entry::Compressed { stream, index }) => self.read_compressed(*stream, *index, id),
        }
    }

    /// Follows a reference (directly held objects are returned as they are).
    pub fn resolve(&self, object: &Object) -> Result<Object, PdfError> {
        match object {
            Object::Reference(r) => self.get(*r),
            other => Ok(other.clone()),
        }
    }

    /// A dictionary entry, references followed.
    pub fn get_in(&self, dict: &Dictionary, key: &[u8]) -> Result<Object, PdfError> {
        match dict.get(key) {
            Some(o) => self.resolve(o),
            None => Ok(Object::Null),
        }
    }

    /// A lexer after the `N G obj` header of object `number`, which the
    /// xref puts at `offset`; returns the header read.
    fn header_at(&self, offset: usize, number: u32) -> Result<(Lexer<'a>, ObjectId), PdfError> {
        let mut error = None;
        // Offsets counted from a `%PDF-` that is not at byte 0 are the usual
        // reason an object is not where the xref says.
        let shifted = (self.header > 0).then(|| offset.saturating_add(self.header));
        for at in std::iter::once(offset).chain(shifted) {
            if at >= self.data.len() {
                error.get_or_insert_with(|| {
                    PdfError::Syntax(format!("object {number} points past the end"))
                });
                continue;
            }
            let mut lexer = Lexer::new(self.data, at);
            match lexer.object_header() {
                Ok(found) if found.number == number => return Ok((lexer, found)),
                Ok(found) => {
                    error.get_or_insert_with(|| {
                        PdfError::Syntax(format!(
                            "xref says object {number} is at byte {offset}, found object {}",
                            found.number
                        ))
                    });
                }
                Err(e) => {
                    error.get_or_insert(e);
                }
            }
        }
        // Offsets a little off (a transfer that changed line ends, a writer
        // that miscounted) are what readers repair: the nearest `N G obj`
        // header within a window around the stated offset is taken instead.
        if let Some(at) = self.nearby_header(offset, number) {
            let mut lexer = Lexer::new(self.data, at);
            if let Ok(found) = lexer.object_header() {
                return Ok((lexer, found));
            }
        }
        Err(error.unwrap_or_else(|| PdfError::Syntax(format!("object {number} not found"))))
    }

    /// Where the `number G obj` header closest to `offset` starts, looking
    /// at most [`REPAIR_WINDOW`] bytes either way.
    fn nearby_header(&self, offset: usize, number: u32) -> Option<usize> {
        let from = offset.saturating_sub(REPAIR_WINDOW).min(self.data.len());
        let to = offset.saturating_add(REPAIR_WINDOW).min(self.data.len());
        let window = &self.data[from..to];
        let prefix = format!("{number} ");
        let mut best: Option<usize> = None;
        let mut at = 0;
        while let Some(i) = super::lexer::find(&window[at..], prefix.as_bytes()) {
            let start = at + i;
            at = start + 1;
            let boundary = start == 0 || window[start - 1].is_ascii_whitespace();
            let mut rest = &window[start + prefix.len()..];
            let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
            rest = &rest[digits..];
            if !boundary || digits == 0 || !rest.starts_with(b" obj") {
                continue;
            }
            let pos = from + start;
            if best.is_none_or(|b| pos.abs_diff(offset) < b.abs_diff(offset)) {
                best = Some(pos);
            }
        }
        best
    }

    /// An indirect `/Length`: only an integer object, never followed
    /// further. One in an object stream may need that stream decoded (whose
    /// own /Length may be in another): `object_stream` bounds the nesting
    /// and refuses cycles, so this cannot loop.
    fn length(&self, id: ObjectId) -> Option<i64> {
        match self.xref.entries.get(&id.number)? {
            Entry::Offset(offset, _) => {
                let (mut lexer, _) = self.header_at(*offset, id.number).ok()?;
                lexer.object().ok()?.as_i64()
            }
            // Object streams guard themselves against nesting and cycles.
            Entry::Compressed { stream, index } => {
                self.read_compressed(*stream, *index, id).ok()?.as_i64()
            }
            Entry::Free => None,
        }
    }

    fn read_compressed(&self, stream: u32, index: u32, id: ObjectId) -> Result<Object, PdfError> {
        let objstm = self.object_stream(stream)?;
        let (number, offset) = *objstm.offsets.get(index as usize).ok_or_else(|| {
            PdfError::Syntax(format!("object stream {stream} has no index {index}"))
        })?;
        if number != id.number {
            return Err(PdfError::Syntax(format!(
                "object stream {stream} holds {number} where the xref expects {}",
                id.number
            )));
        }
        let start = objstm.first.saturating_add(offset);
        if start > objstm.data.len() {
            return Err(PdfError::Syntax(format!(
                "object stream {stream} is truncated"
            )));
        }
        Lexer::new(&objstm.data, start).object()
    }

    fn object_stream(&self, number: u32) -> Result<Rc<ObjectStream>, PdfError> {
        if let Some(s) = self.object_streams.borrow().get(&number) {
            return s.clone();
        }
        {
            let loading = self.loading.borrow();
            if loading.contains(&number) {
                return Err(PdfError::Syntax(format!(
                    "object stream {number} needs itself to be read"
                )));
            }
            if loading.len() >= MAX_NESTED_OBJECT_STREAMS {
                return Err(PdfError::Syntax(format!(
                    "object stream {number}: too many object streams inside one another"
                )));
            }
        }
        self.loading.borrow_mut().push(number);
        let loaded = self.load_object_stream(number).map(Rc::new);
        let outermost = {
            let mut loading = self.loading.borrow_mut();
            loading.pop();
            loading.is_empty()
        };
        // Inside another object stream's decoding, a failure may come from
        // the nesting limit rather than from this stream: not remembered.
        if loaded.is_ok() || outermost {
            self.object_streams
                .borrow_mut()
                .insert(number, loaded.clone());
        }
        loaded
    }

    fn load_object_stream(&self, number: u32) -> Result<ObjectStream, PdfError> {
        let Some(Entry::Offset(_, generation)) = self.xref.entries.get(&number).copied() else {
            return Err(PdfError::Syntax(format!(
                "object stream {number} is missing"
            )));
        };
        let Object::Stream(stream) = self.get(ObjectId::new(number, generation))? else {
            return Err(PdfError::Syntax(format!(
                "object {number} is not an object stream"
            )));
        };
        let n = stream.dict.get(b"N").and_then(Object::as_i64).unwrap_or(0);
        let first = stream
            .dict
            .get(b"First")
            .and_then(Object::as_i64)
            .unwrap_or(-1);
        let (Ok(n), Ok(first)) = (usize::try_from(n), usize::try_from(first)) else {
            return Err(PdfError::Syntax(format!(
                "object stream {number}: bad /N or /First"
            )));
        };
        // Every stream decoded stays cached: the budget bounds them together.
        let data = filter::decode_with_limit(&stream, self.budget.get())?;
        self.budget
            .set(self.budget.get().saturating_sub(data.len()));
        let mut lexer = Lexer::new(&data, 0);
        // A huge /N runs out of numbers long before it is reached.
        let mut offsets = Vec::with_capacity(n.min(data.len() / 4));
        for _ in 0..n {
            let num = lexer.unsigned()?;
            let off = lexer.unsigned()?;
            offsets.push((
                u32::try_from(num).map_err(|_| PdfError::Syntax("object number".into()))?,
                usize::try_from(off).map_err(|_| PdfError::Syntax("offset".into()))?,
            ));
        }
        Ok(ObjectStream {
            data,
            first,
            offsets,
        })
    }

    /// The document catalog and its id.
    pub fn catalog(&self) -> Result<(ObjectId, Dictionary), PdfError> {
        let id = self
            .trailer()
            .get(b"Root")
            .and_then(Object::as_reference)
            .ok_or_else(|| PdfError::Syntax("no /Root".into()))?;
        match self.get(id)? {
            Object::Dictionary(d) => Ok((id, d)),
            _ => Err(PdfError::Syntax("/Root is not a dictionary".into())),
        }
    }

    /// The pages in order.
    pub fn pages(&self) -> Result<Vec<ObjectId>, PdfError> {
        let (_, catalog) = self.catalog()?;
        let root = catalog
            .get(b"Pages")
            .and_then(Object::as_reference)
            .ok_or_else(|| PdfError::Syntax("the catalog has no /Pages".into()))?;
        let mut pages = Vec::new();
        let mut seen = HashSet::new();
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            if !seen.insert(id) || seen.len() > MAX_PAGES {
                return Err(PdfError::Syntax("the page tree has a loop".into()));
            }
            let node = self.get(id)?;
            let Some(node) = node.as_dict() else {
                continue;
            };
            let is_node = match node.name(b"Type") {
                Some(b"Pages") => true,
                Some(b"Page") => false,
                // A missing or misspelt /Type is common enough to accept:
                // /Kids tell an intermediate node from a page, as in other
                // readers.
                _ => node.get(b"Kids").is_some(),
            };
            if is_node {
                let kids = self.get_in(node, b"Kids")?;
                let kids: Vec<ObjectId> = kids
                    .as_array()
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Object::as_reference)
                    .collect();
                stack.extend(kids.into_iter().rev());
            } else {
                pages.push(id);
            }
        }
        Ok(pages)
    }

    /// A page attribute, inherited from the page tree when the page lacks it
    /// (MediaBox, CropBox, Resources, Rotate).
    pub fn inherited(&self, page: ObjectId, key: &[u8]) -> Result<Object, PdfError> {
        let mut id = page;
        for _ in 0..64 {
            let node = self.get(id)?;
            let Some(dict) = node.as_dict() else {
                break;
            };
            if dict.get(key).is_some() {
                return self.get_in(dict, key);
            }
            match dict.get(b"Parent").and_then(Object::as_reference) {
                Some(parent) => id = parent,
                None => break,
            }
        }
        Ok(Object::Null)
    }

    /// The page's visible box `[x0 y0 x1 y1]` (CropBox, else MediaBox, else A4).
    pub fn page_box(&self, page: ObjectId) -> Result<[f64; 4], PdfError> {
        for key in [&b"CropBox"[..], b"MediaBox"] {
            let b = self.inherited(page, key)?;
            if let Some(a) = b.as_array() {
                let v: Vec<f64> = a.iter().filter_map(Object::as_f64).collect();
                if let [x0, y0, x1, y1] = v[..] {
                    return Ok([x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)]);
                }
            }
        }
        Ok([0.0, 0.0, 595.0, 842.0])
    }
}
