//! Logging in with the token: the server issues a single-use random nonce,
//! the page has the agent sign it (`kyso.authenticate`), the server checks
//! the `kyso-auth:1` token with `kyso_core::auth::verify` for its own
//! origin and that nonce, then opens a session.
//!
//! `auth::verify` checks origin, signature and certificate path, not
//! freshness: that is this module's job. A nonce is consumed *before* the
//! token is checked, so a failed attempt burns it too and nothing can be
//! tried twice against the same nonce.

use std::collections::HashMap;
use std::sync::Mutex;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use kyso_core::auth::{self, AuthToken};
use kyso_core::{Localized, TrustAnchors};
use serde::Serialize;

use crate::error::Error;

/// How long a nonce may wait for its token.
pub const NONCE_TTL_SECS: u64 = 300;
/// How long a session lasts.
pub const SESSION_TTL_SECS: u64 = 8 * 3600;
/// Bytes of randomness per nonce (kyso-auth:1 asks for at least 32).
const NONCE_BYTES: usize = 32;
/// Outstanding nonces kept at most: anyone may ask for one, so the table
/// must not grow without bound.
const MAX_OUTSTANDING: usize = 10_000;

/// Who logged in, from the token's certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cccd: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mst: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    pub issuer: String,
    pub serial_number: String,
    pub logged_in_at: u64,
}

#[derive(Default)]
struct Book {
    /// Issued and not yet used: nonce → expiry.
    outstanding: HashMap<String, u64>,
    /// Used, kept until their expiry so a replay is told apart from a
    /// nonce never issued.
    used: HashMap<String, u64>,
    /// Session id → user and expiry.
    sessions: HashMap<String, (User, u64)>,
}

pub struct Logins {
    book: Mutex<Book>,
    /// The origins a token may name: this portal's own, from the command
    /// line — never from the request (a relaying site would pick its own).
    origins: Vec<String>,
}

impl Logins {
    pub fn new(origins: Vec<String>) -> Logins {
        Logins {
            book: Mutex::new(Book::default()),
            origins,
        }
    }

    pub fn origins(&self) -> &[String] {
        &self.origins
    }

    fn book(&self) -> std::sync::MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A fresh nonce (base64url, 32 random bytes) and its expiry.
    pub fn issue_nonce(&self, now: u64) -> Result<(String, u64), Error> {
        let nonce = random_token(NONCE_BYTES)?;
        let expires = now + NONCE_TTL_SECS;
        let mut book = self.book();
        book.outstanding.retain(|_, &mut e| e > now);
        book.used.retain(|_, &mut e| e > now);
        make_room(&mut book.outstanding);
        book.outstanding.insert(nonce.clone(), expires);
        Ok((nonce, expires))
    }

    /// Takes `nonce` out of the outstanding set: once only, before expiry.
    pub fn consume(&self, nonce: &str, now: u64) -> Result<(), Error> {
        let mut book = self.book();
        if book.used.contains_key(nonce) {
            return Err(Error::NonceUsed);
        }
        let Some(expires) = book.outstanding.remove(nonce) else {
            return Err(Error::NonceUnknown);
        };
        make_room(&mut book.used);
        book.used.insert(nonce.to_string(), expires);
        if expires <= now {
            return Err(Error::NonceExpired);
        }
        Ok(())
    }

    /// Checks a login token against a nonce this server issued and opens a
    /// session: returns the session id and the user.
    pub fn login(
        &self,
        token: &AuthToken,
        nonce: &str,
        anchors: &TrustAnchors,
        now: u64,
    ) -> Result<(String, User), Error> {
        self.consume(nonce, now)?;
        if !self.origins.contains(&token.origin) {
            return Err(Error::LoginOrigin(token.origin.clone()));
        }
        let at = kyso_core::time::from_unix(now).map_err(|e| Error::BadRequest(e.message()))?;
        let cert = auth::verify(token, &token.origin, nonce, anchors, at).map_err(Error::Login)?;
        let info = cert.info();
        let user = User {
            name: info.holder_name().to_string(),
            cccd: info.identifiers.cccd.clone(),
            mst: info.identifiers.mst.clone(),
            organization: info.organization.clone(),
            issuer: info.issuer_name().to_string(),
            serial_number: info.serial_number,
            logged_in_at: now,
        };
        let session = random_token(32)?;
        let mut book = self.book();
        book.sessions.retain(|_, (_, e)| *e > now);
        book.sessions
            .insert(session.clone(), (user.clone(), now + SESSION_TTL_SECS));
        Ok((session, user))
    }

    pub fn session(&self, id: &str, now: u64) -> Option<User> {
        let book = self.book();
        book.sessions
            .get(id)
            .filter(|(_, e)| *e > now)
            .map(|(u, _)| u.clone())
    }

    pub fn logout(&self, id: &str) {
        self.book().sessions.remove(id);
    }
}

/// Anyone may ask for nonces and use them, so neither table may grow without
/// bound: at the limit the entry closest to expiry goes, rather than
/// refusing everyone. (A forgotten used nonce reads as unknown: still refused.)
fn make_room(table: &mut HashMap<String, u64>) {
    if table.len() < MAX_OUTSTANDING {
        return;
    }
    if let Some(oldest) = table.iter().min_by_key(|(_, &e)| e).map(|(n, _)| n.clone()) {
        table.remove(&oldest);
    }
}

/// `bytes` from the OS's random source, base64url without padding.
fn random_token(bytes: usize) -> Result<String, Error> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| Error::Store(format!("random source: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(buf))
}

/// The session id in a `Cookie` header.
pub fn session_cookie(header: Option<&str>) -> Option<&str> {
    header?
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v)
}

pub const COOKIE: &str = "kyso_demo_session";

#[cfg(test)]
mod tests {
    use super::*;

    fn logins() -> Logins {
        Logins::new(vec!["http://127.0.0.1:8080".into()])
    }

    #[test]
    fn nonces_are_random_long_and_single_use() {
        let l = logins();
        let (a, expires) = l.issue_nonce(100).unwrap();
        let (b, _) = l.issue_nonce(100).unwrap();
        assert_ne!(a, b);
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 32);
        assert_eq!(expires, 100 + NONCE_TTL_SECS);
        l.consume(&a, 101).unwrap();
        assert!(matches!(l.consume(&a, 102), Err(Error::NonceUsed)));
        assert!(matches!(
            l.consume("made-up", 102),
            Err(Error::NonceUnknown)
        ));
        assert!(matches!(
            l.consume(&b, 100 + NONCE_TTL_SECS),
            Err(Error::NonceExpired)
        ));
        // An expired nonce is burnt as well.
        assert!(matches!(l.consume(&b, 101), Err(Error::NonceUsed)));
    }

    #[test]
    fn a_failed_login_burns_the_nonce() {
        let l = logins();
        let (n, _) = l.issue_nonce(10).unwrap();
        let token = AuthToken {
            format: auth::FORMAT.into(),
            origin: "https://evil.example".into(),
            certificate: String::new(),
            signature_algorithm: String::new(),
            signature: String::new(),
            chain: vec![],
        };
        let anchors = TrustAnchors::bundled();
        let first = l.login(&token, &n, &anchors, 11).unwrap_err();
        assert_eq!(first.code(), "AUTH_ORIGIN_MISMATCH");
        let again = l.login(&token, &n, &anchors, 12).unwrap_err();
        assert_eq!(again.code(), "NONCE_USED");
        let mut own = token.clone();
        own.origin = "http://127.0.0.1:8080".into();
        let (n2, _) = l.issue_nonce(10).unwrap();
        let bad = l.login(&own, &n2, &anchors, 11).unwrap_err();
        assert_eq!(bad.code(), "AUTH_FORMAT");
    }

    #[test]
    fn outstanding_and_used_nonces_are_bounded() {
        let l = logins();
        for _ in 0..MAX_OUTSTANDING + 5 {
            let (n, _) = l.issue_nonce(1).unwrap();
            l.consume(&n, 2).unwrap();
        }
        for _ in 0..MAX_OUTSTANDING + 5 {
            l.issue_nonce(1).unwrap();
        }
        assert_eq!(l.book().outstanding.len(), MAX_OUTSTANDING);
        assert_eq!(l.book().used.len(), MAX_OUTSTANDING);
    }

    #[test]
    fn cookie_is_found_among_others() {
        assert_eq!(
            session_cookie(Some("a=1; kyso_demo_session=abc; b=2")),
            Some("abc")
        );
        assert_eq!(session_cookie(Some("a=1")), None);
        assert_eq!(session_cookie(None), None);
    }
}
