//! The pipe protocol between `kyso-agent` and `kyso-dialog`, the consent and
//! PIN window.
//!
//! The agent starts `kyso-dialog` once per question, writes ONE JSON
//! [`Request`] on its stdin and closes it, then reads ONE JSON [`Answer`] line
//! from its stdout. Both programs use these types, so the two sides cannot
//! disagree. The PIN crosses only this private pipe, never HTTP.
//!
//! ```json
//! { "kind": "sign", "lang": "vi", "origin": "https://dichvucong.example.gov.vn",
//!   "documents": [ { "name": "to-khai.pdf", "digest": "3f2a9c1b7e0d44a1" } ],
//!   "certificate": { "name": "Nguyễn Văn An", "identifiers": ["MST:0401234567"],
//!                    "issuer": "CA G2", "notBefore": "2025-01-01T00:00:00Z",
//!                    "notAfter": "2027-01-01T00:00:00Z" },
//!   "token": { "label": "Kyso Test Token", "pinPad": false },
//!   "pinError": { "retriesLeft": 2, "countLow": true },
//!   "pinRemembered": false, "allowRemember": true, "revocationUnchecked": true,
//!   "timeoutSeconds": 120 }
//! ```
//!
//! Answers: `{"decision":"approve","pin":"12345678","rememberMinutes":0}` (no
//! `pin` for a PIN-pad token, a remembered PIN, or a site question),
//! `{"decision":"cancel"}`, `{"decision":"timeout"}`, and for a request that
//! cannot be shown `{"decision":"error","message":"…"}` (exit status 2, no
//! window).
//!
//! Unknown fields are refused everywhere: a field the window does not know
//! is a field it would not show the user.

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// Largest request accepted on stdin. A batch of documents is a few KiB.
pub const MAX_REQUEST_BYTES: usize = 1 << 20;

/// Remember periods the window offers, in minutes.
pub const REMEMBER_CHOICES: [u32; 3] = [5, 15, 30];

/// What the user is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    /// Sign the listed documents (`documents` required).
    Sign,
    /// Sign a login challenge for the requesting site.
    Authenticate,
    /// Sign a bare hash the window cannot show the content of (`hash` required).
    SignHash,
    /// Let the site use the signing device at all (no certificate, no PIN).
    Site,
}

/// Language of the window (Vietnamese when absent); the user can switch in
/// the window.
pub use kyso_core::Lang;

/// The question, read once from stdin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Request {
    /// What is asked.
    pub kind: Kind,
    /// Defaults to Vietnamese when absent.
    #[serde(default)]
    pub lang: Lang,
    /// The requesting web origin, e.g. `https://dichvucong.example.gov.vn`;
    /// shown large at the top of the window (the anti-phishing cue).
    pub origin: String,
    /// `sign` only: the documents, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<Document>,
    /// `signHash` only: the hash (hex, usually the first 16 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    /// The signing certificate; absent for `site`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<Certificate>,
    /// The token holding the key; absent for `site`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<Token>,
    /// The previous PIN was wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_error: Option<PinError>,
    /// The agent remembers the PIN: show no PIN field.
    #[serde(default)]
    pub pin_remembered: bool,
    /// Offer "remember the PIN for N minutes" (off by default in the window).
    #[serde(default)]
    pub allow_remember: bool,
    /// The agent could not learn whether the certificate is revoked (its
    /// OCSP responder and CRL did not answer; `revocation.before_signing =
    /// "warn"`): the window says so. A revoked certificate never gets here.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub revocation_unchecked: bool,
    /// The window answers `timeout` after this many seconds (at least 1).
    pub timeout_seconds: u64,
}

/// One document of a `sign` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Document {
    /// The name the page gave the document.
    pub name: String,
    /// The first 16 hex characters of the document's digest.
    pub digest: String,
}

/// The signing certificate, as the user knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Certificate {
    /// The holder (subject common name).
    pub name: String,
    /// Vietnamese identifiers, `KIND:VALUE` (`MST:0401234567`, `CCCD:…`).
    #[serde(default)]
    pub identifiers: Vec<String>,
    /// The issuing CA.
    pub issuer: String,
    /// RFC 3339 (`2025-01-01T00:00:00Z`); shown as dd/mm/yyyy.
    pub not_before: String,
    /// RFC 3339; shown as dd/mm/yyyy.
    pub not_after: String,
}

/// The token holding the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Token {
    /// The token's label.
    pub label: String,
    /// The token has its own PIN pad: the window asks for no PIN and the
    /// token waits for it after approval.
    #[serde(default)]
    pub pin_pad: bool,
}

/// The previous PIN was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PinError {
    /// Tries left before the token locks, when the token says.
    #[serde(default)]
    pub retries_left: Option<u32>,
    /// The token reports few tries left (CKF_USER_PIN_COUNT_LOW/FINAL_TRY).
    #[serde(default)]
    pub count_low: bool,
}

impl Request {
    /// Parses and checks a request. The error is a message for the
    /// `error` answer; it never quotes the input.
    pub fn parse(input: &[u8]) -> Result<Request, String> {
        if input.len() > MAX_REQUEST_BYTES {
            return Err(format!("request larger than {MAX_REQUEST_BYTES} bytes"));
        }
        let request: Request =
            serde_json::from_slice(input).map_err(|e| format!("invalid request: {e}"))?;
        request.check()?;
        Ok(request)
    }

    /// Whether the window asks for a PIN.
    pub fn needs_pin(&self) -> bool {
        self.kind != Kind::Site
            && !self.pin_remembered
            && !self.token.as_ref().is_some_and(|t| t.pin_pad)
    }

    /// The checks serde cannot express: which fields each kind needs.
    fn check(&self) -> Result<(), String> {
        let origin = self.origin.as_str();
        if origin.is_empty() || origin.len() > 512 || origin.chars().any(char::is_control) {
            return Err("origin: empty, too long or with control characters".into());
        }
        if !origin.contains("://") {
            return Err("origin: expected scheme://host[:port]".into());
        }
        if self.timeout_seconds == 0 {
            return Err("timeoutSeconds: must be at least 1".into());
        }
        let signing = self.kind != Kind::Site;
        if signing && (self.certificate.is_none() || self.token.is_none()) {
            return Err(format!(
                "{}: certificate and token are required",
                self.kind.name()
            ));
        }
        if !signing
            && (self.certificate.is_some()
                || self.token.is_some()
                || self.pin_error.is_some()
                || self.pin_remembered
                || self.revocation_unchecked)
        {
            return Err(
                "site: no certificate, token, pinError, pinRemembered or revocationUnchecked"
                    .into(),
            );
        }
        match self.kind {
            Kind::Sign if self.documents.is_empty() => {
                return Err("sign: documents must not be empty".into())
            }
            Kind::SignHash if self.hash.as_deref().is_none_or(str::is_empty) => {
                return Err("signHash: hash is required".into())
            }
            _ => {}
        }
        if self.kind != Kind::Sign && !self.documents.is_empty() {
            return Err(format!("{}: documents are for sign only", self.kind.name()));
        }
        if self.kind != Kind::SignHash && self.hash.is_some() {
            return Err(format!("{}: hash is for signHash only", self.kind.name()));
        }
        Ok(())
    }
}

impl Kind {
    /// The wire name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Sign => "sign",
            Kind::Authenticate => "authenticate",
            Kind::SignHash => "signHash",
            Kind::Site => "site",
        }
    }
}

/// The user's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Decision {
    /// The user said yes (and typed the PIN when one was asked).
    Approve,
    /// The user said no or closed the window.
    Cancel,
    /// Nobody answered within `timeoutSeconds`.
    Timeout,
    /// The request could not be shown (see `message`).
    Error,
}

/// The one line written to stdout.
///
/// Holds the PIN: it is zeroed on drop and has no `Debug`.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Answer {
    /// What the user decided.
    pub decision: Decision,
    /// `approve` with a typed PIN only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<Zeroizing<String>>,
    /// `approve` only: minutes the agent may remember the PIN (0: do not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remember_minutes: Option<u32>,
    /// `error` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl Answer {
    /// Yes, with the typed PIN (none for a PIN pad or a remembered PIN).
    pub fn approve(pin: Option<Zeroizing<String>>, remember_minutes: u32) -> Answer {
        Answer {
            decision: Decision::Approve,
            pin,
            remember_minutes: Some(remember_minutes),
            message: None,
        }
    }

    /// No.
    pub fn cancel() -> Answer {
        Answer::plain(Decision::Cancel)
    }

    /// No answer in time.
    pub fn timeout() -> Answer {
        Answer::plain(Decision::Timeout)
    }

    /// The request could not be shown.
    pub fn error(message: impl Into<String>) -> Answer {
        Answer {
            message: Some(message.into()),
            ..Answer::plain(Decision::Error)
        }
    }

    fn plain(decision: Decision) -> Answer {
        Answer {
            decision,
            pin: None,
            remember_minutes: None,
            message: None,
        }
    }

    /// The answer as one JSON line (with `\n`), in a buffer zeroed on drop.
    pub fn to_line(&self) -> Zeroizing<Vec<u8>> {
        // Big enough that serialising never reallocates (which would leave a
        // copy of the PIN behind in freed memory).
        let capacity = 256 + self.message.as_ref().map_or(0, |m| m.len() * 6);
        let mut line = Zeroizing::new(Vec::with_capacity(capacity));
        serde_json::to_writer(&mut *line, self).expect("an answer always serialises");
        line.push(b'\n');
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIGN: &str = r#"{
        "kind": "sign", "lang": "vi", "origin": "https://dichvucong.example.gov.vn",
        "documents": [ { "name": "to-khai.pdf", "digest": "3f2a9c1b7e0d44a1" } ],
        "certificate": { "name": "Nguyễn Văn An", "identifiers": ["MST:0401234567", "CCCD:001080012345"],
                         "issuer": "CA phục vụ các cơ quan Nhà nước G2",
                         "notBefore": "2025-01-01T00:00:00Z", "notAfter": "2027-01-01T00:00:00Z" },
        "token": { "label": "Kyso Test Token", "pinPad": false },
        "pinError": { "retriesLeft": 2, "countLow": true },
        "pinRemembered": false, "allowRemember": true, "revocationUnchecked": true,
        "timeoutSeconds": 120 }"#;

    fn with(base: &str, edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
        let mut v: serde_json::Value = serde_json::from_str(base).unwrap();
        edit(&mut v);
        serde_json::to_vec(&v).unwrap()
    }

    fn obj(v: &mut serde_json::Value) -> &mut serde_json::Map<String, serde_json::Value> {
        v.as_object_mut().unwrap()
    }

    #[test]
    fn sign_request_parses() {
        let r = Request::parse(SIGN.as_bytes()).unwrap();
        assert_eq!(r.kind, Kind::Sign);
        assert_eq!(r.lang, Lang::Vi);
        assert_eq!(r.origin, "https://dichvucong.example.gov.vn");
        assert_eq!(r.documents[0].name, "to-khai.pdf");
        assert_eq!(r.documents[0].digest, "3f2a9c1b7e0d44a1");
        let c = r.certificate.as_ref().unwrap();
        assert_eq!(c.name, "Nguyễn Văn An");
        assert_eq!(c.identifiers, ["MST:0401234567", "CCCD:001080012345"]);
        assert_eq!(c.not_after, "2027-01-01T00:00:00Z");
        assert_eq!(r.token.as_ref().unwrap().label, "Kyso Test Token");
        assert_eq!(
            r.pin_error,
            Some(PinError {
                retries_left: Some(2),
                count_low: true
            })
        );
        assert!(r.allow_remember && !r.pin_remembered);
        assert!(r.revocation_unchecked);
        assert_eq!(r.timeout_seconds, 120);
        assert!(r.needs_pin());
    }

    #[test]
    fn authenticate_request_parses() {
        let input = with(SIGN, |v| {
            let o = obj(v);
            o.insert("kind".into(), "authenticate".into());
            o.insert("lang".into(), "en".into());
            o.remove("documents");
            o.remove("pinError");
        });
        let r = Request::parse(&input).unwrap();
        assert_eq!(r.kind, Kind::Authenticate);
        assert_eq!(r.lang, Lang::En);
        assert!(r.pin_error.is_none());
    }

    #[test]
    fn sign_hash_request_parses() {
        let input = with(SIGN, |v| {
            let o = obj(v);
            o.insert("kind".into(), "signHash".into());
            o.insert("hash".into(), "3f2a9c1b7e0d44a1".into());
            o.remove("documents");
        });
        let r = Request::parse(&input).unwrap();
        assert_eq!(r.kind, Kind::SignHash);
        assert_eq!(r.hash.as_deref(), Some("3f2a9c1b7e0d44a1"));
    }

    #[test]
    fn site_request_parses() {
        let r = Request::parse(
            br#"{"kind":"site","lang":"vi","origin":"https://portal.example.vn:8443","pinRemembered":false,"allowRemember":false,"timeoutSeconds":60}"#,
        )
        .unwrap();
        assert_eq!(r.kind, Kind::Site);
        assert!(r.certificate.is_none() && r.token.is_none());
        assert!(!r.needs_pin() && !r.revocation_unchecked);
        // A site question is about no certificate.
        let mut site: serde_json::Value = serde_json::to_value(&r).unwrap();
        site["revocationUnchecked"] = true.into();
        assert!(Request::parse(&serde_json::to_vec(&site).unwrap()).is_err());
        // Absent when false.
        assert!(!serde_json::to_string(&r)
            .unwrap()
            .contains("revocationUnchecked"));
    }

    #[test]
    fn pin_pad_and_remembered_need_no_pin() {
        let pad = with(SIGN, |v| v["token"]["pinPad"] = true.into());
        assert!(!Request::parse(&pad).unwrap().needs_pin());
        let remembered = with(SIGN, |v| v["pinRemembered"] = true.into());
        assert!(!Request::parse(&remembered).unwrap().needs_pin());
    }

    #[test]
    fn null_retries_left_parses() {
        let input = with(SIGN, |v| {
            v["pinError"]["retriesLeft"] = serde_json::Value::Null
        });
        let r = Request::parse(&input).unwrap();
        assert_eq!(r.pin_error.unwrap().retries_left, None);
    }

    #[test]
    fn unknown_fields_are_refused() {
        for edit in [
            (|v: &mut serde_json::Value| v["extra"] = 1.into()) as fn(&mut serde_json::Value),
            |v| v["token"]["serial"] = "1234".into(),
            |v| v["certificate"]["subject"] = "CN=x".into(),
            |v| v["documents"][0]["size"] = 10.into(),
            |v| v["pinError"]["final"] = true.into(),
        ] {
            let err = Request::parse(&with(SIGN, edit)).unwrap_err();
            assert!(err.contains("unknown field"), "{err}");
        }
    }

    #[test]
    fn malformed_requests_are_refused() {
        let bad: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"not json".to_vec(),
            b"[]".to_vec(),
            with(SIGN, |v| v["kind"] = "signPdf".into()),
            with(SIGN, |v| v["lang"] = "fr".into()),
            with(SIGN, |v| {
                obj(v).remove("origin");
            }),
            with(SIGN, |v| v["origin"] = "".into()),
            with(SIGN, |v| v["origin"] = "dichvucong.example.gov.vn".into()),
            with(SIGN, |v| v["origin"] = "https://a.vn\n".into()),
            with(SIGN, |v| {
                obj(v).remove("timeoutSeconds");
            }),
            with(SIGN, |v| v["timeoutSeconds"] = 0.into()),
            with(SIGN, |v| v["timeoutSeconds"] = (-1).into()),
            with(SIGN, |v| v["documents"] = serde_json::json!([])),
            with(SIGN, |v| {
                obj(v).remove("certificate");
            }),
            with(SIGN, |v| {
                obj(v).remove("token");
            }),
            with(SIGN, |v| v["hash"] = "00".into()),
            with(SIGN, |v| v["kind"] = "signHash".into()),
            with(SIGN, |v| v["kind"] = "authenticate".into()),
            with(SIGN, |v| v["kind"] = "site".into()),
            with(SIGN, |v| v["pinError"]["retriesLeft"] = "two".into()),
            with(SIGN, |v| v["revocationUnchecked"] = "yes".into()),
        ];
        for input in bad {
            assert!(
                Request::parse(&input).is_err(),
                "accepted {}",
                String::from_utf8_lossy(&input)
            );
        }
        assert!(Request::parse(&vec![b' '; MAX_REQUEST_BYTES + 1]).is_err());
    }

    #[test]
    fn answers_serialise_as_documented() {
        let pin = Zeroizing::new("12345678".to_string());
        assert_eq!(
            &*Answer::approve(Some(pin), 0).to_line(),
            b"{\"decision\":\"approve\",\"pin\":\"12345678\",\"rememberMinutes\":0}\n"
        );
        assert_eq!(
            &*Answer::approve(None, 0).to_line(),
            b"{\"decision\":\"approve\",\"rememberMinutes\":0}\n"
        );
        assert_eq!(&*Answer::cancel().to_line(), b"{\"decision\":\"cancel\"}\n");
        assert_eq!(
            &*Answer::timeout().to_line(),
            b"{\"decision\":\"timeout\"}\n"
        );
        assert_eq!(
            &*Answer::error("bad \"x\"").to_line(),
            b"{\"decision\":\"error\",\"message\":\"bad \\\"x\\\"\"}\n"
        );
    }
}
