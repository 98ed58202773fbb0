//! `kyso-auth:1` login tokens: proof that the holder of a certificate's key
//! answered a portal's nonce, bound to the portal's origin (the Web eID
//! scheme). The agent makes them; a portal's server checks them with
//! [`verify`].
//!
//! The key signs `SHA-256(origin) ‖ SHA-256(nonce)` with the scheme's own
//! digest (SHA-256), i.e. the signed digest is
//! `SHA-256(SHA-256(origin) ‖ SHA-256(nonce))`. The origin is taken by the
//! agent from the browser's `Origin` header, so a page cannot ask for a token
//! valid at another site.

use serde::{Deserialize, Serialize};

use crate::lang::Localized;
use crate::path::{self, ValidationTime};
use crate::signature_scheme::{parse_algorithm_name, SignatureAlgorithm};
use crate::time::DateTime;
use crate::{Certificate, DigestAlgorithm, TrustAnchors};

/// The token format identifier.
pub const FORMAT: &str = "kyso-auth:1";

/// Nonces shorter than this carry too little entropy to stop replays.
pub const MIN_NONCE_BYTES: usize = 32;

/// The token as the agent returns it (JSON, base64 binary fields).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthToken {
    /// [`FORMAT`]; anything else is a token this version does not read.
    pub format: String,
    /// The origin the agent saw (`https://portal.example`): what the key
    /// signed, compared with the portal's own.
    pub origin: String,
    /// DER certificate, standard base64.
    pub certificate: String,
    /// e.g. `sha256WithRSAEncryption`, `ecdsa-with-SHA256`.
    pub signature_algorithm: String,
    /// Standard base64; ECDSA values are DER.
    pub signature: String,
    /// Issuer certificates found on the token (base64 DER), to help path building.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<String>,
}

/// The bytes the token's key signs for `origin` and `nonce`.
pub fn challenge(origin: &str, nonce: &str) -> Vec<u8> {
    let mut data = DigestAlgorithm::Sha256.digest(origin.as_bytes());
    data.extend(DigestAlgorithm::Sha256.digest(nonce.as_bytes()));
    data
}

/// Why a login token was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthError {
    /// Not a `kyso-auth:1` token: bad JSON, base64, certificate or
    /// algorithm name.
    Format(String),
    /// The token was made for another site.
    OriginMismatch {
        /// The portal's own origin.
        expected: String,
        /// The origin the token was made for.
        actual: String,
    },
    /// The signature does not verify (wrong nonce, tampered token, wrong key).
    BadSignature,
    /// The certificate is not trusted or not valid now.
    Certificate(crate::report::Finding),
}

impl Localized for AuthError {
    fn code(&self) -> &'static str {
        match self {
            AuthError::Format(_) => "AUTH_FORMAT",
            AuthError::OriginMismatch { .. } => "AUTH_ORIGIN_MISMATCH",
            AuthError::BadSignature => "AUTH_BAD_SIGNATURE",
            AuthError::Certificate(_) => "AUTH_CERTIFICATE",
        }
    }

    fn message(&self) -> String {
        match self {
            AuthError::Format(m) => format!("Malformed login token: {m}"),
            AuthError::OriginMismatch { expected, actual } => {
                format!("The login token was made for {actual}, not {expected}")
            }
            AuthError::BadSignature => "The login token's signature is not valid".into(),
            AuthError::Certificate(f) => f.message.clone(),
        }
    }

    fn message_vi(&self) -> String {
        match self {
            AuthError::Format(m) => format!("Mã đăng nhập không đúng định dạng: {m}"),
            AuthError::OriginMismatch { expected, actual } => {
                format!("Mã đăng nhập được tạo cho {actual}, không phải {expected}")
            }
            AuthError::BadSignature => "Chữ ký của mã đăng nhập không hợp lệ".into(),
            AuthError::Certificate(f) => f.message_vi.clone(),
        }
    }
}

/// Checks a login token for `expected_origin` and the `nonce` the server issued
/// (and must accept only once): format, origin, signature, and the
/// certificate's path to `anchors` at `now`. Returns the certificate.
///
/// ```
/// use kyso_core::auth::{verify, AuthError, AuthToken};
/// let token = AuthToken {
///     format: "kyso-auth:1".into(), origin: "https://evil.example".into(),
///     certificate: String::new(), signature_algorithm: String::new(),
///     signature: String::new(), chain: vec![],
/// };
/// let now = kyso_core::time::from_unix(1_764_000_000).unwrap();
/// let err = verify(&token, "https://dichvucong.gov.vn", "n", &kyso_core::TrustAnchors::bundled(), now);
/// assert!(matches!(err, Err(AuthError::OriginMismatch { .. })));
/// ```
pub fn verify(
    token: &AuthToken,
    expected_origin: &str,
    nonce: &str,
    anchors: &TrustAnchors,
    now: DateTime,
) -> Result<Certificate, AuthError> {
    if token.format != FORMAT {
        return Err(AuthError::Format(format!(
            "unknown format {}",
            token.format
        )));
    }
    if token.origin != expected_origin {
        return Err(AuthError::OriginMismatch {
            expected: expected_origin.into(),
            actual: token.origin.clone(),
        });
    }
    let cert = Certificate::from_der(&b64(&token.certificate)?)
        .map_err(|e| AuthError::Format(e.message()))?;
    let (scheme, digest) = parse_algorithm_name(&token.signature_algorithm).ok_or_else(|| {
        AuthError::Format(format!("signature algorithm {}", token.signature_algorithm))
    })?;
    let alg_id = SignatureAlgorithm::cms_identifier(scheme, digest)
        .map_err(|e| AuthError::Format(e.message()))?;
    let alg =
        SignatureAlgorithm::from_identifier(&alg_id).map_err(|e| AuthError::Format(e.message()))?;
    let signed = digest.digest(&challenge(&token.origin, nonce));
    let signature = b64(&token.signature)?;
    cert.public_key()
        .and_then(|k| k.verify_digest(&alg, digest, &signed, &signature))
        .map_err(|_| AuthError::BadSignature)?;
    let pool = token
        .chain
        .iter()
        .filter_map(|c| b64(c).ok().and_then(|d| Certificate::from_der(&d).ok()))
        .collect::<Vec<_>>();
    let (_, outcome) = path::validate(
        &cert,
        &pool,
        anchors,
        ValidationTime {
            now,
            proof_of_existence: Some(now),
        },
    );
    outcome.map_err(|f| AuthError::Certificate(f.finding))?;
    Ok(cert)
}

fn b64(s: &str) -> Result<Vec<u8>, AuthError> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .map_err(|_| AuthError::Format("base64".into()))
}
