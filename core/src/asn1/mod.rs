//! Low-level ASN.1 handling that the RustCrypto `der` crate deliberately does not do:
//! turning real-world BER into DER, and finding the exact bytes of an element
//! inside an encoding (signatures are computed over original bytes, never over a
//! re-encoding), and reading times the way signers and responders write them.

pub mod ber;
pub mod time;
pub mod tlv;

pub use ber::{to_der, to_der_first};
pub use tlv::Tlv;
