//! Vietnamese personal and organisational identifiers carried in certificates.
//!
//! CAs under the Vietnam National Root CA and Ban Cơ yếu put them in UID
//! (0.9.2342.19200300.100.1.1) attributes of the subject, as `MST:0102005769`
//! (tax code, `-029` branch suffix allowed), `CCCD:…` (citizen identity card),
//! `CMND:…` (old identity card), `HC:…` (passport), `MNS:…` (budget unit code).

use serde::{Deserialize, Serialize};
use x509_cert::name::Name;

/// The identifiers found in a subject. One certificate may carry several kinds.
///
/// ```
/// use kyso_core::cert::Identifiers;
/// let ids = Identifiers::from_uid_values(["MST:0102005769-029", "CCCD:001090001234"]);
/// assert_eq!(ids.mst.as_deref(), Some("0102005769-029"));
/// assert_eq!(ids.cccd.as_deref(), Some("001090001234"));
/// assert!(ids.hc.is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identifiers {
    /// Mã số thuế: the tax code of an enterprise or a person, with its
    /// branch suffix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mst: Option<String>,
    /// Căn cước công dân: the 12-digit citizen identity card number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cccd: Option<String>,
    /// Chứng minh nhân dân: the 9- or 12-digit identity card it replaced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cmnd: Option<String>,
    /// Hộ chiếu: a passport number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hc: Option<String>,
    /// Mã số ngân sách: the budget-relationship code of a state unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mns: Option<String>,
}

impl Identifiers {
    /// Each identifier as Vietnamese certificates write it, e.g.
    /// `["MST:0401234567", "CCCD:001080012345"]` (for display).
    pub fn labelled(&self) -> Vec<String> {
        [
            ("MST", &self.mst),
            ("CCCD", &self.cccd),
            ("CMND", &self.cmnd),
            ("HC", &self.hc),
            ("MNS", &self.mns),
        ]
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}:{v}")))
        .collect()
    }

    /// Reads the UID attributes of a subject name.
    pub fn from_name(name: &Name) -> Self {
        let values = super::name::all(name, const_oid::db::rfc4519::UID);
        Self::from_uid_values(values.iter().map(String::as_str))
    }

    /// Interprets UID values; the first of each kind wins, unknown kinds are ignored.
    pub fn from_uid_values<'a>(values: impl IntoIterator<Item = &'a str>) -> Self {
        let mut ids = Identifiers::default();
        for value in values {
            let Some((kind, number)) = value.split_once(':') else {
                continue;
            };
            let number = number.trim();
            if number.is_empty() {
                continue;
            }
            let slot = match kind.trim().to_ascii_uppercase().as_str() {
                "MST" => &mut ids.mst,
                "CCCD" => &mut ids.cccd,
                "CMND" => &mut ids.cmnd,
                "HC" => &mut ids.hc,
                "MNS" => &mut ids.mns,
                _ => continue,
            };
            slot.get_or_insert_with(|| number.to_string());
        }
        ids
    }

    /// No identifier at all: a certificate that names its holder only.
    pub fn is_empty(&self) -> bool {
        *self == Identifiers::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignores_unknown_and_empty_values() {
        let ids = Identifiers::from_uid_values(["XYZ:1", "MST:", "nonsense", "mns: 1234567 "]);
        assert_eq!(
            ids,
            Identifiers {
                mns: Some("1234567".into()),
                ..Default::default()
            }
        );
    }

    #[test]
    fn first_of_a_kind_wins() {
        let ids = Identifiers::from_uid_values(["MST:0102005769", "MST:0102005769-029"]);
        assert_eq!(ids.mst.as_deref(), Some("0102005769"));
    }
}
