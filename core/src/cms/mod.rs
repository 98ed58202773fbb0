//! CMS (RFC 5652) with the CAdES baseline profile (ETSI EN 319 122-1): build
//! signed attributes, assemble SignedData around an external signature, parse
//! DER or BER, verify.

pub mod archive_timestamp;
pub mod ess;
mod parse;
pub mod signed_attrs;
mod signed_data;
pub(crate) mod signer;
mod signers;
pub mod unsigned_attrs;
mod validation_data;
mod verify;

pub use parse::{SignedDataView, SignerView};
pub use signed_data::{CadesParams, Content, PreparedSignature};
pub use signer::VerifyOptions;
pub(crate) use signer::{identifies, Container};
pub(crate) use signers::push_signers;
pub use signers::{signers, SignerCertificates};
pub use validation_data::add_validation_data;
pub(crate) use verify::verify_signer_at;
pub use verify::{verify, verify_signer_with_digest};
