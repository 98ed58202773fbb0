//! # kyso-agent
//!
//! The token side of Kyso: PKCS#11 access ([`pkcs11`]), the `kyso` command line
//! ([`cli`]), and the loopback HTTP agent ([`server`], [`service`]).

pub mod activity;
pub mod api;
pub mod approver;
pub mod audit;
pub mod autostart;
pub mod cli;
pub mod clock;
pub mod config;
mod error;
pub mod instance;
pub mod origin;
pub mod pkcs11;
pub mod preferences;
pub mod server;
pub mod service;
#[cfg(feature = "tray")]
pub mod tray;

pub use error::Error;
