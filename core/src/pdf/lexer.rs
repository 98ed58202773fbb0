//! Parsing PDF objects from bytes (ISO 32000-2 §7.2–7.3), on demand.
//!
//! Hostile files are the norm for a verifier: every read is bounds-checked,
//! nesting is limited, and nothing here panics or loops without progress.

use super::error::PdfError;
use super::object::{Dictionary, Object, ObjectId, Stream, StringForm};

/// Deeper nesting than this is refused (real files stay under 10).
const MAX_DEPTH: usize = 64;

pub(crate) fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

pub(crate) fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_regular(b: u8) -> bool {
    !is_whitespace(b) && !is_delimiter(b)
}

/// A cursor over a PDF file (or a decoded object stream).
pub(crate) struct Lexer<'a> {
    data: &'a [u8],
    pub(crate) pos: usize,
}

impl<'a> Lexer<'a> {
    /// A cursor at `pos`; offsets past the end (a bad /Prev or xref entry)
    /// read as the end of the data.
    pub(crate) fn new(data: &'a [u8], pos: usize) -> Self {
        Lexer {
            data,
            pos: pos.min(data.len()),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    /// Skips whitespace and comments.
    pub(crate) fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            if is_whitespace(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(c) = self.peek() {
                    if c == b'\r' || c == b'\n' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// The next run of regular characters (a keyword or number), without
    /// consuming it.
    fn peek_word(&self) -> &'a [u8] {
        let rest = self.data.get(self.pos..).unwrap_or_default();
        let len = rest
            .iter()
            .position(|b| !is_regular(*b))
            .unwrap_or(rest.len());
        &rest[..len]
    }

    /// Consumes `word` (after whitespace) if it is next.
    pub(crate) fn eat_keyword(&mut self, word: &[u8]) -> bool {
        self.skip_ws();
        if self.peek_word() == word {
            self.pos += word.len();
            true
        } else {
            false
        }
    }

    pub(crate) fn expect_keyword(&mut self, word: &[u8]) -> Result<(), PdfError> {
        if self.eat_keyword(word) {
            Ok(())
        } else {
            Err(self.error(&format!("expected `{}`", String::from_utf8_lossy(word))))
        }
    }

    pub(crate) fn error(&self, what: &str) -> PdfError {
        PdfError::Syntax(format!("{what} at byte {}", self.pos))
    }

    /// An unsigned integer token (object numbers, xref fields).
    pub(crate) fn unsigned(&mut self) -> Result<u64, PdfError> {
        self.skip_ws();
        let w = self.peek_word();
        if w.is_empty() || w.len() > 19 || !w.iter().all(u8::is_ascii_digit) {
            return Err(self.error("expected a number"));
        }
        self.pos += w.len();
        Ok(w.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0')))
    }

    /// `N G obj` header.
    pub(crate) fn object_header(&mut self) -> Result<ObjectId, PdfError> {
        let number = self.unsigned()?;
        let generation = self.unsigned()?;
        self.expect_keyword(b"obj")?;
        let number = u32::try_from(number).map_err(|_| self.error("object number too large"))?;
        let generation =
            u16::try_from(generation).map_err(|_| self.error("generation too large"))?;
        Ok(ObjectId::new(number, generation))
    }

    /// A direct object; `N G R` becomes a reference.
    pub(crate) fn object(&mut self) -> Result<Object, PdfError> {
        self.object_at_depth(0)
    }

    fn object_at_depth(&mut self, depth: usize) -> Result<Object, PdfError> {
        if depth > MAX_DEPTH {
            return Err(self.error("objects nested too deeply"));
        }
        self.skip_ws();
        let Some(b) = self.peek() else {
            return Err(self.error("unexpected end of data"));
        };
        match b {
            b'/' => {
                self.pos += 1;
                Ok(Object::Name(self.name_body()))
            }
            b'(' => self.literal_string(),
            b'<' if self.data.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                let dict = self.dictionary_body(depth)?;
                Ok(Object::Dictionary(dict))
            }
            b'<' => self.hex_string(),
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    match self.peek() {
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Object::Array(items));
                        }
                        None => return Err(self.error("unterminated array")),
                        _ => items.push(self.object_at_depth(depth + 1)?),
                    }
                }
            }
            _ => self.word_object(),
        }
    }

    /// After `<<`: entries up to `>>`.
    fn dictionary_body(&mut self, depth: usize) -> Result<Dictionary, PdfError> {
        let mut dict = Dictionary::new();
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'>') if self.data.get(self.pos + 1) == Some(&b'>') => {
                    self.pos += 2;
                    return Ok(dict);
                }
                Some(b'/') => {
                    self.pos += 1;
                    let key = self.name_body();
                    let value = self.object_at_depth(depth + 1)?;
                    // A later duplicate key is ignored, as most readers do.
                    if dict.get(&key).is_none() {
                        dict.push(key, value);
                    }
                }
                None => return Err(self.error("unterminated dictionary")),
                _ => return Err(self.error("expected a name key in dictionary")),
            }
        }
    }

    fn name_body(&mut self) -> Vec<u8> {
        let mut name = Vec::new();
        while let Some(b) = self.peek() {
            if !is_regular(b) {
                break;
            }
            self.pos += 1;
            if b == b'#' {
                let hex = self.data.get(self.pos..self.pos + 2);
                if let Some(v) = hex
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    name.push(v);
                    self.pos += 2;
                    continue;
                }
            }
            name.push(b);
        }
        name
    }

    fn literal_string(&mut self) -> Result<Object, PdfError> {
        self.pos += 1;
        let mut out = Vec::new();
        let mut depth = 1usize;
        loop {
            let Some(b) = self.peek() else {
                return Err(self.error("unterminated string"));
            };
            self.pos += 1;
            match b {
                b'(' => {
                    depth += 1;
                    out.push(b);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(Object::String(out, StringForm::Literal));
                    }
                    out.push(b);
                }
                b'\\' => {
                    let Some(e) = self.peek() else {
                        return Err(self.error("unterminated string"));
                    };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push(v as u8);
                        }
                        other => out.push(other),
                    }
                }
                b'\r' => {
                    // An unescaped end of line in a string reads as \n.
                    if self.peek() == Some(b'\n') {
                        self.pos += 1;
                    }
                    out.push(b'\n');
                }
                _ => out.push(b),
            }
        }
    }

    fn hex_string(&mut self) -> Result<Object, PdfError> {
        self.pos += 1;
        let mut out = Vec::new();
        let mut high: Option<u8> = None;
        loop {
            let Some(b) = self.peek() else {
                return Err(self.error("unterminated hex string"));
            };
            self.pos += 1;
            let v = match b {
                b'>' => break,
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ if is_whitespace(b) => continue,
                _ => return Err(self.error("bad character in hex string")),
            };
            match high.take() {
                Some(h) => out.push(h << 4 | v),
                None => high = Some(v),
            }
        }
        if let Some(h) = high {
            out.push(h << 4);
        }
        Ok(Object::String(out, StringForm::Hex))
    }

    /// Numbers, `true`/`false`/`null`, and `N G R`.
    fn word_object(&mut self) -> Result<Object, PdfError> {
        let word = self.peek_word();
        match word {
            b"true" => {
                self.pos += 4;
                return Ok(Object::Boolean(true));
            }
            b"false" => {
                self.pos += 5;
                return Ok(Object::Boolean(false));
            }
            b"null" => {
                self.pos += 4;
                return Ok(Object::Null);
            }
            _ => {}
        }
        if word.is_empty() {
            return Err(self.error("unexpected character"));
        }
        let text = std::str::from_utf8(word).map_err(|_| self.error("bad token"))?;
        if word.iter().all(u8::is_ascii_digit) {
            // Perhaps the start of `N G R`.
            let save = self.pos;
            self.pos += word.len();
            if let Some(r) = self.reference_tail(text) {
                return Ok(Object::Reference(r));
            }
            self.pos = save + word.len();
            return text
                .parse::<i64>()
                .map(Object::Integer)
                .map_err(|_| self.error("integer out of range"));
        }
        self.pos += word.len();
        if let Ok(i) = text.parse::<i64>() {
            return Ok(Object::Integer(i));
        }
        // Reals: PDF allows "-.5", "4.", and producers write "--3" rarely;
        // the last is read as 0 like other readers do.
        if word
            .iter()
            .all(|b| b.is_ascii_digit() || *b == b'.' || *b == b'-' || *b == b'+')
        {
            let r = text.parse::<f64>().unwrap_or(0.0);
            // 400 digits parse as infinity, which no page box or position
            // can use (and arithmetic on it gives NaN).
            if !r.is_finite() {
                return Err(self.error("number out of range"));
            }
            return Ok(Object::Real(r));
        }
        Err(self.error(&format!(
            "unknown token `{}`",
            text.chars().take(20).collect::<String>()
        )))
    }

    /// After a number: ` G R`? Leaves the cursor after `R` on success.
    fn reference_tail(&mut self, number: &str) -> Option<ObjectId> {
        let save = self.pos;
        self.skip_ws();
        let g = self.peek_word();
        if !g.is_empty() && g.len() <= 5 && g.iter().all(u8::is_ascii_digit) {
            let generation: u16 = std::str::from_utf8(g).ok()?.parse().ok()?;
            self.pos += g.len();
            self.skip_ws();
            if self.peek_word() == b"R" {
                self.pos += 1;
                let number: u32 = number.parse().ok()?;
                return Some(ObjectId::new(number, generation));
            }
        }
        self.pos = save;
        None
    }

    /// The body of an indirect object after its header: a direct object,
    /// possibly a stream. `length` resolves an indirect `/Length`.
    pub(crate) fn indirect_body(
        &mut self,
        length: &dyn Fn(ObjectId) -> Option<i64>,
    ) -> Result<Object, PdfError> {
        let object = self.object()?;
        let Object::Dictionary(dict) = object else {
            return Ok(object);
        };
        let after_dict = self.pos;
        if !self.eat_keyword(b"stream") {
            self.pos = after_dict;
            return Ok(Object::Dictionary(dict));
        }
        // The keyword is followed by CRLF or LF (a lone CR is tolerated).
        match self.peek() {
            Some(b'\r') => {
                self.pos += 1;
                if self.peek() == Some(b'\n') {
                    self.pos += 1;
                }
            }
            Some(b'\n') => self.pos += 1,
            _ => {}
        }
        let start = self.pos;
        let declared = match dict.get(b"Length") {
            Some(Object::Integer(n)) => Some(*n),
            Some(Object::Reference(r)) => length(*r),
            _ => None,
        };
        let end = declared
            .and_then(|n| usize::try_from(n).ok())
            .and_then(|n| start.checked_add(n))
            .filter(|&end| end <= self.data.len() && self.ends_stream_at(end));
        let end = match end {
            Some(end) => end,
            // A wrong /Length is common: find `endstream` instead.
            None => self.find_endstream(start)?,
        };
        let data = self.data[start..end].to_vec();
        self.pos = end;
        self.eat_keyword(b"endstream");
        Ok(Object::Stream(Stream { dict, data }))
    }

    fn ends_stream_at(&self, end: usize) -> bool {
        let mut l = Lexer::new(self.data, end);
        l.eat_keyword(b"endstream")
    }

    fn find_endstream(&self, start: usize) -> Result<usize, PdfError> {
        let hay = &self.data[start..];
        let at = find(hay, b"endstream").ok_or_else(|| self.error("stream without endstream"))?;
        let mut end = start + at;
        // The EOL before `endstream` is not part of the data.
        if end > start && self.data[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && self.data[end - 1] == b'\r' {
            end -= 1;
        }
        Ok(end)
    }
}

/// First occurrence of `needle` in `hay`.
pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    // `windows(0)` panics.
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Last occurrence of `needle` in `hay`.
pub(crate) fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(hay.len());
    }
    hay.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &[u8]) -> Object {
        Lexer::new(s, 0).object().unwrap()
    }

    #[test]
    fn reads_every_kind_of_object() {
        let o = parse(b"<< /Type /Sig /A [1 -2 +3 4.5 -.5 (a\\(b\\)\\101) <48 65 6>] /R 12 0 R /N#20x null /T true >>");
        let d = o.as_dict().unwrap();
        assert_eq!(d.name(b"Type"), Some(&b"Sig"[..]));
        let a = d.get(b"A").unwrap().as_array().unwrap();
        assert_eq!(a[0], Object::Integer(1));
        assert_eq!(a[1], Object::Integer(-2));
        assert_eq!(a[2], Object::Integer(3));
        assert_eq!(a[3], Object::Real(4.5));
        assert_eq!(a[4], Object::Real(-0.5));
        assert_eq!(a[5].as_bytes().unwrap(), b"a(b)A");
        assert_eq!(a[6].as_bytes().unwrap(), b"He`");
        assert_eq!(d.get(b"R"), Some(&Object::Reference(ObjectId::new(12, 0))));
        assert!(d.get(b"N x").is_some());
        assert_eq!(d.get(b"T"), Some(&Object::Boolean(true)));
    }

    #[test]
    fn numbers_are_not_mistaken_for_references() {
        let a = parse(b"[1 2 3 0 R 4]");
        let a = a.as_array().unwrap();
        assert_eq!(
            a,
            &[
                Object::Integer(1),
                Object::Integer(2),
                Object::Reference(ObjectId::new(3, 0)),
                Object::Integer(4)
            ]
        );
    }

    #[test]
    fn streams_with_direct_indirect_and_wrong_lengths() {
        let body = b"<< /Length 5 >>\nstream\r\nhello\nendstream endobj";
        let s = Lexer::new(body, 0).indirect_body(&|_| None).unwrap();
        assert!(matches!(s, Object::Stream(ref s) if s.data == b"hello"));
        let body = b"<< /Length 7 0 R >>\nstream\nhello\nendstream";
        let s = Lexer::new(body, 0).indirect_body(&|_| Some(5)).unwrap();
        assert!(matches!(s, Object::Stream(ref s) if s.data == b"hello"));
        let body = b"<< /Length 99 >>\nstream\nhello\r\nendstream";
        let s = Lexer::new(body, 0).indirect_body(&|_| None).unwrap();
        assert!(matches!(s, Object::Stream(ref s) if s.data == b"hello"));
    }

    #[test]
    fn hostile_input_is_an_error_not_a_panic() {
        for bad in [
            &b"<< /A"[..],
            b"[1 2",
            b"(abc",
            b"<4G>",
            b"<< 1 2 >>",
            b"",
            b")",
            b"99999999999999999999999",
        ] {
            assert!(
                Lexer::new(bad, 0).object().is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let deep = "[".repeat(10_000);
        assert!(Lexer::new(deep.as_bytes(), 0).object().is_err());
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(Lexer::new(nested(64).as_bytes(), 0).object().is_ok());
        assert!(Lexer::new(nested(66).as_bytes(), 0).object().is_err());
        // 400 digits parse as an infinite f64.
        let huge = format!("1{}.5", "0".repeat(400));
        assert!(Lexer::new(huge.as_bytes(), 0).object().is_err());
        // A cursor past the end (a /Prev or xref offset beyond the file).
        for at in [3, 4, 1000, usize::MAX] {
            let mut l = Lexer::new(b"1 0", at);
            assert!(l.object().is_err());
            assert!(l.object_header().is_err());
            assert!(!l.eat_keyword(b"xref"));
            assert!(l.indirect_body(&|_| None).is_err());
        }
        assert!(Lexer::new(b"<< /Length 5 >> stream\nab", 0)
            .indirect_body(&|_| None)
            .is_err());
    }
}
