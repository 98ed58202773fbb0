//! The stamp font: measuring text with the font's own advances, and embedding
//! only the glyphs used as a Type0 / CIDFontType2 font (ISO 32000-2 §9.7).
//!
//! CIDs are the font's own glyph ids (`/CIDToGIDMap /Identity`): the subset
//! keeps every glyph id and only empties the unused glyphs, so the content
//! stream, `/W` and `/ToUnicode` all speak the original glyph numbers, and no
//! `cmap` is needed inside the embedded font (the subset drops it).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::pdf::filter::deflate;
use ttf_parser::{Face, GlyphId};

use super::subset::subset;

use crate::pdf::object::{Dictionary, Object, ObjectId, ObjectSink, Stream};
use crate::Error;

/// A parsed TrueType font, measured in em (1.0 = the font size).
pub(crate) struct FontFace<'a> {
    data: &'a [u8],
    face: Face<'a>,
    units_per_em: f64,
}

impl<'a> FontFace<'a> {
    pub(crate) fn parse(data: &'a [u8]) -> Result<Self, Error> {
        let face =
            Face::parse(data, 0).map_err(|e| Error::Malformed(format!("signature font: {e}")))?;
        if face.tables().glyf.is_none() {
            // CIDFontType2 needs TrueType outlines; a CFF font would need
            // FontFile3 and a different CID mapping.
            return Err(Error::Malformed(
                "signature font: not a TrueType (glyf) font".into(),
            ));
        }
        let units_per_em = f64::from(face.units_per_em().max(1));
        Ok(FontFace {
            data,
            face,
            units_per_em,
        })
    }

    /// The glyph for `c`, `.notdef` (0) when the font lacks it.
    pub(crate) fn glyph(&self, c: char) -> u16 {
        self.face.glyph_index(c).map_or(0, |g| g.0)
    }

    pub(crate) fn has_glyph(&self, c: char) -> bool {
        self.glyph(c) != 0
    }

    fn advance_em(&self, gid: u16) -> f64 {
        f64::from(self.face.glyph_hor_advance(GlyphId(gid)).unwrap_or(0)) / self.units_per_em
    }

    /// The advance of `text` at size 1, without kerning (the content stream
    /// uses plain `Tj`, so this is exactly what a reader lays out).
    pub(crate) fn width_em(&self, text: &str) -> f64 {
        text.chars().map(|c| self.char_width_em(c)).sum()
    }

    pub(crate) fn char_width_em(&self, c: char) -> f64 {
        self.advance_em(self.glyph(c))
    }

    pub(crate) fn ascent_em(&self) -> f64 {
        f64::from(self.face.ascender()) / self.units_per_em
    }

    pub(crate) fn descent_em(&self) -> f64 {
        f64::from(self.face.descender()) / self.units_per_em
    }

    /// A value in font units scaled to the 1000-unit glyph space of PDF.
    fn to_pdf_units(&self, v: f64) -> f64 {
        v * 1000.0 / self.units_per_em
    }

    /// The PostScript name (name id 6), reduced to characters that are safe
    /// in a PDF name; `Font` when there is none.
    fn postscript_name(&self) -> String {
        let from_table = self
            .face
            .names()
            .into_iter()
            .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
            .find_map(|n| {
                n.to_string().or_else(|| {
                    n.name
                        .is_ascii()
                        .then(|| String::from_utf8_lossy(n.name).into_owned())
                })
            })
            .unwrap_or_default();
        let clean: String = from_table
            .chars()
            .filter(|c| c.is_ascii_graphic() && !"()<>[]{}/%#".contains(*c))
            .take(63 - 7)
            .collect();
        if clean.is_empty() {
            "Font".into()
        } else {
            clean
        }
    }
}

/// Collects the glyphs a stamp uses while its text is encoded, then embeds
/// just those.
pub(crate) struct FontSubset<'f, 'a> {
    font: &'f FontFace<'a>,
    /// The glyph ids used, always with `.notdef`; they are also the CIDs.
    glyphs: BTreeSet<u16>,
    /// The text each glyph stands for, for `/ToUnicode`; the first
    /// character wins when several share a glyph.
    unicode: BTreeMap<u16, String>,
    used: bool,
}

impl<'f, 'a> FontSubset<'f, 'a> {
    pub(crate) fn new(font: &'f FontFace<'a>) -> Self {
        FontSubset {
            font,
            glyphs: BTreeSet::from([0]),
            unicode: BTreeMap::new(),
            used: false,
        }
    }

    /// `text` as 2-byte big-endian CIDs for an Identity-H `Tj`.
    pub(crate) fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let cid = self.font.glyph(c);
            self.glyphs.insert(cid);
            // .notdef stands for many characters, so it maps to none.
            if cid != 0 {
                self.unicode.entry(cid).or_insert_with(|| c.to_string());
            }
            out.extend_from_slice(&cid.to_be_bytes());
            self.used = true;
        }
        out
    }

    pub(crate) fn is_used(&self) -> bool {
        self.used
    }

    /// Subsets the font; nothing is added to a sink yet, so a failure here
    /// leaves the document untouched.
    pub(crate) fn finish(self) -> Result<PreparedFont, Error> {
        let font = self.font;
        let subset = subset(font.data, &self.glyphs)?;

        let gids: Vec<u16> = self.glyphs.iter().copied().collect();
        let base_font = format!("{}+{}", subset_tag(&gids), font.postscript_name());
        let widths = widths_array(&gids, |g| round3(font.advance_em(g) * 1000.0));

        let bbox = font.face.global_bounding_box();
        let scaled = |v: i16| Object::Integer(font.to_pdf_units(f64::from(v)).round() as i64);
        let ascent = font.to_pdf_units(f64::from(font.face.ascender())).round() as i64;
        let descent = font.to_pdf_units(f64::from(font.face.descender())).round() as i64;
        let cap_height = font
            .face
            .capital_height()
            .map_or(ascent, |c| font.to_pdf_units(f64::from(c)).round() as i64);
        let italic_angle = f64::from(font.face.italic_angle());

        let font_file = Stream {
            dict: Dictionary::new()
                .with(b"Length1", subset.len() as i64)
                .with(b"Filter", Object::name("FlateDecode")),
            data: deflate(&subset),
        };

        let descriptor = Dictionary::new()
            .with(b"Type", Object::name("FontDescriptor"))
            .with(b"FontName", Object::name(&base_font))
            // Serif (2) | Nonsymbolic (32).
            .with(b"Flags", 34)
            .with(
                b"FontBBox",
                vec![
                    scaled(bbox.x_min),
                    scaled(bbox.y_min),
                    scaled(bbox.x_max),
                    scaled(bbox.y_max),
                ],
            )
            .with(b"ItalicAngle", Object::Real(italic_angle))
            .with(b"Ascent", ascent)
            .with(b"Descent", descent)
            .with(b"CapHeight", cap_height)
            // Not in TrueType fonts; 80 is the customary value for a regular weight.
            .with(b"StemV", 80);

        let cid_font = Dictionary::new()
            .with(b"Type", Object::name("Font"))
            .with(b"Subtype", Object::name("CIDFontType2"))
            .with(b"BaseFont", Object::name(&base_font))
            .with(
                b"CIDSystemInfo",
                Dictionary::new()
                    .with(b"Registry", Object::text("Adobe"))
                    .with(b"Ordering", Object::text("Identity"))
                    .with(b"Supplement", 0),
            )
            .with(b"DW", 1000)
            .with(b"W", widths)
            .with(b"CIDToGIDMap", Object::name("Identity"));

        let to_unicode = Stream {
            dict: Dictionary::new(),
            data: to_unicode_cmap(&self.unicode),
        };

        Ok(PreparedFont {
            base_font,
            font_file,
            descriptor,
            cid_font,
            to_unicode,
        })
    }
}

/// A subset font ready to be written.
pub(crate) struct PreparedFont {
    base_font: String,
    font_file: Stream,
    descriptor: Dictionary,
    cid_font: Dictionary,
    to_unicode: Stream,
}

impl PreparedFont {
    /// Adds the font's objects; returns the Type0 font.
    pub(crate) fn add_to(self, sink: &mut dyn ObjectSink) -> ObjectId {
        let file = sink.add(self.font_file.into());
        let descriptor = sink.add(self.descriptor.with(b"FontFile2", file).into());
        let cid_font = sink.add(self.cid_font.with(b"FontDescriptor", descriptor).into());
        let to_unicode = sink.add(self.to_unicode.into());
        sink.add(
            Dictionary::new()
                .with(b"Type", Object::name("Font"))
                .with(b"Subtype", Object::name("Type0"))
                .with(b"BaseFont", Object::name(&self.base_font))
                .with(b"Encoding", Object::name("Identity-H"))
                .with(b"DescendantFonts", vec![Object::Reference(cid_font)])
                .with(b"ToUnicode", to_unicode)
                .into(),
        )
    }
}

/// A `/W` array (ISO 32000-2 §9.7.4.3) for sorted CIDs: one `c [w …]` entry
/// per run of consecutive CIDs.
fn widths_array(cids: &[u16], width: impl Fn(u16) -> f64) -> Vec<Object> {
    let mut runs: Vec<(u16, Vec<Object>)> = Vec::new();
    for &cid in cids {
        let w = Object::Real(width(cid));
        match runs.last_mut() {
            Some((first, list)) if usize::from(*first) + list.len() == usize::from(cid) => {
                list.push(w)
            }
            _ => runs.push((cid, vec![w])),
        }
    }
    runs.into_iter()
        .flat_map(|(first, list)| [Object::Integer(i64::from(first)), Object::Array(list)])
        .collect()
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// Six capitals naming the subset (ISO 32000-2 §9.9.2); different glyph sets
/// get different tags so that two stamps' subsets never pass for one font.
fn subset_tag(old_gids: &[u16]) -> String {
    // FNV-1a: stable across platforms and releases, unlike std's hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in old_gids.iter().flat_map(|g| g.to_be_bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (0..6)
        .map(|_| {
            let letter = char::from(b'A' + (hash % 26) as u8);
            hash /= 26;
            letter
        })
        .collect()
}

/// A ToUnicode CMap (Adobe TN 5411) with one `bfchar` per glyph.
fn to_unicode_cmap(unicode: &BTreeMap<u16, String>) -> Vec<u8> {
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n\
         12 dict begin\n\
         begincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n\
         /CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<_> = unicode.iter().collect();
    // At most 100 entries per block (TN 5411 §1.4.1).
    for chunk in entries.chunks(100) {
        let _ = writeln!(s, "{} beginbfchar", chunk.len());
        for (cid, text) in chunk {
            let _ = write!(s, "<{cid:04X}> <");
            for unit in text.encode_utf16() {
                let _ = write!(s, "{unit:04X}");
            }
            s.push_str(">\n");
        }
        s.push_str("endbfchar\n");
    }
    s.push_str(
        "endcmap\n\
         CMapName currentdict /CMapResource defineresource pop\n\
         end\n\
         end\n",
    );
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_run_over_consecutive_cids() {
        let w = widths_array(&[0, 3, 4, 5, 9], f64::from);
        let r = |v: f64| Object::Real(v);
        assert_eq!(
            w,
            [
                Object::Integer(0),
                Object::Array(vec![r(0.0)]),
                Object::Integer(3),
                Object::Array(vec![r(3.0), r(4.0), r(5.0)]),
                Object::Integer(9),
                Object::Array(vec![r(9.0)]),
            ]
        );
        assert!(widths_array(&[], f64::from).is_empty());
    }

    #[test]
    fn cids_are_the_fonts_glyph_ids() {
        let font =
            FontFace::parse(include_bytes!("../../../fonts/LiberationSerif-Regular.ttf")).unwrap();
        let mut subset = FontSubset::new(&font);
        let text = "Ủy ệ";
        let cids = subset.encode(text);
        let expected: Vec<u8> = text
            .chars()
            .flat_map(|c| font.face.glyph_index(c).unwrap().0.to_be_bytes())
            .collect();
        assert_eq!(cids, expected);
        // High glyph ids, not renumbered from 1.
        assert!(u16::from_be_bytes([cids[0], cids[1]]) > 1000);
        assert_eq!(subset.unicode[&font.glyph('ệ')], "ệ");
        assert_eq!(subset.glyphs.len(), 5);
    }

    #[test]
    fn subset_tag_is_six_capitals_and_depends_on_the_glyphs() {
        let a = subset_tag(&[0, 3, 4]);
        let b = subset_tag(&[0, 3, 5]);
        assert_eq!(a.len(), 6);
        assert!(a.bytes().all(|c| c.is_ascii_uppercase()));
        assert_ne!(a, b);
        assert_eq!(a, subset_tag(&[0, 3, 4]));
    }

    #[test]
    fn to_unicode_splits_blocks_and_writes_surrogates() {
        let mut map = BTreeMap::new();
        for cid in 1..=150u16 {
            map.insert(cid, "a".to_string());
        }
        map.insert(151, "\u{1F600}".to_string());
        let cmap = String::from_utf8(to_unicode_cmap(&map)).unwrap();
        assert!(cmap.contains("100 beginbfchar"));
        assert!(cmap.contains("51 beginbfchar"));
        assert!(cmap.contains("<0097> <D83DDE00>"));
    }

    #[test]
    fn garbage_is_not_a_font() {
        assert!(matches!(
            FontFace::parse(b"not a font at all"),
            Err(Error::Malformed(_))
        ));
        assert!(FontFace::parse(&[]).is_err());
    }
}
