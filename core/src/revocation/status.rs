//! What an OCSP response or a CRL says about one certificate.
//!
//! ```text
//! CertStatus ::= CHOICE {                              -- RFC 6960 §4.2.1
//!     good        [0]     IMPLICIT NULL,
//!     revoked     [1]     IMPLICIT RevokedInfo,
//!     unknown     [2]     IMPLICIT UnknownInfo }
//! RevokedInfo ::= SEQUENCE {
//!     revocationTime              GeneralizedTime,
//!     revocationReason    [0]     EXPLICIT CRLReason OPTIONAL }
//! ```

use crate::time::DateTime;

/// The status of a certificate at the time the evidence was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertStatus {
    /// Not revoked (OCSP `good`; a CRL that does not list the serial).
    Good,
    /// Revoked at `time`.
    Revoked {
        /// When the CA says the certificate stopped being valid.
        time: DateTime,
        /// Why, when the CA says.
        reason: Option<RevocationReason>,
    },
    /// The responder does not know the certificate, or the CRL does not
    /// cover it.
    Unknown,
}

impl CertStatus {
    /// Whether this is a revocation.
    pub fn is_revoked(&self) -> bool {
        matches!(self, CertStatus::Revoked { .. })
    }
}

/// Why a certificate was revoked.
///
/// ```text
/// CRLReason ::= ENUMERATED {                           -- RFC 5280 §5.3.1
///      unspecified             (0),
///      keyCompromise           (1),
///      cACompromise            (2),
///      affiliationChanged      (3),
///      superseded              (4),
///      cessationOfOperation    (5),
///      certificateHold         (6),
///           -- value 7 is not used
///      removeFromCRL           (8),
///      privilegeWithdrawn      (9),
///      aACompromise           (10) }
/// ```
///
/// ```
/// use kyso_core::revocation::RevocationReason;
/// let reason = RevocationReason::from_code(1).unwrap();
/// assert_eq!(reason, RevocationReason::KeyCompromise);
/// assert_eq!(reason.name(), "keyCompromise");
/// assert!(RevocationReason::from_code(7).is_none());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RevocationReason {
    /// No reason given.
    Unspecified,
    /// The subject's private key was compromised.
    KeyCompromise,
    /// The CA's private key was compromised.
    CaCompromise,
    /// The subject's name or other information changed.
    AffiliationChanged,
    /// The certificate was replaced.
    Superseded,
    /// The certificate is no longer needed.
    CessationOfOperation,
    /// Suspended: the only reason that can be lifted.
    CertificateHold,
    /// A delta CRL takes a held certificate off the list.
    RemoveFromCrl,
    /// A privilege in the certificate was withdrawn.
    PrivilegeWithdrawn,
    /// An attribute authority's key was compromised.
    AaCompromise,
}

impl RevocationReason {
    /// The reason with the CRLReason value `code`.
    pub fn from_code(code: u32) -> Option<Self> {
        use RevocationReason::*;
        Some(match code {
            0 => Unspecified,
            1 => KeyCompromise,
            2 => CaCompromise,
            3 => AffiliationChanged,
            4 => Superseded,
            5 => CessationOfOperation,
            6 => CertificateHold,
            8 => RemoveFromCrl,
            9 => PrivilegeWithdrawn,
            10 => AaCompromise,
            _ => return None,
        })
    }

    /// The CRLReason value.
    pub fn code(self) -> u32 {
        use RevocationReason::*;
        match self {
            Unspecified => 0,
            KeyCompromise => 1,
            CaCompromise => 2,
            AffiliationChanged => 3,
            Superseded => 4,
            CessationOfOperation => 5,
            CertificateHold => 6,
            RemoveFromCrl => 8,
            PrivilegeWithdrawn => 9,
            AaCompromise => 10,
        }
    }

    /// The RFC 5280 name, e.g. `keyCompromise`: what reports and OpenSSL
    /// show.
    pub fn name(self) -> &'static str {
        use RevocationReason::*;
        match self {
            Unspecified => "unspecified",
            KeyCompromise => "keyCompromise",
            CaCompromise => "cACompromise",
            AffiliationChanged => "affiliationChanged",
            Superseded => "superseded",
            CessationOfOperation => "cessationOfOperation",
            CertificateHold => "certificateHold",
            RemoveFromCrl => "removeFromCRL",
            PrivilegeWithdrawn => "privilegeWithdrawn",
            AaCompromise => "aACompromise",
        }
    }

    /// Reads a DER `CRLReason` (an ENUMERATED, tag 10). A value RFC 5280 does
    /// not define reads as `None`: the revocation stands, its reason is not
    /// known.
    pub(crate) fn from_der(der: &[u8]) -> Result<Option<Self>, crate::Error> {
        let tlv = crate::asn1::Tlv::parse_exact(der)?;
        match (tlv.tag_byte(), tlv.content) {
            (Some(0x0a), [code]) => Ok(Self::from_code(u32::from(*code))),
            (Some(0x0a), [_, _, ..]) => Ok(None),
            _ => Err(crate::Error::malformed("CRLReason is not an ENUMERATED")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips() {
        for code in 0..=10 {
            match RevocationReason::from_code(code) {
                Some(r) => assert_eq!(r.code(), code),
                None => assert_eq!(code, 7),
            }
        }
    }

    #[test]
    fn reads_der_reasons() {
        assert_eq!(
            RevocationReason::from_der(&[0x0a, 0x01, 0x06]).unwrap(),
            Some(RevocationReason::CertificateHold)
        );
        assert_eq!(
            RevocationReason::from_der(&[0x0a, 0x01, 0x07]).unwrap(),
            None
        );
        assert!(RevocationReason::from_der(&[0x02, 0x01, 0x01]).is_err());
        assert!(RevocationReason::from_der(&[0x0a, 0x05]).is_err());
        assert!(RevocationReason::from_der(&[0x0a, 0x00]).is_err());
    }
}
