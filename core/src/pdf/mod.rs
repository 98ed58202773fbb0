//! PAdES: signing PDFs with incremental updates and verifying PDF signatures.
//!
//! - [`prepare`] appends a revision with a signature field, its appearance
//!   ([`appearance`], Decree 30/2020 roles) and a hole for the CMS; the token
//!   signs [`PreparedPdf::signed_attributes`]; [`PreparedPdf::finish`] embeds
//!   the CMS. Earlier bytes are never touched.
//! - [`verify`] checks every signature: byte range, CMS, certificate path,
//!   and what later revisions changed.
//!
//! Objects are read on demand from the original bytes ([`Document`]), so
//! signing or verifying a 100 MB file costs little more than the file.

pub mod appearance;
mod byte_range;
mod document;
mod error;
mod filter;
mod incremental;
mod lexer;
pub mod object;
mod sign;
mod verify;
mod x509_rsa_sha1;
mod xref;

pub use document::Document;
pub use error::PdfError;
pub use object::{Dictionary, Object, ObjectId, ObjectSink, Stream, StringForm};
pub use sign::{prepare, PdfSignOptions, PreparedPdf, Visible};
pub use verify::verify;
// Defined with the other report types.
pub use crate::report::PdfSignatureDetails;
