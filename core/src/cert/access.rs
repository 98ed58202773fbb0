//! Where a certificate says its status and its issuer can be fetched: the
//! URLs the agent's and the CLI's fetchers follow (core does no I/O).
//!
//! ```text
//! AuthorityInfoAccessSyntax  ::=                       -- RFC 5280 §4.2.2.1
//!         SEQUENCE SIZE (1..MAX) OF AccessDescription
//! AccessDescription  ::=  SEQUENCE {
//!         accessMethod          OBJECT IDENTIFIER,
//!         accessLocation        GeneralName  }
//! CRLDistributionPoints ::= SEQUENCE SIZE (1..MAX) OF DistributionPoint
//! DistributionPoint ::= SEQUENCE {                     -- RFC 5280 §4.2.1.13
//!      distributionPoint       [0]     DistributionPointName OPTIONAL,
//!      reasons                 [1]     ReasonFlags OPTIONAL,
//!      cRLIssuer               [2]     GeneralNames OPTIONAL }
//! ```
//!
//! Only `http:` and `https:` URLs are returned: LDAP and `file:` locations,
//! which some CAs list too, are nothing a browser-side fetcher can follow.

use const_oid::db::rfc5280::{ID_AD_CA_ISSUERS, ID_AD_OCSP};
use der::asn1::ObjectIdentifier;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{AuthorityInfoAccessSyntax, CrlDistributionPoints};

use super::Certificate;

impl Certificate {
    /// The OCSP responders of the authority information access extension
    /// (id-ad-ocsp), in the certificate's order.
    ///
    /// ```
    /// let pem = kyso_core::trust::BUNDLED[0].1;
    /// let root = kyso_core::Certificate::from_pem(pem.as_bytes()).unwrap();
    /// assert!(root.ocsp_urls().iter().all(|u| u.starts_with("http")));
    /// ```
    pub fn ocsp_urls(&self) -> Vec<String> {
        self.access_urls(ID_AD_OCSP)
    }

    /// Where the issuer's certificate can be downloaded (id-ad-caIssuers):
    /// how a fetcher completes a path the signature did not carry.
    pub fn ca_issuers_urls(&self) -> Vec<String> {
        self.access_urls(ID_AD_CA_ISSUERS)
    }

    /// The CRLs of the CRL distribution points extension: the full names
    /// of each distribution point, in order.
    pub fn crl_urls(&self) -> Vec<String> {
        let Ok(Some((_, points))) = self
            .x509()
            .tbs_certificate()
            .get_extension::<CrlDistributionPoints>()
        else {
            return Vec::new();
        };
        let names = points.0.iter().filter_map(|p| match &p.distribution_point {
            Some(DistributionPointName::FullName(names)) => Some(names),
            _ => None,
        });
        fetchable(names.flatten())
    }

    fn access_urls(&self, method: ObjectIdentifier) -> Vec<String> {
        let Ok(Some((_, access))) = self
            .x509()
            .tbs_certificate()
            .get_extension::<AuthorityInfoAccessSyntax>()
        else {
            return Vec::new();
        };
        fetchable(
            access
                .0
                .iter()
                .filter(|d| d.access_method == method)
                .map(|d| &d.access_location),
        )
    }
}

/// The http and https URIs among `names`, each once.
fn fetchable<'a>(names: impl Iterator<Item = &'a GeneralName>) -> Vec<String> {
    let mut urls: Vec<String> = Vec::new();
    for name in names {
        let GeneralName::UniformResourceIdentifier(uri) = name else {
            continue;
        };
        let uri = uri.as_str().trim();
        let scheme = uri
            .split(':')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if (scheme == "http" || scheme == "https") && !urls.iter().any(|u| u == uri) {
            urls.push(uri.to_string());
        }
    }
    urls
}

#[cfg(test)]
mod tests {
    use crate::revocation::fixtures::pki;

    #[test]
    fn http_urls_of_the_access_extensions() {
        let signer = pki().cert("signer");
        assert_eq!(
            signer.ocsp_urls(),
            ["http://ocsp.kyso.test", "https://ocsp2.kyso.test/"]
        );
        assert_eq!(signer.ca_issuers_urls(), ["http://ca.kyso.test/ca.cer"]);
        assert_eq!(signer.crl_urls(), ["http://crl.kyso.test/ca.crl"]);
        let ca = pki().cert("ca");
        assert!(ca.ocsp_urls().is_empty() && ca.crl_urls().is_empty());
        assert!(ca.ca_issuers_urls().is_empty());
    }
}
