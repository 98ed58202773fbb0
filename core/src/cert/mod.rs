//! X.509 certificates: parsing (DER or PEM), the facts a signer or verifier shows,
//! and the extensions path validation needs.

mod access;
mod identifiers;
mod info;
pub mod name;

pub use identifiers::Identifiers;
pub use info::CertificateInfo;

use const_oid::db::rfc4519::{CN, O};
use der::{Decode, DecodePem, Encode};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, KeyUsage, SubjectKeyIdentifier,
};

use crate::asn1::Tlv;
use crate::public_key::PublicKey;
use crate::time::DateTime;
use crate::{DigestAlgorithm, Error, Localized};

/// A parsed certificate that keeps its original encoding.
///
/// ```
/// let pem = kyso_core::trust::BUNDLED[0].1;
/// let cert = kyso_core::Certificate::from_pem(pem.as_bytes()).unwrap();
/// assert!(cert.is_self_issued());
/// assert!(cert.info().subject.contains("CN="));
/// ```
#[derive(Clone, Debug)]
pub struct Certificate {
    der: Vec<u8>,
    x509: x509_cert::Certificate,
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}
impl Eq for Certificate {}

impl Certificate {
    /// Parses one DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        // Re-check the outer framing ourselves: the raw TBS bytes are needed later.
        Tlv::parse_exact(der).map_err(|e| Error::InvalidCertificate(e.message()))?;
        let x509 = x509_cert::Certificate::from_der(der)
            .map_err(|e| Error::InvalidCertificate(e.to_string()))?;
        Ok(Certificate {
            der: der.to_vec(),
            x509,
        })
    }

    /// Parses one PEM certificate.
    pub fn from_pem(pem: &[u8]) -> Result<Self, Error> {
        let x509 = x509_cert::Certificate::from_pem(pem)
            .map_err(|e| Error::InvalidCertificate(e.to_string()))?;
        let der = x509.to_der()?;
        Self::from_der(&der)
    }

    /// Parses every certificate in a PEM bundle, or a single DER certificate.
    pub fn parse_many(bytes: &[u8]) -> Result<Vec<Self>, Error> {
        if bytes.first() == Some(&0x30) {
            return Ok(vec![Self::from_der(bytes)?]);
        }
        let certs = x509_cert::Certificate::load_pem_chain(bytes)
            .map_err(|e| Error::InvalidCertificate(e.to_string()))?;
        if certs.is_empty() {
            return Err(Error::InvalidCertificate("no certificate found".into()));
        }
        certs.iter().map(|c| Self::from_der(&c.to_der()?)).collect()
    }

    /// The DER encoding, exactly as received.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The certificate as PEM text (`-----BEGIN CERTIFICATE-----`, LF line
    /// ends), e.g. to hand to a page in JSON.
    ///
    /// ```
    /// let pem = kyso_core::trust::BUNDLED[0].1;
    /// let cert = kyso_core::Certificate::from_pem(pem.as_bytes()).unwrap();
    /// let again = kyso_core::Certificate::from_pem(cert.to_pem().as_bytes()).unwrap();
    /// assert_eq!(again.der(), cert.der());
    /// ```
    pub fn to_pem(&self) -> String {
        use der::pem::{LineEnding, PemLabel};
        // Encoding a certificate that was parsed from these bytes cannot fail.
        der::pem::encode_string(x509_cert::Certificate::PEM_LABEL, LineEnding::LF, &self.der)
            .unwrap_or_default()
    }

    /// The parsed structure.
    pub fn x509(&self) -> &x509_cert::Certificate {
        &self.x509
    }

    /// The signed part's original bytes, over which the issuer's signature is made.
    pub fn tbs_der(&self) -> &[u8] {
        // Both parses succeeded in the constructor, so the framing is known good.
        Tlv::parse_exact(&self.der)
            .ok()
            .and_then(|outer| outer.children().next())
            .and_then(Result::ok)
            .map(|tbs| tbs.raw)
            .unwrap_or_default()
    }

    /// DER of the subject name, for issuer matching.
    pub fn subject_der(&self) -> Vec<u8> {
        self.x509
            .tbs_certificate()
            .subject()
            .to_der()
            .unwrap_or_default()
    }

    /// DER of the issuer name, for issuer matching.
    pub fn issuer_der(&self) -> Vec<u8> {
        self.x509
            .tbs_certificate()
            .issuer()
            .to_der()
            .unwrap_or_default()
    }

    /// Serial number as big-endian bytes.
    pub fn serial(&self) -> &[u8] {
        self.x509.tbs_certificate().serial_number().as_bytes()
    }

    /// Subject and issuer are the same name: a root, or a self-issued
    /// certificate a path may contain (RFC 5280 §6.1).
    pub fn is_self_issued(&self) -> bool {
        self.subject_der() == self.issuer_der()
    }

    /// The start of the validity period.
    pub fn not_before(&self) -> DateTime {
        self.x509
            .tbs_certificate()
            .validity()
            .not_before
            .to_date_time()
    }

    /// The end of the validity period.
    pub fn not_after(&self) -> DateTime {
        self.x509
            .tbs_certificate()
            .validity()
            .not_after
            .to_date_time()
    }

    /// Whether `time` lies within the validity period (bounds included).
    pub fn is_valid_at(&self, time: DateTime) -> bool {
        self.not_before() <= time && time <= self.not_after()
    }

    /// The key family, read from the SubjectPublicKeyInfo algorithm alone
    /// (cheaper than decoding the key).
    pub fn key_type(&self) -> Result<crate::KeyType, Error> {
        use const_oid::db::rfc5912::{ID_EC_PUBLIC_KEY, RSA_ENCRYPTION};
        match self
            .x509
            .tbs_certificate()
            .subject_public_key_info()
            .algorithm
            .oid
        {
            RSA_ENCRYPTION => Ok(crate::KeyType::Rsa),
            ID_EC_PUBLIC_KEY => Ok(crate::KeyType::Ec),
            other => Err(Error::UnsupportedAlgorithm(format!("public key {other}"))),
        }
    }

    /// The subject's key, decoded: what its signatures are checked with.
    pub fn public_key(&self) -> Result<PublicKey, Error> {
        PublicKey::from_spki(self.x509.tbs_certificate().subject_public_key_info())
    }

    /// The key usage extension, if present and well-formed.
    pub fn key_usage(&self) -> Option<KeyUsage> {
        self.x509
            .tbs_certificate()
            .get_extension::<KeyUsage>()
            .ok()
            .flatten()
            .map(|(_, ku)| ku)
    }

    /// Whether this is a time-stamping unit's certificate as RFC 3161 §2.3
    /// requires: an extended key usage that is critical and holds exactly
    /// id-kp-timeStamping.
    pub fn is_time_stamping(&self) -> bool {
        use x509_cert::ext::pkix::ExtendedKeyUsage;
        const ID_KP_TIME_STAMPING: der::asn1::ObjectIdentifier =
            der::asn1::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");
        matches!(
            self.x509.tbs_certificate().get_extension::<ExtendedKeyUsage>(),
            Ok(Some((true, eku))) if eku.0 == [ID_KP_TIME_STAMPING]
        )
    }

    /// The basic constraints extension, if present and well-formed.
    pub fn basic_constraints(&self) -> Option<BasicConstraints> {
        self.x509
            .tbs_certificate()
            .get_extension::<BasicConstraints>()
            .ok()
            .flatten()
            .map(|(_, bc)| bc)
    }

    /// The subject key identifier extension, if present and well-formed:
    /// matched against a child's authority key identifier in path building.
    pub fn subject_key_id(&self) -> Option<Vec<u8>> {
        self.x509
            .tbs_certificate()
            .get_extension::<SubjectKeyIdentifier>()
            .ok()
            .flatten()
            .map(|(_, ski)| ski.0.as_bytes().to_vec())
    }

    /// The keyIdentifier of the authority key identifier extension, if
    /// present and well-formed: which issuer key signed this.
    pub fn authority_key_id(&self) -> Option<Vec<u8>> {
        self.x509
            .tbs_certificate()
            .get_extension::<AuthorityKeyIdentifier>()
            .ok()
            .flatten()
            .and_then(|(_, aki)| aki.key_identifier.map(|k| k.as_bytes().to_vec()))
    }

    /// Digest of the whole certificate (ESS signing-certificate-v2 binding).
    pub fn fingerprint(&self, alg: impl Into<crate::digest::HashAlgorithm>) -> Vec<u8> {
        alg.into().digest(&self.der)
    }

    /// The facts a person needs to recognise this certificate.
    pub fn info(&self) -> CertificateInfo {
        let tbs = self.x509().tbs_certificate();
        let key = self.public_key().ok();
        let key_usage = self
            .key_usage()
            .map(|ku| {
                [
                    (ku.digital_signature(), "digitalSignature"),
                    (ku.non_repudiation(), "nonRepudiation"),
                    (ku.key_encipherment(), "keyEncipherment"),
                    (ku.data_encipherment(), "dataEncipherment"),
                    (ku.key_agreement(), "keyAgreement"),
                    (ku.key_cert_sign(), "keyCertSign"),
                    (ku.crl_sign(), "cRLSign"),
                ]
                .into_iter()
                .filter(|(set, _)| *set)
                .map(|(_, n)| n.to_string())
                .collect()
            })
            .unwrap_or_default();
        CertificateInfo {
            subject: name::display(tbs.subject()),
            issuer: name::display(tbs.issuer()),
            common_name: name::first(tbs.subject(), CN),
            organization: name::first(tbs.subject(), O),
            issuer_common_name: name::first(tbs.issuer(), CN),
            serial_number: self.serial().iter().map(|b| format!("{b:02X}")).collect(),
            not_before: self.not_before().to_string(),
            not_after: self.not_after().to_string(),
            key_type: key.as_ref().map(|k| k.key_type()),
            key_bits: key.as_ref().map(|k| k.bits()).unwrap_or(0),
            key_usage,
            identifiers: Identifiers::from_name(tbs.subject()),
            sha256: self
                .fingerprint(DigestAlgorithm::Sha256)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        }
    }
}
