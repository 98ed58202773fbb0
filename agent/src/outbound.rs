//! The agent's outbound requests, built once from the configuration: the
//! time-stamping authorities of `[timestamp]`, the OCSP responders, CRL
//! distribution points and issuer certificates asked under `[revocation]`,
//! and the cache that keeps OCSP answers and CRLs until their `nextUpdate`.
//!
//! The transport and its rules (http/https only, no redirects, timeouts,
//! size limits) are kyso-net's. This module adds the agent's policy: the TSAs
//! are the administrator's and nobody else's, and every failure becomes an
//! agent [`Error`] the API answers (`TSA_UNAVAILABLE`,
//! `REVOCATION_UNAVAILABLE`). Which revocation URLs may be asked — the AIA and
//! CDP of certificates that chain to the trust anchors — is decided by the
//! caller, which has parsed the certificates with kyso-core.

// The users of this module — the /v1/timestamp and /v1/revocation handlers
// and the before-signing check in `Service` — land next (issue 14), once
// kyso-core's TSP and OCSP modules are merged; until then only `new` and the
// tests call it.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use kyso_net::{Cache, CacheKey, Fetcher, Revocation, Settings, Tsa};

use crate::config::{BeforeSigning, RevocationConfig, TimestampConfig};
use crate::error::Error;

/// The agent's outbound clients and cache.
#[derive(Debug)]
pub struct Outbound {
    tsa: Tsa,
    tsa_urls: Vec<String>,
    revocation: Revocation,
    before_signing: BeforeSigning,
    cache: Cache,
}

impl Outbound {
    /// Clients with the configured timeouts. Nothing is contacted here.
    pub fn new(timestamp: &TimestampConfig, revocation: &RevocationConfig) -> Outbound {
        let fetcher = |seconds| Fetcher::new(Settings::with_timeout(Duration::from_secs(seconds)));
        Outbound {
            tsa: Tsa::new(fetcher(timestamp.timeout_seconds)),
            tsa_urls: timestamp.urls.clone(),
            revocation: Revocation::new(fetcher(revocation.timeout_seconds)),
            before_signing: revocation.before_signing,
            cache: Cache::default(),
        }
    }

    /// What the signer's status does before the PIN is asked.
    pub fn before_signing(&self) -> BeforeSigning {
        self.before_signing
    }

    /// The configured TSAs, in the order they are tried.
    pub fn tsa_urls(&self) -> &[String] {
        &self.tsa_urls
    }

    /// The DER `TimeStampResp` for `request_der` (kyso-core's
    /// `TimeStampReq`) from the first configured TSA that answers.
    pub fn timestamp(&self, request_der: &[u8]) -> Result<Vec<u8>, Error> {
        Ok(self.tsa.timestamp(&self.tsa_urls, request_der)?)
    }

    /// The DER `OCSPResponse` for `request_der` from the responder at `url`:
    /// the cached one while good at `now`, else a fresh one, kept until the
    /// time `next_update` reads from it (kyso-core's parser; `None` keeps
    /// nothing).
    pub fn ocsp(
        &self,
        url: &str,
        request_der: &[u8],
        now: SystemTime,
        next_update: impl FnOnce(&[u8]) -> Option<SystemTime>,
    ) -> Result<Arc<[u8]>, Error> {
        let key = CacheKey::new(url, request_der);
        Ok(self.cache.get_or_fetch(
            &key,
            now,
            || self.revocation.ocsp(url, request_der),
            next_update,
        )?)
    }

    /// The CRL at `url`, cached like [`Outbound::ocsp`].
    pub fn crl(
        &self,
        url: &str,
        now: SystemTime,
        next_update: impl FnOnce(&[u8]) -> Option<SystemTime>,
    ) -> Result<Arc<[u8]>, Error> {
        let key = CacheKey::new(url, Vec::new());
        Ok(self
            .cache
            .get_or_fetch(&key, now, || self.revocation.crl(url), next_update)?)
    }

    /// The issuer certificate at `url` (AIA `caIssuers`), not cached: it is
    /// needed only when the token and the bundle lack it.
    pub fn certificate(&self, url: &str) -> Result<Vec<u8>, Error> {
        Ok(self.revocation.certificate(url)?)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use kyso_core::Localized;

    use super::*;
    use crate::config::Config;

    fn outbound(text: &str) -> Outbound {
        let cfg = Config::parse(text).unwrap();
        Outbound::new(&cfg.timestamp, &cfg.revocation)
    }

    /// `http://127.0.0.1:PORT/ocsp`, answered once with an OCSP response;
    /// after that nothing listens (a second request is refused).
    fn one_ocsp_answer(body: &'static [u8]) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/ocsp", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(2)))
                .unwrap();
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            // Headers, then the short body the test sends.
            while !request.ends_with(b"req") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/ocsp-response\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&[head.as_bytes(), body].concat());
        });
        url
    }

    #[test]
    fn built_from_the_configuration() {
        let o = outbound("");
        assert_eq!(o.tsa_urls(), ["http://tsa.ca.gov.vn"]);
        assert_eq!(o.before_signing(), BeforeSigning::Warn);
        let o = outbound(
            "[timestamp]\nurls = [\"http://127.0.0.1:9/a\", \"http://127.0.0.1:9/b\"]\n\
             [revocation]\nbefore_signing = \"require\"\n",
        );
        assert_eq!(o.tsa_urls().len(), 2);
        assert_eq!(o.before_signing(), BeforeSigning::Require);
    }

    #[test]
    fn failures_become_the_api_errors() {
        let e = outbound("[timestamp]\nurls = []\n")
            .timestamp(b"q")
            .unwrap_err();
        assert_eq!((e.code(), e.http_status()), ("TSA_UNAVAILABLE", 502));
        // A URL a certificate might carry but the agent never requests.
        let o = outbound("");
        let e = o
            .crl("ldap://ldap.example.vn/cn=CA", SystemTime::now(), |_| None)
            .unwrap_err();
        assert_eq!((e.code(), e.http_status()), ("REVOCATION_UNAVAILABLE", 502));
        let e = o.certificate("file:///etc/passwd").unwrap_err();
        assert_eq!(e.code(), "REVOCATION_UNAVAILABLE");
    }

    #[test]
    fn ocsp_answers_are_cached_until_next_update() {
        let url = one_ocsp_answer(b"ocsp response");
        let o = outbound("[revocation]\ntimeout_seconds = 2\n");
        let now = SystemTime::now();
        let until = now + Duration::from_secs(3600);
        let first = o.ocsp(&url, b"req", now, |_| Some(until)).unwrap();
        assert_eq!(&first[..], b"ocsp response");
        // The server is gone: this answer can only come from the cache.
        let again = o
            .ocsp(&url, b"req", now + Duration::from_secs(60), |_| None)
            .unwrap();
        assert_eq!(&again[..], b"ocsp response");
        // Past nextUpdate it is asked again, and the server is gone.
        let e = o.ocsp(&url, b"req", until, |_| None).unwrap_err();
        assert_eq!(e.code(), "REVOCATION_UNAVAILABLE");
    }
}
