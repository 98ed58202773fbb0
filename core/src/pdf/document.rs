//! A PDF file opened for reading: objects are parsed when asked for, so a
//! 100 MB file costs its own bytes plus the few objects signing and
//! verification touch.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::error::PdfError;
use super::filter;
use super::lexer::Lexer;
use super::object::{Dictionary, Object, ObjectId};
use super::xref::{Entry, Xref, XrefKind};

/// Pages followed at most when walking the page tree (a loop guard).
const MAX_PAGES: usize = 1_000_000;

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
/// let err = Document::open(b"%PDF-1.7\nnot really").err().unwrap();
/// assert_eq!(err.code(), "PDF_MALFORMED");
/// ```
pub struct Document<'a> {
    data: &'a [u8],
    xref: Xref,
    object_streams: RefCell<HashMap<u32, Rc<ObjectStream>>>,
}

impl<'a> Document<'a> {
    pub fn open(data: &'a [u8]) -> Result<Self, PdfError> {
        if !data.starts_with(b"%PDF-")
            && super::lexer::find(&data[..data.len().min(1024)], b"%PDF-").is_none()
        {
            return Err(PdfError::Syntax("no %PDF- header".into()));
        }
        let xref = Xref::read(data)?;
        let doc = Document {
            data,
            xref,
            object_streams: RefCell::new(HashMap::new()),
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

    pub fn bytes(&self) -> &'a [u8] {
        self.data
    }

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
    /// when it is right).
    pub(crate) fn size(&self) -> u32 {
        let declared = self
            .trailer()
            .get(b"Size")
            .and_then(Object::as_i64)
            .unwrap_or(0);
        let highest = self.xref.entries.keys().next_back().map_or(0, |n| n + 1);
        u32::try_from(declared).unwrap_or(0).max(highest)
    }

    /// The object numbers defined (in use) in this file.
    pub(crate) fn object_numbers(&self) -> impl Iterator<Item = u32> + '_ {
        self.xref
            .entries
            .iter()
            .filter(|(_, e)| !matches!(e, Entry::Free))
            .map(|(n, _)| *n)
    }

    /// The file offset of an uncompressed object (to tell which revision
    /// defined it).
    pub(crate) fn offset_of(&self, number: u32) -> Option<usize> {
        match self.xref.entries.get(&number) {
            Some(Entry::Offset(o, _)) => Some(*o),
            _ => None,
        }
    }

    /// Which object stream holds `number`, if compressed.
    pub(crate) fn container_of(&self, number: u32) -> Option<u32> {
        match self.xref.entries.get(&number) {
            Some(Entry::Compressed { stream, .. }) => Some(*stream),
            _ => None,
        }
    }

    /// The object `id`; a missing or free object is `null` (ISO 32000-2 §7.3.10).
    pub fn get(&self, id: ObjectId) -> Result<Object, PdfError> {
        match self.xref.entries.get(&id.number) {
            None | Some(Entry::Free) => Ok(Object::Null),
            Some(Entry::Offset(offset, _)) => self.read_at(*offset, id),
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

    fn read_at(&self, offset: usize, id: ObjectId) -> Result<Object, PdfError> {
        if offset >= self.data.len() {
            return Err(PdfError::Syntax(format!(
                "object {} points past the end",
                id.number
            )));
        }
        let mut lexer = Lexer::new(self.data, offset);
        let found = lexer.object_header()?;
        if found.number != id.number {
            return Err(PdfError::Syntax(format!(
                "xref says object {} is at byte {offset}, found object {}",
                id.number, found.number
            )));
        }
        lexer.indirect_body(&|r| self.direct_integer(r))
    }

    /// An indirect `/Length`: only a plain integer object is accepted, so
    /// resolving it can never recurse into another stream.
    fn direct_integer(&self, id: ObjectId) -> Option<i64> {
        let Some(Entry::Offset(offset, _)) = self.xref.entries.get(&id.number) else {
            return None;
        };
        let mut lexer = Lexer::new(self.data, *offset);
        lexer.object_header().ok()?;
        lexer.object().ok()?.as_i64()
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
            return Ok(s.clone());
        }
        let Some(Entry::Offset(offset, generation)) = self.xref.entries.get(&number).copied()
        else {
            return Err(PdfError::Syntax(format!(
                "object stream {number} is missing"
            )));
        };
        let Object::Stream(stream) = self.read_at(offset, ObjectId::new(number, generation))?
        else {
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
        let data = filter::decode(&stream)?;
        let mut lexer = Lexer::new(&data, 0);
        let mut offsets = Vec::with_capacity(n.min(100_000));
        for _ in 0..n {
            let num = lexer.unsigned()?;
            let off = lexer.unsigned()?;
            offsets.push((
                u32::try_from(num).map_err(|_| PdfError::Syntax("object number".into()))?,
                usize::try_from(off).map_err(|_| PdfError::Syntax("offset".into()))?,
            ));
        }
        let s = Rc::new(ObjectStream {
            data,
            first,
            offsets,
        });
        self.object_streams.borrow_mut().insert(number, s.clone());
        Ok(s)
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
            match node.name(b"Type") {
                Some(b"Pages") => {
                    let kids = self.get_in(node, b"Kids")?;
                    let kids: Vec<ObjectId> = kids
                        .as_array()
                        .unwrap_or_default()
                        .iter()
                        .filter_map(Object::as_reference)
                        .collect();
                    stack.extend(kids.into_iter().rev());
                }
                // A missing /Type on a leaf is common enough to accept.
                _ if node.get(b"Kids").is_none() => pages.push(id),
                _ => {}
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
