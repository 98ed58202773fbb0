//! Where text, images and borders go inside the widget box for each role of
//! Decree 30/2020 Appendix I. Pure geometry in PDF points, origin bottom-left;
//! text is measured with the embedded font's own advances.

use super::font::FontFace;
use super::role::Role;
use super::spec::AppearanceSpec;

/// Baseline-to-baseline distance as a multiple of the font size.
pub(crate) const LEADING: f64 = 1.2;
/// Times New Roman 10 pt is what the Decree's samples use.
pub(crate) const MAX_SIZE: f64 = 10.0;
/// Below 6 pt printed stamps stop being legible; cut lines instead.
pub(crate) const MIN_SIZE: f64 = 6.0;
/// Inner margin between the box edge (or border) and its content.
const PADDING: f64 = 2.0;
const BORDER_PADDING: f64 = 4.0;

const RED: [f64; 3] = [0.8, 0.0, 0.0];
const BLUE: [f64; 3] = [0.0, 0.0, 0.8];

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Rect {
    pub(crate) x: f64,
    pub(crate) y: f64,
    pub(crate) w: f64,
    pub(crate) h: f64,
}

impl Rect {
    fn new(x: f64, y: f64, w: f64, h: f64) -> Self {
        Rect { x, y, w, h }
    }

    fn inset(self, by: f64) -> Self {
        Rect::new(
            self.x + by,
            self.y + by,
            self.w - 2.0 * by,
            self.h - 2.0 * by,
        )
    }

    /// The largest rectangle of the given width/height ratio centred in self.
    fn fit_aspect(self, aspect: f64) -> Self {
        let w = self.w.min(self.h * aspect).max(0.0);
        let h = if aspect > 0.0 { w / aspect } else { 0.0 };
        Rect::new(
            self.x + (self.w - w) / 2.0,
            self.y + (self.h - h) / 2.0,
            w,
            h,
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
}

/// One line of text, ready for `Td`: (x, y) is the start of the baseline.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PlacedLine {
    pub(crate) text: String,
    pub(crate) size: f64,
    pub(crate) x: f64,
    pub(crate) y: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ImageSlot {
    /// The leader's handwritten signature.
    Signature,
    /// The organisation's seal.
    Seal,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct PlacedImage {
    pub(crate) slot: ImageSlot,
    pub(crate) rect: Rect,
}

/// Everything to draw, in drawing order: border, images, text.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// Stroke colour of a border rectangle along the box edge.
    pub(crate) border: Option<[f64; 3]>,
    pub(crate) images: Vec<PlacedImage>,
    pub(crate) lines: Vec<PlacedLine>,
}

/// The text lines of a role, in reading order, empty ones left out.
pub(crate) fn role_lines(spec: &AppearanceSpec<'_>) -> Vec<String> {
    fn given(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    let org = given(&spec.organization).map(str::to_owned);
    let number = given(&spec.doc_number).map(|n| format!("Số: {n}"));
    let date = given(&spec.issued_date).map(|d| format!("Ngày: {d}"));
    let signed = format!("Ký số: {}", spec.signing_time.trim());
    let lines: Vec<Option<String>> = match spec.role {
        Role::Approved => vec![
            Some(spec.signer_name.trim().to_owned()),
            Some(signed),
            given(&spec.reason).map(|r| format!("Lý do: {r}")),
        ],
        Role::Issued => vec![org, number, date, Some(signed)],
        Role::Copy | Role::Appendix => vec![org, number, Some(spec.signing_time.trim().to_owned())],
        Role::Incoming => vec![Some("ĐẾN".to_owned()), number, date, org],
    };
    lines
        .into_iter()
        .flatten()
        .map(|l| clean(&l))
        .filter(|l| !l.is_empty())
        .collect()
}

/// Control characters would be drawn as .notdef boxes (and a newline would
/// not break the line anyway).
fn clean(line: &str) -> String {
    line.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Lays out the box `width` x `height` for `spec.role`. `signature` and
/// `seal` are the aspect ratios of the images that will be drawn, if any.
pub(crate) fn plan(
    spec: &AppearanceSpec<'_>,
    font: &FontFace<'_>,
    signature: Option<f64>,
    seal: Option<f64>,
) -> Plan {
    let bounds = Rect::new(0.0, 0.0, spec.width, spec.height);
    let lines = role_lines(spec);
    let mut plan = Plan::default();
    match spec.role {
        Role::Approved => {
            let inner = bounds.inset(PADDING);
            match signature {
                Some(aspect) => {
                    // The text keeps at most half the height; the image takes
                    // whatever the text leaves.
                    let fitted = fit(font, lines, inner.w, inner.h / 2.0);
                    let text_h = fitted.height();
                    let text = Rect::new(inner.x, inner.y, inner.w, text_h);
                    let picture = Rect::new(inner.x, inner.y + text_h, inner.w, inner.h - text_h);
                    plan.images.push(PlacedImage {
                        slot: ImageSlot::Signature,
                        rect: picture.fit_aspect(aspect),
                    });
                    plan.lines = place(font, fitted, text, Align::Center);
                }
                None => {
                    let fitted = fit(font, lines, inner.w, inner.h);
                    plan.lines = place(font, fitted, inner, Align::Center);
                }
            }
        }
        Role::Issued => match seal {
            // Decree 30: on the issued document the organisation's signature
            // shows as its seal alone, covering the left third of the
            // leader's signature; number and date are in the document's own
            // header and in the signature dictionary.
            Some(aspect) => plan.images.push(PlacedImage {
                slot: ImageSlot::Seal,
                rect: bounds.fit_aspect(aspect),
            }),
            None => {
                let text = bounds.inset(PADDING);
                let fitted = fit(font, lines, text.w, text.h);
                plan.lines = place(font, fitted, text, Align::Left);
            }
        },
        Role::Copy | Role::Appendix | Role::Incoming => {
            let (colour, align) = if spec.role == Role::Incoming {
                (BLUE, Align::Center)
            } else {
                (RED, Align::Left)
            };
            plan.border = Some(colour);
            let inner = bounds.inset(BORDER_PADDING);
            let fitted = fit(font, lines, inner.w, inner.h);
            plan.lines = place(font, fitted, inner, align);
        }
    }
    plan
}

/// Lines at a common size that fit a width.
#[derive(Debug)]
pub(crate) struct Fitted {
    pub(crate) size: f64,
    pub(crate) lines: Vec<String>,
}

impl Fitted {
    fn height(&self) -> f64 {
        self.lines.len() as f64 * self.size * LEADING
    }
}

/// Picks the largest size from [`MAX_SIZE`] down to [`MIN_SIZE`] at which
/// every line fits `width` and all lines fit `height`; at the minimum, lines
/// still too wide are cut with "…" and lines below the box are dropped.
pub(crate) fn fit(font: &FontFace<'_>, lines: Vec<String>, width: f64, height: f64) -> Fitted {
    if lines.is_empty() || width <= 0.0 || height <= 0.0 {
        return Fitted {
            size: MAX_SIZE,
            lines: Vec::new(),
        };
    }
    let widest = lines.iter().map(|l| font.width_em(l)).fold(0.0, f64::max);
    let mut size = MAX_SIZE.min(height / (lines.len() as f64 * LEADING));
    if widest > 0.0 {
        size = size.min(width / widest);
    }
    // Tenths of a point keep the content stream short; rounding down keeps
    // the fit.
    let size = ((size * 10.0).floor() / 10.0).clamp(MIN_SIZE, MAX_SIZE);

    // Keep at least one line: a tiny box clips it, which beats an empty stamp.
    let capacity = ((height / (size * LEADING)).floor() as usize).max(1);
    let max_em = width / size;
    let lines = lines
        .into_iter()
        .take(capacity)
        .map(|l| ellipsize(font, &l, max_em))
        .collect();
    Fitted { size, lines }
}

/// Cuts `text` to `max_em` at size 1, ending it with "…".
fn ellipsize(font: &FontFace<'_>, text: &str, max_em: f64) -> String {
    const SLACK: f64 = 1e-9;
    if font.width_em(text) <= max_em + SLACK {
        return text.to_owned();
    }
    let ellipsis = if font.has_glyph('…') { "…" } else { "..." };
    let budget = max_em - font.width_em(ellipsis);
    if budget < -SLACK {
        return String::new();
    }
    let mut used = 0.0;
    let mut out = String::new();
    for c in text.chars() {
        let w = font.char_width_em(c);
        if used + w > budget + SLACK {
            break;
        }
        used += w;
        out.push(c);
    }
    let mut out = out.trim_end().to_owned();
    out.push_str(ellipsis);
    out
}

/// Stacks `fitted` vertically centred in `area`.
pub(crate) fn place(
    font: &FontFace<'_>,
    fitted: Fitted,
    area: Rect,
    align: Align,
) -> Vec<PlacedLine> {
    let size = fitted.size;
    let lead = size * LEADING;
    let top = area.y + area.h / 2.0 + fitted.height() / 2.0;
    // Centre the glyphs' ascent-to-descent band inside each line's slot.
    let glyph_band = (font.ascent_em() - font.descent_em()) * size;
    let to_baseline = (lead - glyph_band) / 2.0 + font.ascent_em() * size;
    fitted
        .lines
        .into_iter()
        .enumerate()
        .filter(|(_, text)| !text.is_empty())
        .map(|(i, text)| {
            let width = font.width_em(&text) * size;
            let x = match align {
                Align::Left => area.x,
                Align::Center => area.x + ((area.w - width) / 2.0).max(0.0),
            };
            PlacedLine {
                y: top - i as f64 * lead - to_baseline,
                x,
                size,
                text,
            }
        })
        .collect()
}
