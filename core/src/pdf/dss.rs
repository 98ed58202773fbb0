//! The document security store (ETSI EN 319 142-1 §5.4.2, ISO 32000-2
//! §12.8.4.3): certificates, OCSP responses and CRLs kept in the PDF so
//! that its signatures can be validated offline, years later (PAdES B-LT).
//!
//! ```text
//! Catalog /DSS <<
//!   /Certs [streams: DER certificates]
//!   /OCSPs [streams: DER OCSPResponses]
//!   /CRLs  [streams: DER CertificateLists]
//!   /VRI << /SHA1-OF-SIGNATURE-HEX << /Cert […] /OCSP […] /CRL […] >> >>
//! >>
//! ```
//!
//! Each extension is a new incremental revision that keeps what the store
//! already held, existing `/VRI` entries unchanged. `/VRI` (one entry per signature, keyed by the upper-case
//! hex SHA-1 of its `/Contents`) is written for validators that still want
//! it; EN 319 142-1 leaves it optional.

use super::byte_range;
use super::document::Document;
use super::error::PdfError;
use super::incremental::Update;
use super::object::{Dictionary, Object, ObjectId, ObjectSink, Stream};
use crate::digest::HashAlgorithm;
use crate::revocation::RevocationData;
use crate::Certificate;

/// What a `/DSS` holds, DER each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidationMaterial {
    /// Certificates of every path.
    pub certificates: Vec<Vec<u8>>,
    /// Full OCSPResponses.
    pub ocsp: Vec<Vec<u8>>,
    /// CRLs.
    pub crls: Vec<Vec<u8>>,
}

impl ValidationMaterial {
    /// Nothing at all.
    pub fn is_empty(&self) -> bool {
        self.certificates.is_empty() && self.ocsp.is_empty() && self.crls.is_empty()
    }

    /// The store's certificates that parse, and its revocation data.
    pub fn parsed(&self) -> (Vec<Certificate>, RevocationData) {
        let certs = self
            .certificates
            .iter()
            .filter_map(|d| Certificate::from_der(d).ok())
            .collect();
        (certs, RevocationData::from_der(&self.ocsp, &self.crls).0)
    }
}

/// Reads the `/DSS` of the newest revision; an absent or unreadable store is
/// empty (it can only add evidence, never take any away).
pub fn read_dss(pdf: &[u8]) -> ValidationMaterial {
    Document::open(pdf)
        .ok()
        .map(|doc| read(&doc))
        .unwrap_or_default()
}

pub(crate) fn read(doc: &Document<'_>) -> ValidationMaterial {
    let mut out = ValidationMaterial::default();
    let Some(dss) = dss_dict(doc) else {
        return out;
    };
    for (key, list) in [
        (&b"Certs"[..], &mut out.certificates),
        (b"OCSPs", &mut out.ocsp),
        (b"CRLs", &mut out.crls),
    ] {
        for (_, data) in streams(doc, &dss, key) {
            list.push(data);
        }
    }
    out
}

fn dss_dict(doc: &Document<'_>) -> Option<Dictionary> {
    let (_, catalog) = doc.catalog().ok()?;
    doc.get_in(&catalog, b"DSS").ok()?.as_dict().cloned()
}

/// The decoded streams an array entry of the store refers to, with their ids.
fn streams(doc: &Document<'_>, dss: &Dictionary, key: &[u8]) -> Vec<(Option<ObjectId>, Vec<u8>)> {
    let Ok(array) = doc.get_in(dss, key) else {
        return Vec::new();
    };
    let Some(items) = array.as_array() else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let id = item.as_reference();
            match doc.resolve(item).ok()? {
                Object::Stream(s) => {
                    let data = super::filter::decode_with_limit(&s, 64 << 20).ok()?;
                    Some((id, data))
                }
                _ => None,
            }
        })
        .collect()
}

/// Appends a revision whose `/DSS` holds what it held plus `material`
/// (duplicates are not written twice), with a `/VRI` entry for every
/// signature of the file.
///
/// ```
/// let empty = kyso_core::pdf::ValidationMaterial::default();
/// assert!(kyso_core::pdf::add_dss(b"not a pdf", &empty).is_err());
/// ```
pub fn add_dss(pdf: &[u8], material: &ValidationMaterial) -> Result<Vec<u8>, PdfError> {
    let doc = Document::open(pdf)?;
    let (catalog_id, mut catalog) = doc.catalog()?;
    let old = dss_dict(&doc).unwrap_or_default();
    let mut update = Update::new(&doc)?;

    let mut dss = Dictionary::new().with(b"Type", Object::name("DSS"));
    let mut refs_by_der: Vec<(Vec<u8>, ObjectId)> = Vec::new();
    for (key, new) in [
        (&b"Certs"[..], &material.certificates),
        (b"OCSPs", &material.ocsp),
        (b"CRLs", &material.crls),
    ] {
        let mut array: Vec<Object> = Vec::new();
        for (id, data) in streams(&doc, &old, key) {
            if let Some(id) = id {
                array.push(id.into());
                refs_by_der.push((data, id));
            }
        }
        for der in new {
            if refs_by_der.iter().any(|(d, _)| d == der) {
                continue;
            }
            let id = update.add(Object::Stream(Stream {
                dict: Dictionary::new(),
                data: der.clone(),
            }));
            array.push(id.into());
            refs_by_der.push((der.clone(), id));
        }
        if !array.is_empty() {
            dss.set(key, array);
        }
    }

    // /VRI: every signature gets the whole material (the paths of a file's
    // signatures share their CAs; a verifier picks what it needs).
    let mut vri = doc
        .get_in(&old, b"VRI")
        .ok()
        .and_then(|o| o.as_dict().cloned())
        .unwrap_or_default();
    let refs = |list: &Vec<Vec<u8>>| -> Vec<Object> {
        list.iter()
            .filter_map(|der| refs_by_der.iter().find(|(d, _)| d == der))
            .map(|(_, id)| (*id).into())
            .collect()
    };
    let mut entry = Dictionary::new();
    for (key, list) in [
        (&b"Cert"[..], &material.certificates),
        (b"OCSP", &material.ocsp),
        (b"CRL", &material.crls),
    ] {
        let r = refs(list);
        if !r.is_empty() {
            entry.set(key, r);
        }
    }
    if !entry.is_empty() {
        for (_, _, sig) in super::fields::signature_fields(&doc)? {
            let Ok((_, contents)) = byte_range::check(pdf, &sig) else {
                continue;
            };
            let key = hex_upper(&HashAlgorithm::Sha1.digest(&contents));
            // An entry once written is never changed: validators (pyHanko's
            // DSS rules) take a modified /VRI entry as tampering.
            if vri.get(key.as_bytes()).is_none() {
                vri.set(key.as_bytes(), entry.clone());
            }
        }
    }
    if !vri.is_empty() {
        dss.set(b"VRI", vri);
    }
    let dss_id = update.add(dss.into());
    catalog.set(b"DSS", dss_id);
    update.set(catalog_id, catalog.into());
    Ok(update.write().bytes)
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}
