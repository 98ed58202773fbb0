//! A CRL, read with the bytes its signature covers kept as received.
//!
//! ```text
//! CertificateList  ::=  SEQUENCE  {                    -- RFC 5280 §5.1
//!      tbsCertList          TBSCertList,
//!      signatureAlgorithm   AlgorithmIdentifier,
//!      signatureValue       BIT STRING  }
//! TBSCertList  ::=  SEQUENCE  {
//!      version                 Version OPTIONAL,
//!                                   -- if present, MUST be v2
//!      signature               AlgorithmIdentifier,
//!      issuer                  Name,
//!      thisUpdate              Time,
//!      nextUpdate              Time OPTIONAL,
//!      revokedCertificates     SEQUENCE OF SEQUENCE  {
//!           userCertificate         CertificateSerialNumber,
//!           revocationDate          Time,
//!           crlEntryExtensions      Extensions OPTIONAL
//!                                    -- if present, version MUST be v2
//!                                }  OPTIONAL,
//!      crlExtensions           [0]  EXPLICIT Extensions OPTIONAL
//!                                    -- if present, version MUST be v2
//!                                }
//! ```
//!
//! The framing is read with [`Tlv`] and the parts with `x509-cert`'s types,
//! rather than decoding `x509_cert::crl::CertificateList` whole: its
//! `TbsCertList` makes the version mandatory, so a v1 CRL (no version,
//! still what OpenSSL issues when there are no extensions) would not
//! decode, and its entries' serials go through the RFC 5280 length check,
//! so one over-long serial, which some CAs issued, would make the whole
//! list unreadable. Here a serial is kept as the INTEGER's bytes.

use core::ops::Range;

use const_oid::db::rfc5280::{
    ID_CE_AUTHORITY_KEY_IDENTIFIER, ID_CE_CERTIFICATE_ISSUER, ID_CE_CRL_NUMBER, ID_CE_CRL_REASONS,
    ID_CE_DELTA_CRL_INDICATOR, ID_CE_FRESHEST_CRL, ID_CE_INVALIDITY_DATE, ID_CE_ISSUER_ALT_NAME,
    ID_CE_ISSUING_DISTRIBUTION_POINT,
};
use der::asn1::{BitString, ObjectIdentifier, UtcTime};
use der::Decode;
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::AuthorityKeyIdentifier;
use x509_cert::ext::{Extension, Extensions};
use x509_cert::name::Name;

use super::scope::Scope;
use super::CrlError;
use crate::asn1::time::generalized_time;
use crate::asn1::tlv::Children;
use crate::asn1::Tlv;
use crate::digest::HashAlgorithm;
use crate::public_key::Signed;
use crate::revocation::{CertStatus, RevocationReason};
use crate::signature_scheme::SignatureAlgorithm;
use crate::time::DateTime;
use crate::{Certificate, Error};

/// id-ce-expiredCertsOnCRL (X.509 (2019) §9.6.2.9): informational.
const ID_CE_EXPIRED_CERTS_ON_CRL: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.60");

/// A full CRL.
///
/// ```
/// use kyso_core::{crl::Crl, Localized};
/// assert_eq!(Crl::from_der(b"\x30\x00").unwrap_err().code(), "CRL_MALFORMED");
/// ```
#[derive(Clone, Debug)]
pub struct Crl {
    der: Vec<u8>,
    tbs: Range<usize>,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: Vec<u8>,
    issuer: Name,
    issuer_der: Vec<u8>,
    this_update: DateTime,
    next_update: Option<DateTime>,
    revoked: Vec<RevokedEntry>,
    crl_number: Option<Vec<u8>>,
    authority_key_id: Option<Vec<u8>>,
    scope: Scope,
}

/// One revoked certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevokedEntry {
    /// The serial number's INTEGER content octets.
    pub serial: Vec<u8>,
    /// revocationDate.
    pub time: DateTime,
    /// The reasonCode entry extension, when present and known.
    pub reason: Option<RevocationReason>,
    /// The invalidityDate entry extension: when the key is known or
    /// suspected to have become unsafe, possibly before `time`.
    pub invalidity_date: Option<DateTime>,
}

impl Crl {
    /// Reads a DER CRL. Delta CRLs, CRLs with a critical extension Kyso
    /// does not process and CRLs of a scope it does not follow (see
    /// [`crate::crl`]) are refused.
    pub fn from_der(der: &[u8]) -> Result<Self, CrlError> {
        let outer = sequence(Tlv::parse_exact(der)?, "CertificateList")?;
        let mut fields = outer.children();
        let tbs = sequence(next(&mut fields, "tbsCertList")?, "tbsCertList")?;
        let outer_alg = next(&mut fields, "signatureAlgorithm")?;
        let signature_algorithm = AlgorithmIdentifierOwned::from_der(outer_alg.raw)?;
        let signature = BitString::from_der(next(&mut fields, "signatureValue")?.raw)?
            .as_bytes()
            .ok_or_else(|| CrlError::Malformed("signatureValue has unused bits".into()))?
            .to_vec();
        if fields.next().is_some() {
            return Err(CrlError::Malformed(
                "unexpected field in CertificateList".into(),
            ));
        }

        let mut data = tbs.children();
        let mut field = next(&mut data, "signature")?;
        if field.tag_byte() == Some(0x02) {
            if field.content != [1] {
                return Err(CrlError::Malformed("version is not v2".into()));
            }
            field = next(&mut data, "signature")?;
        }
        // RFC 5280 §5.1.1.2: both must name the same algorithm, or the
        // outer one could be swapped for a weaker one.
        if field.raw != outer_alg.raw {
            return Err(CrlError::Malformed(
                "signature algorithm differs from the one in tbsCertList".into(),
            ));
        }
        let issuer_tlv = sequence(next(&mut data, "issuer")?, "issuer")?;
        let issuer = Name::from_der(issuer_tlv.raw)?;
        let this_update = time(next(&mut data, "thisUpdate")?)?;
        let (mut next_update, mut revoked, mut extensions) = (None, Vec::new(), None);
        // The optional fields in their order: each may come once, after
        // the ones before it.
        let mut seen = 0;
        for field in data {
            let field = field?;
            seen = match (field.tag_byte(), seen) {
                (Some(0x17 | 0x18), 0) => {
                    next_update = Some(time(field)?);
                    1
                }
                (Some(0x30), 0 | 1) => {
                    for entry in field.children() {
                        revoked.push(RevokedEntry::parse(entry?)?);
                    }
                    2
                }
                (Some(0xa0), 0..=2) => {
                    extensions = Some(Extensions::from_der(field.content)?);
                    3
                }
                _ => {
                    return Err(CrlError::Malformed(
                        "unexpected field in tbsCertList".into(),
                    ))
                }
            };
        }

        // The tbsCertList is the first element after the outer header.
        let header = outer.raw.len() - outer.content.len();
        let mut crl = Crl {
            der: der.to_vec(),
            tbs: header..header + tbs.raw.len(),
            signature_algorithm,
            signature,
            issuer,
            issuer_der: issuer_tlv.raw.to_vec(),
            this_update,
            next_update,
            revoked,
            crl_number: None,
            authority_key_id: None,
            scope: Scope::default(),
        };
        for ext in extensions.iter().flatten() {
            crl.apply(ext)?;
        }
        Ok(crl)
    }

    /// Reads a PEM CRL (`-----BEGIN X509 CRL-----`).
    ///
    /// ```
    /// assert!(kyso_core::crl::Crl::from_pem(b"-----BEGIN X509 CRL-----\n-----END X509 CRL-----\n").is_err());
    /// ```
    pub fn from_pem(pem: &[u8]) -> Result<Self, CrlError> {
        let (label, der) =
            der::pem::decode_vec(pem).map_err(|e| CrlError::Malformed(e.to_string()))?;
        if label != "X509 CRL" {
            return Err(CrlError::Malformed(format!("PEM label {label}")));
        }
        Self::from_der(&der)
    }

    fn apply(&mut self, ext: &Extension) -> Result<(), CrlError> {
        let value = ext.extn_value.as_bytes();
        match ext.extn_id {
            ID_CE_DELTA_CRL_INDICATOR => return Err(CrlError::DeltaUnsupported),
            // Matched by OID here: x509-cert gives its IssuingDistributionPoint
            // type the OID of subjectInfoAccess, so get_extension would miss it.
            ID_CE_ISSUING_DISTRIBUTION_POINT => self.scope = Scope::from_extension(value)?,
            ID_CE_CRL_NUMBER => {
                let number = Tlv::parse_exact(value)?;
                if number.tag_byte() != Some(0x02) {
                    return Err(CrlError::Malformed("cRLNumber is not an INTEGER".into()));
                }
                self.crl_number = Some(number.content.to_vec());
            }
            ID_CE_AUTHORITY_KEY_IDENTIFIER => {
                self.authority_key_id = AuthorityKeyIdentifier::from_der(value)?
                    .key_identifier
                    .map(|k| k.as_bytes().to_vec());
            }
            // Informational: they change nothing a full CRL says.
            ID_CE_ISSUER_ALT_NAME | ID_CE_FRESHEST_CRL | ID_CE_EXPIRED_CERTS_ON_CRL => {}
            other if ext.critical => {
                return Err(CrlError::UnsupportedCriticalExtension(other.to_string()))
            }
            _ => {}
        }
        Ok(())
    }

    /// The CRL, DER, exactly as received.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The tbsCertList exactly as received: what the signature covers.
    pub fn tbs_der(&self) -> &[u8] {
        &self.der[self.tbs.clone()]
    }

    /// The signature algorithm.
    pub fn signature_algorithm(&self) -> &AlgorithmIdentifierOwned {
        &self.signature_algorithm
    }

    /// The signature value.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The issuer's name, DER as received: equal to its certificate's
    /// subject.
    pub fn issuer_der(&self) -> &[u8] {
        &self.issuer_der
    }

    /// The issuer as people name it: its CN, else its whole name.
    pub fn issuer_name(&self) -> String {
        use crate::cert::name;
        name::first(&self.issuer, const_oid::db::rfc4519::CN)
            .unwrap_or_else(|| name::display(&self.issuer))
    }

    /// When the CRL was issued.
    pub fn this_update(&self) -> DateTime {
        self.this_update
    }

    /// When the next CRL will be issued at the latest.
    pub fn next_update(&self) -> Option<DateTime> {
        self.next_update
    }

    /// Every revoked certificate listed.
    pub fn revoked(&self) -> &[RevokedEntry] {
        &self.revoked
    }

    /// The cRLNumber's INTEGER content octets: which of the issuer's CRLs
    /// is newer.
    pub fn crl_number(&self) -> Option<&[u8]> {
        self.crl_number.as_deref()
    }

    /// The keyIdentifier of the authority key identifier: which of the
    /// issuer's keys signed.
    pub fn authority_key_id(&self) -> Option<&[u8]> {
        self.authority_key_id.as_deref()
    }

    /// Checks that `issuer` issued this CRL: same name, a key allowed to
    /// sign CRLs when key usage says, and a signature over the tbsCertList
    /// as received that verifies with its key.
    pub fn verify_signature(&self, issuer: &Certificate) -> Result<(), CrlError> {
        if issuer.subject_der() != self.issuer_der {
            return Err(CrlError::IssuerMismatch);
        }
        if issuer.key_usage().is_some_and(|ku| !ku.crl_sign()) {
            return Err(CrlError::IssuerNotCrlSigner);
        }
        let alg = SignatureAlgorithm::from_identifier(&self.signature_algorithm)?;
        let verified = issuer.public_key()?.verify(
            &alg,
            alg.digest.unwrap_or(HashAlgorithm::Sha256),
            Signed::Message(self.tbs_der()),
            &self.signature,
        );
        match verified {
            Ok(()) => Ok(()),
            Err(Error::KeyMismatch | Error::InvalidValue(_)) => Err(CrlError::SignatureInvalid),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether this CRL would list `cert` if it were revoked: the same
    /// issuer name, and within the issuingDistributionPoint's scope.
    pub fn covers(&self, cert: &Certificate) -> bool {
        cert.issuer_der() == self.issuer_der && self.scope.covers(cert)
    }

    /// What this CRL says about `cert`: revoked if listed, good if not,
    /// unknown if the CRL does not cover it. The signature is not checked
    /// here: see [`Crl::verify_signature`].
    pub fn status_of(&self, cert: &Certificate) -> CertStatus {
        if !self.covers(cert) {
            return CertStatus::Unknown;
        }
        match self.revoked.iter().find(|e| e.serial == cert.serial()) {
            // Only a delta CRL may say a hold was lifted; in a full CRL the
            // entry lists nothing.
            Some(e) if e.reason == Some(RevocationReason::RemoveFromCrl) => CertStatus::Good,
            Some(e) => CertStatus::Revoked {
                time: e.time,
                reason: e.reason,
            },
            None => CertStatus::Good,
        }
    }
}

impl RevokedEntry {
    fn parse(tlv: Tlv<'_>) -> Result<Self, CrlError> {
        let mut fields = sequence(tlv, "revokedCertificates entry")?.children();
        let serial = next(&mut fields, "userCertificate")?;
        if serial.tag_byte() != Some(0x02) || serial.content.is_empty() {
            return Err(CrlError::Malformed(
                "userCertificate is not an INTEGER".into(),
            ));
        }
        let mut entry = RevokedEntry {
            serial: serial.content.to_vec(),
            time: time(next(&mut fields, "revocationDate")?)?,
            reason: None,
            invalidity_date: None,
        };
        if let Some(extensions) = fields.next().transpose()? {
            for ext in Extensions::from_der(extensions.raw)? {
                let value = ext.extn_value.as_bytes();
                match ext.extn_id {
                    ID_CE_CRL_REASONS => entry.reason = RevocationReason::from_der(value)?,
                    ID_CE_INVALIDITY_DATE => {
                        entry.invalidity_date = Some(generalized_time(Tlv::parse_exact(value)?)?)
                    }
                    // Only indirect CRLs name another issuer for an entry.
                    ID_CE_CERTIFICATE_ISSUER => {
                        return Err(CrlError::ScopeUnsupported("certificateIssuer"))
                    }
                    other if ext.critical => {
                        return Err(CrlError::UnsupportedCriticalExtension(other.to_string()))
                    }
                    _ => {}
                }
            }
        }
        if fields.next().is_some() {
            return Err(CrlError::Malformed(
                "unexpected field in a CRL entry".into(),
            ));
        }
        Ok(entry)
    }
}

/// RFC 5280 Time: UTCTime through 2049, GeneralizedTime after.
fn time(tlv: Tlv<'_>) -> Result<DateTime, CrlError> {
    match tlv.tag_byte() {
        Some(0x17) => Ok(UtcTime::from_der(tlv.raw)?.to_date_time()),
        _ => Ok(generalized_time(tlv)?),
    }
}

fn next<'a>(it: &mut Children<'a>, what: &str) -> Result<Tlv<'a>, CrlError> {
    it.next()
        .transpose()?
        .ok_or_else(|| CrlError::Malformed(format!("{what} missing")))
}

fn sequence<'a>(tlv: Tlv<'a>, what: &str) -> Result<Tlv<'a>, CrlError> {
    if tlv.tag_byte() == Some(0x30) {
        Ok(tlv)
    } else {
        Err(CrlError::Malformed(format!("{what} is not a SEQUENCE")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::revocation::fixtures::{pki, DEFAULT_INDEX};
    use crate::Localized;

    fn at(text: &str) -> DateTime {
        let der = [&[0x18, text.len() as u8][..], text.as_bytes()].concat();
        generalized_time(Tlv::parse_exact(&der).unwrap()).unwrap()
    }

    fn crl_with(extensions: &str) -> Result<Crl, CrlError> {
        Crl::from_der(&pki().crl("ca", DEFAULT_INDEX, Some(extensions), &[]))
    }

    #[test]
    fn reads_and_verifies_an_openssl_crl() {
        let pki = pki();
        let ca = pki.cert("ca");
        let der = pki.crl("ca", DEFAULT_INDEX, Some(""), &[]);
        let crl = Crl::from_der(&der).unwrap();
        assert_eq!(crl.der(), der);
        assert_eq!(crl.issuer_name(), "Kyso CA");
        assert_eq!(crl.issuer_der(), ca.subject_der());
        assert_eq!(crl.crl_number(), Some(&[1u8][..]));
        assert_eq!(crl.authority_key_id(), ca.subject_key_id().as_deref());
        let days = crl.next_update().unwrap().unix_duration() - crl.this_update().unix_duration();
        assert_eq!(days.as_secs(), 30 * 86_400);
        assert_eq!(
            crl.revoked(),
            [RevokedEntry {
                serial: vec![0x10, 0x02],
                time: at("20250102030405Z"),
                reason: Some(RevocationReason::KeyCompromise),
                invalidity_date: None,
            }]
        );
        assert!(der[4..].starts_with(crl.tbs_der()));
        crl.verify_signature(&ca).unwrap();

        assert_eq!(crl.status_of(&pki.cert("signer")), CertStatus::Good);
        assert_eq!(
            crl.status_of(&pki.cert("revoked")),
            CertStatus::Revoked {
                time: at("20250102030405Z"),
                reason: Some(RevocationReason::KeyCompromise),
            }
        );
        // The root's certificate is not "Kyso CA"'s to list.
        assert_eq!(crl.status_of(&ca), CertStatus::Unknown);

        let pem = Crl::from_pem(&pki.pem_of(&der)).unwrap();
        assert_eq!(pem.der(), crl.der());
    }

    #[test]
    fn the_wrong_issuer_is_refused() {
        let pki = pki();
        let crl = crl_with("").unwrap();
        let e = crl.verify_signature(&pki.cert("root")).unwrap_err();
        assert_eq!(e.code(), "CRL_ISSUER_MISMATCH");
        // Same name and key, but certified without cRLSign.
        let e = crl.verify_signature(&pki.cert("ca_nocrl")).unwrap_err();
        assert_eq!(e.code(), "CRL_ISSUER_NOT_CRL_SIGNER");
        // The root's CRL claims nothing about the CA's certificates.
        let root_crl = Crl::from_der(&pki.crl("root", "", Some(""), &[])).unwrap();
        assert_eq!(root_crl.status_of(&pki.cert("signer")), CertStatus::Unknown);
        assert_eq!(root_crl.status_of(&pki.cert("ca")), CertStatus::Good);
        root_crl.verify_signature(&pki.cert("root")).unwrap();
    }

    #[test]
    fn a_changed_signature_or_list_fails() {
        let pki = pki();
        let ca = pki.cert("ca");
        let der = pki.crl("ca", DEFAULT_INDEX, Some(""), &[]);
        let mut bad = der.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        let e = Crl::from_der(&bad)
            .unwrap()
            .verify_signature(&ca)
            .unwrap_err();
        assert_eq!(e, CrlError::SignatureInvalid);
        // Un-revoke 1002 by turning its serial into 1003.
        let mut bad = der.clone();
        let at = bad
            .windows(4)
            .position(|w| w == [0x02, 0x02, 0x10, 0x02])
            .unwrap();
        bad[at + 3] = 0x03;
        let crl = Crl::from_der(&bad).unwrap();
        assert_eq!(crl.status_of(&pki.cert("revoked")), CertStatus::Good);
        assert_eq!(
            crl.verify_signature(&ca).unwrap_err().code(),
            "CRL_SIGNATURE_INVALID"
        );
    }

    #[test]
    fn delta_and_unknown_critical_extensions_are_refused() {
        let delta = crl_with("2.5.29.27 = critical,ASN1:INTEGER:1").unwrap_err();
        assert_eq!(delta.code(), "CRL_DELTA_UNSUPPORTED");
        assert!(delta.message_vi().contains("delta"));
        let unknown = crl_with("1.2.3.4 = critical,ASN1:NULL").unwrap_err();
        assert_eq!(
            unknown,
            CrlError::UnsupportedCriticalExtension("1.2.3.4".into())
        );
        // Not critical: ignored.
        assert!(crl_with("1.2.3.4 = ASN1:NULL").is_ok());
    }

    #[test]
    fn an_issuing_distribution_point_limits_the_scope() {
        let pki = pki();
        let (signer, revoked) = (pki.cert("signer"), pki.cert("revoked"));
        let idp = |section: &str| {
            crl_with(&format!(
                "issuingDistributionPoint = critical,@idp\n[idp]\n{section}"
            ))
        };
        let same = idp("fullname = URI:http://crl.kyso.test/ca.crl").unwrap();
        assert_eq!(same.status_of(&signer), CertStatus::Good);
        assert!(same.status_of(&revoked).is_revoked());
        let other = idp("fullname = URI:http://crl.kyso.test/other.crl").unwrap();
        assert_eq!(other.status_of(&signer), CertStatus::Unknown);
        let users = idp("onlyuser = TRUE").unwrap();
        assert_eq!(users.status_of(&signer), CertStatus::Good);
        let cas = idp("onlyCA = TRUE").unwrap();
        assert_eq!(cas.status_of(&signer), CertStatus::Unknown);
        for refused in [
            "onlysomereasons = keyCompromise",
            "indirectCRL = TRUE",
            "onlyAA = TRUE",
        ] {
            assert_eq!(
                idp(refused).unwrap_err().code(),
                "CRL_SCOPE_UNSUPPORTED",
                "{refused}"
            );
        }
    }

    #[test]
    fn a_v1_crl_and_a_hold() {
        let pki = pki();
        let index = "V\t301231235959Z\t\t1001\tunknown\t/CN=signer\n\
                     R\t301231235959Z\t250102030405Z\t1002\tunknown\t/CN=revoked\n";
        let v1 = pki.crl("ca", index, None, &[]);
        // x509-cert's CertificateList wants a version: the reason this
        // module reads the framing itself.
        assert!(<x509_cert::crl::CertificateList as Decode>::from_der(&v1).is_err());
        let crl = Crl::from_der(&v1).unwrap();
        crl.verify_signature(&pki.cert("ca")).unwrap();
        assert_eq!(crl.crl_number(), None);
        assert_eq!(
            crl.status_of(&pki.cert("revoked")),
            CertStatus::Revoked {
                time: at("20250102030405Z"),
                reason: None
            }
        );

        let held = index.replace("250102030405Z", "250102030405Z,certificateHold");
        let crl = Crl::from_der(&pki.crl("ca", &held, Some(""), &[])).unwrap();
        assert_eq!(
            crl.revoked()[0].reason,
            Some(RevocationReason::CertificateHold)
        );
    }

    #[test]
    fn hostile_bytes_are_errors_not_panics() {
        let der = pki().crl("ca", DEFAULT_INDEX, Some(""), &[]);
        for len in 0..der.len() {
            assert!(Crl::from_der(&der[..len]).is_err(), "prefix of {len} bytes");
        }
        for at in 0..der.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut bad = der.clone();
                bad[at] ^= flip;
                let _ = Crl::from_der(&bad);
            }
        }
        assert!(Crl::from_pem(b"garbage").is_err());
        assert_eq!(
            Crl::from_der(&[0x04, 0x00]).unwrap_err().code(),
            "CRL_MALFORMED"
        );
    }
}
