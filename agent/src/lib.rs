//! # kyso-agent
//!
//! The token side of Kyso: PKCS#11 access ([`pkcs11`]), the `kyso` command line
//! ([`cli`]), and (in progress) the loopback HTTP agent.

pub mod api;
pub mod cli;
mod error;
pub mod pkcs11;

pub use error::Error;
