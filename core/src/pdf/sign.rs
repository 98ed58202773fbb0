//! Preparing a PAdES signature: an incremental revision with the signature
//! field, its widget and appearance, and a `/Contents` hole; then embedding
//! the CMS made from the token's signature.

use std::collections::HashSet;

use super::appearance::{self, AppearanceSpec, Role};
use super::byte_range::{self, Placeholder};
use super::document::Document;
use super::error::PdfError;
use super::incremental::Update;
use super::object::{Dictionary, Object, ObjectSink, Stream};
use crate::cms::{CadesParams, Content, PreparedSignature};
use crate::time::DateTime;
use crate::{Certificate, DigestAlgorithm, SignatureScheme};

/// Room kept in `/Contents` for a signature timestamp added later (an RFC
/// 3161 token with its TSA chain is typically 4–7 KB).
const TIMESTAMP_ROOM: usize = 8192;

/// How to sign a PDF.
#[derive(Clone, Debug)]
pub struct PdfSignOptions<'a> {
    /// The certificate of the key that will sign, embedded in the CMS.
    pub signer: Certificate,
    /// Intermediates to embed (verifiers need them to build the path).
    pub chain: Vec<Certificate>,
    /// The digest of the covered bytes and of the signed attributes.
    pub digest: DigestAlgorithm,
    /// Goes in `/M` (PAdES puts no signing-time attribute in the CMS) and in
    /// the visible stamp.
    pub signing_time: DateTime,
    /// The signature dictionary's `/Reason`, shown on the stamp too.
    pub reason: Option<String>,
    /// The signature dictionary's `/Location`.
    pub location: Option<String>,
    /// The field's name; `SignatureN` by default.
    pub field_name: Option<String>,
    /// `None` for an invisible signature.
    pub visible: Option<Visible<'a>>,
}

/// A visible signature: where, and what it shows.
#[derive(Clone, Debug)]
pub struct Visible<'a> {
    /// Which of the Decree 30 stamps is drawn.
    pub role: Role,
    /// 1-based.
    pub page: usize,
    /// `[x, y, width, height]` in points from the page's lower-left corner;
    /// the role's usual place when `None`.
    pub rect: Option<[f64; 4]>,
    /// The leader's handwritten signature (PNG).
    pub image: Option<&'a [u8]>,
    /// The organisation's seal (PNG).
    pub seal: Option<&'a [u8]>,
    /// Defaults to the certificate's organisation.
    pub organization: Option<String>,
    /// The document's number and symbol, e.g. "12/QĐ-UBND".
    pub doc_number: Option<String>,
    /// The date of issue as shown, e.g. "25/11/2026".
    pub issued_date: Option<String>,
    /// TrueType font for the text (the bundled Liberation Serif in the CLI).
    pub font: &'a [u8],
}

/// A PDF with its signature revision written and the CMS still to come.
///
/// ```no_run
/// # use kyso_core::pdf::{self, PdfSignOptions};
/// # use kyso_core::{Certificate, DigestAlgorithm, SignatureScheme};
/// # fn token_sign(_: &[u8]) -> Vec<u8> { unimplemented!() }
/// # let (pdf_bytes, signer): (Vec<u8>, Certificate) = unimplemented!();
/// let prepared = pdf::prepare(&pdf_bytes, PdfSignOptions {
///     signer,
///     chain: vec![],
///     digest: DigestAlgorithm::Sha256,
///     signing_time: kyso_core::time::from_unix(1_764_000_000)?,
///     reason: None,
///     location: None,
///     field_name: None,
///     visible: None,
/// })?;
/// let signature = token_sign(prepared.signed_attributes());
/// let signed_pdf = prepared.finish(&signature, SignatureScheme::RsaPkcs1v15)?;
/// # Ok::<(), kyso_core::pdf::PdfError>(())
/// ```
#[derive(Clone, Debug)]
pub struct PreparedPdf {
    bytes: Vec<u8>,
    byte_range: [usize; 4],
    capacity: usize,
    /// The covered bytes' digest, kept: re-hashing a 100 MB file to show a
    /// fingerprint would double the work.
    digest: Vec<u8>,
    cms: PreparedSignature,
}

impl PreparedPdf {
    /// The DER of the signed attributes: what the token signs.
    pub fn signed_attributes(&self) -> &[u8] {
        self.cms.signed_attributes()
    }

    /// The digest the token's mechanism must use.
    pub fn digest_algorithm(&self) -> DigestAlgorithm {
        self.cms.digest_algorithm()
    }

    /// `[offset1, length1, offset2, length2]`.
    pub fn byte_range(&self) -> [usize; 4] {
        self.byte_range
    }

    /// The digest of the covered bytes (the message-digest attribute).
    pub fn document_digest(&self) -> &[u8] {
        &self.digest
    }

    /// Builds the CMS around `signature` and writes it into the file.
    pub fn finish(self, signature: &[u8], scheme: SignatureScheme) -> Result<Vec<u8>, PdfError> {
        let PreparedPdf {
            mut bytes,
            byte_range,
            capacity,
            cms,
            ..
        } = self;
        let cms = cms.finish(signature, scheme)?;
        byte_range::embed(&mut bytes, byte_range[1], capacity, &cms)?;
        Ok(bytes)
    }
}

/// Appends a signature revision to `pdf` (any unencrypted PDF; earlier bytes
/// are kept as they are, so earlier signatures stay valid).
pub fn prepare(pdf: &[u8], options: PdfSignOptions<'_>) -> Result<PreparedPdf, PdfError> {
    let doc = Document::open(pdf)?;
    // Readers disagree on whether offsets count from the file's start or from
    // a header preceded by junk; the update's offsets would be misread by some.
    if !pdf.starts_with(b"%PDF-") {
        return Err(PdfError::Unsupported(
            "bytes before the %PDF- header (re-save the file with a PDF tool first)".into(),
        ));
    }
    match super::verify::certification(&doc) {
        Some((_, 1)) => return Err(PdfError::CertifiedNoChanges),
        Some(_) if options.visible.is_some() => return Err(PdfError::CertifiedNoNewVisibleField),
        _ => {}
    }
    let page_number = options.visible.as_ref().map_or(1, |v| v.page);
    let field_name = options.field_name.clone();
    // The signature dictionary, with room for the CMS.
    let mut sig = Dictionary::new()
        .with(b"Type", Object::name("Sig"))
        .with(b"Filter", Object::name("Adobe.PPKLite"))
        .with(b"SubFilter", Object::name("ETSI.CAdES.detached"))
        .with(
            b"M",
            Object::String(
                pdf_date(options.signing_time).into_bytes(),
                super::object::StringForm::Literal,
            ),
        );
    if let Some(name) = options.signer.info().common_name {
        sig.set(b"Name", Object::text(&name));
    }
    if let Some(reason) = &options.reason {
        sig.set(b"Reason", Object::text(reason));
    }
    if let Some(location) = &options.location {
        sig.set(b"Location", Object::text(location));
    }
    let capacity = cms_capacity(&options);
    let appearance = |update: &mut Update<'_, '_>, rect: [f64; 4]| -> Result<Object, PdfError> {
        Ok(match &options.visible {
            Some(v) => {
                let info = options.signer.info();
                let spec = AppearanceSpec {
                    role: v.role,
                    width: rect[2],
                    height: rect[3],
                    signer_name: info.holder_name().to_string(),
                    organization: v.organization.clone().or(info.organization.clone()),
                    signing_time: vietnam_time(options.signing_time),
                    doc_number: v.doc_number.clone(),
                    issued_date: v.issued_date.clone(),
                    reason: options.reason.clone(),
                    image: v.image,
                    seal: v.seal,
                    font: v.font,
                };
                appearance::build(&spec, update)?.into()
            }
            None => empty_appearance(update),
        })
    };
    let (bytes, range) = write_field_revision(
        &doc,
        FieldSpec {
            page_number,
            rect: |page_box| widget_rect(&options, page_box),
            field_name,
            sig,
            capacity,
        },
        appearance,
    )?;
    let digest = byte_range::digest(&bytes, &range, options.digest);
    let cms = PreparedSignature::new(CadesParams {
        signer: options.signer,
        chain: options.chain,
        digest: options.digest,
        content: Content::Detached {
            digest: digest.clone(),
        },
        // PAdES: the time is in /M, never in the CMS.
        signing_time: None,
    })?;
    Ok(PreparedPdf {
        bytes,
        byte_range: range,
        capacity,
        digest,
        cms,
    })
}

/// What a signature-like field's revision holds: where its widget goes and
/// the signature dictionary (without /ByteRange and /Contents, which are
/// written as placeholders of `capacity` bytes).
pub(crate) struct FieldSpec<R> {
    pub page_number: usize,
    /// The widget's `[x, y, w, h]` from the page's box.
    pub rect: R,
    pub field_name: Option<String>,
    pub sig: Dictionary,
    pub capacity: usize,
}

/// An empty form XObject: the appearance of an invisible widget.
pub(crate) fn empty_appearance(update: &mut Update<'_, '_>) -> Object {
    update
        .add(Object::Stream(Stream {
            dict: Dictionary::new()
                .with(b"Type", Object::name("XObject"))
                .with(b"Subtype", Object::name("Form"))
                .with(b"BBox", vec![Object::Integer(0); 4]),
            data: Vec::new(),
        }))
        .into()
}

/// Appends a revision with a new signature field (PAdES signature or
/// document time-stamp): the widget on its page, the field in the form,
/// SigFlags, and the signature dictionary with its placeholders. Returns
/// the bytes with the byte range filled in.
pub(crate) fn write_field_revision<R: Fn([f64; 4]) -> [f64; 4]>(
    doc: &Document<'_>,
    spec: FieldSpec<R>,
    appearance: impl FnOnce(&mut Update<'_, '_>, [f64; 4]) -> Result<Object, PdfError>,
) -> Result<(Vec<u8>, [usize; 4]), PdfError> {
    let (catalog_id, mut catalog) = doc.catalog()?;
    let pages = doc.pages()?;
    let page_number = spec.page_number;
    let page_id = *pages
        .get(page_number.wrapping_sub(1))
        .ok_or(PdfError::NoSuchPage {
            page: page_number,
            pages: pages.len(),
        })?;
    let page_box = doc.page_box(page_id)?;
    let mut update = Update::new(doc)?;

    // The form: an existing /AcroForm (direct or not) gains the field. A
    // reference to something else (null, or another object of the file) is
    // not overwritten: the form is written into the catalog instead.
    let (acroform_id, mut acroform) = match catalog.get(b"AcroForm") {
        Some(Object::Reference(r)) if *r != catalog_id && *r != page_id => match doc.get(*r)? {
            Object::Dictionary(d) => (Some(*r), d),
            _ => (None, Dictionary::new()),
        },
        Some(Object::Dictionary(d)) => (None, d.clone()),
        _ => (None, Dictionary::new()),
    };
    let (fields_id, mut fields) = match acroform.get(b"Fields") {
        Some(Object::Reference(r)) => match doc.get(*r)? {
            Object::Array(a) => (Some(*r), a),
            _ => (None, Vec::new()),
        },
        Some(Object::Array(a)) => (None, a.clone()),
        _ => (None, Vec::new()),
    };
    let field_name = match &spec.field_name {
        Some(n) => n.clone(),
        None => free_field_name(doc, &fields)?,
    };

    // Signature dictionary, widget and appearance.
    let sig_id = update.reserve();
    let rect = (spec.rect)(page_box);
    let appearance = appearance(&mut update, rect)?;
    let (x, y, w, h) = (rect[0], rect[1], rect[2], rect[3]);
    let widget = Dictionary::new()
        .with(b"Type", Object::name("Annot"))
        .with(b"Subtype", Object::name("Widget"))
        .with(b"FT", Object::name("Sig"))
        .with(b"T", Object::text(&field_name))
        .with(b"V", sig_id)
        .with(b"P", page_id)
        .with(
            b"Rect",
            [x, y, x + w, y + h]
                .map(|v| Object::Real((v * 100.0).round() / 100.0))
                .to_vec(),
        )
        // Print + Locked: the stamp prints and cannot be moved.
        .with(b"F", 132)
        .with(b"AP", Dictionary::new().with(b"N", appearance));
    let widget_id = update.add(widget.into());

    // The page lists the widget among its annotations.
    let mut page = doc
        .get(page_id)?
        .as_dict()
        .cloned()
        .ok_or_else(|| PdfError::Syntax("page is not a dictionary".into()))?;
    // An /Annots reference to anything but an array is replaced by a direct
    // array rather than overwritten: it may be another object in use.
    let annots_id = match page.get(b"Annots") {
        Some(Object::Reference(r)) => match doc.get(*r)? {
            Object::Array(mut annots) => {
                annots.push(widget_id.into());
                update.set(*r, annots.into());
                Some(*r)
            }
            _ => None,
        },
        _ => None,
    };
    if annots_id.is_none() {
        let mut annots = page
            .get(b"Annots")
            .and_then(Object::as_array)
            .map(<[Object]>::to_vec)
            .unwrap_or_default();
        annots.push(widget_id.into());
        page.set(b"Annots", annots);
        update.set(page_id, page.into());
    }

    fields.push(widget_id.into());
    match fields_id {
        Some(r) => update.set(r, fields.into()),
        None => acroform.set(b"Fields", fields),
    }
    // SignaturesExist | AppendOnly: readers must save incrementally.
    acroform.set(b"SigFlags", 3);
    match acroform_id {
        Some(r) => update.set(r, acroform.into()),
        None => {
            catalog.set(b"AcroForm", acroform);
            update.set(catalog_id, catalog.into());
        }
    }

    let capacity = spec.capacity;
    update.set_signature(
        sig_id,
        Placeholder {
            dict: spec.sig,
            capacity,
        },
    );

    let written = update.write();
    let mut bytes = written.bytes;
    let (byte_range_at, contents_at, _) = written
        .signature
        .ok_or_else(|| PdfError::Syntax("signature dictionary not written".into()))?;
    let range = byte_range::fill(&mut bytes, byte_range_at, contents_at, capacity);
    Ok((bytes, range))
}

/// Enough for the CMS: certificates, signature value, attributes, and a
/// timestamp to come.
fn cms_capacity(options: &PdfSignOptions<'_>) -> usize {
    let certs: usize = std::iter::once(&options.signer)
        .chain(&options.chain)
        .map(|c| c.der().len())
        .sum();
    let key_bytes = options.signer.info().key_bits.div_ceil(8).max(64);
    certs + 2 * key_bytes + 2048 + TIMESTAMP_ROOM
}

fn widget_rect(options: &PdfSignOptions<'_>, page_box: [f64; 4]) -> [f64; 4] {
    // Hundredths of a point: finer than any printer, and no 0.30000000000000004
    // in the file.
    let round = |v: f64| (v * 100.0).round() / 100.0;
    let rect = match &options.visible {
        None => [0.0; 4],
        Some(v) => v.rect.unwrap_or_else(|| {
            let [x0, y0, x1, y1] = page_box;
            let [x, y, w, h] = v.role.default_rect(x1 - x0, y1 - y0);
            [x + x0, y + y0, w, h]
        }),
    };
    rect.map(round)
}

/// `Signature1`, `Signature2`… the first not taken by a top-level field.
fn free_field_name(doc: &Document<'_>, fields: &[Object]) -> Result<String, PdfError> {
    // A set: a form with 100 000 fields must not cost 10^10 comparisons.
    let mut taken = HashSet::new();
    for f in fields {
        if let Some(d) = doc.resolve(f)?.as_dict() {
            if let Some(t) = d.get(b"T").and_then(Object::as_bytes) {
                taken.insert(t.to_vec());
            }
        }
    }
    // At most `fields.len()` names are taken, so one of the first
    // `fields.len() + 1` is free.
    Ok((1..)
        .map(|i| format!("Signature{i}"))
        .find(|n| !taken.contains(n.as_bytes()))
        .unwrap_or_default())
}

/// `D:YYYYMMDDHHmmSSZ` (ISO 32000-2 §7.9.4), UTC.
pub(crate) fn pdf_date(t: DateTime) -> String {
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minutes(),
        t.seconds()
    )
}

/// ISO 8601 in Vietnam's time zone (+07:00), as Decree 30 stamps show it.
pub(crate) fn vietnam_time(t: DateTime) -> String {
    let local =
        DateTime::from_unix_duration(t.unix_duration() + core::time::Duration::from_secs(7 * 3600))
            .unwrap_or(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+07:00",
        local.year(),
        local.month(),
        local.day(),
        local.hour(),
        local.minutes(),
        local.seconds()
    )
}
