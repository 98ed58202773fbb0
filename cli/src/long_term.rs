//! Making a signature last (`--level B-T | B-LT`): a time-stamp on the
//! signature value from the TSAs given, then the certificates and the
//! revocation answers of the signer's and the TSA's paths, embedded.
//!
//! Each step starts from a finished signature and the caller keeps the last
//! one that worked: a TSA or responder that fails never costs the user the
//! signature the token already made.

use kyso_core::cms::unsigned_attrs;
use kyso_core::cms::SignedDataView;
use kyso_core::{Certificate, DigestAlgorithm, Localized, TrustAnchors};
use kyso_net::{Fetcher, NetError, Revocation, Settings, Tsa};

use crate::clock::now;

/// The TSA the shipped agent configuration names (`[timestamp] urls`), used
/// when no `--tsa` is given: the Vietnamese government's.
pub const DEFAULT_TSA: &str = "http://tsa.ca.gov.vn";

/// The CAdES and PAdES baseline levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// The signature alone.
    BB,
    /// With a signature time-stamp.
    BT,
    /// With the validation data a verifier needs offline.
    BLt,
}

impl std::str::FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_uppercase().as_str() {
            "B-B" => Ok(Level::BB),
            "B-T" => Ok(Level::BT),
            "B-LT" => Ok(Level::BLt),
            "B-LTA" => Err("B-LTA is not available for CMS signatures yet; use B-LT".into()),
            _ => Err(format!("{s}: expected B-B, B-T or B-LT")),
        }
    }
}

/// Adds a signature time-stamp to `cms` from the first of `tsa_urls` that
/// answers.
pub fn timestamp(cms: &[u8], tsa_urls: &[String]) -> Result<Vec<u8>, NetError> {
    let alg = DigestAlgorithm::Sha256;
    let imprint = unsigned_attrs::signature_timestamp_imprint(cms, alg.into())
        .map_err(|e| protocol(e.message()))?;
    let urls: Vec<String> = if tsa_urls.is_empty() {
        vec![DEFAULT_TSA.into()]
    } else {
        tsa_urls.to_vec()
    };
    let tsa = Tsa::new(Fetcher::new(Settings::default()));
    let token = kyso_net::timestamp_token(&tsa, &urls, alg, &imprint, &nonce(cms))?;
    unsigned_attrs::add_signature_timestamp(cms, &token).map_err(|e| protocol(e.message()))
}

/// Adds the certificates and the OCSP/CRL answers of the signer's and each
/// time-stamp's path to the SignedData (CAdES-B-LT), from the responders their certificates name.
pub fn validation_data(
    cms: &[u8],
    signer: &Certificate,
    chain: &[Certificate],
) -> Result<Vec<u8>, NetError> {
    let view = SignedDataView::parse(cms).map_err(|e| revocation_error(e.message()))?;
    let mut pool: Vec<Certificate> = view.certificates.clone();
    pool.extend(chain.iter().cloned());
    let mut paths = vec![path_of(signer, &pool)];
    let tokens = unsigned_attrs::values(cms, unsigned_attrs::ID_AA_SIGNATURE_TIME_STAMP_TOKEN)
        .unwrap_or_default();
    for token in &tokens {
        if let Ok(t) = SignedDataView::parse(token) {
            if let Some(tsa) = t.certificates.iter().find(|c| c.is_time_stamping()) {
                let mut tsa_pool = t.certificates.clone();
                tsa_pool.extend(pool.iter().cloned());
                paths.push(path_of(tsa, &tsa_pool));
            }
        }
    }
    let revocation = Revocation::new(Fetcher::new(Settings::default()));
    let collected = kyso_net::collect(&revocation, &paths);
    if let Some(e) = collected.failures.into_iter().next() {
        return Err(e);
    }
    let mut certificates: Vec<Certificate> = Vec::new();
    for c in paths.iter().flatten() {
        if !certificates.contains(c) {
            certificates.push(c.clone());
        }
    }
    kyso_core::cms::add_validation_data(cms, &certificates, &collected.crls, &collected.ocsp)
        .map_err(|e| revocation_error(e.message()))
}

/// `cert` up to a self-signed certificate of `pool` or a bundled root,
/// whichever the issuers lead to; as far as it goes otherwise.
fn path_of(cert: &Certificate, pool: &[Certificate]) -> Vec<Certificate> {
    let mut anchors = TrustAnchors::bundled();
    for c in pool.iter().filter(|c| c.is_self_issued()) {
        anchors.add(c.clone());
    }
    let time = kyso_core::path::ValidationTime {
        now: now(),
        proof_of_existence: None,
    };
    match kyso_core::path::validate(cert, pool, &anchors, time).0 {
        Some(p) => p.certificates,
        None => vec![cert.clone()],
    }
}

/// Binds the TSA's answer to this request. Not a secret: the imprint is
/// already unique to this signature; the nonce only makes a replayed answer
/// for the same imprint recognisable.
fn nonce(cms: &[u8]) -> Vec<u8> {
    let mut seed = cms.to_vec();
    seed.extend(std::process::id().to_le_bytes());
    if let Ok(d) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        seed.extend(d.as_nanos().to_le_bytes());
    }
    DigestAlgorithm::Sha256.digest(&seed)[..16].to_vec()
}

fn protocol(message: String) -> NetError {
    NetError::TsaUnavailable(vec![kyso_net::Failure {
        url: String::new(),
        reason: kyso_net::Reason::Protocol(message),
    }])
}

fn revocation_error(message: String) -> NetError {
    NetError::RevocationUnavailable(kyso_net::Failure {
        url: String::new(),
        reason: kyso_net::Reason::Protocol(message),
    })
}
