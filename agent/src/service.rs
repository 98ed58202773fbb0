//! The agent's operations, independent of HTTP: list certificates, sign
//! (one or a batch), authenticate, sign a raw hash, time-stamp a digest,
//! fetch revocation data. Each runs on a blocking thread; token operations
//! run one at a time per token, after the signer's revocation check
//! (`revocation.before_signing`), approved by the [`Approver`] and audited.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use kyso_core::cms::signed_attrs;
use kyso_core::signature_scheme::{algorithm_name, ecdsa_to_der};
use kyso_core::{
    auth, Certificate, DigestAlgorithm, KeyType, Localized, SignatureScheme, TrustAnchors,
};
use kyso_token::{Signer, TokenCertificate, Tokens};
use kyso_wire::api::authenticate::{AuthRequest, AuthToken};
use kyso_wire::api::certificates::Cert;
use kyso_wire::api::revocation::{RevocationRequest, RevocationResponse};
use kyso_wire::api::sign::{SignRequest, SignResponse};
use kyso_wire::api::sign_batch::{BatchRequest, BatchResponse, BatchResult};
use kyso_wire::api::sign_hash::HashRequest;
use kyso_wire::api::timestamp::{TimestampRequest, TimestampResponse};

use crate::activity::Activity;
use crate::approver::{Action, ApprovalRequest, Approver, Credential, Document, PinRetry};
use crate::audit::{Audit, Event};
use crate::config::{AllowedOrigin, BeforeSigning};
use crate::error::Error;
use crate::origin::Origin;
use crate::outbound::{Outbound, SignerStatus};

/// A token error in the agent's terms.
type TokenError = kyso_token::Error;

/// Most certificates one `/v1/revocation` request may name: a PDF with
/// several signers, their CAs and their TSAs' (real paths have three).
pub const MAX_REVOCATION_CERTIFICATES: usize = 32;
/// Largest certificate `/v1/revocation` accepts (DER).
pub const MAX_CERTIFICATE_BYTES: usize = 16 * 1024;

/// What the before-signing check found, for the window and the audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Checked {
    /// `revocation.before_signing = "off"`: nothing asked.
    Off,
    Good,
    Unknown(String),
    Revoked(String),
}

impl Checked {
    /// The audit log's `revocation` value.
    fn label(&self) -> Option<&'static str> {
        match self {
            Checked::Off => None,
            Checked::Good => Some("good"),
            Checked::Unknown(_) => Some("unknown"),
            Checked::Revoked(_) => Some("revoked"),
        }
    }

    /// The answer when the signature must not go ahead: a revoked
    /// certificate always, an unknown status under `require`.
    fn refusal(&self, mode: BeforeSigning) -> Option<Error> {
        match self {
            Checked::Revoked(m) => Some(Error::CertificateRevoked(m.clone())),
            Checked::Unknown(m) if mode == BeforeSigning::Require => {
                Some(Error::RevocationUnavailable(m.clone()))
            }
            _ => None,
        }
    }
}

struct Kept {
    cert: TokenCertificate,
    signer: Signer,
}

/// The agent's operations, shared by the server's request threads and the tray.
pub struct Service {
    tokens: Tokens,
    anchors: TrustAnchors,
    approver: Box<dyn Approver>,
    audit: Audit,
    allowed: Vec<AllowedOrigin>,
    /// TSAs, OCSP, CRLs: for /v1/timestamp, /v1/revocation and the
    /// before-signing check.
    outbound: Arc<Outbound>,
    activity: Activity,
    /// One lock per token serial: a token does one thing at a time.
    token_locks: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    /// Logged-in signers, with their resolved certificates, kept between
    /// requests when the approver allows it.
    kept: Mutex<HashMap<String, Kept>>,
    /// Issuers of token certificates (by the certificate's DER), found once
    /// for the before-signing check: a lookup by id does not build chains.
    issuers: Mutex<HashMap<Vec<u8>, Certificate>>,
}

impl Service {
    pub fn new(
        tokens: Tokens,
        anchors: TrustAnchors,
        approver: Box<dyn Approver>,
        audit: Audit,
        allowed: Vec<AllowedOrigin>,
        outbound: Outbound,
    ) -> Self {
        Service {
            tokens,
            anchors,
            approver,
            audit,
            allowed,
            outbound: Arc::new(outbound),
            activity: Activity::default(),
            token_locks: Mutex::new(HashMap::new()),
            kept: Mutex::new(HashMap::new()),
            issuers: Mutex::new(HashMap::new()),
        }
    }

    pub fn allowed(&self) -> &[AllowedOrigin] {
        &self.allowed
    }

    pub fn approver(&self) -> &dyn Approver {
        self.approver.as_ref()
    }

    pub fn audit(&self) -> &Audit {
        &self.audit
    }

    /// Operations under way and the last token failure (for the tray).
    pub fn activity(&self) -> &Activity {
        &self.activity
    }

    /// Labels of the present tokens, as the modules last saw them.
    pub fn token_labels(&self) -> Vec<String> {
        self.tokens.labels()
    }

    /// When no token is present, asks the modules again (some see a token
    /// plugged in only when re-initialised, which every module call waits for).
    pub fn look_for_new_tokens(&self) {
        self.rescan_if_empty();
    }

    pub fn token_count(&self) -> usize {
        self.rescan_if_empty();
        self.tokens.token_count()
    }

    pub fn certificates(&self) -> Result<Vec<Cert>, Error> {
        self.rescan_if_empty();
        Ok(self
            .tokens
            .certificates(&self.anchors, crate::clock::now())?
            .iter()
            .map(TokenCertificate::to_json)
            .collect())
    }

    /// Picks up tokens plugged in since start-up when none is present.
    fn rescan_if_empty(&self) -> bool {
        self.tokens.rescan_if_empty(|| {
            self.kept.lock().unwrap_or_else(|p| p.into_inner()).clear();
        })
    }

    pub fn sign(&self, origin: &Origin, req: SignRequest) -> Result<SignResponse, Error> {
        let attrs = decode(&req.signed_attributes, "signedAttributes")?;
        let summary = signed_attrs::inspect(&attrs, Some(req.digest_algorithm))?;
        let cert = self.resolve(&req.certificate_id)?;
        let scheme = scheme_for(&cert, req.scheme)?;
        let action = Action::Sign(vec![Document {
            name: req.document_name.clone(),
            digest: summary.message_digest.clone(),
        }]);
        let (result, checked) = self.with_signer(origin, &cert, &action, |signer| {
            let raw = signer.sign(&attrs, req.digest_algorithm, scheme)?;
            finish_signature(&raw, scheme)
        });
        self.audit_sign(
            origin,
            &cert,
            (&req.document_name, &summary.message_digest),
            &checked,
            &result,
        );
        Ok(SignResponse {
            signature: B64.encode(result?),
            signature_algorithm: algorithm_name(scheme, req.digest_algorithm),
            certificate: B64.encode(cert.certificate.der()),
        })
    }

    pub fn sign_batch(&self, origin: &Origin, req: BatchRequest) -> Result<BatchResponse, Error> {
        if req.items.is_empty() {
            return Err(Error::BadRequest("items is empty".into()));
        }
        // Check every item before asking the user anything.
        let mut parsed = Vec::with_capacity(req.items.len());
        for (i, item) in req.items.iter().enumerate() {
            let attrs = decode(&item.signed_attributes, "signedAttributes")
                .map_err(|e| Error::BadRequest(format!("items[{i}]: {}", e.message())))?;
            let summary = signed_attrs::inspect(&attrs, Some(req.digest_algorithm))
                .map_err(|e| Error::BadRequest(format!("items[{i}]: {}", e.message())))?;
            parsed.push((attrs, summary));
        }
        let cert = self.resolve(&req.certificate_id)?;
        let scheme = scheme_for(&cert, req.scheme)?;
        let action = Action::Sign(
            req.items
                .iter()
                .zip(&parsed)
                .map(|(item, (_, s))| Document {
                    name: item.document_name.clone(),
                    digest: s.message_digest.clone(),
                })
                .collect(),
        );
        let digest = req.digest_algorithm;
        let (results, checked) = self.with_signer(origin, &cert, &action, |signer| {
            Ok(sign_each(&parsed, |(attrs, _)| {
                let raw = signer.sign(attrs, digest, scheme)?;
                finish_signature(&raw, scheme)
            }))
        });
        let results = match results {
            Ok(r) => r,
            Err(e) => {
                // Refused or failed as a whole: still one audit line per document.
                for (item, (_, summary)) in req.items.iter().zip(&parsed) {
                    self.audit_outcome(
                        origin,
                        &cert,
                        (&item.document_name, &summary.message_digest),
                        &checked,
                        Err(e.code()),
                    );
                }
                return Err(e);
            }
        };
        let mut signatures = Vec::with_capacity(results.len());
        for ((item, (_, summary)), result) in req.items.iter().zip(&parsed).zip(results) {
            self.audit_sign(
                origin,
                &cert,
                (&item.document_name, &summary.message_digest),
                &checked,
                &result,
            );
            signatures.push(match result {
                Ok(sig) => BatchResult {
                    signature: Some(B64.encode(sig)),
                    error: None,
                },
                Err(e) => BatchResult {
                    signature: None,
                    error: Some(e.body()),
                },
            });
        }
        Ok(BatchResponse {
            signatures,
            signature_algorithm: algorithm_name(scheme, digest),
            certificate: B64.encode(cert.certificate.der()),
        })
    }

    pub fn authenticate(&self, origin: &Origin, req: AuthRequest) -> Result<AuthToken, Error> {
        let nonce_bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(req.nonce.trim_end_matches('='))
            .map_err(|_| Error::BadRequest("nonce must be base64url".into()))?;
        if nonce_bytes.len() < auth::MIN_NONCE_BYTES {
            return Err(Error::BadRequest(format!(
                "nonce must carry at least {} bytes",
                auth::MIN_NONCE_BYTES
            )));
        }
        let cert = match &req.certificate_id {
            Some(id) => self.resolve(id)?,
            None => self
                .tokens
                .select(None, &self.anchors, crate::clock::now())?,
        };
        let scheme = scheme_for(&cert, None)?;
        let origin_text = origin.to_string();
        let data = auth::challenge(&origin_text, &req.nonce);
        let digest = DigestAlgorithm::Sha256;
        let (result, checked) = self.with_signer(origin, &cert, &Action::Authenticate, |signer| {
            let raw = signer.sign(&data, digest, scheme)?;
            finish_signature(&raw, scheme)
        });
        let outcome = result.as_ref().map(|_| "ok").unwrap_or_else(|e| e.code());
        self.audit.record(&Event {
            origin: Some(&origin_text),
            certificate_id: Some(&cert.id),
            certificate_serial: Some(&cert.info.serial_number),
            digest: Some(hex::encode(digest.digest(&data))),
            revocation: checked.label(),
            ..Event::new("authenticate", outcome, self.approver.name())
        });
        let chain = self
            .tokens
            .certificates(&self.anchors, crate::clock::now())
            .ok()
            .and_then(|all| all.into_iter().find(|c| c.id == cert.id))
            .map(|c| c.chain.iter().map(|x| B64.encode(x.der())).collect())
            .unwrap_or_default();
        Ok(AuthToken {
            format: auth::FORMAT.into(),
            origin: origin_text,
            certificate: B64.encode(cert.certificate.der()),
            signature_algorithm: algorithm_name(scheme, digest),
            signature: B64.encode(result?),
            chain,
        })
    }

    pub fn sign_hash(&self, origin: &Origin, req: HashRequest) -> Result<SignResponse, Error> {
        if !AllowedOrigin::find(&self.allowed, origin).is_some_and(|a| a.allow_raw_hash) {
            return Err(Error::OriginNotAllowed(format!(
                "{origin} may not sign raw hashes (allow_raw_hash is off)"
            )));
        }
        let digest_value = decode(&req.digest, "digest")?;
        if digest_value.len() != req.digest_algorithm.output_len() {
            return Err(Error::BadRequest(
                "digest length does not match digestAlgorithm".into(),
            ));
        }
        let cert = self.resolve(&req.certificate_id)?;
        let scheme = scheme_for(&cert, req.scheme)?;
        let action = Action::SignHash(digest_value.clone());
        let (result, checked) = self.with_signer(origin, &cert, &action, |signer| {
            let raw = signer.sign_digest(&digest_value, req.digest_algorithm, scheme)?;
            finish_signature(&raw, scheme)
        });
        let name = req.document_name.as_deref().unwrap_or("(raw hash)");
        self.audit_sign(origin, &cert, (name, &digest_value), &checked, &result);
        Ok(SignResponse {
            signature: B64.encode(result?),
            signature_algorithm: algorithm_name(scheme, req.digest_algorithm),
            certificate: B64.encode(cert.certificate.der()),
        })
    }

    /// `POST /v1/timestamp`: a token from the configured TSAs over the
    /// page's digest, with a fresh random nonce. No approval (the user's key
    /// signs nothing), but audited.
    pub fn timestamp(
        &self,
        origin: &Origin,
        req: TimestampRequest,
    ) -> Result<TimestampResponse, Error> {
        let digest = decode(&req.digest, "digest")?;
        if digest.len() != req.digest_algorithm.output_len() {
            return Err(Error::BadRequest(format!(
                "digest has {} bytes; {} makes {}",
                digest.len(),
                req.digest_algorithm.name(),
                req.digest_algorithm.output_len()
            )));
        }
        let mut nonce = [0u8; 16];
        getrandom::fill(&mut nonce)
            .map_err(|e| Error::Io(format!("no randomness for the nonce: {e}")))?;
        let result = self
            .outbound
            .timestamp_token(req.digest_algorithm, &digest, &nonce);
        let origin = origin.to_string();
        self.audit.record(&Event {
            origin: Some(&origin),
            digest: Some(hex::encode(&digest)),
            ..Event::new(
                "timestamp",
                result.as_ref().map(|_| "ok").unwrap_or_else(|e| e.code()),
                NO_APPROVER,
            )
        });
        Ok(TimestampResponse {
            time_stamp_token: B64.encode(result?),
        })
    }

    /// `POST /v1/revocation`: OCSP responses (else CRLs) for the page's
    /// certificates and their issuers. Every certificate must chain to the
    /// agent's trust anchors (the bundled roots and the roots on the
    /// tokens) before anything is fetched: the agent asks only the AIA and
    /// CDP URLs of such certificates, never a URL a page chose.
    pub fn revocation(
        &self,
        origin: &Origin,
        req: RevocationRequest,
    ) -> Result<RevocationResponse, Error> {
        let certificates = parse_certificates(&req.certificates)?;
        let (anchors, mut pool) = self.revocation_trust();
        pool.extend(certificates.iter().cloned());
        let time = kyso_core::path::ValidationTime {
            now: crate::clock::now(),
            proof_of_existence: None,
        };
        let mut paths: Vec<Vec<Certificate>> = Vec::new();
        for (i, cert) in certificates.iter().enumerate() {
            if anchors.contains(cert) {
                continue; // a trust anchor has no revocation status
            }
            // Built through signatures, up to an anchor; the validity
            // periods do not matter here.
            let Some(path) = kyso_core::path::validate(cert, &pool, &anchors, time).0 else {
                return Err(Error::BadRequest(format!(
                    "certificates[{i}] ({}) does not chain to the agent's trust anchors; nothing was fetched",
                    cert.info().holder_name()
                )));
            };
            paths.push(path.certificates);
        }
        let collected = self.outbound.collect(&paths);
        let outcome = match collected.failures.first() {
            Some(e) => e.code(),
            None => "ok",
        };
        let origin = origin.to_string();
        let serial = certificates.first().map(|c| c.info().serial_number);
        self.audit.record(&Event {
            origin: Some(&origin),
            certificate_serial: serial.as_deref(),
            ..Event::new("revocation", outcome, NO_APPROVER)
        });
        if let Some(e) = collected.failures.into_iter().next() {
            return Err(e.into());
        }
        Ok(RevocationResponse {
            ocsp: collected.ocsp.iter().map(|d| B64.encode(d)).collect(),
            crls: collected.crls.iter().map(|d| B64.encode(d)).collect(),
        })
    }

    /// The anchors `/v1/revocation` accepts paths to — the bundled roots
    /// and the self-issued CA certificates of the present tokens' chains —
    /// and the tokens' CA certificates as intermediates. Never a
    /// certificate from the request.
    fn revocation_trust(&self) -> (TrustAnchors, Vec<Certificate>) {
        let mut anchors = self.anchors.clone();
        let mut pool = Vec::new();
        let on_tokens = self
            .tokens
            .certificates(&self.anchors, crate::clock::now())
            .unwrap_or_default();
        for cert in on_tokens.iter().flat_map(|c| &c.chain) {
            if cert.is_self_issued() && !anchors.contains(cert) {
                anchors.add(cert.clone());
            } else if !pool.contains(cert) {
                pool.push(cert.clone());
            }
        }
        (anchors, pool)
    }

    /// The certificate `id`: from a kept session when its token is still
    /// present (no object search on the hot path), else looked up on the tokens.
    fn resolve(&self, id: &str) -> Result<TokenCertificate, Error> {
        if self.approver.keeps_sessions() {
            let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(k) = kept.get(id) {
                if self.tokens.still_present(&k.cert) {
                    return Ok(k.cert.clone());
                }
                kept.remove(id);
            }
        }
        let found = match self.tokens.find(id) {
            Err(TokenError::TokenNotFound(_)) if self.rescan_if_empty() => self.tokens.find(id),
            other => other,
        };
        Ok(found?)
    }

    /// Checks the signer's revocation status, then locks the token, asks
    /// the approver, logs in (or reuses a kept session) and runs `op`. A
    /// revoked certificate (or, under `require`, an unknown status) is
    /// refused here: no window, no PIN, nothing reaches the token. A kept
    /// session that fails is dropped and the operation retried once after a
    /// fresh lookup and login, so a re-inserted token works again and a
    /// removed one is reported as such.
    fn with_signer<T>(
        &self,
        origin: &Origin,
        cert: &TokenCertificate,
        action: &Action,
        op: impl Fn(&Signer) -> Result<T, Error>,
    ) -> (Result<T, Error>, Checked) {
        let _busy = self.activity.begin();
        let checked = self.check_revocation(cert);
        let result = match checked.refusal(self.outbound.before_signing()) {
            Some(refused) => Err(refused),
            None => {
                let unchecked = matches!(checked, Checked::Unknown(_));
                self.approve_and_run(origin, cert, action, unchecked, op)
            }
        };
        self.activity.finished(result.as_ref().map(|_| ()));
        (result, checked)
    }

    /// The signer's status under `revocation.before_signing`: OCSP, else
    /// CRL, from the URLs of the token's own certificate, through the cache,
    /// within `revocation.timeout_seconds`.
    fn check_revocation(&self, cert: &TokenCertificate) -> Checked {
        if self.outbound.before_signing() == BeforeSigning::Off {
            return Checked::Off;
        }
        match self
            .outbound
            .signer_status(&cert.certificate, || self.issuer_of(cert))
        {
            SignerStatus::Good => Checked::Good,
            SignerStatus::Revoked(m) => Checked::Revoked(m),
            SignerStatus::Unknown(m) => {
                eprintln!(
                    "kyso-agent: revocation status of certificate {} unknown: {m}",
                    cert.info.serial_number
                );
                Checked::Unknown(m)
            }
        }
    }

    /// The certificate that issued `cert`: from its chain, else from the
    /// token's CA certificates and the trust anchors (remembered).
    fn issuer_of(&self, cert: &TokenCertificate) -> Option<Certificate> {
        if let Some(issuer) = cert.chain.first() {
            return Some(issuer.clone());
        }
        let key = cert.certificate.der().to_vec();
        let mut issuers = self.issuers.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(issuer) = issuers.get(&key) {
            return Some(issuer.clone());
        }
        let issuer = self
            .tokens
            .certificates(&self.anchors, crate::clock::now())
            .ok()?
            .into_iter()
            .find(|c| c.certificate == cert.certificate)
            .and_then(|c| c.chain.into_iter().next())?;
        issuers.insert(key, issuer.clone());
        Some(issuer)
    }

    fn approve_and_run<T>(
        &self,
        origin: &Origin,
        cert: &TokenCertificate,
        action: &Action,
        revocation_unchecked: bool,
        op: impl Fn(&Signer) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let lock = {
            let mut locks = self.token_locks.lock().unwrap_or_else(|p| p.into_inner());
            locks.entry(cert.token.serial.clone()).or_default().clone()
        };
        let _guard = lock.lock().unwrap_or_else(|p| p.into_inner());

        let request = ApprovalRequest {
            origin,
            action,
            certificate: &cert.info,
            token: &cert.token,
            pin_retry: None,
            revocation_unchecked,
        };
        let credential = self.approver.approve(&request)?;

        let mut stale = false;
        if self.approver.keeps_sessions() {
            let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(k) = kept.get(&cert.id) {
                match op(&k.signer) {
                    Err(e) if e.is_token_gone() => {
                        kept.remove(&cert.id);
                        stale = true;
                    }
                    other => return other,
                }
            }
        }
        // A kept session that failed means the token went away, or came back
        // in another slot: look it up afresh before logging in again.
        let fresh;
        let cert = if stale {
            fresh = self.tokens.find(&cert.id)?;
            &fresh
        } else {
            cert
        };
        let mut credential = Some(credential);
        let signer = loop {
            let opened = self
                .tokens
                .open_signer(cert, &mut |_| match credential.take() {
                    Some(Credential::Pin(pin)) => Ok(pin),
                    _ => Err(TokenError::PinUnavailable(
                        "no PIN from the approver".into(),
                    )),
                });
            match opened {
                Ok(signer) => break signer,
                Err(TokenError::PinIncorrect {
                    retries_left,
                    count_low,
                }) if self.approver.asks_again_after_wrong_pin() => {
                    // A person mistyped: ask again in the window, saying so and
                    // how many tries the token has left.
                    self.approver.pin_rejected();
                    credential = Some(self.approver.approve(&ApprovalRequest {
                        pin_retry: Some(PinRetry {
                            retries_left,
                            count_low,
                        }),
                        ..request.clone()
                    })?);
                }
                Err(e) => {
                    if matches!(e, TokenError::PinIncorrect { .. } | TokenError::PinLocked) {
                        self.approver.pin_rejected();
                    }
                    return Err(e.into());
                }
            }
        };
        let result = op(&signer);
        if self.approver.keeps_sessions() && result.is_ok() {
            self.kept.lock().unwrap_or_else(|p| p.into_inner()).insert(
                cert.id.clone(),
                Kept {
                    cert: cert.clone(),
                    signer,
                },
            );
        }
        result
    }

    /// One document's audit line: its name and digest, the signer's
    /// revocation status, the outcome.
    fn audit_sign<T>(
        &self,
        origin: &Origin,
        cert: &TokenCertificate,
        document: (&str, &[u8]),
        checked: &Checked,
        result: &Result<T, Error>,
    ) {
        let outcome = result.as_ref().map(|_| ()).map_err(|e| e.code());
        self.audit_outcome(origin, cert, document, checked, outcome);
    }

    fn audit_outcome(
        &self,
        origin: &Origin,
        cert: &TokenCertificate,
        (document, digest): (&str, &[u8]),
        checked: &Checked,
        outcome: Result<(), &str>,
    ) {
        let origin = origin.to_string();
        self.audit.record(&Event {
            origin: Some(&origin),
            certificate_id: Some(&cert.id),
            certificate_serial: Some(&cert.info.serial_number),
            document_name: Some(document),
            digest: Some(hex::encode(digest)),
            revocation: checked.label(),
            ..Event::new("sign", outcome.err().unwrap_or("ok"), self.approver.name())
        });
    }
}

/// The scheme asked for, checked against the key.
fn scheme_for(
    cert: &TokenCertificate,
    asked: Option<SignatureScheme>,
) -> Result<SignatureScheme, Error> {
    match (cert.certificate.key_type()?, asked) {
        (KeyType::Ec, None | Some(SignatureScheme::Ecdsa)) => Ok(SignatureScheme::Ecdsa),
        (KeyType::Rsa, None) => Ok(SignatureScheme::RsaPkcs1v15),
        (KeyType::Rsa, Some(s @ (SignatureScheme::RsaPkcs1v15 | SignatureScheme::RsaPss))) => Ok(s),
        (kt, s) => Err(Error::BadRequest(format!(
            "scheme {s:?} does not fit a {kt} key"
        ))),
    }
}

/// Signs each item in order. Once the token is gone the remaining items fail
/// with TOKEN_REMOVED without touching it again; what was signed is kept.
fn sign_each<I>(
    items: &[I],
    mut sign: impl FnMut(&I) -> Result<Vec<u8>, Error>,
) -> Vec<Result<Vec<u8>, Error>> {
    let mut out = Vec::with_capacity(items.len());
    let mut removed = false;
    for item in items {
        if removed {
            out.push(Err(Error::Token(TokenError::TokenRemoved)));
            continue;
        }
        let result = sign(item);
        removed = matches!(result, Err(Error::Token(TokenError::TokenRemoved)));
        out.push(result);
    }
    out
}

/// Puts ECDSA values in the DER form CMS and the API use (tokens return
/// r ‖ s). The value is not verified here: the page's `finish` (kyso-core
/// `PreparedSignature::finish`) verifies it against the certificate before
/// embedding it, and portal servers verify login tokens; doing it here too
/// cost a quarter of the agent's own time per signature.
fn finish_signature(raw: &[u8], scheme: SignatureScheme) -> Result<Vec<u8>, Error> {
    match scheme {
        SignatureScheme::Ecdsa => Ok(ecdsa_to_der(raw)?),
        _ => Ok(raw.to_vec()),
    }
}

/// The audit log's `approver` for calls that ask nobody (time-stamps,
/// revocation data).
const NO_APPROVER: &str = "none";

/// The certificates of a `/v1/revocation` request: 1 to
/// [`MAX_REVOCATION_CERTIFICATES`], each DER of at most
/// [`MAX_CERTIFICATE_BYTES`].
fn parse_certificates(encoded: &[String]) -> Result<Vec<Certificate>, Error> {
    if encoded.is_empty() || encoded.len() > MAX_REVOCATION_CERTIFICATES {
        return Err(Error::BadRequest(format!(
            "certificates: 1 to {MAX_REVOCATION_CERTIFICATES} expected, got {}",
            encoded.len()
        )));
    }
    encoded
        .iter()
        .enumerate()
        .map(|(i, b64)| {
            let der = decode(b64, &format!("certificates[{i}]"))?;
            if der.len() > MAX_CERTIFICATE_BYTES {
                return Err(Error::BadRequest(format!(
                    "certificates[{i}] is larger than {MAX_CERTIFICATE_BYTES} bytes"
                )));
            }
            Certificate::from_der(&der).map_err(|e| {
                Error::BadRequest(format!(
                    "certificates[{i}] is not a certificate: {}",
                    e.message()
                ))
            })
        })
        .collect()
}

fn decode(b64: &str, field: &str) -> Result<Vec<u8>, Error> {
    B64.decode(b64.trim())
        .map_err(|_| Error::BadRequest(format!("{field} is not standard base64")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_keeps_finished_signatures_when_the_token_goes() {
        let mut calls = 0;
        let results = sign_each(&[0, 1, 2, 3, 4, 5], |i| {
            calls += 1;
            match i {
                3 => Err(Error::Token(TokenError::TokenRemoved)),
                _ => Ok(vec![*i as u8]),
            }
        });
        assert_eq!(calls, 4, "the token is not asked again after it went away");
        let codes: Vec<_> = results
            .iter()
            .map(|r| {
                r.as_ref()
                    .map(|v| v[0].to_string())
                    .unwrap_or_else(|e| e.code().into())
            })
            .collect();
        assert_eq!(
            codes,
            [
                "0",
                "1",
                "2",
                "TOKEN_REMOVED",
                "TOKEN_REMOVED",
                "TOKEN_REMOVED"
            ]
        );
    }

    #[test]
    fn other_errors_do_not_stop_a_batch() {
        let results = sign_each(&[0, 1, 2], |i| match i {
            1 => Err(Error::Token(TokenError::Pkcs11 {
                function: "Sign".into(),
                ckr: "CKR_FUNCTION_FAILED".into(),
            })),
            _ => Ok(vec![1]),
        });
        assert!(results[0].is_ok() && results[1].is_err() && results[2].is_ok());
    }
}
