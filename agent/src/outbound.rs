//! The agent's outbound requests, built once from the configuration: the
//! time-stamping authorities of `[timestamp]`, the OCSP responders and CRL
//! distribution points asked under `[revocation]`, and the cache that keeps
//! OCSP answers and CRLs until their `nextUpdate`.
//!
//! The transport and its rules (http/https only, no redirects, timeouts,
//! size limits) are kyso-net's. This module adds the agent's policy: the TSAs
//! are the administrator's and nobody else's, revocation answers are cached,
//! the before-signing check never takes longer than `revocation.timeout_seconds`,
//! and every failure becomes an agent [`Error`] the API answers
//! (`TSA_UNAVAILABLE`, `REVOCATION_UNAVAILABLE`). Which revocation URLs may be
//! asked — the AIA and CDP of certificates that chain to the trust anchors,
//! or of the token's own certificates — is decided by the caller
//! ([`crate::service::Service`]), which has built their paths with kyso-core.

use std::sync::{mpsc, Arc};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kyso_core::crl::Crl;
use kyso_core::ocsp::OcspResponse;
use kyso_core::revocation::{self, CertStatus};
use kyso_core::time::DateTime;
use kyso_core::{Certificate, DigestAlgorithm, Localized};
use kyso_net::{
    Cache, CacheKey, Collected, Fetcher, NetError, Revocation, RevocationSource, Settings, Tsa,
};

use crate::config::{BeforeSigning, RevocationConfig, TimestampConfig};
use crate::error::Error;

/// The agent's outbound clients and cache.
#[derive(Debug)]
pub struct Outbound {
    tsa: Tsa,
    tsa_urls: Vec<String>,
    revocation: Revocation,
    before_signing: BeforeSigning,
    /// The most the before-signing check may take, fetches included.
    revocation_timeout: Duration,
    cache: Cache,
}

/// A signer's revocation status, as the before-signing check found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignerStatus {
    /// An OCSP response or CRL from the issuer says it is not revoked.
    Good,
    /// Revoked: when, and why when the CA says.
    Revoked(String),
    /// No usable answer (no responder or distribution point, unreachable,
    /// too slow, an answer that does not hold, "unknown"): why.
    Unknown(String),
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
            revocation_timeout: Duration::from_secs(revocation.timeout_seconds),
            cache: Cache::default(),
        }
    }

    /// What the signer's status does before the PIN is asked.
    pub fn before_signing(&self) -> BeforeSigning {
        self.before_signing
    }

    /// The configured TSAs, in the order they are tried.
    #[cfg(test)]
    pub fn tsa_urls(&self) -> &[String] {
        &self.tsa_urls
    }

    /// A time-stamp token over `digest` from the first configured TSA that
    /// grants one stamping `digest` and echoing `nonce` (kyso-core builds
    /// the request and checks the answer). Only these URLs, never another.
    pub fn timestamp_token(
        &self,
        algorithm: DigestAlgorithm,
        digest: &[u8],
        nonce: &[u8],
    ) -> Result<Vec<u8>, Error> {
        Ok(kyso_net::timestamp_token(
            &self.tsa,
            &self.tsa_urls,
            algorithm,
            digest,
            nonce,
        )?)
    }

    /// OCSP responses (else CRLs) for every certificate of `paths` but the
    /// anchors, through the cache. The caller has checked that each path
    /// ends at a trust anchor.
    pub fn collect(&self, paths: &[Vec<Certificate>]) -> Collected {
        kyso_net::collect(self, paths)
    }

    /// The status of `cert` (OCSP, else CRL, through the cache), its issuer
    /// found by `issuer` when there is something to ask, within
    /// `revocation.timeout_seconds` whatever the servers do: past it the
    /// status is unknown (the fetch goes on in the background and its
    /// answer, once in, is cached for the next signature).
    pub fn signer_status(
        self: &Arc<Self>,
        cert: &Certificate,
        issuer: impl FnOnce() -> Option<Certificate>,
    ) -> SignerStatus {
        if cert.ocsp_urls().is_empty() && cert.crl_urls().is_empty() {
            return SignerStatus::Unknown(
                "the certificate names no OCSP responder or CRL distribution point".into(),
            );
        }
        let Some(issuer) = issuer() else {
            return SignerStatus::Unknown(
                "the issuer's certificate is neither on the token nor a trust anchor".into(),
            );
        };
        let (tx, rx) = mpsc::channel();
        let this = self.clone();
        let cert = cert.clone();
        let spawned = std::thread::Builder::new()
            .name("kyso-revocation".into())
            .spawn(move || {
                let _ = tx.send(this.status_now(cert, issuer));
            });
        if let Err(e) = spawned {
            return SignerStatus::Unknown(format!("cannot start the check: {e}"));
        }
        rx.recv_timeout(self.revocation_timeout)
            .unwrap_or_else(|_| {
                SignerStatus::Unknown(format!(
                    "no answer within {} s",
                    self.revocation_timeout.as_secs()
                ))
            })
    }

    fn status_now(&self, cert: Certificate, issuer: Certificate) -> SignerStatus {
        let path = vec![cert, issuer];
        let collected = self.collect(std::slice::from_ref(&path));
        if let Some(e) = collected.failures.first() {
            return SignerStatus::Unknown(e.message());
        }
        match revocation::status(&path[0], &path[1], &collected.data()).map(|e| e.status) {
            Some(CertStatus::Good) => SignerStatus::Good,
            Some(CertStatus::Revoked { time, reason }) => SignerStatus::Revoked(match reason {
                Some(r) => format!("since {time} ({})", r.name()),
                None => format!("since {time}"),
            }),
            Some(CertStatus::Unknown) => {
                SignerStatus::Unknown("the responder does not know the certificate".into())
            }
            None => SignerStatus::Unknown("no answer about the certificate holds".into()),
        }
    }

    /// The DER `OCSPResponse` for `request_der` from the responder at `url`:
    /// the cached one while good at `now`, else a fresh one, kept until the
    /// time `next_update` reads from it (`None` keeps nothing).
    fn ocsp_at(
        &self,
        url: &str,
        request_der: &[u8],
        now: SystemTime,
        next_update: impl FnOnce(&[u8]) -> Option<SystemTime>,
    ) -> Result<Arc<[u8]>, NetError> {
        let key = CacheKey::new(url, request_der);
        self.cache.get_or_fetch(
            &key,
            now,
            || self.revocation.ocsp(url, request_der),
            next_update,
        )
    }

    /// The CRL at `url`, cached like [`Outbound::ocsp_at`].
    fn crl_at(
        &self,
        url: &str,
        now: SystemTime,
        next_update: impl FnOnce(&[u8]) -> Option<SystemTime>,
    ) -> Result<Arc<[u8]>, NetError> {
        let key = CacheKey::new(url, Vec::new());
        self.cache
            .get_or_fetch(&key, now, || self.revocation.crl(url), next_update)
    }
}

/// kyso-net's `collect` asks through the cache.
impl RevocationSource for Outbound {
    fn ocsp(&self, url: &str, request_der: &[u8]) -> Result<Vec<u8>, NetError> {
        self.ocsp_at(url, request_der, SystemTime::now(), ocsp_next_update)
            .map(|a| a.to_vec())
    }

    fn crl(&self, url: &str) -> Result<Vec<u8>, NetError> {
        self.crl_at(url, SystemTime::now(), crl_next_update)
            .map(|a| a.to_vec())
    }
}

/// Until when an OCSP response may be kept: the earliest `nextUpdate` of
/// its single responses; nothing for a response that does not parse, is
/// not successful, or has a response without `nextUpdate`.
fn ocsp_next_update(der: &[u8]) -> Option<SystemTime> {
    let response = OcspResponse::parse(der).ok()?;
    let mut earliest: Option<DateTime> = None;
    for single in response.responses() {
        let next = single.next_update?;
        earliest = Some(earliest.map_or(next, |e| e.min(next)));
    }
    earliest.map(system_time)
}

/// Until when a CRL may be kept: its `nextUpdate`.
fn crl_next_update(der: &[u8]) -> Option<SystemTime> {
    Crl::from_der(der).ok()?.next_update().map(system_time)
}

fn system_time(t: DateTime) -> SystemTime {
    UNIX_EPOCH + t.unix_duration()
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

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
            .timestamp_token(DigestAlgorithm::Sha256, &[7; 32], &[1; 16])
            .unwrap_err();
        assert_eq!((e.code(), e.http_status()), ("TSA_UNAVAILABLE", 502));
        // A URL a certificate might carry but the agent never requests.
        let o = outbound("");
        let e = Error::from(
            o.crl_at("ldap://ldap.example.vn/cn=CA", SystemTime::now(), |_| None)
                .unwrap_err(),
        );
        assert_eq!((e.code(), e.http_status()), ("REVOCATION_UNAVAILABLE", 502));
    }

    #[test]
    fn a_signer_without_urls_is_unknown_without_a_request() {
        let root = Certificate::from_pem(kyso_core::trust::BUNDLED[0].1.as_bytes()).unwrap();
        let o = Arc::new(outbound(""));
        // The bundled roots name no responder: nothing to ask, and the
        // issuer is not even looked for.
        assert!(root.ocsp_urls().is_empty() && root.crl_urls().is_empty());
        assert!(matches!(
            o.signer_status(&root, || unreachable!()),
            SignerStatus::Unknown(m) if m.contains("names no OCSP")
        ));
        assert!(o.cache.is_empty());
    }

    #[test]
    fn ocsp_answers_are_cached_until_next_update() {
        let url = one_ocsp_answer(b"ocsp response");
        let o = outbound("[revocation]\ntimeout_seconds = 2\n");
        let now = SystemTime::now();
        let until = now + Duration::from_secs(3600);
        let first = o.ocsp_at(&url, b"req", now, |_| Some(until)).unwrap();
        assert_eq!(&first[..], b"ocsp response");
        // The server is gone: this answer can only come from the cache.
        let again = o
            .ocsp_at(&url, b"req", now + Duration::from_secs(60), |_| None)
            .unwrap();
        assert_eq!(&again[..], b"ocsp response");
        // Past nextUpdate it is asked again, and the server is gone.
        let e = o.ocsp_at(&url, b"req", until, |_| None).unwrap_err();
        assert_eq!(e.code(), "REVOCATION_UNAVAILABLE");
    }
}
