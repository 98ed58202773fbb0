//! The signature fields of a document's form (ISO 32000-2 §12.7.5.5):
//! every field whose type is /Sig and which has a value, found through the
//! field tree with inherited /FT, each signature dictionary once.

use std::collections::HashSet;

use super::document::Document;
use super::error::PdfError;
use super::object::{Dictionary, Object, ObjectId};

/// Signature fields with a value: (name, signature dictionary id, dictionary).
pub(crate) fn signature_fields(
    doc: &Document<'_>,
) -> Result<Vec<(String, ObjectId, Dictionary)>, PdfError> {
    let (_, catalog) = doc.catalog()?;
    let acroform = doc.get_in(&catalog, b"AcroForm")?;
    let Some(acroform) = acroform.as_dict() else {
        return Ok(Vec::new());
    };
    let fields = doc.get_in(acroform, b"Fields")?;
    let mut stack: Vec<(Object, String, Option<Vec<u8>>)> = fields
        .as_array()
        .unwrap_or_default()
        .iter()
        .rev()
        .map(|f| (f.clone(), String::new(), None))
        .collect();
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    let mut found_ids = HashSet::new();
    while let Some((field, prefix, inherited_ft)) = stack.pop() {
        if let Object::Reference(r) = field {
            if !seen.insert(r) || seen.len() > 100_000 {
                continue;
            }
        }
        let field = doc.resolve(&field)?;
        let Some(dict) = field.as_dict() else {
            continue;
        };
        let partial = dict.get(b"T").and_then(Object::as_bytes).map(text_string);
        let name = match (&partial, prefix.is_empty()) {
            (Some(p), true) => p.clone(),
            (Some(p), false) => format!("{prefix}.{p}"),
            (None, _) => prefix.clone(),
        };
        let ft = dict.name(b"FT").map(<[u8]>::to_vec).or(inherited_ft);
        if ft.as_deref() == Some(b"Sig") {
            if let Some(Object::Reference(v)) = dict.get(b"V") {
                if let Some(sig) = doc.get(*v)?.as_dict() {
                    if found_ids.insert(*v) {
                        found.push((name.clone(), *v, sig.clone()));
                    }
                }
            } else if let Some(Object::Dictionary(sig)) = dict.get(b"V") {
                found.push((name.clone(), ObjectId::new(0, 0), sig.clone()));
            }
        }
        if let Some(kids) = doc.get_in(dict, b"Kids")?.as_array() {
            for kid in kids.iter().rev() {
                stack.push((kid.clone(), name.clone(), ft.clone()));
            }
        }
    }
    Ok(found)
}

/// A PDF text string (PDFDocEncoding or UTF-16BE with BOM) as UTF-8.
fn text_string(b: &[u8]) -> String {
    if let Some(rest) = b.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        b.iter().map(|&c| char::from(c)).collect()
    }
}
