//! Revocation data over HTTP: OCSP responses, CRLs, and the issuer
//! certificates needed to ask for them (AIA `caIssuers`). kyso-core builds
//! the OCSP request, parses the answers and reads their `nextUpdate`; this
//! module only carries the bytes.
//!
//! The URLs come from certificates that chain to the trust anchors (their
//! AIA and CRL distribution points), never from a page: the caller checks
//! that before asking.

use crate::error::{Failure, NetError};
use crate::exchange::Exchange;
use crate::fetcher::Fetcher;

/// A client of OCSP responders and CRL distribution points.
///
/// ```no_run
/// use kyso_net::{Fetcher, Revocation, Settings};
///
/// let revocation = Revocation::new(Fetcher::new(Settings::default()));
/// let request_der: Vec<u8> = Vec::new(); // an OCSPRequest from kyso-core
/// let ocsp = revocation.ocsp("http://ocsp.ca.gov.vn", &request_der)?;
/// let crl = revocation.crl("http://crl.ca.gov.vn/cpca.crl")?;
/// # Ok::<(), kyso_net::NetError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Revocation {
    fetcher: Fetcher,
}

impl Revocation {
    /// A client that makes its requests with `fetcher`.
    pub fn new(fetcher: Fetcher) -> Revocation {
        Revocation { fetcher }
    }

    /// POSTs `request_der` (a DER `OCSPRequest`) to the responder at `url`
    /// and returns the DER `OCSPResponse` (any response status: kyso-core
    /// reads it).
    pub fn ocsp(&self, url: &str, request_der: &[u8]) -> Result<Vec<u8>, NetError> {
        self.fetch(url, Exchange::Ocsp(request_der))
    }

    /// GETs the CRL at `url` (DER, or whatever the server sends: kyso-core
    /// decides).
    pub fn crl(&self, url: &str) -> Result<Vec<u8>, NetError> {
        self.fetch(url, Exchange::Crl)
    }

    /// GETs the certificate at `url` (an AIA `caIssuers` URL).
    pub fn certificate(&self, url: &str) -> Result<Vec<u8>, NetError> {
        self.fetch(url, Exchange::Certificate)
    }

    fn fetch(&self, url: &str, exchange: Exchange<'_>) -> Result<Vec<u8>, NetError> {
        self.fetcher.fetch(url, exchange).map_err(|reason| {
            NetError::RevocationUnavailable(Failure {
                url: url.to_string(),
                reason,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use kyso_core::Localized;

    use super::*;
    use crate::error::Reason;
    use crate::fetcher::Settings;
    use crate::loopback::{Reply, Server};

    fn revocation() -> Revocation {
        Revocation::new(Fetcher::new(Settings {
            timeout: Duration::from_secs(1),
            connect_timeout: Duration::from_secs(1),
            system_proxy: false,
        }))
    }

    #[test]
    fn ocsp_posts_crl_and_certificate_get() {
        let server = Server::start(vec![
            Reply::ok("application/ocsp-response", b"ocsp"),
            Reply::ok("application/pkix-crl", b"crl"),
            Reply::ok("application/pkix-cert", b"cert"),
        ]);
        let r = revocation();
        assert_eq!(r.ocsp(&server.url("/"), b"req").unwrap(), b"ocsp");
        assert_eq!(r.crl(&server.url("/ca.crl")).unwrap(), b"crl");
        assert_eq!(r.certificate(&server.url("/ca.cer")).unwrap(), b"cert");
        let seen = server.requests();
        let methods: Vec<&str> = seen.iter().map(|s| s.method.as_str()).collect();
        assert_eq!(methods, ["POST", "GET", "GET"]);
        assert_eq!(
            seen[0].content_type.as_deref(),
            Some("application/ocsp-request")
        );
    }

    #[test]
    fn failures_are_revocation_unavailable_with_the_reason() {
        let server = Server::start(vec![
            Reply::ok("text/html", b"<html/>"),
            Reply::ok("application/pkix-cert", &vec![0; 70 * 1024]),
        ]);
        let r = revocation();
        let e = r.ocsp(&server.url("/"), b"req").unwrap_err();
        assert_eq!(e.code(), "REVOCATION_UNAVAILABLE");
        assert!(e.message().contains("text/html"), "{}", e.message());
        let e = r.certificate(&server.url("/big.cer")).unwrap_err();
        let NetError::RevocationUnavailable(f) = e else {
            panic!("{e:?}")
        };
        assert_eq!(f.reason, Reason::TooLarge(crate::exchange::MAX_CERTIFICATE));
        let e = r.crl("ldap://ldap.example.vn/cn=CA").unwrap_err();
        assert!(matches!(
            e,
            NetError::RevocationUnavailable(Failure {
                reason: Reason::UrlRefused(_),
                ..
            })
        ));
    }
}
