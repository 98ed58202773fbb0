//! # kyso-core
//!
//! The formats and verification logic of Kyso, shared by the `kyso` CLI, the
//! agent, the WebAssembly module in the page and portal servers:
//!
//! - [`auth`]: `kyso-auth:1` login tokens and their verification;
//! - [`cms`]: CAdES signed attributes, SignedData assembly around a signature
//!   made on a token, DER/BER parsing and verification;
//! - [`cert`]: certificate facts with Vietnamese identifiers (MST, CCCD…);
//! - [`ocsp`]: OCSP requests and responses, and who may sign them;
//! - [`crl`]: certificate revocation lists;
//! - [`revocation`]: which OCSP response or CRL tells a certificate's status;
//! - [`path`]: certification path building and validation;
//! - [`policy`]: the cryptographic constraints (acceptable algorithms, key
//!   sizes, and until when);
//! - [`report`]: ETSI-style validation reports in Vietnamese and English;
//! - [`trust`]: the bundled Vietnamese trust anchors;
//! - [`lang`]: Vietnamese and English, and the [`Localized`] messages of every error.
//!
//! No I/O and no clock: callers pass bytes and the current time, so the crate
//! builds for `wasm32-unknown-unknown` as well as natively. (The language of
//! messages may come from the environment, [`Lang::from_env`]; in the page
//! there is none.)

#![forbid(unsafe_code)]

pub mod asn1;
pub mod auth;
pub mod cert;
pub mod cms;
pub mod crl;
pub mod digest;
mod error;
pub mod lang;
pub mod ocsp;
pub mod path;
pub mod pdf;
pub mod policy;
pub mod public_key;
pub mod report;
pub mod revocation;
pub mod signature_scheme;
pub mod time;
pub mod trust;
pub mod tsp;

pub use cert::Certificate;
pub use digest::DigestAlgorithm;
pub use error::Error;
pub use lang::{Lang, Localized};
pub use public_key::{KeyType, PublicKey};
pub use report::{Indication, SubIndication, ValidationReport};
pub use signature_scheme::SignatureScheme;
pub use trust::TrustAnchors;
