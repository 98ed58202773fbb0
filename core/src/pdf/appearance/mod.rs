//! Visible signature appearances (Decree 30/2020 Appendix I).
//!
//! [`build`] turns an [`AppearanceSpec`] into a Form XObject for a signature
//! widget's `/AP << /N … >>`: the leader's signature image, the organisation's
//! seal or a bordered text stamp, depending on the [`Role`], with text set in
//! an embedded subset of a Unicode TrueType font so that Vietnamese renders
//! and extracts everywhere.

mod font;
mod image;
mod layout;
mod subset;
#[cfg(test)]
mod tests;

use std::fmt::Write as _;
use std::str::FromStr;

use crate::pdf::object::{Dictionary, Object, ObjectId, ObjectSink, Stream};
use crate::Error;

use self::font::{FontFace, FontSubset};
use self::image::{decode_png, RasterImage};
use self::layout::{ImageSlot, Plan};

/// Liberation Serif Regular (SIL OFL 1.1): metric-compatible with Times New
/// Roman, which Decree 30 prescribes, and covers Vietnamese.
#[cfg(feature = "bundled-font")]
pub const BUNDLED_FONT: &[u8] = include_bytes!("../../../fonts/LiberationSerif-Regular.ttf");

/// Decree 30/2020 Appendix I roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The competent person approves the document: their handwritten
    /// signature image with name and signing time.
    Approved,
    /// The organisation issues the document: its seal beside the leader's
    /// signature, with document number and date.
    Issued,
    /// A copy certified by the organisation: red bordered text stamp.
    Copy,
    /// An appendix or attachment signed by the organisation: like a copy.
    Appendix,
    /// The "ĐẾN" (received) stamp of the receiving organisation.
    Incoming,
}

impl FromStr for Role {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "approved" => Ok(Role::Approved),
            "issued" => Ok(Role::Issued),
            "copy" => Ok(Role::Copy),
            "appendix" => Ok(Role::Appendix),
            "incoming" => Ok(Role::Incoming),
            _ => Err(Error::InvalidValue(
                "role (approved, issued, copy, appendix or incoming)",
            )),
        }
    }
}

impl Role {
    /// The role of a visible signature: the one asked for, else `Issued`
    /// when a seal image is given, else `Approved`.
    pub fn implied(asked: Option<Role>, has_seal: bool) -> Role {
        asked.unwrap_or(if has_seal {
            Role::Issued
        } else {
            Role::Approved
        })
    }

    /// The name accepted by [`Role::from_str`].
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Approved => "approved",
            Role::Issued => "issued",
            Role::Copy => "copy",
            Role::Appendix => "appendix",
            Role::Incoming => "incoming",
        }
    }

    /// The default widget rectangle `[x, y, w, h]` for the role on a page of
    /// the given size (PDF user units, origin bottom-left). The seal of
    /// `Issued` is a 90 pt square over the left third of where the leader's
    /// `Approved` signature goes; copy and appendix stamps sit top right, the
    /// incoming stamp top left. Kept on the page when the page is small.
    pub fn default_rect(self, page_width: f64, page_height: f64) -> [f64; 4] {
        let approved_x = (page_width - 72.0 - 180.0).max(0.0);
        match self {
            Role::Approved => [approved_x, 120.0, 180.0, 80.0],
            Role::Issued => [(approved_x - 30.0).max(0.0), 115.0, 90.0, 90.0],
            Role::Copy | Role::Appendix => [
                (page_width - 36.0 - 220.0).max(0.0),
                (page_height - 36.0 - 70.0).max(0.0),
                220.0,
                70.0,
            ],
            Role::Incoming => [36.0, (page_height - 36.0 - 70.0).max(0.0), 200.0, 70.0],
        }
    }
}

/// What a visible signature shows.
#[derive(Clone, Debug)]
pub struct AppearanceSpec<'a> {
    pub role: Role,
    /// The widget width in points.
    pub width: f64,
    /// The widget height in points.
    pub height: f64,
    /// The signer as shown, e.g. "Nguyễn Thị Ánh".
    pub signer_name: String,
    /// e.g. "Ủy ban nhân dân phường Bến Nghé".
    pub organization: Option<String>,
    /// Already formatted, ISO 8601 with the offset, e.g.
    /// "2026-11-25T15:04:05+07:00".
    pub signing_time: String,
    /// The document's number and symbol, e.g. "12/QĐ-UBND".
    pub doc_number: Option<String>,
    /// e.g. "25/11/2026".
    pub issued_date: Option<String>,
    pub reason: Option<String>,
    /// PNG: the leader's handwritten signature (drawn for `Approved`).
    pub image: Option<&'a [u8]>,
    /// PNG: the organisation's seal (drawn for `Issued`).
    pub seal: Option<&'a [u8]>,
    /// TrueType font bytes (`BUNDLED_FONT` when built with it).
    pub font: &'a [u8],
}

/// Builds the appearance: adds the font (Type0/CIDFontType2, Identity-H,
/// subset, with `/W` and `/ToUnicode`), the images (DeviceRGB with a
/// DeviceGray `/SMask` for transparency) and the Form XObject through `sink`,
/// and returns the Form XObject for the widget's `/AP << /N id >>`.
///
/// Nothing is added to `sink` when an error is returned.
pub fn build(spec: &AppearanceSpec<'_>, sink: &mut dyn ObjectSink) -> Result<ObjectId, Error> {
    let (w, h) = (spec.width, spec.height);
    if !(w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0) {
        return Err(Error::InvalidValue(
            "appearance width and height must be positive",
        ));
    }
    let font = FontFace::parse(spec.font)?;

    // Only the images the role draws are decoded: a seal passed along with
    // an approval is not an error, just unused.
    let signature = match (spec.role, spec.image) {
        (Role::Approved, Some(png)) => Some(decode_png(png, "signature image")?),
        _ => None,
    };
    let seal = match (spec.role, spec.seal) {
        (Role::Issued, Some(png)) => Some(decode_png(png, "seal image")?),
        _ => None,
    };

    let plan = layout::plan(
        spec,
        &font,
        signature.as_ref().map(RasterImage::aspect),
        seal.as_ref().map(RasterImage::aspect),
    );

    let mut subset = FontSubset::new(&font);
    let content = content_stream(&plan, w, h, &mut subset);
    let prepared_font = if subset.is_used() {
        Some(subset.finish()?)
    } else {
        None
    };

    // Everything that can fail is done: from here on objects are added.
    let mut resources = Dictionary::new();
    if let Some(prepared) = prepared_font {
        let font_id = prepared.add_to(sink);
        resources.set(b"Font", Dictionary::new().with(b"F1", font_id));
    }
    let mut xobjects = Dictionary::new();
    for (slot, image) in [(ImageSlot::Signature, &signature), (ImageSlot::Seal, &seal)] {
        if let Some(image) = image {
            xobjects.set(image_name(slot).as_bytes(), image.add_to(sink));
        }
    }
    if !xobjects.is_empty() {
        resources.set(b"XObject", xobjects);
    }

    let form = Stream {
        dict: Dictionary::new()
            .with(b"Type", Object::name("XObject"))
            .with(b"Subtype", Object::name("Form"))
            .with(b"FormType", 1)
            .with(
                b"BBox",
                vec![
                    Object::Integer(0),
                    Object::Integer(0),
                    Object::Real(w),
                    Object::Real(h),
                ],
            )
            .with(b"Resources", resources),
        data: content,
    };
    Ok(sink.add(form.into()))
}

fn image_name(slot: ImageSlot) -> &'static str {
    match slot {
        ImageSlot::Signature => "Im1",
        ImageSlot::Seal => "Im2",
    }
}

/// The form's content: clipped to the box, then border, images and text.
fn content_stream(plan: &Plan, w: f64, h: f64, subset: &mut FontSubset<'_, '_>) -> Vec<u8> {
    let mut s = String::new();
    // Readers clip to /BBox too, but not all of them honour it for widgets.
    let _ = writeln!(s, "q\n0 0 {} {} re W n", num(w), num(h));
    if let Some([r, g, b]) = plan.border {
        let _ = writeln!(
            s,
            "q {} {} {} RG 1 w 0.5 0.5 {} {} re S Q",
            num(r),
            num(g),
            num(b),
            num(w - 1.0),
            num(h - 1.0)
        );
    }
    for image in &plan.images {
        let r = image.rect;
        let _ = writeln!(
            s,
            "q {} 0 0 {} {} {} cm /{} Do Q",
            num(r.w),
            num(r.h),
            num(r.x),
            num(r.y),
            image_name(image.slot)
        );
    }
    if !plan.lines.is_empty() {
        s.push_str("0 g\n");
    }
    for line in &plan.lines {
        let mut hex = String::with_capacity(line.text.len() * 4);
        for byte in subset.encode(&line.text) {
            let _ = write!(hex, "{byte:02X}");
        }
        let _ = writeln!(
            s,
            "BT /F1 {} Tf {} {} Td <{hex}> Tj ET",
            num(line.size),
            num(line.x),
            num(line.y)
        );
    }
    s.push_str("Q\n");
    s.into_bytes()
}

/// A content-stream number: no exponent, at most three decimals.
fn num(v: f64) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    match s {
        "" | "-0" => "0".into(),
        s => s.into(),
    }
}
