//! Cryptographic constraints: which digest and signature algorithms, and
//! which key sizes, a validation accepts at a given time.
//!
//! ETSI EN 319 102-1 §5.2.8 ("Cryptographic verification") leaves the
//! acceptable algorithms to the validation policy; EU DSS's default policy
//! takes them from ETSI TS 119 312 with an expiry date per algorithm and key
//! size. Kyso's [`CryptoPolicy::default`] follows DSS's, so both reach the same
//! verdict on the same file: an algorithm past its date gives
//! `INDETERMINATE / CRYPTO_CONSTRAINTS_FAILURE_NO_POE` (no proof that the
//! signature existed before the algorithm became weak), naming the algorithm. An
//! agency can load its own, for instance Circular 15/2025/TT-BKHCN's
//! minimums (RSA ≥ 2048, ECDSA ≥ 256, SHA-256 or better):
//!
//! ```
//! use kyso_core::policy::CryptoPolicy;
//! use kyso_core::digest::HashAlgorithm;
//! let policy: CryptoPolicy = serde_json::from_str(r#"{
//!   "name": "Thông tư 15/2025/TT-BKHCN",
//!   "digests": { "SHA-256": null, "SHA-384": null, "SHA-512": null },
//!   "keys": [
//!     { "algorithm": "RSA", "minBits": 2048 },
//!     { "algorithm": "ECDSA", "minBits": 256 },
//!     { "algorithm": "Ed25519", "minBits": 256 }
//!   ]
//! }"#).unwrap();
//! let now = kyso_core::time::from_unix(1_780_000_000).unwrap();
//! assert!(policy.check_digest(HashAlgorithm::Sha1, now).is_err());
//! assert!(policy.check_key("RSA", 2048, now).is_ok());
//! assert!(policy.check_key("RSA", 1024, now).is_err());
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::digest::HashAlgorithm;
use crate::report::{Block, Finding, SignatureReport, SubIndication};
use crate::time::DateTime;

/// What is acceptable, and until when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CryptoPolicy {
    /// Shown in reports, e.g. "ETSI TS 119 312 (DSS default)".
    pub name: String,
    /// Acceptable digest algorithms by name (`SHA-256`, `SHA3-384`…), each with
    /// the last day it is acceptable (`YYYY-MM-DD`) or `null` for no end. A
    /// digest not listed is not acceptable.
    pub digests: BTreeMap<String, Option<String>>,
    /// Acceptable signature algorithms (`RSA`, `RSASSA-PSS`, `ECDSA`,
    /// `Ed25519`) by key size: a key is judged by the rule of its algorithm
    /// with the largest `minBits` it reaches. An algorithm not listed, or a key
    /// below every `minBits`, is not acceptable.
    pub keys: Vec<KeyRule>,
    /// When the dates were last reviewed (`YYYY-MM-DD`). As in DSS, an
    /// expiry after this date was a forecast: passing it gives a warning, not
    /// a failure, until the policy is reviewed again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_date: Option<String>,
}

/// One line of the key-size table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyRule {
    /// `RSA`, `RSASSA-PSS`, `ECDSA` or `Ed25519`.
    pub algorithm: String,
    /// The smallest key size in bits this line covers.
    pub min_bits: usize,
    /// The last day keys of this size are acceptable, or none for no end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

/// Why an algorithm was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CryptoFailure {
    /// What the report says, naming the algorithm and the date.
    pub finding: Finding,
    /// Only a warning: the expiry is past, but it lies after the policy's
    /// `updateDate`.
    pub warning_only: bool,
}

impl CryptoFailure {
    /// Records the unmet constraint in `report`: a failure, or a warning when
    /// the policy only forecast the expiry.
    pub(crate) fn record(self, report: &mut SignatureReport, block: Block) {
        if self.warning_only {
            report.warn(block, self.finding);
        } else {
            // No proof of existence is evaluated yet (timestamps come with the
            // long-term-signature work): every crypto failure lacks a POE.
            report.fail(
                block,
                SubIndication::CryptoConstraintsFailureNoPoe,
                self.finding,
            );
        }
    }
}

impl Default for CryptoPolicy {
    /// EU DSS 6.4's default constraints (`policy/constraint.xml`, from ETSI TS
    /// 119 312 v1.5.1), as far as the algorithms Kyso knows. Like DSS, it does
    /// not list Ed25519 ("not referenced in ETSI/SOG-IS") nor SHA3-224.
    fn default() -> Self {
        let digests = [
            ("SHA-1", Some("2012-08-01")),
            ("SHA-224", Some("2029-01-01")),
            ("SHA-256", None),
            ("SHA-384", None),
            ("SHA-512", None),
            ("SHA3-256", None),
            ("SHA3-384", None),
            ("SHA3-512", None),
        ];
        let key = |algorithm: &str, min_bits, until: Option<&str>| KeyRule {
            algorithm: algorithm.into(),
            min_bits,
            until: until.map(Into::into),
        };
        let mut keys = Vec::new();
        for rsa in ["RSA", "RSASSA-PSS"] {
            keys.extend([
                key(rsa, 786, Some("2010-08-01")),
                key(rsa, 1024, Some("2019-10-01")),
                key(rsa, 1536, Some("2019-10-01")),
                key(rsa, 1900, Some("2029-01-01")),
                key(rsa, 3000, (rsa == "RSA").then_some("2029-01-01")),
            ]);
        }
        keys.extend([
            key("ECDSA", 160, Some("2012-08-01")),
            key("ECDSA", 163, Some("2012-08-01")),
            key("ECDSA", 224, Some("2021-10-01")),
            key("ECDSA", 256, None),
        ]);
        CryptoPolicy {
            name: "ETSI TS 119 312 (EU DSS default)".into(),
            digests: digests
                .into_iter()
                .map(|(d, u)| (d.to_string(), u.map(Into::into)))
                .collect(),
            keys,
            update_date: Some("2024-10-13".into()),
        }
    }
}

impl CryptoPolicy {
    /// The default policy, shared: what verifiers use unless told otherwise.
    pub fn etsi_default() -> &'static CryptoPolicy {
        static DEFAULT: std::sync::OnceLock<CryptoPolicy> = std::sync::OnceLock::new();
        DEFAULT.get_or_init(CryptoPolicy::default)
    }

    /// Whether `digest` is acceptable at `at`.
    pub fn check_digest(&self, digest: HashAlgorithm, at: DateTime) -> Result<(), CryptoFailure> {
        let rule = self
            .digests
            .iter()
            .find(|(name, _)| HashAlgorithm::from_name(name) == Some(digest));
        let what_vi = format!("thuật toán băm {}", digest.name());
        let what_en = format!("digest algorithm {}", digest.name());
        match rule {
            None => Err(not_accepted(&what_vi, &what_en, &self.name)),
            Some((_, until)) => self.check_until(until.as_deref(), at, &what_vi, &what_en),
        }
    }

    /// Whether a signature `algorithm` (`RSA`, `ECDSA`…) with a key of `bits`
    /// is acceptable at `at`.
    pub fn check_key(
        &self,
        algorithm: &str,
        bits: usize,
        at: DateTime,
    ) -> Result<(), CryptoFailure> {
        let what_vi = format!("khóa {algorithm} {bits} bit");
        let what_en = format!("{algorithm} key of {bits} bits");
        let rule = self
            .keys
            .iter()
            .filter(|r| r.algorithm.eq_ignore_ascii_case(algorithm) && r.min_bits <= bits)
            .max_by_key(|r| r.min_bits);
        match rule {
            None => Err(not_accepted(&what_vi, &what_en, &self.name)),
            Some(r) => self.check_until(r.until.as_deref(), at, &what_vi, &what_en),
        }
    }

    fn check_until(
        &self,
        until: Option<&str>,
        at: DateTime,
        what_vi: &str,
        what_en: &str,
    ) -> Result<(), CryptoFailure> {
        let Some(until) = until else {
            return Ok(());
        };
        // A date that does not parse was refused by `validate`; treat it as past.
        let end = parse_day(until);
        if end.is_some_and(|end| at < end) {
            return Ok(());
        }
        let forecast = match (end, self.update_date.as_deref().and_then(parse_day)) {
            (Some(end), Some(update)) => end > update,
            _ => false,
        };
        Err(CryptoFailure {
            finding: Finding::new(
                "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
                format!("{what_vi} không còn được coi là an toàn từ ngày {until} (thời điểm kiểm tra {at})"),
                format!("The {what_en} is no longer considered secure since {until} (validation time {at})"),
            ),
            warning_only: forecast,
        })
    }

    /// Checks the policy's own dates, for a clear error when a file is loaded.
    pub fn validate(&self) -> Result<(), crate::Error> {
        let dates = self
            .digests
            .values()
            .flatten()
            .chain(self.keys.iter().filter_map(|k| k.until.as_ref()));
        for d in dates.chain(self.update_date.as_ref()) {
            parse_day(d).ok_or(crate::Error::InvalidValue(
                "a policy date is not YYYY-MM-DD",
            ))?;
        }
        for name in self.digests.keys() {
            if HashAlgorithm::from_name(name).is_none() {
                return Err(crate::Error::UnsupportedAlgorithm(format!(
                    "policy digest {name}"
                )));
            }
        }
        Ok(())
    }
}

fn not_accepted(what_vi: &str, what_en: &str, policy: &str) -> CryptoFailure {
    CryptoFailure {
        finding: Finding::new(
            "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
            format!("Chính sách \"{policy}\" không chấp nhận {what_vi}"),
            format!("The policy \"{policy}\" does not accept the {what_en}"),
        ),
        warning_only: false,
    }
}

fn parse_day(day: &str) -> Option<DateTime> {
    let mut parts = day.splitn(3, '-').map(|p| p.parse::<u16>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    DateTime::new(y, u8::try_from(m).ok()?, u8::try_from(d).ok()?, 0, 0, 0).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: u16) -> DateTime {
        DateTime::new(y, 6, 1, 0, 0, 0).unwrap()
    }

    #[test]
    fn default_policy_dates_legacy_algorithms() {
        let p = CryptoPolicy::default();
        p.validate().unwrap();
        assert!(p.check_digest(HashAlgorithm::Sha1, at(2008)).is_ok());
        let e = p.check_digest(HashAlgorithm::Sha1, at(2026)).unwrap_err();
        assert!(e.finding.message.contains("SHA-1"), "{}", e.finding.message);
        assert!(e.finding.message_vi.contains("2012-08-01"));
        assert!(!e.warning_only);
        // RSA-2048 expires in 2029, after the policy's review date: a warning.
        let late = p.check_key("RSA", 2048, at(2030)).unwrap_err();
        assert!(late.warning_only);
        assert!(p.check_key("RSA", 2048, at(2026)).is_ok());
        assert!(
            p.check_key("Ed25519", 256, at(2026)).is_err(),
            "DSS does not list it"
        );
        assert!(p.check_digest(HashAlgorithm::Sha3_512, at(2040)).is_ok());
        assert!(p.check_key("RSA", 1024, at(2026)).is_err());
        assert!(p.check_key("RSA", 1024, at(2015)).is_ok());
        assert!(
            p.check_key("RSA", 512, at(2005)).is_err(),
            "below every size"
        );
        assert!(p.check_digest(HashAlgorithm::Sha3_224, at(2020)).is_err());
        assert!(p.check_key("ECDSA", 256, at(2040)).is_ok());
        assert!(p.check_key("DSA", 2048, at(2020)).is_err(), "not listed");
    }

    #[test]
    fn a_policy_file_is_checked_when_loaded() {
        let mut p = CryptoPolicy::default();
        p.digests.insert("MD5".into(), None);
        assert_eq!(
            crate::Localized::code(&p.validate().unwrap_err()),
            "UNSUPPORTED_ALGORITHM"
        );
        let mut p = CryptoPolicy::default();
        p.keys[0].until = Some("2009-13-01".into());
        assert!(p.validate().is_err());
    }
}
