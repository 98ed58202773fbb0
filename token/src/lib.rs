//! # kyso-token
//!
//! Kyso's side of the USB token: PKCS#11 modules loaded through `cryptoki`,
//! the signing certificates on every token, login with a PIN (or the token's
//! own PIN pad) and signing. The agent and the `kyso` CLI both sign through
//! this crate; it is the only one of the workspace that links `cryptoki`
//! (tools that provision test tokens reach it through the re-export
//! [`cryptoki`], so the workspace has one version).
//!
//! A certificate's id is `<token serial>:<CKA_ID in hex>`: stable across
//! restarts and re-plugging, so a portal may remember it.
//!
//! ```no_run
//! use kyso_core::{DigestAlgorithm, SignatureScheme, TrustAnchors};
//! use kyso_token::{module_paths, Pin, Tokens};
//!
//! let tokens = Tokens::load(&module_paths::resolve(&[]))?;
//! let now = kyso_core::time::from_system(std::time::SystemTime::now());
//! let cert = tokens.select(None, &TrustAnchors::bundled(), now)?;
//! let signer = tokens.open_signer(&cert, &mut |_token| Pin::new("12345678".into()))?;
//! let value = signer.sign(b"signed attributes", DigestAlgorithm::Sha256, SignatureScheme::RsaPkcs1v15)?;
//! # Ok::<(), kyso_token::Error>(())
//! ```

#![forbid(unsafe_code)]

mod error;
mod mechanism;
pub mod module_paths;
mod pin;
mod signer;
mod tokens;

pub use cryptoki;
pub use error::Error;
pub use pin::Pin;
pub use signer::Signer;
pub use tokens::{Module, TokenCertificate, TokenInfo, Tokens};
