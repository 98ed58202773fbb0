//! A small subsetter for TrueType (`glyf`) fonts that keeps glyph ids.
//!
//! The used glyphs, `.notdef` and the components of used composite glyphs
//! keep their outlines; every other glyph becomes empty (zero length in
//! `loca`). Glyph ids do not change, so a CIDFontType2 with
//! `/CIDToGIDMap /Identity` can use the original glyph ids as CIDs. The
//! `hmtx`, `maxp` and hinting tables are copied as they are; `cmap`, `post`
//! and the layout tables are dropped, as a PDF reader maps CIDs to glyphs
//! without them (ISO 32000-2 §9.9, Table 124).

use std::collections::BTreeSet;
use std::fmt::Display;

use crate::Error;

/// Tables copied unchanged when present (`head` is copied and patched;
/// `glyf` and `loca` are rebuilt).
const COPIED: [&[u8; 4]; 8] = [
    b"hhea", b"maxp", b"hmtx", b"cvt ", b"fpgm", b"prep", b"OS/2", b"name",
];

// Composite glyph flags (OpenType `glyf`, "Composite glyph description").
const ARG_1_AND_2_ARE_WORDS: u16 = 0x0001;
const WE_HAVE_A_SCALE: u16 = 0x0008;
const MORE_COMPONENTS: u16 = 0x0020;
const WE_HAVE_AN_X_AND_Y_SCALE: u16 = 0x0040;
const WE_HAVE_A_TWO_BY_TWO: u16 = 0x0080;

/// Deepest nesting of composite glyphs followed (fonts use 1 or 2).
const MAX_COMPONENT_DEPTH: usize = 32;

/// `head.checkSumAdjustment` makes the whole font sum to this.
const CHECKSUM_MAGIC: u32 = 0xB1B0_AFBA;

fn malformed(what: impl Display) -> Error {
    Error::Malformed(format!("signature font: {what}"))
}

fn bytes<const N: usize>(data: &[u8], at: usize) -> Option<[u8; N]> {
    data.get(at..at.checked_add(N)?)?.try_into().ok()
}

fn u16_at(data: &[u8], at: usize, what: &str) -> Result<u16, Error> {
    bytes(data, at)
        .map(u16::from_be_bytes)
        .ok_or_else(|| malformed(format!("{what} is truncated")))
}

fn u32_at(data: &[u8], at: usize, what: &str) -> Result<u32, Error> {
    bytes(data, at)
        .map(u32::from_be_bytes)
        .ok_or_else(|| malformed(format!("{what} is truncated")))
}

fn tag_name(tag: &[u8; 4]) -> String {
    String::from_utf8_lossy(tag).into_owned()
}

/// The tables of a TrueType font, as slices of the font.
struct Tables<'a>(Vec<([u8; 4], &'a [u8])>);

impl<'a> Tables<'a> {
    fn parse(font: &'a [u8]) -> Result<Self, Error> {
        let version: [u8; 4] = bytes(font, 0).ok_or_else(|| malformed("not a font (too short)"))?;
        match &version {
            [0, 1, 0, 0] | b"true" => {}
            b"OTTO" => {
                return Err(malformed(
                    "CFF (OTTO) outlines are not supported, a TrueType (glyf) font is needed",
                ))
            }
            b"ttcf" => {
                return Err(malformed(
                    "font collections (.ttc) are not supported, give a single TrueType font",
                ))
            }
            _ => return Err(malformed("not a TrueType font")),
        }
        let count = u16_at(font, 4, "table directory")?;
        let mut tables = Vec::with_capacity(usize::from(count));
        for i in 0..usize::from(count) {
            let record = 12 + 16 * i;
            let tag: [u8; 4] =
                bytes(font, record).ok_or_else(|| malformed("table directory is truncated"))?;
            let offset = u32_at(font, record + 8, "table directory")? as usize;
            let length = u32_at(font, record + 12, "table directory")? as usize;
            let data = offset
                .checked_add(length)
                .and_then(|end| font.get(offset..end))
                .ok_or_else(|| {
                    malformed(format!("table '{}' lies outside the font", tag_name(&tag)))
                })?;
            tables.push((tag, data));
        }
        Ok(Tables(tables))
    }

    fn get(&self, tag: &[u8; 4]) -> Option<&'a [u8]> {
        self.0.iter().find(|(t, _)| t == tag).map(|&(_, data)| data)
    }

    fn require(&self, tag: &[u8; 4]) -> Result<&'a [u8], Error> {
        self.get(tag)
            .ok_or_else(|| malformed(format!("no '{}' table", tag_name(tag))))
    }
}

/// The glyph offsets of `loca`, in either format, checked against `glyf`.
struct Glyphs<'a> {
    glyf: &'a [u8],
    loca: &'a [u8],
    long: bool,
    count: u16,
}

impl<'a> Glyphs<'a> {
    fn offset(&self, index: usize) -> Result<usize, Error> {
        Ok(if self.long {
            u32_at(self.loca, 4 * index, "'loca' table")? as usize
        } else {
            2 * usize::from(u16_at(self.loca, 2 * index, "'loca' table")?)
        })
    }

    /// The outline data of glyph `gid` (empty for a glyph without outline).
    fn data(&self, gid: u16) -> Result<&'a [u8], Error> {
        if gid >= self.count {
            return Err(malformed(format!(
                "glyph {gid} is out of range (the font has {} glyphs)",
                self.count
            )));
        }
        let start = self.offset(usize::from(gid))?;
        let end = self.offset(usize::from(gid) + 1)?;
        if start > end {
            return Err(malformed(format!("glyph {gid} has a negative length")));
        }
        self.glyf
            .get(start..end)
            .ok_or_else(|| malformed(format!("glyph {gid} lies outside the 'glyf' table")))
    }
}

/// The glyph ids a glyph refers to: the components of a composite glyph,
/// none for a simple or empty glyph.
fn components(glyph: &[u8]) -> Result<Vec<u16>, Error> {
    if glyph.is_empty() {
        return Ok(Vec::new());
    }
    let contours = u16_at(glyph, 0, "glyph header")? as i16;
    if glyph.len() < 10 {
        return Err(malformed("glyph header is truncated"));
    }
    if contours >= 0 {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let mut at = 10;
    loop {
        let flags = u16_at(glyph, at, "composite glyph")?;
        out.push(u16_at(glyph, at + 2, "composite glyph")?);
        at += 4;
        at += if flags & ARG_1_AND_2_ARE_WORDS != 0 {
            4
        } else {
            2
        };
        if flags & WE_HAVE_A_SCALE != 0 {
            at += 2;
        } else if flags & WE_HAVE_AN_X_AND_Y_SCALE != 0 {
            at += 4;
        } else if flags & WE_HAVE_A_TWO_BY_TWO != 0 {
            at += 8;
        }
        if at > glyph.len() {
            return Err(malformed("composite glyph is truncated"));
        }
        if flags & MORE_COMPONENTS == 0 {
            return Ok(out);
        }
    }
}

/// Which glyphs to keep: `.notdef`, `used` and, recursively, the components
/// of composite glyphs. Each glyph is visited once, so reference cycles end.
fn closure(glyphs: &Glyphs<'_>, used: &BTreeSet<u16>) -> Result<Vec<bool>, Error> {
    let mut keep = vec![false; usize::from(glyphs.count)];
    let mut stack: Vec<(u16, usize)> = used.iter().map(|&g| (g, 0)).collect();
    stack.push((0, 0));
    while let Some((gid, depth)) = stack.pop() {
        let data = glyphs.data(gid)?;
        let slot = &mut keep[usize::from(gid)];
        if *slot {
            continue;
        }
        *slot = true;
        let parts = components(data)?;
        if !parts.is_empty() && depth >= MAX_COMPONENT_DEPTH {
            return Err(malformed(format!(
                "composite glyph {gid} is nested too deeply"
            )));
        }
        stack.extend(parts.into_iter().map(|c| (c, depth + 1)));
    }
    Ok(keep)
}

fn pad4(data: &mut Vec<u8>) {
    data.resize(data.len().next_multiple_of(4), 0);
}

/// The OpenType table checksum: the sum of the data as big-endian `u32`s,
/// zero-padded to a multiple of four.
fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, chunk| {
        let mut word = [0u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

/// A TrueType font with the glyphs of `used` (plus `.notdef` and composite
/// components) and every other glyph empty, glyph ids unchanged.
pub(crate) fn subset(font: &[u8], used: &BTreeSet<u16>) -> Result<Vec<u8>, Error> {
    let tables = Tables::parse(font)?;
    let head = tables.require(b"head")?;
    if head.len() < 54 {
        return Err(malformed("'head' table is truncated"));
    }
    let long = match u16_at(head, 50, "'head' table")? {
        0 => false,
        1 => true,
        other => return Err(malformed(format!("unknown 'loca' format {other}"))),
    };
    let count = u16_at(tables.require(b"maxp")?, 4, "'maxp' table")?;
    if count == 0 {
        return Err(malformed("the font has no glyphs"));
    }
    let glyphs = Glyphs {
        glyf: tables.require(b"glyf")?,
        loca: tables.require(b"loca")?,
        long,
        count,
    };
    let keep = closure(&glyphs, used)?;

    let mut glyf = Vec::new();
    let mut loca = Vec::with_capacity(4 * (usize::from(count) + 1));
    let too_big = || malformed("'glyf' table is too large");
    for (gid, &kept) in (0..count).zip(&keep) {
        loca.extend_from_slice(
            &u32::try_from(glyf.len())
                .map_err(|_| too_big())?
                .to_be_bytes(),
        );
        if kept {
            glyf.extend_from_slice(glyphs.data(gid)?);
            pad4(&mut glyf);
        }
    }
    loca.extend_from_slice(
        &u32::try_from(glyf.len())
            .map_err(|_| too_big())?
            .to_be_bytes(),
    );

    let mut new_head = head.to_vec();
    new_head[8..12].fill(0);
    new_head[50..52].copy_from_slice(&1u16.to_be_bytes());

    let mut out_tables: Vec<([u8; 4], Vec<u8>)> =
        vec![(*b"head", new_head), (*b"glyf", glyf), (*b"loca", loca)];
    for tag in COPIED {
        if let Some(data) = tables.get(tag) {
            out_tables.push((*tag, data.to_vec()));
        }
    }
    Ok(write_font(out_tables))
}

/// Writes a table directory and the tables, and sets
/// `head.checkSumAdjustment` (`head` must be among the tables, with its
/// adjustment zeroed).
fn write_font(mut tables: Vec<([u8; 4], Vec<u8>)>) -> Vec<u8> {
    tables.sort_by_key(|(tag, _)| *tag);
    let count = tables.len() as u16;
    let power = if count == 0 { 0 } else { 1u16 << count.ilog2() };
    let search_range = power * 16;
    let entry_selector = power.checked_ilog2().unwrap_or(0) as u16;
    let range_shift = count * 16 - search_range;

    let mut out = Vec::new();
    out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    for v in [count, search_range, entry_selector, range_shift] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    let mut offset = 12 + 16 * tables.len();
    let mut head_at = None;
    for (tag, data) in &tables {
        if tag == b"head" {
            head_at = Some(offset);
        }
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        offset += data.len().next_multiple_of(4);
    }
    for (_, data) in &tables {
        out.extend_from_slice(data);
        pad4(&mut out);
    }
    if let Some(at) = head_at {
        let adjustment = CHECKSUM_MAGIC.wrapping_sub(checksum(&out));
        out[at + 8..at + 12].copy_from_slice(&adjustment.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ttf_parser::{Face, GlyphId, OutlineBuilder, Rect};

    const FONT: &[u8] = include_bytes!("../../../fonts/LiberationSerif-Regular.ttf");
    const SAMPLE: &str = "Nguyễn Thị Ánh, Ủy ban nhân dân";
    /// Vietnamese letters that Liberation Serif builds from components.
    const COMPOSITES: &str = "ệỦỹễịÁâựữặĐẾ";

    fn used(face: &Face<'_>, text: &str) -> BTreeSet<u16> {
        text.chars()
            .map(|c| face.glyph_index(c).expect("glyph in the font").0)
            .collect()
    }

    /// Every drawing command of an outline, to compare outlines exactly.
    #[derive(Default)]
    struct Path(Vec<String>);

    impl OutlineBuilder for Path {
        fn move_to(&mut self, x: f32, y: f32) {
            self.0.push(format!("M{x},{y}"));
        }
        fn line_to(&mut self, x: f32, y: f32) {
            self.0.push(format!("L{x},{y}"));
        }
        fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
            self.0.push(format!("Q{x1},{y1},{x},{y}"));
        }
        fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
            self.0.push(format!("C{x1},{y1},{x2},{y2},{x},{y}"));
        }
        fn close(&mut self) {
            self.0.push("Z".into());
        }
    }

    fn outline(face: &Face<'_>, gid: u16) -> (Option<Rect>, Vec<String>) {
        let mut path = Path::default();
        let bbox = face.outline_glyph(GlyphId(gid), &mut path);
        (bbox, path.0)
    }

    /// The byte range of a glyph in `glyf`, read from the raw `loca`.
    fn glyph_range(face: &Face<'_>, gid: u16) -> std::ops::Range<usize> {
        let raw = |tag: &[u8; 4]| {
            face.raw_face()
                .table(ttf_parser::Tag::from_bytes(tag))
                .unwrap()
        };
        let loca = raw(b"loca");
        let g = usize::from(gid);
        if raw(b"head")[51] == 1 {
            let at = |i: usize| u32::from_be_bytes(loca[4 * i..4 * i + 4].try_into().unwrap());
            at(g) as usize..at(g + 1) as usize
        } else {
            let at = |i: usize| u16::from_be_bytes([loca[2 * i], loca[2 * i + 1]]);
            2 * usize::from(at(g))..2 * usize::from(at(g + 1))
        }
    }

    /// The raw `glyf` data of a glyph.
    fn raw_glyph<'a>(face: &Face<'a>, gid: u16) -> &'a [u8] {
        let glyf = face
            .raw_face()
            .table(ttf_parser::Tag::from_bytes(b"glyf"))
            .unwrap();
        &glyf[glyph_range(face, gid)]
    }

    fn table<'a>(font: &'a [u8], tag: &[u8; 4]) -> Option<&'a [u8]> {
        Tables::parse(font).unwrap().get(tag)
    }

    #[test]
    fn used_glyphs_and_their_components_keep_ids_outlines_and_advances() {
        let full = Face::parse(FONT, 0).unwrap();
        let text = format!("{SAMPLE} {COMPOSITES}");
        let used = used(&full, &text);
        let font = subset(FONT, &used).unwrap();
        let sub = Face::parse(&font, 0).expect("the subset parses");
        assert_eq!(sub.number_of_glyphs(), full.number_of_glyphs());
        assert_eq!(sub.units_per_em(), full.units_per_em());
        assert_eq!(sub.ascender(), full.ascender());

        // The test is only meaningful if some letters are composites whose
        // components are not themselves in the text.
        let mut components_only = BTreeSet::new();
        let mut composite_count = 0;
        for c in COMPOSITES.chars() {
            let gid = full.glyph_index(c).unwrap().0;
            let parts = components(raw_glyph(&full, gid)).unwrap();
            if !parts.is_empty() {
                composite_count += 1;
            }
            components_only.extend(parts.into_iter().filter(|p| !used.contains(p)));
        }
        assert!(composite_count >= 10, "{composite_count}");
        assert!(!components_only.is_empty());

        for &gid in used.iter().chain(&components_only).chain(&[0]) {
            let (bbox, path) = outline(&full, gid);
            assert_eq!(outline(&sub, gid), (bbox, path.clone()), "glyph {gid}");
            // .notdef is empty in Liberation Serif, and so is the space.
            if gid != 0 && gid != full.glyph_index(' ').unwrap().0 {
                assert!(bbox.is_some() && !path.is_empty(), "glyph {gid} is blank");
            }
            assert_eq!(
                sub.glyph_hor_advance(GlyphId(gid)),
                full.glyph_hor_advance(GlyphId(gid)),
                "glyph {gid}"
            );
            assert_eq!(
                sub.glyph_hor_side_bearing(GlyphId(gid)),
                full.glyph_hor_side_bearing(GlyphId(gid))
            );
        }
        for c in text.chars() {
            assert_eq!(
                sub.glyph_index(c),
                None,
                "no cmap: CIDs are glyph ids already"
            );
        }
    }

    #[test]
    fn unused_glyphs_are_empty() {
        let full = Face::parse(FONT, 0).unwrap();
        let used = used(&full, SAMPLE);
        let font = subset(FONT, &used).unwrap();
        let sub = Face::parse(&font, 0).unwrap();
        // Every glyph with an outline is used, .notdef, or a component of a
        // kept composite glyph; everything else is empty.
        let kept: BTreeSet<u16> = (0..sub.number_of_glyphs())
            .filter(|&g| !raw_glyph(&sub, g).is_empty())
            .collect();
        let mut allowed: BTreeSet<u16> = used.clone();
        allowed.insert(0);
        for &g in &kept {
            allowed.extend(components(raw_glyph(&sub, g)).unwrap());
        }
        for gid in 0..sub.number_of_glyphs() {
            if !allowed.contains(&gid) {
                assert!(raw_glyph(&sub, gid).is_empty(), "glyph {gid}");
                assert_eq!(outline(&sub, gid), (None, Vec::new()), "glyph {gid}");
            }
        }
        assert!(kept.len() <= allowed.len() && kept.len() < 60, "{kept:?}");
        // An unused letter that the full font draws.
        let q = full.glyph_index('Q').unwrap();
        assert!(full.glyph_bounding_box(q).is_some());
        assert!(sub.glyph_bounding_box(q).is_none());
    }

    #[test]
    fn sample_subset_is_small_and_has_only_the_needed_tables() {
        let full = Face::parse(FONT, 0).unwrap();
        let font = subset(FONT, &used(&full, SAMPLE)).unwrap();
        println!(
            "subset of {SAMPLE:?}: {} bytes ({} deflated) of {}",
            font.len(),
            crate::pdf::filter::deflate(&font).len(),
            FONT.len()
        );
        assert!(
            font.len() * 100 < FONT.len() * 15,
            "subset {} bytes of {}",
            font.len(),
            FONT.len()
        );
        for tag in [
            b"head", b"hhea", b"maxp", b"hmtx", b"loca", b"glyf", b"cvt ", b"fpgm", b"prep",
            b"OS/2", b"name",
        ] {
            assert!(table(&font, tag).is_some(), "{}", tag_name(tag));
        }
        for tag in [
            b"cmap", b"post", b"kern", b"GSUB", b"GPOS", b"GDEF", b"FFTM",
        ] {
            assert!(table(&font, tag).is_none(), "{}", tag_name(tag));
        }
        assert_eq!(table(&font, b"hmtx"), table(FONT, b"hmtx"));
        assert_eq!(table(&font, b"fpgm"), table(FONT, b"fpgm"));
        // Long loca, one entry per glyph plus one.
        let head = table(&font, b"head").unwrap();
        assert_eq!(&head[50..52], [0, 1]);
        assert_eq!(
            table(&font, b"loca").unwrap().len(),
            4 * (usize::from(full.number_of_glyphs()) + 1)
        );
    }

    #[test]
    fn directory_and_checksums_are_valid() {
        let full = Face::parse(FONT, 0).unwrap();
        let font = subset(FONT, &used(&full, SAMPLE)).unwrap();
        assert_eq!(font.len() % 4, 0);
        // The whole file, with the adjustment, sums to the magic number.
        assert_eq!(checksum(&font), CHECKSUM_MAGIC);
        let adjustment =
            u32::from_be_bytes(table(&font, b"head").unwrap()[8..12].try_into().unwrap());
        assert_ne!(adjustment, 0);

        assert_eq!(&font[..4], [0, 1, 0, 0]);
        let count = usize::from(u16::from_be_bytes([font[4], font[5]]));
        assert_eq!(count, 11);
        let field = |at: usize| u16::from_be_bytes([font[at], font[at + 1]]);
        // 8 is the largest power of two <= 11.
        assert_eq!((field(6), field(8), field(10)), (128, 3, 48));
        let mut previous = [0u8; 4];
        let mut end = 12 + 16 * count;
        for i in 0..count {
            let r = 12 + 16 * i;
            let tag: [u8; 4] = font[r..r + 4].try_into().unwrap();
            assert!(tag > previous, "tables are sorted");
            previous = tag;
            let sum = u32::from_be_bytes(font[r + 4..r + 8].try_into().unwrap());
            let offset = u32::from_be_bytes(font[r + 8..r + 12].try_into().unwrap()) as usize;
            let length = u32::from_be_bytes(font[r + 12..r + 16].try_into().unwrap()) as usize;
            assert_eq!(offset, end, "tables follow each other, 4-byte aligned");
            end = offset + length.next_multiple_of(4);
            let mut data = font[offset..offset + length].to_vec();
            if &tag == b"head" {
                data[8..12].fill(0);
            }
            assert_eq!(sum, checksum(&data), "{}", tag_name(&tag));
        }
        assert_eq!(end, font.len());
        // glyf entries are 4-byte aligned.
        let loca = table(&font, b"loca").unwrap();
        assert!(loca.chunks(4).all(|o| o[3] % 4 == 0));
    }

    #[test]
    fn checksum_pads_the_last_word() {
        assert_eq!(checksum(&[]), 0);
        assert_eq!(checksum(&[0, 0, 0, 1, 0, 0, 0, 2]), 3);
        assert_eq!(checksum(&[1]), 0x0100_0000);
        assert_eq!(checksum(&[0xFF; 8]), 0xFFFF_FFFE);
    }

    #[test]
    fn truncated_fonts_are_errors() {
        let face = Face::parse(FONT, 0).unwrap();
        let used = used(&face, SAMPLE);
        let lengths = (0..2048).chain((2048..FONT.len()).step_by(37));
        for len in lengths {
            match subset(&FONT[..len], &used) {
                Err(Error::Malformed(m)) => assert!(m.starts_with("signature font: "), "{m}"),
                Ok(_) => panic!("a font cut at {len} bytes was accepted"),
                Err(e) => panic!("{e:?}"),
            }
        }
    }

    #[test]
    fn other_formats_are_refused_clearly() {
        let mut otto = FONT.to_vec();
        otto[..4].copy_from_slice(b"OTTO");
        let mut ttc = FONT.to_vec();
        ttc[..4].copy_from_slice(b"ttcf");
        let used = BTreeSet::from([1]);
        for (font, expected) in [
            (&otto[..], "CFF"),
            (&ttc[..], "collections"),
            (&b"garbage that is no font"[..], "not a TrueType font"),
            (&b"\0\x01"[..], "too short"),
        ] {
            match subset(font, &used) {
                Err(Error::Malformed(m)) => {
                    assert!(
                        m.starts_with("signature font: ") && m.contains(expected),
                        "{m}"
                    )
                }
                other => panic!("{other:?}"),
            }
        }
        // Apple's 'true' signature is TrueType too.
        let mut apple = FONT.to_vec();
        apple[..4].copy_from_slice(b"true");
        assert!(subset(&apple, &used).is_ok());
    }

    /// Offset in `FONT` of a table.
    fn table_offset(tag: &[u8; 4]) -> usize {
        table(FONT, tag).unwrap().as_ptr() as usize - FONT.as_ptr() as usize
    }

    #[test]
    fn bad_glyph_data_is_an_error() {
        let face = Face::parse(FONT, 0).unwrap();
        let used = used(&face, SAMPLE);
        let head = table_offset(b"head");
        let maxp = table_offset(b"maxp");

        // A glyph id beyond maxp.numGlyphs.
        assert!(subset(FONT, &BTreeSet::from([face.number_of_glyphs()])).is_err());
        // Unknown loca format.
        let mut font = FONT.to_vec();
        font[head + 51] = 7;
        assert!(subset(&font, &used).is_err());
        // More glyphs than loca has entries.
        let mut font = FONT.to_vec();
        font[maxp + 4..maxp + 6].copy_from_slice(&u16::MAX.to_be_bytes());
        assert!(subset(&font, &BTreeSet::from([u16::MAX - 1])).is_err());
        // No glyphs at all.
        let mut font = FONT.to_vec();
        font[maxp + 4..maxp + 6].fill(0);
        assert!(subset(&font, &used).is_err());
        // A used glyph whose loca end points past glyf.
        let gid = face.glyph_index('N').unwrap().0;
        let mut font = FONT.to_vec();
        let entry = table_offset(b"loca") + 4 * (usize::from(gid) + 1);
        font[entry..entry + 4].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(subset(&font, &BTreeSet::from([gid])).is_err());
        // Truncated composite records.
        assert!(components(&[0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 5]).is_err());
        assert!(components(&[0xFF, 0xFF, 0, 0]).is_err());
        assert_eq!(
            components(&[0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0, 5, 0, 0, 0, 0]).unwrap(),
            [5]
        );
    }

    #[test]
    fn composite_cycles_end() {
        let face = Face::parse(FONT, 0).unwrap();
        let gid = face.glyph_index('ệ').unwrap().0;
        let glyph = raw_glyph(&face, gid);
        assert!(!components(glyph).unwrap().is_empty());
        // Make the first component refer to the glyph itself and the second
        // (if any) to the first: a cycle.
        let at = glyph.as_ptr() as usize - FONT.as_ptr() as usize;
        let mut font = FONT.to_vec();
        font[at + 12..at + 14].copy_from_slice(&gid.to_be_bytes());
        let sub = subset(&font, &BTreeSet::from([gid])).unwrap();
        let sub_face = Face::parse(&sub, 0).unwrap();
        assert!(!raw_glyph(&sub_face, gid).is_empty());
    }

    #[test]
    fn deep_nesting_is_refused() {
        // Glyph i (1..=40) is a composite of glyph i+1; 41 is empty.
        let n = 42u16;
        let mut glyf = Vec::new();
        let mut loca = Vec::new();
        for gid in 0..n {
            loca.extend_from_slice(&(glyf.len() as u32).to_be_bytes());
            if (1..n - 1).contains(&gid) {
                glyf.extend_from_slice(&[0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
                glyf.extend_from_slice(&(gid + 1).to_be_bytes());
                glyf.extend_from_slice(&[0, 0]);
            }
        }
        loca.extend_from_slice(&(glyf.len() as u32).to_be_bytes());
        let mut head = vec![0u8; 54];
        head[50..52].copy_from_slice(&1u16.to_be_bytes());
        let mut maxp = vec![0u8; 6];
        maxp[4..6].copy_from_slice(&n.to_be_bytes());
        let font = write_font(vec![
            (*b"head", head),
            (*b"maxp", maxp),
            (*b"loca", loca),
            (*b"glyf", glyf),
        ]);
        match subset(&font, &BTreeSet::from([1])) {
            Err(Error::Malformed(m)) => assert!(m.contains("nested too deeply"), "{m}"),
            other => panic!("{other:?}"),
        }
        // Shallow enough from further down the chain.
        assert!(subset(&font, &BTreeSet::from([20])).is_ok());
    }

    #[test]
    fn corrupted_bytes_never_panic() {
        let face = Face::parse(FONT, 0).unwrap();
        let used = used(&face, &format!("{SAMPLE}{COMPOSITES}"));
        // Where the parser looks: the directory, head, maxp, loca and the
        // used glyphs' data.
        let mut spots: Vec<std::ops::Range<usize>> = vec![
            0..12 + 16 * 19,
            table_offset(b"head")..table_offset(b"head") + 54,
            table_offset(b"maxp")..table_offset(b"maxp") + 6,
        ];
        let loca = table_offset(b"loca");
        let glyf = table_offset(b"glyf");
        for &gid in &used {
            let range = glyph_range(&face, gid);
            spots.push(loca + 4 * usize::from(gid)..loca + 4 * usize::from(gid) + 8);
            if !range.is_empty() {
                spots.push(glyf + range.start..glyf + range.end);
            }
        }
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut font = FONT.to_vec();
        let (mut ok, mut err) = (0, 0);
        for _ in 0..1000 {
            let spot = &spots[next() as usize % spots.len()];
            let at = spot.start + next() as usize % spot.len();
            let old = font[at];
            font[at] = next() as u8;
            match subset(&font, &used) {
                Ok(sub) => {
                    ok += 1;
                    assert_eq!(checksum(&sub), CHECKSUM_MAGIC);
                }
                Err(Error::Malformed(_)) => err += 1,
                Err(e) => panic!("{e:?}"),
            }
            font[at] = old;
        }
        assert!(ok > 0 && err > 0, "{ok} {err}");
    }
}
