//! Which certificates a CRL speaks for: every certificate of its issuer,
//! unless an issuingDistributionPoint narrows it.
//!
//! ```text
//! IssuingDistributionPoint ::= SEQUENCE {              -- RFC 5280 §5.2.5
//!      distributionPoint          [0] DistributionPointName OPTIONAL,
//!      onlyContainsUserCerts      [1] BOOLEAN DEFAULT FALSE,
//!      onlyContainsCACerts        [2] BOOLEAN DEFAULT FALSE,
//!      onlySomeReasons            [3] ReasonFlags OPTIONAL,
//!      indirectCRL                [4] BOOLEAN DEFAULT FALSE,
//!      onlyContainsAttributeCerts [5] BOOLEAN DEFAULT FALSE }
//! ```
//!
//! RFC 5280 makes the extension critical, and Vietnamese CAs put it on
//! their full CRLs, so it cannot simply be refused. Kyso follows the parts
//! that keep "not listed" meaning "not revoked": the distribution point
//! (a certificate is covered when one of its CRL distribution points has
//! the same name; one without the extension is not covered, since it may
//! belong to another partition), and the user/CA split. It refuses the
//! rest with `CRL_SCOPE_UNSUPPORTED`: a CRL for only some reasons is silent
//! on the others, an indirect CRL lists other issuers' certificates, and
//! one for attribute certificates covers no certificate Kyso checks.

use der::Decode;
use x509_cert::ext::pkix::crl::dp::IssuingDistributionPoint;
use x509_cert::ext::pkix::name::DistributionPointName;
use x509_cert::ext::pkix::CrlDistributionPoints;

use super::CrlError;
use crate::Certificate;

/// What an issuingDistributionPoint leaves in scope. The default is every
/// certificate of the issuer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Scope {
    only_user_certs: bool,
    only_ca_certs: bool,
    distribution_point: Option<DistributionPointName>,
}

impl Scope {
    /// Reads the extension's value (the DER inside extnValue).
    pub(super) fn from_extension(value: &[u8]) -> Result<Self, CrlError> {
        let idp = IssuingDistributionPoint::from_der(value)?;
        if idp.only_some_reasons.is_some() {
            return Err(CrlError::ScopeUnsupported("onlySomeReasons"));
        }
        if idp.indirect_crl {
            return Err(CrlError::ScopeUnsupported("indirectCRL"));
        }
        if idp.only_contains_attribute_certs {
            return Err(CrlError::ScopeUnsupported("onlyContainsAttributeCerts"));
        }
        Ok(Scope {
            only_user_certs: idp.only_contains_user_certs,
            only_ca_certs: idp.only_contains_ca_certs,
            distribution_point: idp.distribution_point,
        })
    }

    /// Whether a CRL of `cert`'s issuer with this scope would list `cert`
    /// if it were revoked.
    pub(super) fn covers(&self, cert: &Certificate) -> bool {
        let is_ca = cert.basic_constraints().is_some_and(|bc| bc.ca);
        if (self.only_user_certs && is_ca) || (self.only_ca_certs && !is_ca) {
            return false;
        }
        let Some(name) = &self.distribution_point else {
            return true;
        };
        let Ok(Some((_, points))) = cert
            .x509()
            .tbs_certificate()
            .get_extension::<CrlDistributionPoints>()
        else {
            return false;
        };
        points
            .0
            .iter()
            .any(|point| match (&point.distribution_point, name) {
                (
                    Some(DistributionPointName::FullName(ours)),
                    DistributionPointName::FullName(theirs),
                ) => ours.iter().any(|n| theirs.contains(n)),
                (Some(ours), theirs) => ours == theirs,
                (None, _) => false,
            })
    }
}
