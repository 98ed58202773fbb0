//! Collecting what a long-term signature embeds: a time-stamp token from the
//! admin's TSAs, and for every certificate of a path the OCSP response (else
//! the CRL) its issuer publishes at the URLs the certificate names (AIA,
//! CDP). kyso-core builds the requests and checks every answer; this module
//! only decides what to ask whom, and keeps what holds.

use kyso_core::revocation::{self, RevocationData};
use kyso_core::{Certificate, DigestAlgorithm, Localized};

use crate::error::{Failure, NetError, Reason};
use crate::revocation::Revocation;
use crate::tsa::Tsa;

/// A time-stamp token over `digest` from the first of `urls` that answers
/// with a token that stamps `digest` and echoes `nonce`.
pub fn timestamp_token<S: AsRef<str>>(
    tsa: &Tsa,
    urls: &[S],
    algorithm: DigestAlgorithm,
    digest: &[u8],
    nonce: &[u8],
) -> Result<Vec<u8>, NetError> {
    let request = kyso_core::tsp::request(algorithm, digest, nonce).map_err(|e| {
        NetError::TsaUnavailable(vec![Failure {
            url: String::new(),
            reason: Reason::Protocol(e.message()),
        }])
    })?;
    let mut failures = Vec::new();
    for url in urls {
        let url = url.as_ref();
        let answer = tsa
            .timestamp(&[url], &request)
            .map_err(|e| match e {
                NetError::TsaUnavailable(mut f) if !f.is_empty() => f.remove(0).reason,
                other => Reason::Protocol(other.message()),
            })
            .and_then(|der| {
                kyso_core::tsp::TimeStampResponse::parse(&der)
                    .and_then(|r| r.token_for(algorithm.into(), digest, nonce))
                    .map_err(|e| Reason::Protocol(e.message()))
            });
        match answer {
            Ok(token) => return Ok(token),
            Err(reason) => failures.push(Failure {
                url: url.to_string(),
                reason,
            }),
        }
    }
    Err(NetError::TsaUnavailable(failures))
}

/// Where [`collect`] gets OCSP responses and CRLs: a [`Revocation`] client,
/// or a cache in front of one (the agent keeps answers until their
/// `nextUpdate`).
pub trait RevocationSource {
    /// The DER `OCSPResponse` the responder at `url` gives for `request_der`.
    fn ocsp(&self, url: &str, request_der: &[u8]) -> Result<Vec<u8>, NetError>;
    /// The CRL at `url`.
    fn crl(&self, url: &str) -> Result<Vec<u8>, NetError>;
}

impl RevocationSource for Revocation {
    fn ocsp(&self, url: &str, request_der: &[u8]) -> Result<Vec<u8>, NetError> {
        Revocation::ocsp(self, url, request_der)
    }

    fn crl(&self, url: &str) -> Result<Vec<u8>, NetError> {
        Revocation::crl(self, url)
    }
}

/// What [`collect`] gathered: the DER to embed, and what could not be had.
#[derive(Debug, Default)]
pub struct Collected {
    /// OCSPResponses (full, DER), one per certificate that has a responder.
    pub ocsp: Vec<Vec<u8>>,
    /// CRLs (DER) for certificates without a working responder.
    pub crls: Vec<Vec<u8>>,
    /// Certificates whose status could not be had, with why.
    pub failures: Vec<NetError>,
}

impl Collected {
    /// The collected answers as kyso-core reads them.
    pub fn data(&self) -> RevocationData {
        RevocationData::from_der(&self.ocsp, &self.crls).0
    }
}

/// For each certificate of each path (signer first, trust anchor last) but
/// the anchor: an OCSP response from its AIA responders, else a CRL from its
/// CDP, kept only when kyso-core finds it is about that certificate and
/// signed for its issuer. Paths may share certificates; each is asked once.
pub fn collect<S: RevocationSource + ?Sized>(source: &S, paths: &[Vec<Certificate>]) -> Collected {
    let mut out = Collected::default();
    let mut done: Vec<Vec<u8>> = Vec::new();
    for path in paths {
        for pair in path.windows(2) {
            let (cert, issuer) = (&pair[0], &pair[1]);
            if done.iter().any(|d| d.as_slice() == cert.der()) {
                continue;
            }
            done.push(cert.der().to_vec());
            match status_of(source, cert, issuer) {
                Ok(Answer::Ocsp(der)) => out.ocsp.push(der),
                Ok(Answer::Crl(der)) => {
                    if !out.crls.contains(&der) {
                        out.crls.push(der);
                    }
                }
                Err(e) => out.failures.push(e),
            }
        }
    }
    out
}

enum Answer {
    Ocsp(Vec<u8>),
    Crl(Vec<u8>),
}

fn status_of<S: RevocationSource + ?Sized>(
    revocation: &S,
    cert: &Certificate,
    issuer: &Certificate,
) -> Result<Answer, NetError> {
    let mut last = None;
    // No nonce: answers can then be cached until nextUpdate, and the
    // signature's own proof of time is the time-stamp, not the nonce.
    if let Ok(request) = kyso_core::ocsp::request(cert, issuer, None) {
        for url in cert.ocsp_urls() {
            match revocation.ocsp(&url, &request) {
                Ok(der) => {
                    if holds(cert, issuer, Some(&der), None) {
                        return Ok(Answer::Ocsp(der));
                    }
                    last = Some(unusable(&url, "OCSP"));
                }
                Err(e) => last = Some(e),
            }
        }
    }
    for url in cert.crl_urls() {
        match revocation.crl(&url) {
            Ok(der) => {
                if holds(cert, issuer, None, Some(&der)) {
                    return Ok(Answer::Crl(der));
                }
                last = Some(unusable(&url, "CRL"));
            }
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        NetError::RevocationUnavailable(Failure {
            url: String::new(),
            reason: Reason::UrlRefused(format!(
                "certificate '{}' names no OCSP responder or CRL distribution point",
                cert.info().common_name.unwrap_or_default()
            )),
        })
    }))
}

fn holds(
    cert: &Certificate,
    issuer: &Certificate,
    ocsp: Option<&[u8]>,
    crl: Option<&[u8]>,
) -> bool {
    // An answer kyso-core cannot read is left out of the data, so it holds
    // nothing.
    let (data, _) = RevocationData::from_der(ocsp, crl);
    revocation::status(cert, issuer, &data).is_some()
}

fn unusable(url: &str, what: &str) -> NetError {
    NetError::RevocationUnavailable(Failure {
        url: url.to_string(),
        reason: Reason::Protocol(format!(
            "the {what} answer is not about this certificate or its signature does not hold"
        )),
    })
}
