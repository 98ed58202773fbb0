//! Document time-stamps (ISO 32000-2 §12.8.5, ETSI EN 319 142-1 §5.4.3):
//! a revision whose signature dictionary is `/Type /DocTimeStamp
//! /SubFilter /ETSI.RFC3161` and whose `/Contents` is a bare RFC 3161 token
//! over the byte range. Over a revision that holds the `/DSS`, it is the
//! archive time-stamp of PAdES B-LTA; a later one renews it before the
//! previous TSA's certificate expires or its algorithms weaken.

use super::byte_range;
use super::document::Document;
use super::error::PdfError;
use super::object::{Dictionary, Object};
use super::sign::{empty_appearance, write_field_revision, FieldSpec};
use crate::tsp::TimeStampToken;
use crate::DigestAlgorithm;

/// Room for the token: a TSA's signature, its certificate and chain.
const TOKEN_CAPACITY: usize = 12 * 1024;

/// A document time-stamp revision waiting for its token.
///
/// ```no_run
/// # fn tsa(_: &[u8]) -> Vec<u8> { unimplemented!() }
/// # let pdf: Vec<u8> = unimplemented!();
/// let prepared = kyso_core::pdf::prepare_document_timestamp(&pdf, kyso_core::DigestAlgorithm::Sha256)?;
/// let token = tsa(prepared.imprint());
/// let stamped = prepared.finish(&token)?;
/// # Ok::<(), kyso_core::pdf::PdfError>(())
/// ```
#[derive(Clone, Debug)]
pub struct PreparedTimestamp {
    bytes: Vec<u8>,
    byte_range: [usize; 4],
    capacity: usize,
    digest: DigestAlgorithm,
    imprint: Vec<u8>,
}

/// Appends an invisible `/DocTimeStamp` field to `pdf`, its byte range
/// hashed with `digest`.
pub fn prepare_document_timestamp(
    pdf: &[u8],
    digest: DigestAlgorithm,
) -> Result<PreparedTimestamp, PdfError> {
    let doc = Document::open(pdf)?;
    if !pdf.starts_with(b"%PDF-") {
        return Err(PdfError::Unsupported(
            "bytes before the %PDF- header (re-save the file with a PDF tool first)".into(),
        ));
    }
    // DocMDP does not forbid it: PDF 2.0 allows document time-stamps and
    // validation data at every certification level.
    let sig = Dictionary::new()
        .with(b"Type", Object::name("DocTimeStamp"))
        .with(b"Filter", Object::name("Adobe.PPKLite"))
        .with(b"SubFilter", Object::name("ETSI.RFC3161"));
    let (bytes, range) = write_field_revision(
        &doc,
        FieldSpec {
            page_number: 1,
            rect: |_| [0.0; 4],
            field_name: None,
            sig,
            capacity: TOKEN_CAPACITY,
        },
        |update, _| Ok(empty_appearance(update)),
    )?;
    let imprint = byte_range::digest(&bytes, &range, digest);
    Ok(PreparedTimestamp {
        bytes,
        byte_range: range,
        capacity: TOKEN_CAPACITY,
        digest,
        imprint,
    })
}

impl PreparedTimestamp {
    /// The digest the TSA must stamp.
    pub fn imprint(&self) -> &[u8] {
        &self.imprint
    }

    /// Its algorithm.
    pub fn digest_algorithm(&self) -> DigestAlgorithm {
        self.digest
    }

    /// Embeds `token`, which must stamp [`PreparedTimestamp::imprint`].
    pub fn finish(self, token: &[u8]) -> Result<Vec<u8>, PdfError> {
        let info = TimeStampToken::info_of(token)?;
        if info.hash_algorithm != self.digest.into() || info.hashed_message != self.imprint {
            return Err(PdfError::Core(crate::Error::Malformed(
                "the time-stamp does not stamp this document revision".into(),
            )));
        }
        let mut bytes = self.bytes;
        byte_range::embed(&mut bytes, self.byte_range[1], self.capacity, token)?;
        Ok(bytes)
    }
}
