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
mod role;
mod spec;
mod subset;

use std::fmt::Write as _;

use crate::pdf::object::{Dictionary, Object, ObjectId, ObjectSink, Stream};
use crate::Error;

use self::font::{FontFace, FontSubset};
use self::image::{decode_png, RasterImage};
use self::layout::{ImageSlot, Plan};

pub use self::role::Role;
pub use self::spec::AppearanceSpec;

/// Liberation Serif Regular (SIL OFL 1.1): metric-compatible with Times New
/// Roman, which Decree 30 prescribes, and covers Vietnamese.
#[cfg(feature = "bundled-font")]
pub const BUNDLED_FONT: &[u8] = include_bytes!("../../../fonts/LiberationSerif-Regular.ttf");

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
