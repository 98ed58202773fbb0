//! Trust anchors: the Vietnamese roots and intermediates bundled with Kyso, plus
//! whatever the caller adds.

use crate::{Certificate, Error};

/// The bundled anchors as `(file name, PEM)`. Public certificates of Ban Cơ yếu
/// Chính phủ (government-specialised PKI) and of the Vietnam National Root CA with
/// one of its public CAs.
pub const BUNDLED: [(&str, &str); 4] = [
    (
        "vgca-rootca-g2.pem",
        include_str!("../trust/vgca-rootca-g2.pem"),
    ),
    (
        "vgca-cpca-g2.pem",
        include_str!("../trust/vgca-cpca-g2.pem"),
    ),
    (
        "vietnam-national-root-ca.pem",
        include_str!("../trust/vietnam-national-root-ca.pem"),
    ),
    (
        "vnpt-ca-sha2.pem",
        include_str!("../trust/vnpt-ca-sha2.pem"),
    ),
];

/// A set of certificates a certification path may end at.
///
/// ```
/// use kyso_core::TrustAnchors;
/// let anchors = TrustAnchors::bundled();
/// assert_eq!(anchors.len(), 4);
/// ```
#[derive(Clone, Debug, Default)]
pub struct TrustAnchors {
    certs: Vec<Certificate>,
}

impl TrustAnchors {
    /// No anchors at all: nothing will be trusted until some are added.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The bundled Vietnamese anchors.
    pub fn bundled() -> Self {
        let mut anchors = Self::empty();
        for (_, pem) in BUNDLED {
            // The bundled files are checked by a unit test; a failure here is a
            // packaging bug, not bad input.
            if let Ok(cert) = Certificate::from_pem(pem.as_bytes()) {
                anchors.add(cert);
            }
        }
        anchors
    }

    /// Adds one anchor (duplicates are ignored).
    pub fn add(&mut self, cert: Certificate) {
        if !self.certs.contains(&cert) {
            self.certs.push(cert);
        }
    }

    /// Adds every certificate of a PEM bundle or one DER certificate.
    pub fn add_encoded(&mut self, bytes: &[u8]) -> Result<(), Error> {
        for cert in Certificate::parse_many(bytes)? {
            self.add(cert);
        }
        Ok(())
    }

    /// Whether `cert`, byte for byte, is an anchor.
    pub fn contains(&self, cert: &Certificate) -> bool {
        self.certs.contains(cert)
    }

    /// The anchors in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = &Certificate> {
        self.certs.iter()
    }

    /// How many anchors.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    /// No anchor: every path is then untrusted.
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_anchors_all_parse() {
        for (name, pem) in BUNDLED {
            let cert =
                Certificate::from_pem(pem.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(cert.basic_constraints().is_some_and(|bc| bc.ca), "{name}");
        }
    }

    #[test]
    fn bundled_roots_are_the_known_ones() {
        // SHA-256 fingerprints of the two roots (SECURITY.md § Trust anchors).
        let prints: Vec<String> = TrustAnchors::bundled()
            .iter()
            .map(|c| hex_upper(&c.fingerprint(crate::DigestAlgorithm::Sha256)))
            .collect();
        assert!(prints
            .iter()
            .any(|p| p.starts_with("F04BA4B4") && p.ends_with("E2FDB8")));
        assert!(prints
            .iter()
            .any(|p| p.starts_with("BAC8BF60") && p.ends_with("0908E7")));
    }

    #[test]
    fn vietnamese_names_keep_their_diacritics() {
        let cpca = Certificate::from_pem(BUNDLED[1].1.as_bytes()).unwrap();
        let info = cpca.info();
        assert!(
            info.subject.contains("Chính phủ") || info.issuer.contains("Chính phủ"),
            "{}",
            info.subject
        );
    }

    fn hex_upper(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02X}")).collect()
    }
}
