//! # kyso-net
//!
//! Kyso's outbound requests, and the only crate of the workspace that opens
//! a connection to another machine: RFC 3161 time-stamps ([`Tsa`]), OCSP
//! responses, CRLs and issuer certificates ([`Revocation`]), with a
//! [`Cache`] for the revocation answers until their `nextUpdate`. The agent
//! and the `kyso` CLI use it; kyso-core builds every request and reads every
//! answer, so no ASN.1 is handled here — only bytes, over HTTP.
//!
//! Every request goes through a [`Fetcher`], which keeps the rules:
//!
//! - only absolute `http` and `https` URLs with a host ([`HttpUrl`]); a
//!   `file:`, `ftp:` or `ldap:` URL is never requested;
//! - a connect and an overall timeout ([`Settings`], 5 s and 10 s by default);
//! - redirects are not followed: a redirect could point anywhere, the
//!   user's own network included, so it is reported
//!   ([`Reason::Redirect`]);
//! - the answer must be a 200, of the content type its protocol defines
//!   where it defines one, and no larger than its kind's limit
//!   ([`Exchange`]: 256 KiB for a time-stamp reply or an OCSP response,
//!   16 MiB for a CRL, 64 KiB for a certificate);
//! - TLS through the operating system's library (OpenSSL, SChannel,
//!   Security.framework, via `native-tls`) and its trust store.
//!
//! Which URLs may be asked at all is the caller's rule (SECURITY.md): the
//! agent asks only the TSAs of its configuration and the AIA and CRL
//! distribution points of certificates that chain to its trust anchors,
//! never a URL a page supplies.
//!
//! ```no_run
//! use std::time::{Duration, SystemTime};
//! use kyso_net::{Cache, CacheKey, Fetcher, Revocation, Settings, Tsa};
//!
//! let fetcher = Fetcher::new(Settings::with_timeout(Duration::from_secs(10)));
//! let tsa = Tsa::new(fetcher.clone());
//! let request: Vec<u8> = Vec::new(); // kyso-core's TimeStampReq
//! let reply = tsa.timestamp(&["http://tsa.ca.gov.vn"], &request)?;
//!
//! let revocation = Revocation::new(fetcher);
//! let cache = Cache::default();
//! let url = "http://ocsp.ca.gov.vn";
//! let ocsp_request: Vec<u8> = Vec::new(); // kyso-core's OCSPRequest
//! let answer = cache.get_or_fetch(
//!     &CacheKey::new(url, ocsp_request.as_slice()),
//!     SystemTime::now(),
//!     || revocation.ocsp(url, &ocsp_request),
//!     |_bytes| None, // kyso-core reads nextUpdate here
//! )?;
//! # Ok::<(), kyso_net::NetError>(())
//! ```

#![forbid(unsafe_code)]

mod cache;
mod error;
mod exchange;
mod fetcher;
#[cfg(test)]
mod loopback;
mod revocation;
mod tsa;
mod url;
mod validation_data;

pub use cache::{Cache, CacheKey, DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES};
pub use error::{Failure, NetError, Reason};
pub use exchange::{Exchange, MAX_CERTIFICATE, MAX_CRL, MAX_OCSP_RESPONSE, MAX_TIMESTAMP_REPLY};
pub use fetcher::{Fetcher, Settings, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT};
pub use revocation::Revocation;
pub use tsa::Tsa;
pub use url::HttpUrl;
pub use validation_data::{collect, timestamp_token, Collected, RevocationSource};
