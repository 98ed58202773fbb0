//! Making a signature last (`--level`, `kyso extend`): a time-stamp on the
//! signature value from the TSAs given (B-T), then the certificates and the
//! revocation answers of the signers' and TSAs' paths (B-LT), then an
//! archive time-stamp over all of it (B-LTA): for a CMS an
//! archive-time-stamp-v3 attribute, for a PDF a document time-stamp.
//!
//! Each step starts from a finished file and the caller keeps the last one
//! that worked: a TSA or responder that fails never costs the user the
//! signature the token already made.

use kyso_core::cms::archive_timestamp::PreparedArchiveTimestamp;
use kyso_core::cms::unsigned_attrs;
use kyso_core::cms::{SignedDataView, SignerCertificates};
use kyso_core::pdf::{self, ValidationMaterial};
use kyso_core::{Certificate, DigestAlgorithm, Localized, TrustAnchors};
use kyso_net::{Fetcher, NetError, Revocation, Settings, Tsa};

use crate::clock::now;

/// The TSA the shipped agent configuration names (`[timestamp] urls`), used
/// when neither `--tsa` nor an agent configuration gives one: the
/// Vietnamese government's.
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
    /// With an archive time-stamp over that data (CAdES
    /// archive-time-stamp-v3, PAdES document time-stamp).
    BLta,
}

impl Level {
    /// The name users type and reports show.
    pub fn name(self) -> &'static str {
        match self {
            Level::BB => "B-B",
            Level::BT => "B-T",
            Level::BLt => "B-LT",
            Level::BLta => "B-LTA",
        }
    }
}

impl std::str::FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        [Level::BB, Level::BT, Level::BLt, Level::BLta]
            .into_iter()
            .find(|l| l.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("{s}: expected B-B, B-T, B-LT or B-LTA"))
    }
}

/// What a signing or extending run needs to reach for the network.
pub struct Network {
    tsa_urls: Vec<String>,
    tsa: Tsa,
    revocation: Revocation,
}

impl Network {
    /// `--tsa` URLs in order; without them the agent configuration's
    /// `[timestamp] urls`, else the shipped default.
    pub fn new(tsa_urls: &[String]) -> Self {
        let fetcher = Fetcher::new(Settings::default());
        Network {
            // The admin's choice in the agent configuration, then the
            // shipped default.
            tsa_urls: if !tsa_urls.is_empty() {
                tsa_urls.to_vec()
            } else {
                kyso_wire::config_file::timestamp_urls()
                    .filter(|u| !u.is_empty())
                    .unwrap_or_else(|| vec![DEFAULT_TSA.into()])
            },
            tsa: Tsa::new(fetcher.clone()),
            revocation: Revocation::new(fetcher),
        }
    }

    fn token(&self, algorithm: DigestAlgorithm, digest: &[u8]) -> Result<Vec<u8>, NetError> {
        kyso_net::timestamp_token(&self.tsa, &self.tsa_urls, algorithm, digest, &nonce(digest))
    }

    /// CAdES B-T: a signature time-stamp on the one signer of `cms`.
    pub fn timestamp_cms(&self, cms: &[u8]) -> Result<Vec<u8>, NetError> {
        let alg = DigestAlgorithm::Sha256;
        let imprint = unsigned_attrs::signature_timestamp_imprint(cms, alg.into())
            .map_err(|e| tsa_error(e.message()))?;
        let token = self.token(alg, &imprint)?;
        unsigned_attrs::add_signature_timestamp(cms, &token).map_err(|e| tsa_error(e.message()))
    }

    /// CAdES B-LT: the certificates and OCSP/CRL answers of the signer's
    /// and each time-stamp's path, in the SignedData.
    pub fn validation_data_cms(
        &self,
        cms: &[u8],
        signer: &Certificate,
        chain: &[Certificate],
    ) -> Result<Vec<u8>, NetError> {
        let view = SignedDataView::parse(cms).map_err(|e| revocation_error(e.message()))?;
        let mut subjects = vec![SignerCertificates {
            certificate: signer.clone(),
            pool: view.certificates.iter().chain(chain).cloned().collect(),
        }];
        for token in unsigned_attrs::values(cms, unsigned_attrs::ID_AA_SIGNATURE_TIME_STAMP_TOKEN)
            .unwrap_or_default()
        {
            if let Ok(t) = SignedDataView::parse(&token) {
                if let Some(tsa) = t.certificates.iter().find(|c| c.is_time_stamping()) {
                    subjects.push(SignerCertificates {
                        certificate: tsa.clone(),
                        pool: t.certificates.clone(),
                    });
                }
            }
        }
        let material = self.material(&subjects, chain)?;
        let certs: Vec<Certificate> = material
            .certificates
            .iter()
            .filter_map(|d| Certificate::from_der(d).ok())
            .collect();
        kyso_core::cms::add_validation_data(cms, &certs, &material.crls, &material.ocsp)
            .map_err(|e| revocation_error(e.message()))
    }

    /// CAdES B-LTA: an archive-time-stamp-v3 over the signature and all
    /// that the SignedData and the signer carry, hashed with `digest`. A
    /// detached signature needs its content's digest with that algorithm.
    pub fn archive_timestamp_cms(
        &self,
        cms: &[u8],
        digest: DigestAlgorithm,
        content_digest: Option<&[u8]>,
    ) -> Result<Vec<u8>, NetError> {
        let prepared = PreparedArchiveTimestamp::new(cms, digest, content_digest)
            .map_err(|e| tsa_error(e.message()))?;
        let token = self.token(prepared.digest_algorithm(), prepared.imprint())?;
        prepared.finish(&token).map_err(|e| tsa_error(e.message()))
    }

    /// PAdES B-T: a signature time-stamp on the newest signature of `pdf`.
    pub fn timestamp_pdf(&self, pdf_bytes: &[u8]) -> Result<Vec<u8>, NetError> {
        let alg = DigestAlgorithm::Sha256;
        let imprint = pdf::signature_timestamp_imprint(pdf_bytes, alg.into())
            .map_err(|e| tsa_error(e.message()))?;
        let token = self.token(alg, &imprint)?;
        pdf::add_signature_timestamp(pdf_bytes, &token).map_err(|e| tsa_error(e.message()))
    }

    /// PAdES B-LT: a `/DSS` revision with what every signature and
    /// time-stamp of `pdf` needs.
    pub fn validation_data_pdf(&self, pdf_bytes: &[u8]) -> Result<Vec<u8>, NetError> {
        let subjects = pdf::signers(pdf_bytes).map_err(|e| revocation_error(e.message()))?;
        let (known, _) = pdf::read_dss(pdf_bytes).parsed();
        let material = self.material(&subjects, &known)?;
        pdf::add_dss(pdf_bytes, &material).map_err(|e| revocation_error(e.message()))
    }

    /// PAdES B-LTA: a document time-stamp over everything so far.
    pub fn archive_timestamp_pdf(&self, pdf_bytes: &[u8]) -> Result<Vec<u8>, NetError> {
        let prepared = pdf::prepare_document_timestamp(pdf_bytes, DigestAlgorithm::Sha256)
            .map_err(|e| tsa_error(e.message()))?;
        let token = self.token(prepared.digest_algorithm(), prepared.imprint())?;
        prepared.finish(&token).map_err(|e| tsa_error(e.message()))
    }

    /// For `kyso verify --online`: the OCSP/CRL answers for every signer and
    /// TSA of the file whose path reaches one of `anchors` (nothing is asked
    /// about a certificate no trusted CA issued), with what could not be had.
    pub fn online(
        &self,
        subjects: &[SignerCertificates],
        anchors: &TrustAnchors,
    ) -> (kyso_core::revocation::RevocationData, Vec<NetError>) {
        let pool: Vec<Certificate> = subjects.iter().flat_map(|s| s.pool.clone()).collect();
        let time = kyso_core::path::ValidationTime {
            now: now(),
            proof_of_existence: None,
        };
        let paths: Vec<Vec<Certificate>> = subjects
            .iter()
            .filter_map(|s| kyso_core::path::validate(&s.certificate, &pool, anchors, time).0)
            .map(|p| p.certificates)
            .collect();
        let collected = kyso_net::collect(&self.revocation, &paths);
        let data = collected.data();
        (data, collected.failures)
    }

    fn material(
        &self,
        subjects: &[SignerCertificates],
        extra_pool: &[Certificate],
    ) -> Result<ValidationMaterial, NetError> {
        // One pool for all: a TSA's token often leaves out the root that
        // the signature's CMS carries.
        let mut pool: Vec<Certificate> = subjects
            .iter()
            .flat_map(|s| s.pool.iter())
            .chain(extra_pool)
            .cloned()
            .collect();
        let mut paths = Vec::new();
        for s in subjects {
            paths.push(match path_of(&s.certificate, &pool) {
                Ok(p) => p,
                // Other tools leave the root out: fetch the issuers the
                // certificates name (AIA caIssuers), as a verifier would.
                Err(e) => {
                    self.fetch_issuers(&s.certificate, &mut pool);
                    path_of(&s.certificate, &pool).map_err(|_| e)?
                }
            });
        }
        let collected = kyso_net::collect(&self.revocation, &paths);
        if let Some(e) = collected.failures.into_iter().next() {
            return Err(e);
        }
        let mut certificates: Vec<Vec<u8>> = Vec::new();
        for c in paths.iter().flatten() {
            if !certificates.iter().any(|d| d.as_slice() == c.der()) {
                certificates.push(c.der().to_vec());
            }
        }
        Ok(ValidationMaterial {
            certificates,
            ocsp: collected.ocsp,
            crls: collected.crls,
        })
    }
}

impl Network {
    /// Adds to `pool` the issuers `cert`'s chain names in AIA caIssuers,
    /// up to a self-signed one; at most four fetches, DER or PEM answers.
    fn fetch_issuers(&self, cert: &Certificate, pool: &mut Vec<Certificate>) {
        let mut current = cert.clone();
        for _ in 0..4 {
            if current.is_self_issued() {
                return;
            }
            let known = pool
                .iter()
                .find(|c| c.subject_der() == current.issuer_der() && **c != current)
                .cloned();
            let next = known.or_else(|| {
                current.ca_issuers_urls().iter().find_map(|url| {
                    let bytes = self.revocation.certificate(url).ok()?;
                    Certificate::from_der(&bytes)
                        .or_else(|_| Certificate::from_pem(&bytes))
                        .ok()
                })
            });
            let Some(next) = next else { return };
            if !pool.contains(&next) {
                pool.push(next.clone());
            }
            current = next;
        }
    }
}

/// `cert` up to a self-signed certificate of `pool` or a bundled root.
/// Without one there is no issuer to ask about `cert`'s status.
fn path_of(cert: &Certificate, pool: &[Certificate]) -> Result<Vec<Certificate>, NetError> {
    let mut anchors = TrustAnchors::bundled();
    for c in pool.iter().filter(|c| c.is_self_issued()) {
        anchors.add(c.clone());
    }
    let time = kyso_core::path::ValidationTime {
        now: now(),
        proof_of_existence: None,
    };
    match kyso_core::path::validate(cert, pool, &anchors, time).0 {
        Some(p) => Ok(p.certificates),
        None => Err(revocation_error(format!(
            "no certification path from '{}' to a root: its issuer is unknown",
            cert.info().common_name.unwrap_or_default()
        ))),
    }
}

/// Binds the TSA's answer to this request. Not a secret: the imprint is
/// already unique to this signature; the nonce only makes a replayed answer
/// for the same imprint recognisable.
fn nonce(digest: &[u8]) -> Vec<u8> {
    let mut seed = digest.to_vec();
    seed.extend(std::process::id().to_le_bytes());
    if let Ok(d) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        seed.extend(d.as_nanos().to_le_bytes());
    }
    DigestAlgorithm::Sha256.digest(&seed)[..16].to_vec()
}

fn tsa_error(message: String) -> NetError {
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
