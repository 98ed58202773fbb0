//! The PDF object model (ISO 32000-2 §7.3) and its serialisation.
//!
//! Only what signing and verification need: objects read from a file are
//! parsed on demand by [`super::lexer`], objects Kyso adds are built here and
//! written by [`Object::write`].

use std::fmt::Write as _;

/// An indirect object's number and generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId {
    /// The object number; 0 heads the free list and names no object.
    pub number: u32,
    /// Bumped when a number is reused after its object was freed; 0 for
    /// every new object Kyso writes.
    pub generation: u16,
}

impl ObjectId {
    /// `number generation R`.
    pub const fn new(number: u32, generation: u16) -> Self {
        ObjectId { number, generation }
    }
}

/// How a string was (or is to be) written: `(literal)` or `<hex>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StringForm {
    /// `(text)`, backslash-escaped where needed (§7.3.4.2).
    Literal,
    /// `<48656C6C6F>` (§7.3.4.3): what binary and UTF-16 strings are
    /// written as.
    Hex,
}

/// A PDF object (ISO 32000-2 §7.3): the eight basic types, streams and
/// references.
#[derive(Clone, Debug, PartialEq)]
pub enum Object {
    /// `null`, also what a missing or freed object reads as (§7.3.9).
    Null,
    /// `true` or `false`.
    Boolean(bool),
    /// An integer (§7.3.3).
    Integer(i64),
    /// A real number (§7.3.3), written without an exponent: PDF has no
    /// syntax for one.
    Real(f64),
    /// A string's bytes as decoded, and how it was written.
    String(Vec<u8>, StringForm),
    /// Without the leading `/`, `#xx` escapes decoded.
    Name(Vec<u8>),
    /// `[…]`.
    Array(Vec<Object>),
    /// `<< … >>`.
    Dictionary(Dictionary),
    /// A dictionary followed by its data (§7.3.8); only ever an indirect
    /// object.
    Stream(Stream),
    /// `N G R`: an indirect object, followed by [`super::Document::get`].
    Reference(ObjectId),
}

/// A dictionary that keeps its keys in order (files stay diff-friendly and
/// rewritten objects keep their look).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dictionary {
    entries: Vec<(Vec<u8>, Object)>,
}

/// A stream object (§7.3.8).
#[derive(Clone, Debug, PartialEq)]
pub struct Stream {
    /// The stream dictionary; `/Length` is set from `data` when written.
    pub dict: Dictionary,
    /// The bytes as stored in the file (still encoded by `/Filter`).
    pub data: Vec<u8>,
}

impl Dictionary {
    /// `<<>>`.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of `key` (without the `/`), references not followed.
    pub fn get(&self, key: &[u8]) -> Option<&Object> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The value of `key`, to change in place.
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut Object> {
        self.entries
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Sets `key`, replacing an existing value in place.
    pub fn set(&mut self, key: &[u8], value: impl Into<Object>) {
        let value = value.into();
        match self.get_mut(key) {
            Some(v) => *v = value,
            None => self.entries.push((key.to_vec(), value)),
        }
    }

    /// Builder form of [`Dictionary::set`].
    pub fn with(mut self, key: &[u8], value: impl Into<Object>) -> Self {
        self.set(key, value);
        self
    }

    /// Takes `key` out, keeping the other entries' order.
    pub fn remove(&mut self, key: &[u8]) -> Option<Object> {
        let i = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(i).1)
    }

    /// The entries in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &Object)> {
        self.entries.iter().map(|(k, v)| (k.as_slice(), v))
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// No entry at all.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The value of a `/Name` entry.
    pub fn name(&self, key: &[u8]) -> Option<&[u8]> {
        self.get(key).and_then(Object::as_name)
    }

    pub(crate) fn push(&mut self, key: Vec<u8>, value: Object) {
        self.entries.push((key, value));
    }
}

impl Object {
    /// The name `/s`.
    pub fn name(s: &str) -> Object {
        Object::Name(s.as_bytes().to_vec())
    }

    /// A text string: PDFDocEncoding-compatible ASCII as is, anything else
    /// as UTF-16BE with a BOM (ISO 32000-2 §7.9.2.2).
    pub fn text(s: &str) -> Object {
        if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            Object::String(s.as_bytes().to_vec(), StringForm::Literal)
        } else {
            let mut v = vec![0xfe, 0xff];
            for u in s.encode_utf16() {
                v.extend_from_slice(&u.to_be_bytes());
            }
            Object::String(v, StringForm::Hex)
        }
    }

    /// A dictionary, or a stream's dictionary.
    pub fn as_dict(&self) -> Option<&Dictionary> {
        match self {
            Object::Dictionary(d) => Some(d),
            Object::Stream(s) => Some(&s.dict),
            _ => None,
        }
    }

    /// A name, without the `/`.
    pub fn as_name(&self) -> Option<&[u8]> {
        match self {
            Object::Name(n) => Some(n),
            _ => None,
        }
    }

    /// An integer (a real is not truncated into one).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Object::Integer(i) => Some(*i),
            _ => None,
        }
    }

    /// A number, integer or real.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Object::Integer(i) => Some(*i as f64),
            Object::Real(r) => Some(*r),
            _ => None,
        }
    }

    /// An array's items.
    pub fn as_array(&self) -> Option<&[Object]> {
        match self {
            Object::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The object a reference names.
    pub fn as_reference(&self) -> Option<ObjectId> {
        match self {
            Object::Reference(r) => Some(*r),
            _ => None,
        }
    }

    /// A string's bytes, literal or hex.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Object::String(s, _) => Some(s),
            _ => None,
        }
    }

    /// Serialises the object as it appears after `N G obj`.
    pub fn write(&self, out: &mut Vec<u8>) {
        match self {
            Object::Null => out.extend_from_slice(b"null"),
            Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Object::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
            Object::Real(r) => out.extend_from_slice(format_real(*r).as_bytes()),
            Object::String(s, StringForm::Hex) => {
                out.push(b'<');
                let mut hex = String::with_capacity(s.len() * 2);
                for b in s {
                    let _ = write!(hex, "{b:02X}");
                }
                out.extend_from_slice(hex.as_bytes());
                out.push(b'>');
            }
            Object::String(s, StringForm::Literal) => {
                out.push(b'(');
                for &b in s {
                    match b {
                        b'(' | b')' | b'\\' => out.extend_from_slice(&[b'\\', b]),
                        b'\r' => out.extend_from_slice(b"\\r"),
                        b'\n' => out.extend_from_slice(b"\\n"),
                        _ => out.push(b),
                    }
                }
                out.push(b')');
            }
            Object::Name(n) => write_name(n, out),
            Object::Array(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b' ');
                    }
                    item.write(out);
                }
                out.push(b']');
            }
            Object::Dictionary(d) => d.write(out),
            Object::Stream(s) => {
                let mut dict = s.dict.clone();
                dict.set(b"Length", s.data.len() as i64);
                dict.write(out);
                out.extend_from_slice(b"\nstream\n");
                out.extend_from_slice(&s.data);
                out.extend_from_slice(b"\nendstream");
            }
            Object::Reference(r) => {
                out.extend_from_slice(format!("{} {} R", r.number, r.generation).as_bytes())
            }
        }
    }
}

impl Dictionary {
    /// Serialises the dictionary, entries in order.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"<<");
        for (k, v) in &self.entries {
            write_name(k, out);
            out.push(b' ');
            v.write(out);
        }
        out.extend_from_slice(b">>");
    }
}

fn write_name(n: &[u8], out: &mut Vec<u8>) {
    out.push(b'/');
    for &b in n {
        let regular = b.is_ascii_graphic() && !b"()<>[]{}/%#".contains(&b);
        if regular {
            out.push(b);
        } else {
            out.extend_from_slice(format!("#{b:02X}").as_bytes());
        }
    }
}

/// PDF has no exponent notation, and Rust's `Display` for `f64` never uses
/// it; it also prints the shortest text that reads back as the same number,
/// so a value read from a file is written back exactly (pyHanko compares
/// page dictionaries across revisions).
fn format_real(r: f64) -> String {
    let r = if r.is_finite() { r } else { 0.0 };
    if r == 0.0 {
        return "0".into();
    }
    format!("{r}")
}

impl From<i64> for Object {
    fn from(v: i64) -> Self {
        Object::Integer(v)
    }
}
impl From<i32> for Object {
    fn from(v: i32) -> Self {
        Object::Integer(v.into())
    }
}
impl From<u32> for Object {
    fn from(v: u32) -> Self {
        Object::Integer(v.into())
    }
}
impl From<f64> for Object {
    fn from(v: f64) -> Self {
        Object::Real(v)
    }
}
impl From<bool> for Object {
    fn from(v: bool) -> Self {
        Object::Boolean(v)
    }
}
impl From<ObjectId> for Object {
    fn from(v: ObjectId) -> Self {
        Object::Reference(v)
    }
}
impl From<Dictionary> for Object {
    fn from(v: Dictionary) -> Self {
        Object::Dictionary(v)
    }
}
impl From<Vec<Object>> for Object {
    fn from(v: Vec<Object>) -> Self {
        Object::Array(v)
    }
}
impl From<Stream> for Object {
    fn from(v: Stream) -> Self {
        Object::Stream(v)
    }
}

/// Where new indirect objects go while an incremental update is built; the
/// appearance code adds fonts, images and forms through it.
pub trait ObjectSink {
    /// Adds `object` as a new indirect object and returns its reference.
    fn add(&mut self, object: Object) -> ObjectId;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(o: &Object) -> String {
        let mut v = Vec::new();
        o.write(&mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn serialises_each_kind() {
        let d = Dictionary::new()
            .with(b"Type", Object::name("Sig"))
            .with(
                b"M",
                Object::String(b"D:2026(1)\\".to_vec(), StringForm::Literal),
            )
            .with(
                b"R",
                vec![
                    Object::Real(1.5),
                    Object::Real(-0.0),
                    2.into(),
                    Object::Real(595.303937007874),
                ],
            )
            .with(b"P", ObjectId::new(3, 0))
            .with(b"N", Object::Name(b"A B#".to_vec()));
        assert_eq!(
            written(&d.into()),
            "<</Type /Sig/M (D:2026\\(1\\)\\\\)/R [1.5 0 2 595.303937007874]/P 3 0 R/N /A#20B#23>>"
        );
        assert_eq!(
            written(&Object::text("Hà Nội")),
            "<FEFF004800E00020004E1ED90069>"
        );
        assert_eq!(written(&Object::text("Ha Noi")), "(Ha Noi)");
    }

    #[test]
    fn stream_length_is_written_from_the_data() {
        let s = Stream {
            dict: Dictionary::new().with(b"Length", 99),
            data: b"q Q".to_vec(),
        };
        assert_eq!(written(&s.into()), "<</Length 3>>\nstream\nq Q\nendstream");
    }
}
