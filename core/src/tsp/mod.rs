//! RFC 3161 time stamps: asking a TSA ([`request`]), reading its answer
//! ([`TimeStampResponse`]), what a token asserts ([`TstInfo`]), and
//! validating a token as proof that some bytes existed at a time
//! ([`validate`]).
//!
//! Signature time-stamps (CAdES/PAdES B-T) stamp the digest of the
//! signature value; document time-stamps (PAdES `ETSI.RFC3161`, B-LTA)
//! the digest of a byte range. Fetching a token is the caller's I/O: the
//! agent or the CLI send [`request`]'s bytes to a TSA of the admin's list.

mod request;
mod response;
mod token;
mod validate;

pub use request::request;
pub use response::{TimeStampResponse, TimeStampToken};
pub use token::{TstInfo, ID_CT_TST_INFO};
pub(crate) use validate::validate_view;
pub use validate::{validate, TimestampKind};
