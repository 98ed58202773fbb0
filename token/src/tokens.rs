//! The loaded modules and the tokens in their slots: find certificates, look
//! one up by id, log in.

use std::path::{Path, PathBuf};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::object::{Attribute, AttributeType, CertificateType, ObjectClass};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;

use kyso_core::time::DateTime;
use kyso_core::{Certificate, Localized, TrustAnchors};
use kyso_wire::api::certificates::{Cert, TokenJson};

use crate::{module_paths, Error, Pin, Signer};

/// One loaded PKCS#11 module.
pub struct Module {
    path: PathBuf,
    ctx: Pkcs11,
}

/// The token a certificate lives on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    /// The token's label (CKA_LABEL of the token), trimmed.
    pub label: String,
    /// The token's serial number, trimmed: the first half of every id.
    pub serial: String,
    /// The token's manufacturer, trimmed.
    pub manufacturer: String,
    /// The token has its own PIN pad (CKF_PROTECTED_AUTHENTICATION_PATH).
    pub protected_path: bool,
}

impl From<&cryptoki::slot::TokenInfo> for TokenInfo {
    fn from(info: &cryptoki::slot::TokenInfo) -> Self {
        TokenInfo {
            label: info.label().trim().to_string(),
            serial: info.serial_number().trim().to_string(),
            manufacturer: info.manufacturer_id().trim().to_string(),
            protected_path: info.protected_authentication_path(),
        }
    }
}

/// A signing certificate found on a token, with the path to its root when
/// one could be built from the token and the trust anchors.
#[derive(Clone, Debug)]
pub struct TokenCertificate {
    /// Stable across restarts: `<token serial>:<CKA_ID in hex>`.
    pub id: String,
    /// The certificate as stored on the token.
    pub certificate: Certificate,
    /// The certificate's facts, computed once (shown in every approval).
    pub info: kyso_core::cert::CertificateInfo,
    /// Issuers, signer's issuer first (the signer itself is not repeated).
    pub chain: Vec<Certificate>,
    /// The token it lives on.
    pub token: TokenInfo,
    module: usize,
    slot: Slot,
    cka_id: Vec<u8>,
}

impl TokenCertificate {
    /// The agent API's certificate object (`GET /v1/certificates`, and
    /// `kyso tokens --json`, so scripts see what pages see).
    pub fn to_json(&self) -> Cert {
        Cert::new(
            &self.id,
            &self.certificate,
            &self.info,
            &self.chain,
            TokenJson {
                label: self.token.label.clone(),
                serial: self.token.serial.clone(),
                manufacturer: self.token.manufacturer.clone(),
            },
        )
    }
}

/// All modules the agent or CLI talks to.
pub struct Tokens {
    modules: Vec<Module>,
    /// Held shared by every call into the modules, exclusively by a rescan.
    epoch: std::sync::RwLock<()>,
    last_rescan: std::sync::Mutex<Option<std::time::Instant>>,
}

/// Rescans are cheap but not free; a page polling `/v1/info` every few hundred
/// milliseconds must not re-initialise the modules each time.
const RESCAN_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

impl Tokens {
    /// Loads and initialises each module. Fails if none loads.
    pub fn load(paths: &[PathBuf]) -> Result<Self, Error> {
        if paths.is_empty() {
            return Err(Error::Module(format!(
                "no PKCS#11 module configured or found (use --module or ${})",
                module_paths::ENV_MODULE
            )));
        }
        let mut modules = Vec::new();
        let mut errors = Vec::new();
        for path in paths {
            match load_module(path) {
                Ok(m) => modules.push(m),
                Err(e) => errors.push(format!("{}: {}", path.display(), e.message())),
            }
        }
        if modules.is_empty() {
            return Err(Error::Module(errors.join("; ")));
        }
        Ok(Tokens {
            modules,
            epoch: std::sync::RwLock::new(()),
            last_rescan: std::sync::Mutex::new(None),
        })
    }

    fn shared(&self) -> std::sync::RwLockReadGuard<'_, ()> {
        self.epoch.read().unwrap_or_else(|p| p.into_inner())
    }

    /// When no token is present, re-initialises every module so that tokens
    /// plugged in since start-up are seen: SoftHSM, and some vendor modules,
    /// enumerate tokens only in C_Initialize. With no token present there is
    /// no session to lose. `before` runs first, under the exclusive lock (the
    /// caller drops the sessions it kept). Returns whether a rescan happened.
    pub fn rescan_if_empty(&self, before: impl FnOnce()) -> bool {
        if self.token_count() > 0 {
            return false;
        }
        {
            let mut last = self.last_rescan.lock().unwrap_or_else(|p| p.into_inner());
            if last.is_some_and(|t| t.elapsed() < RESCAN_INTERVAL) {
                return false;
            }
            *last = Some(std::time::Instant::now());
        }
        let _exclusive = self.epoch.write().unwrap_or_else(|p| p.into_inner());
        before();
        for m in &self.modules {
            let _ = m.ctx.clone().finalize();
            if let Err(e) = m
                .ctx
                .initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
            {
                eprintln!("kyso-agent: re-initialising {}: {e}", m.path.display());
            }
        }
        true
    }

    /// Every end-entity certificate on every present token.
    /// `now` chooses among the paths to the anchors (a certificate valid now).
    pub fn certificates(
        &self,
        anchors: &TrustAnchors,
        now: DateTime,
    ) -> Result<Vec<TokenCertificate>, Error> {
        let _shared = self.shared();
        let mut found = Vec::new();
        for (index, module) in self.modules.iter().enumerate() {
            for slot in module.ctx.get_slots_with_token()? {
                let info = match module.ctx.get_token_info(slot) {
                    Ok(i) if i.token_initialized() => i,
                    // A token pulled out between the two calls is simply absent.
                    _ => continue,
                };
                let token = TokenInfo::from(&info);
                let session = match module.ctx.open_ro_session(slot) {
                    Ok(s) => s,
                    Err(_) => continue,
                };
                let on_token = read_certificates(&session, None)?;
                let pool: Vec<Certificate> = on_token.iter().map(|(_, c)| c.clone()).collect();
                for (cka_id, cert) in on_token {
                    if cert.basic_constraints().is_some_and(|bc| bc.ca) {
                        continue;
                    }
                    let chain = chain_for(&cert, &pool, anchors, now);
                    found.push(TokenCertificate {
                        id: format!("{}:{}", token.serial, hex::encode(&cka_id)),
                        info: cert.info(),
                        certificate: cert,
                        chain,
                        token: token.clone(),
                        module: index,
                        slot,
                        cka_id,
                    });
                }
            }
        }
        Ok(found)
    }

    /// Finds certificate `id` (`<token serial>:<CKA_ID hex>`) without reading
    /// every token or building chains: the hot path of every signature.
    pub fn find(&self, id: &str) -> Result<TokenCertificate, Error> {
        match self.find_once(id) {
            // Modules can answer "no token" transiently while other threads
            // log in or sign (seen with SoftHSM under 100 parallel requests);
            // look once more before telling the user the token is gone.
            Err(Error::TokenNotFound(_)) => {
                std::thread::sleep(std::time::Duration::from_millis(50));
                self.find_once(id)
            }
            other => other,
        }
    }

    fn find_once(&self, id: &str) -> Result<TokenCertificate, Error> {
        let _shared = self.shared();
        let (serial, cka_hex) = id
            .rsplit_once(':')
            .ok_or_else(|| Error::BadRequest(format!("'{id}' is not a certificate id")))?;
        let cka_id = hex::decode(cka_hex)
            .map_err(|_| Error::BadRequest(format!("'{id}' is not a certificate id")))?;
        let mut token_present = false;
        for (index, module) in self.modules.iter().enumerate() {
            for slot in module.ctx.get_slots_with_token()? {
                let Ok(info) = module.ctx.get_token_info(slot) else {
                    continue;
                };
                if !info.serial_number().trim().eq_ignore_ascii_case(serial) {
                    continue;
                }
                token_present = true;
                let session = module.ctx.open_ro_session(slot)?;
                let found = read_certificates(&session, Some(&cka_id))?
                    .into_iter()
                    .next();
                if let Some((cka_id, certificate)) = found {
                    return Ok(TokenCertificate {
                        id: id.to_string(),
                        info: certificate.info(),
                        certificate,
                        chain: Vec::new(),
                        token: TokenInfo::from(&info),
                        module: index,
                        slot,
                        cka_id,
                    });
                }
            }
        }
        if token_present {
            Err(Error::CertificateNotFound(id.to_string()))
        } else {
            Err(Error::TokenNotFound(format!(
                "the token with serial {serial} is not plugged in"
            )))
        }
    }

    /// Whether `cert`'s token is still in its slot: one C_GetSlotInfo, for
    /// hot paths that already resolved the certificate.
    pub fn still_present(&self, cert: &TokenCertificate) -> bool {
        let _shared = self.shared();
        self.modules
            .get(cert.module)
            .and_then(|m| m.ctx.get_slot_info(cert.slot).ok())
            .is_some_and(|i| i.token_present())
    }

    /// Labels of the present, initialised tokens.
    pub fn labels(&self) -> Vec<String> {
        let _shared = self.shared();
        self.modules
            .iter()
            .flat_map(|m| {
                let slots = m.ctx.get_slots_with_initialized_token().unwrap_or_default();
                slots
                    .into_iter()
                    .filter_map(|slot| m.ctx.get_token_info(slot).ok())
                    .map(|info| TokenInfo::from(&info).label)
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// Number of present, initialised tokens.
    pub fn token_count(&self) -> usize {
        let _shared = self.shared();
        self.modules
            .iter()
            .map(|m| {
                m.ctx
                    .get_slots_with_initialized_token()
                    .map(|s| s.len())
                    .unwrap_or(0)
            })
            .sum()
    }

    /// The certificate `id`, or the only one when `id` is `None`.
    pub fn select(
        &self,
        id: Option<&str>,
        anchors: &TrustAnchors,
        now: DateTime,
    ) -> Result<TokenCertificate, Error> {
        let all = self.certificates(anchors, now)?;
        if all.is_empty() {
            return Err(Error::TokenNotFound(
                "no token with a signing certificate is present".into(),
            ));
        }
        match id {
            Some(id) => all
                .into_iter()
                .find(|c| c.id.eq_ignore_ascii_case(id))
                .ok_or_else(|| Error::CertificateNotFound(id.to_string())),
            None if all.len() == 1 => Ok(all.into_iter().next().expect("one element")),
            None => Err(Error::BadRequest(format!(
                "{} certificates are present; choose one ({})",
                all.len(),
                all.iter()
                    .map(|c| c.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// Logs in to the certificate's token and returns a session that can sign
    /// with its key, as many times as needed (one PIN for a batch).
    ///
    /// `pin` is asked for the PIN only when the token has no PIN pad; it
    /// receives the token so the prompt can name it.
    pub fn open_signer(
        &self,
        cert: &TokenCertificate,
        pin: &mut dyn FnMut(&TokenInfo) -> Result<Pin, Error>,
    ) -> Result<Signer, Error> {
        let _shared = self.shared();
        let module = self
            .modules
            .get(cert.module)
            .ok_or_else(|| Error::TokenNotFound(cert.token.label.clone()))?;
        let info = module.ctx.get_token_info(cert.slot)?;
        if info.user_pin_locked() {
            return Err(Error::PinLocked);
        }
        let mechanisms = module.ctx.get_mechanism_list(cert.slot)?;
        let session = module.ctx.open_ro_session(cert.slot)?;
        let login = if cert.token.protected_path {
            session.login(UserType::User, None)
        } else {
            let pin = pin(&cert.token)?;
            session.login(UserType::User, Some(&pin.auth_pin()))
        };
        match login {
            Ok(()) => {}
            Err(cryptoki::error::Error::Pkcs11(
                cryptoki::error::RvError::UserAlreadyLoggedIn,
                _,
            )) => {}
            Err(e) => {
                let err = Error::from(e);
                if let Error::PinIncorrect { .. } = err {
                    // The flags after the failed attempt say how close the lock is.
                    let after = module.ctx.get_token_info(cert.slot).ok();
                    return Err(match after {
                        Some(i) if i.user_pin_locked() => Error::PinLocked,
                        Some(i) => Error::PinIncorrect {
                            retries_left: i.user_pin_final_try().then_some(1),
                            count_low: i.user_pin_count_low() || i.user_pin_final_try(),
                        },
                        None => err,
                    });
                }
                return Err(err);
            }
        }
        let key = session
            .find_objects(&[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::Id(cert.cka_id.clone()),
            ])?
            .into_iter()
            .next()
            .ok_or_else(|| {
                Error::CertificateNotFound(format!("no private key beside certificate {}", cert.id))
            })?;
        Ok(Signer::new(
            session,
            key,
            mechanisms,
            cert.certificate.public_key()?,
        ))
    }
}

fn load_module(path: &Path) -> Result<Module, Error> {
    let ctx = Pkcs11::new(path)?;
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(())
        | Err(cryptoki::error::Error::Pkcs11(
            cryptoki::error::RvError::CryptokiAlreadyInitialized,
            _,
        )) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(Module {
        path: path.to_path_buf(),
        ctx,
    })
}

/// `(CKA_ID, certificate)` for every X.509 certificate object that parses,
/// or only those with CKA_ID `id`.
fn read_certificates(
    session: &Session,
    id: Option<&[u8]>,
) -> Result<Vec<(Vec<u8>, Certificate)>, Error> {
    let mut template = vec![
        Attribute::Class(ObjectClass::CERTIFICATE),
        Attribute::CertificateType(CertificateType::X_509),
    ];
    if let Some(id) = id {
        template.push(Attribute::Id(id.to_vec()));
    }
    let handles = session.find_objects(&template)?;
    let mut out = Vec::new();
    for h in handles {
        let attrs = session.get_attributes(h, &[AttributeType::Value, AttributeType::Id])?;
        let mut value = None;
        let mut id = Vec::new();
        for a in attrs {
            match a {
                Attribute::Value(v) => value = Some(v),
                Attribute::Id(i) => id = i,
                _ => {}
            }
        }
        // A malformed certificate on a token is skipped, not fatal: the others
        // are still usable.
        if let Some(cert) = value.and_then(|v| Certificate::from_der(&v).ok()) {
            out.push((id, cert));
        }
    }
    Ok(out)
}

/// Issuers of `cert` from the token's CA certificates and the trust anchors.
fn chain_for(
    cert: &Certificate,
    pool: &[Certificate],
    anchors: &TrustAnchors,
    now: DateTime,
) -> Vec<Certificate> {
    let (path, _) = kyso_core::path::validate(
        cert,
        pool,
        anchors,
        kyso_core::path::ValidationTime {
            now,
            proof_of_existence: None,
        },
    );
    match path {
        Some(p) => p.certificates.into_iter().skip(1).collect(),
        // No path to a known root: still hand out what the token has, issuer
        // first, so a verifier with the right root can finish the chain.
        None => {
            let mut chain: Vec<Certificate> = Vec::new();
            let mut current = cert.clone();
            while let Some(issuer) = pool.iter().find(|c| {
                c.subject_der() == current.issuer_der() && **c != current && !chain.contains(c)
            }) {
                chain.push(issuer.clone());
                if issuer.is_self_issued() {
                    break;
                }
                current = issuer.clone();
            }
            chain
        }
    }
}
