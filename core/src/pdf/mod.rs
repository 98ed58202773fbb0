//! PAdES: signing PDFs with incremental updates and verifying PDF signatures.
//!
//! - [`prepare`] appends a revision with a signature field, its appearance
//!   ([`appearance`], Decree 30/2020 roles) and a hole for the CMS; the token
//!   signs [`PreparedPdf::signed_attributes`]; [`PreparedPdf::finish`] embeds
//!   the CMS. Earlier bytes are never touched.
//! - [`verify`] checks every signature: byte range, CMS, certificate path,
//!   and what later revisions changed.
//!
//! - Long-term levels: [`add_signature_timestamp`] (B-T), [`add_dss`]
//!   (B-LT), [`prepare_document_timestamp`] (B-LTA, and its renewal).
//!
//! Objects are read on demand from the original bytes ([`Document`]), so
//! signing or verifying a 100 MB file costs little more than the file.

pub mod appearance;
mod byte_range;
mod doc_timestamp;
mod document;
mod dss;
mod error;
mod fields;
mod filter;
mod incremental;
mod lexer;
pub mod object;
mod sign;
mod signature_timestamp;
mod signers;
mod verify;
mod x509_rsa_sha1;
mod xref;

pub use doc_timestamp::{prepare_document_timestamp, PreparedTimestamp};
pub use document::Document;
pub use dss::{add_dss, read_dss, ValidationMaterial};
pub use error::PdfError;
pub use object::{Dictionary, Object, ObjectId, ObjectSink, Stream, StringForm};
pub use sign::{prepare, PdfSignOptions, PreparedPdf, Visible};
pub use signature_timestamp::{add_signature_timestamp, signature_timestamp_imprint};
pub use signers::signers;
pub use verify::verify;
// Defined with the other report types.
pub use crate::report::PdfSignatureDetails;
