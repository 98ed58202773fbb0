//! Builds every role into an in-memory sink and reads the result back the way
//! a PDF reader would: form, content stream, font subset, ToUnicode, images.

mod support;

use std::collections::BTreeMap;

use miniz_oxide::inflate::decompress_to_vec_zlib;
use png::{BitDepth, ColorType};

use kyso_core::pdf::appearance::{build, AppearanceSpec, Role};
use kyso_core::pdf::{Dictionary, Document, Object, ObjectId, ObjectSink, Stream};
use kyso_core::Error;
use kyso_testkit::pdf::{At, PdfWriter};

use support::{encode_png, FONT};
const NAME: &str = "Nguyễn Thị Ánh";
const TIME: &str = "2026-11-25T15:04:05+07:00";

#[derive(Default)]
struct VecSink(Vec<Object>);

impl ObjectSink for VecSink {
    fn add(&mut self, object: Object) -> ObjectId {
        self.0.push(object);
        ObjectId::new(self.0.len() as u32, 0)
    }
}

impl VecSink {
    fn get(&self, id: ObjectId) -> &Object {
        &self.0[id.number as usize - 1]
    }

    fn deref<'s>(&'s self, o: &'s Object) -> &'s Object {
        match o {
            Object::Reference(id) => self.get(*id),
            o => o,
        }
    }

    fn stream(&self, id: ObjectId) -> &Stream {
        match self.get(id) {
            Object::Stream(s) => s,
            o => panic!("{id:?} is not a stream: {o:?}"),
        }
    }

    fn entry<'s>(&'s self, dict: &'s Dictionary, key: &str) -> &'s Object {
        let value = dict
            .get(key.as_bytes())
            .unwrap_or_else(|| panic!("no /{key} in {dict:?}"));
        self.deref(value)
    }
}

fn spec(role: Role) -> AppearanceSpec<'static> {
    AppearanceSpec {
        role,
        width: 180.0,
        height: 80.0,
        signer_name: NAME.into(),
        organization: Some("Ủy ban nhân dân phường Bến Nghé".into()),
        signing_time: TIME.into(),
        doc_number: Some("12/QĐ-UBND".into()),
        issued_date: Some("25/11/2026".into()),
        reason: None,
        image: None,
        seal: None,
        font: FONT,
    }
}

/// What a reader sees of a built appearance.
struct Built {
    sink: VecSink,
    form: ObjectId,
}

/// A `BT … Tj ET` line of the content stream.
#[derive(Debug)]
struct Shown {
    size: f64,
    x: f64,
    cids: Vec<u16>,
}

impl Built {
    fn new(spec: &AppearanceSpec<'_>) -> Built {
        let mut sink = VecSink::default();
        let form = build(spec, &mut sink).expect("build");
        Built { sink, form }
    }

    fn form(&self) -> &Stream {
        self.sink.stream(self.form)
    }

    fn content(&self) -> String {
        String::from_utf8(self.form().data.clone()).unwrap()
    }

    fn resources(&self) -> &Dictionary {
        self.sink
            .entry(&self.form().dict, "Resources")
            .as_dict()
            .unwrap()
    }

    fn type0(&self) -> &Dictionary {
        let fonts = self.sink.entry(self.resources(), "Font").as_dict().unwrap();
        self.sink.entry(fonts, "F1").as_dict().unwrap()
    }

    fn cid_font(&self) -> &Dictionary {
        let descendants = self.sink.entry(self.type0(), "DescendantFonts");
        self.sink
            .deref(&descendants.as_array().unwrap()[0])
            .as_dict()
            .unwrap()
    }

    fn descriptor(&self) -> &Dictionary {
        self.sink
            .entry(self.cid_font(), "FontDescriptor")
            .as_dict()
            .unwrap()
    }

    fn font_program(&self) -> Vec<u8> {
        let file = self.descriptor().get(b"FontFile2").unwrap();
        let stream = self.sink.stream(file.as_reference().unwrap());
        assert_eq!(stream.dict.name(b"Filter"), Some(&b"FlateDecode"[..]));
        let data = decompress_to_vec_zlib(&stream.data).unwrap();
        assert_eq!(
            stream.dict.get(b"Length1").and_then(Object::as_i64),
            Some(data.len() as i64)
        );
        data
    }

    /// The `/ToUnicode` bfchar entries, parsed.
    fn to_unicode(&self) -> BTreeMap<u16, String> {
        let id = self
            .type0()
            .get(b"ToUnicode")
            .unwrap()
            .as_reference()
            .unwrap();
        let cmap = String::from_utf8(self.sink.stream(id).data.clone()).unwrap();
        let mut map = BTreeMap::new();
        let mut in_block = false;
        for line in cmap.lines() {
            if line.ends_with("beginbfchar") {
                in_block = true;
            } else if line == "endbfchar" {
                in_block = false;
            } else if in_block {
                let hexes: Vec<&str> = line
                    .split(['<', '>'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect();
                assert_eq!(hexes.len(), 2, "{line}");
                let cid = u16::from_str_radix(hexes[0], 16).unwrap();
                let units: Vec<u16> = (0..hexes[1].len() / 4)
                    .map(|i| u16::from_str_radix(&hexes[1][4 * i..4 * i + 4], 16).unwrap())
                    .collect();
                assert!(map
                    .insert(cid, String::from_utf16(&units).unwrap())
                    .is_none());
            }
        }
        map
    }

    /// The `/W` array as CID → width.
    fn widths(&self) -> BTreeMap<u16, f64> {
        let w = self.sink.entry(self.cid_font(), "W").as_array().unwrap();
        let mut out = BTreeMap::new();
        let mut i = 0;
        while i < w.len() {
            let first = w[i].as_i64().unwrap() as u16;
            let list = w[i + 1].as_array().unwrap();
            for (k, v) in list.iter().enumerate() {
                out.insert(first + k as u16, v.as_f64().unwrap());
            }
            i += 2;
        }
        out
    }

    fn shown(&self) -> Vec<Shown> {
        self.content()
            .lines()
            .filter(|l| l.contains("Tj"))
            .map(|l| {
                let words: Vec<&str> = l.split_whitespace().collect();
                assert_eq!(&words[..2], ["BT", "/F1"], "{l}");
                assert_eq!(words[3], "Tf");
                assert_eq!(words[6], "Td");
                assert_eq!(&words[8..], ["Tj", "ET"]);
                let hex = words[7].trim_start_matches('<').trim_end_matches('>');
                assert_eq!(hex.len() % 4, 0);
                Shown {
                    size: words[2].parse().unwrap(),
                    x: words[4].parse().unwrap(),
                    cids: (0..hex.len() / 4)
                        .map(|i| u16::from_str_radix(&hex[4 * i..4 * i + 4], 16).unwrap())
                        .collect(),
                }
            })
            .collect()
    }

    /// The text lines as a reader extracts them through /ToUnicode.
    fn text(&self) -> Vec<String> {
        let map = self.to_unicode();
        self.shown()
            .iter()
            .map(|s| {
                s.cids
                    .iter()
                    .map(|c| map.get(c).map_or("\u{FFFD}", String::as_str))
                    .collect()
            })
            .collect()
    }

    /// Every image XObject of the form's resources.
    fn images(&self) -> Vec<(String, &Stream)> {
        let Some(x) = self.resources().get(b"XObject") else {
            return Vec::new();
        };
        x.as_dict()
            .unwrap()
            .iter()
            .map(|(k, v)| {
                let id = v.as_reference().unwrap();
                (String::from_utf8(k.to_vec()).unwrap(), self.sink.stream(id))
            })
            .collect()
    }
}

fn rgba_png() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let (w, h) = (4u32, 3u32);
    let mut rgba = Vec::new();
    let mut rgb = Vec::new();
    let mut alpha = Vec::new();
    for i in 0..w * h {
        let px = [0, 0, 100 + 10 * i as u8, 20 * i as u8 + 3];
        rgba.extend_from_slice(&px);
        rgb.extend_from_slice(&px[..3]);
        alpha.push(px[3]);
    }
    let png = encode_png(w, h, ColorType::Rgba, BitDepth::Eight, &rgba);
    (png, rgb, alpha)
}

#[test]
fn every_role_builds_a_form_with_its_lines() {
    let expected = [
        (
            Role::Approved,
            vec![NAME.to_string(), format!("Ký số: {TIME}")],
        ),
        (
            Role::Issued,
            vec![
                "Ủy ban nhân dân phường Bến Nghé".into(),
                "Số: 12/QĐ-UBND".into(),
                "Ngày: 25/11/2026".into(),
                format!("Ký số: {TIME}"),
            ],
        ),
        (
            Role::Copy,
            vec![
                "Ủy ban nhân dân phường Bến Nghé".into(),
                "Số: 12/QĐ-UBND".into(),
                TIME.into(),
            ],
        ),
        (
            Role::Appendix,
            vec![
                "Ủy ban nhân dân phường Bến Nghé".into(),
                "Số: 12/QĐ-UBND".into(),
                TIME.into(),
            ],
        ),
        (
            Role::Incoming,
            vec![
                "ĐẾN".into(),
                "Số: 12/QĐ-UBND".into(),
                "Ngày: 25/11/2026".into(),
                "Ủy ban nhân dân phường Bến Nghé".into(),
            ],
        ),
    ];
    for (role, lines) in expected {
        let mut s = spec(role);
        s.width = 220.0;
        s.height = 70.5;
        let built = Built::new(&s);
        let form = built.form();
        assert_eq!(form.dict.name(b"Type"), Some(&b"XObject"[..]));
        assert_eq!(form.dict.name(b"Subtype"), Some(&b"Form"[..]));
        let bbox: Vec<f64> = form
            .dict
            .get(b"BBox")
            .and_then(Object::as_array)
            .unwrap()
            .iter()
            .map(|o| o.as_f64().unwrap())
            .collect();
        assert_eq!(bbox, [0.0, 0.0, 220.0, 70.5], "{role:?}");
        let content = built.content();
        assert_eq!(
            content.matches(" Tj").count(),
            lines.len(),
            "{role:?}\n{content}"
        );
        assert_eq!(built.text(), lines, "{role:?}");
        // The form object is the last one added and refers only to earlier ones.
        assert_eq!(built.form.number as usize, built.sink.0.len());

        let border = match role {
            Role::Copy | Role::Appendix => Some("0.8 0 0 RG"),
            Role::Incoming => Some("0 0 0.8 RG"),
            _ => None,
        };
        match border {
            Some(colour) => {
                assert!(content.contains(colour), "{role:?}: {content}");
                assert!(content.contains(" re S"), "{role:?}");
            }
            None => assert!(!content.contains(" RG"), "{role:?}"),
        }
        assert!(built.images().is_empty(), "{role:?}");
    }
}

#[test]
fn to_unicode_gives_back_the_vietnamese_text() {
    let mut s = spec(Role::Approved);
    s.reason = Some("Phê duyệt".into());
    let built = Built::new(&s);
    let text = built.text();
    assert_eq!(text, [NAME, &format!("Ký số: {TIME}"), "Lý do: Phê duyệt"]);
    // Each character of the name has its own CID, and the CIDs are what the
    // CMap says.
    let shown = built.shown();
    assert_eq!(shown[0].cids.len(), NAME.chars().count());
    let map = built.to_unicode();
    for (cid, c) in shown[0].cids.iter().zip(NAME.chars()) {
        assert_eq!(map[cid], c.to_string());
    }
}

#[test]
fn font_is_a_complete_type0_subset() {
    const NEEDED: &str = "Nguyễn Thị Ánh, Ủy ban nhân dân, ỹ ự ữ ặ";
    let mut s = spec(Role::Approved);
    s.width = 400.0;
    s.signer_name = NEEDED.into();
    let built = Built::new(&s);
    assert_eq!(built.text()[0], NEEDED);

    let type0 = built.type0();
    assert_eq!(type0.name(b"Subtype"), Some(&b"Type0"[..]));
    assert_eq!(type0.name(b"Encoding"), Some(&b"Identity-H"[..]));
    let base = std::str::from_utf8(type0.name(b"BaseFont").unwrap()).unwrap();
    let (tag, name) = base.split_once('+').unwrap();
    assert_eq!(name, "LiberationSerif");
    assert!(
        tag.len() == 6 && tag.bytes().all(|b| b.is_ascii_uppercase()),
        "{tag}"
    );

    let cid_font = built.cid_font();
    assert_eq!(cid_font.name(b"Subtype"), Some(&b"CIDFontType2"[..]));
    assert_eq!(cid_font.name(b"CIDToGIDMap"), Some(&b"Identity"[..]));
    let info = built
        .sink
        .entry(cid_font, "CIDSystemInfo")
        .as_dict()
        .unwrap();
    assert_eq!(
        info.get(b"Registry").unwrap().as_bytes(),
        Some(&b"Adobe"[..])
    );
    assert_eq!(
        info.get(b"Ordering").unwrap().as_bytes(),
        Some(&b"Identity"[..])
    );

    let descriptor = built.descriptor();
    assert_eq!(descriptor.name(b"FontName"), Some(base.as_bytes()));
    for key in [
        "FontBBox",
        "ItalicAngle",
        "Ascent",
        "Descent",
        "CapHeight",
        "StemV",
        "Flags",
    ] {
        assert!(descriptor.get(key.as_bytes()).is_some(), "{key}");
    }

    let full = ttf_parser::Face::parse(FONT, 0).unwrap();
    let program = built.font_program();
    let sub = ttf_parser::Face::parse(&program, 0).expect("subset parses");
    // Glyph ids are kept (CIDs are the full font's glyph ids); the glyphs
    // not used are empty.
    assert_eq!(sub.number_of_glyphs(), full.number_of_glyphs());
    assert_eq!(sub.units_per_em(), full.units_per_em());
    assert!(program.len() * 100 < FONT.len() * 15, "{}", program.len());
    let drawn = (0..sub.number_of_glyphs())
        .filter(|&g| sub.glyph_bounding_box(ttf_parser::GlyphId(g)).is_some())
        .count();
    assert!(drawn < 80, "{drawn} glyphs have outlines");
    for c in ['Q', 'Z', 'ø', 'ж'] {
        let g = full.glyph_index(c).unwrap();
        assert!(full.glyph_bounding_box(g).is_some());
        assert!(sub.glyph_bounding_box(g).is_none(), "{c:?} was not used");
    }

    let map = built.to_unicode();
    let widths = built.widths();
    let upem = f64::from(full.units_per_em());
    for c in NEEDED.chars() {
        let cid = *map
            .iter()
            .find(|(_, t)| **t == c.to_string())
            .unwrap_or_else(|| panic!("{c:?} has no CID"))
            .0;
        let old = full.glyph_index(c).unwrap();
        let new = ttf_parser::GlyphId(cid);
        assert_eq!(new, old, "{c:?}: the CID is the glyph id");
        // Same outline and advance as in the full font.
        assert_eq!(
            sub.glyph_bounding_box(new),
            full.glyph_bounding_box(old),
            "{c:?}"
        );
        assert_eq!(
            sub.glyph_hor_advance(new),
            full.glyph_hor_advance(old),
            "{c:?}"
        );
        if c != ' ' {
            assert!(
                sub.glyph_bounding_box(new).is_some(),
                "{c:?} has no outline"
            );
        }
        let expected = f64::from(full.glyph_hor_advance(old).unwrap()) * 1000.0 / upem;
        assert!((widths[&cid] - expected).abs() < 0.001, "{c:?}");
    }
}

#[test]
fn rgba_signature_gets_an_smask_with_its_alpha() {
    let (png, rgb, alpha) = rgba_png();
    let mut s = spec(Role::Approved);
    s.image = Some(&png);
    let built = Built::new(&s);

    let images = built.images();
    assert_eq!(images.len(), 1);
    let (name, image) = &images[0];
    assert!(built.content().contains(&format!("/{name} Do")));
    let d = &image.dict;
    assert_eq!(d.name(b"Subtype"), Some(&b"Image"[..]));
    assert_eq!(d.name(b"ColorSpace"), Some(&b"DeviceRGB"[..]));
    assert_eq!(d.get(b"Width").and_then(Object::as_i64), Some(4));
    assert_eq!(d.get(b"Height").and_then(Object::as_i64), Some(3));
    assert_eq!(d.get(b"BitsPerComponent").and_then(Object::as_i64), Some(8));
    assert_eq!(d.name(b"Filter"), Some(&b"FlateDecode"[..]));
    assert_eq!(decompress_to_vec_zlib(&image.data).unwrap(), rgb);

    let smask = built
        .sink
        .stream(d.get(b"SMask").unwrap().as_reference().unwrap());
    assert_eq!(smask.dict.name(b"ColorSpace"), Some(&b"DeviceGray"[..]));
    assert_eq!(smask.dict.get(b"Width").and_then(Object::as_i64), Some(4));
    assert_eq!(decompress_to_vec_zlib(&smask.data).unwrap(), alpha);

    // The image sits above the text, within the box, keeping its 4:3 ratio.
    let cm = image_matrix(&built.content(), "Do Q");
    let (w, h, x, y) = (cm[0], cm[3], cm[4], cm[5]);
    assert!((w / h - 4.0 / 3.0).abs() < 0.01, "{cm:?}");
    assert!(
        x >= 0.0 && y >= 0.0 && x + w <= 180.0 + 1e-6 && y + h <= 80.0 + 1e-6,
        "{cm:?}"
    );
    assert!(y > 20.0, "image should be above two text lines: {cm:?}");
    assert_eq!(built.text(), [NAME.to_string(), format!("Ký số: {TIME}")]);
}

/// The `cm` matrix of the `q … cm /ImN Do Q` line ending in `ends`: where
/// and how large an image is drawn.
fn image_matrix(content: &str, ends: &str) -> Vec<f64> {
    content
        .lines()
        .find(|l| l.ends_with(ends))
        .unwrap_or_else(|| panic!("no image drawn with {ends}: {content}"))
        .split_whitespace()
        .skip(1)
        .take(6)
        .map(|v| v.parse().unwrap())
        .collect()
}

#[test]
fn issued_with_a_seal_shows_the_seal_alone() {
    let (png, _, _) = rgba_png();
    let mut s = spec(Role::Issued);
    s.width = 90.0;
    s.height = 90.0;
    s.seal = Some(&png);
    s.image = Some(b"not used by issued");
    let built = Built::new(&s);
    assert_eq!(built.images().len(), 1);
    let content = built.content();
    let cm = image_matrix(&content, "/Im2 Do Q");
    // A 4:3 seal fitted into the 90 pt square.
    let (w, h) = (cm[0], cm[3]);
    assert!((w - 90.0).abs() < 0.01 && (h - 67.5).abs() < 0.01, "{cm:?}");
    // Decree 30: no text over the leader's signature.
    assert!(built.shown().is_empty());

    // Without a seal image the organisation's details are written instead.
    let mut s = spec(Role::Issued);
    s.image = None;
    assert_eq!(Built::new(&s).shown().len(), 4);
}

#[test]
fn bad_input_is_an_error_and_adds_nothing() {
    let (good, _, _) = rgba_png();
    let mut cases: Vec<(AppearanceSpec<'_>, &str)> = Vec::new();

    let corrupt: Vec<&[u8]> = vec![b"", b"\x89PNG\r\n\x1a\n", &good[..good.len() / 2], b"JFIF"];
    for png in &corrupt {
        let mut s = spec(Role::Approved);
        s.image = Some(png);
        cases.push((s, "signature image: "));
        let mut s = spec(Role::Issued);
        s.seal = Some(png);
        cases.push((s, "seal image: "));
    }
    let mut s = spec(Role::Copy);
    s.font = b"\0\x01\0\0 truncated";
    cases.push((s, "signature font: "));

    for (s, prefix) in &cases {
        let mut sink = VecSink::default();
        match build(s, &mut sink) {
            Err(Error::Malformed(m)) => assert!(m.starts_with(prefix), "{m}"),
            other => panic!("{:?}: {other:?}", s.role),
        }
        assert!(sink.0.is_empty());
    }

    for (w, h) in [
        (0.0, 80.0),
        (180.0, -1.0),
        (f64::NAN, 80.0),
        (f64::INFINITY, 80.0),
    ] {
        let mut s = spec(Role::Approved);
        s.width = w;
        s.height = h;
        let mut sink = VecSink::default();
        assert!(matches!(build(&s, &mut sink), Err(Error::InvalidValue(_))));
        assert!(sink.0.is_empty());
    }
}

#[test]
fn long_lines_shrink_then_get_cut() {
    let font = ttf_parser::Face::parse(FONT, 0).unwrap();
    let upem = f64::from(font.units_per_em());
    let ellipsis = font.glyph_index('…').unwrap();

    // Slightly too long: shrinks below 10 pt, nothing cut.
    let mut s = spec(Role::Copy);
    s.width = 150.0;
    let built = Built::new(&s);
    let shown = built.shown();
    assert!(shown[0].size < 10.0 && shown[0].size >= 6.0, "{shown:?}");
    assert_eq!(built.text()[0], "Ủy ban nhân dân phường Bến Nghé");

    // Far too long: 6 pt and an ellipsis, and every line fits the border.
    s.width = 100.0;
    s.organization = Some("Ủy ban nhân dân phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh".into());
    let built = Built::new(&s);
    let shown = built.shown();
    assert_eq!(shown.len(), 3);
    assert_eq!(shown[0].size, 6.0);
    let first = &built.text()[0];
    assert!(
        first.starts_with("Ủy ban") && first.ends_with('…'),
        "{first}"
    );
    let map = built.to_unicode();
    assert!(map.values().any(|t| t == "…"));
    assert!(font.glyph_hor_advance(ellipsis).is_some());
    let widths = built.widths();
    for line in &shown {
        let width: f64 = line.cids.iter().map(|c| widths[c]).sum::<f64>() * line.size / 1000.0;
        assert!(
            line.x >= 4.0 && line.x + width <= 100.0 - 4.0 + 1e-6,
            "{line:?} {width}"
        );
    }
    let _ = upem;
}

#[test]
fn too_many_lines_for_the_height_are_dropped() {
    let mut s = spec(Role::Incoming);
    s.height = 24.0;
    let built = Built::new(&s);
    // 16 pt inside the border holds two 6 pt lines (7.2 pt each).
    assert_eq!(built.text(), ["ĐẾN", "Số: 12/QĐ-UBND"]);
}

#[test]
fn missing_glyphs_use_notdef_without_panicking() {
    let mut s = spec(Role::Approved);
    s.signer_name = "漢字 Ánh\u{7}".into();
    s.signing_time = String::new();
    let built = Built::new(&s);
    let shown = built.shown();
    // The two CJK characters are .notdef; the bell became a space and was trimmed.
    assert_eq!(&shown[0].cids[..2], [0, 0]);
    assert_eq!(shown[0].cids.len(), "漢字 Ánh".chars().count());
    assert!(!built.to_unicode().contains_key(&0));
    assert_eq!(built.text()[1], "Ký số:");
}

#[test]
fn empty_text_embeds_no_font() {
    let mut s = spec(Role::Copy);
    s.organization = None;
    s.doc_number = Some("   ".into());
    s.signing_time = " ".into();
    let mut sink = VecSink::default();
    let id = build(&s, &mut sink).unwrap();
    assert_eq!(sink.0.len(), 1);
    let form = sink.stream(id);
    assert!(form
        .dict
        .get(b"Resources")
        .unwrap()
        .as_dict()
        .unwrap()
        .is_empty());
    assert!(!String::from_utf8_lossy(&form.data).contains("Tj"));
}

#[test]
fn output_is_deterministic() {
    let (png, _, _) = rgba_png();
    let mut s = spec(Role::Approved);
    s.image = Some(&png);
    let a = Built::new(&s);
    let b = Built::new(&s);
    assert_eq!(a.sink.0, b.sink.0);
    // A different glyph set gets a different subset tag.
    s.signer_name = "Trần Văn Bình".into();
    let c = Built::new(&s);
    assert_ne!(a.type0().get(b"BaseFont"), c.type0().get(b"BaseFont"));
}

#[test]
fn roles_parse_and_place() {
    for role in [
        Role::Approved,
        Role::Issued,
        Role::Copy,
        Role::Appendix,
        Role::Incoming,
    ] {
        assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
    }
    assert_eq!("Issued".parse::<Role>().unwrap(), Role::Issued);
    assert!(matches!(
        "seal".parse::<Role>(),
        Err(Error::InvalidValue(_))
    ));

    let (w, h) = (595.0, 842.0);
    assert_eq!(
        Role::Approved.default_rect(w, h),
        [343.0, 120.0, 180.0, 80.0]
    );
    // The seal square covers the left third of the leader's signature.
    let [ax, _, aw, _] = Role::Approved.default_rect(w, h);
    let [ix, _, iw, ih] = Role::Issued.default_rect(w, h);
    assert_eq!(iw, ih);
    assert!(ix < ax && ((ix + iw - ax) - aw / 3.0).abs() < 0.01);
    assert_eq!(Role::Copy.default_rect(w, h), [339.0, 736.0, 220.0, 70.0]);
    assert_eq!(
        Role::Appendix.default_rect(w, h),
        [339.0, 736.0, 220.0, 70.0]
    );
    assert_eq!(
        Role::Incoming.default_rect(w, h),
        [36.0, 736.0, 200.0, 70.0]
    );
}

/// Assembles a one-page PDF showing every role, so the objects can be checked
/// with real readers:
/// `KYSO_APPEARANCE_PDF=/tmp/a.pdf cargo test -p kyso-core --test pdf_appearance`
/// then `pdftoppm -png /tmp/a.pdf` / `pdftotext /tmp/a.pdf -`.
#[test]
fn all_roles_serialise_into_a_pdf() {
    let (png, _, _) = rgba_png();
    let mut sink = VecSink::default();
    let mut page_content = String::new();
    let mut xobjects = Dictionary::new();
    let (page_w, page_h) = (595.0, 842.0);
    for (i, role) in [Role::Approved, Role::Issued, Role::Copy, Role::Incoming]
        .into_iter()
        .enumerate()
    {
        let [x, y, w, h] = role.default_rect(page_w, page_h);
        let mut s = spec(role);
        s.width = w;
        s.height = h;
        s.image = Some(&png);
        s.seal = Some(&png);
        // Move the seal below the signature so both are visible.
        let y = if role == Role::Issued { y - 100.0 } else { y };
        let id = build(&s, &mut sink).unwrap();
        xobjects.set(format!("Fm{i}").as_bytes(), id);
        page_content.push_str(&format!("q 1 0 0 1 {x} {y} cm /Fm{i} Do Q\n"));
    }
    let content = sink.add(
        Stream {
            dict: Dictionary::new(),
            data: page_content.into_bytes(),
        }
        .into(),
    );
    let pages_id = ObjectId::new(sink.0.len() as u32 + 2, 0);
    let page = sink.add(
        Dictionary::new()
            .with(b"Type", Object::name("Page"))
            .with(b"Parent", pages_id)
            .with(
                b"MediaBox",
                vec![
                    0.into(),
                    0.into(),
                    Object::Real(page_w),
                    Object::Real(page_h),
                ],
            )
            .with(b"Resources", Dictionary::new().with(b"XObject", xobjects))
            .with(b"Contents", content)
            .into(),
    );
    let pages = sink.add(
        Dictionary::new()
            .with(b"Type", Object::name("Pages"))
            .with(b"Kids", vec![Object::Reference(page)])
            .with(b"Count", 1)
            .into(),
    );
    assert_eq!(pages, pages_id);
    let catalog = sink.add(
        Dictionary::new()
            .with(b"Type", Object::name("Catalog"))
            .with(b"Pages", pages)
            .into(),
    );

    let mut w = PdfWriter::new();
    for (i, object) in sink.0.iter().enumerate() {
        w.object(ObjectId::new(i as u32 + 1, 0), object);
    }
    let mut entries = w.written();
    entries.push((0, At::Free(65535)));
    w.table(&entries, &format!("/Root {} 0 R", catalog.number));
    let pdf = w.out;
    // Kyso reads back what it would sign.
    let doc = Document::open(&pdf).unwrap();
    assert_eq!(doc.pages().unwrap(), vec![page]);
    // Three forms with text, each with its own font subset (the issued one
    // is the seal alone).
    assert_eq!(
        pdf.windows(b"/Subtype /Type0".len())
            .filter(|w| w == b"/Subtype /Type0")
            .count(),
        3
    );
    if let Some(path) = std::env::var_os("KYSO_APPEARANCE_PDF") {
        std::fs::write(path, &pdf).unwrap();
    }
}
