//! A software test PKI: root → intermediate → signers, issued the way Vietnamese
//! CAs issue them (RSA CA keys, SHA-256, keyCertSign on CAs, nonRepudiation on
//! signers, subject and authority key identifiers), and, for long-term
//! signatures, with the pointers a relying party follows to check status:
//! authority information access (OCSP, caIssuers) and CRL distribution points.

use std::time::Duration;

use const_oid::AssociatedOid;
use der::asn1::{Ia5String, Null, ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use rsa::{Generate, PrivateKey};
use sha2::{Digest, Sha256};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AccessDescription, AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints,
    CrlDistributionPoints, ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::ext::{Criticality, Extension, ToExtension};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use kyso_core::{Certificate, Localized};

/// What kind of certificate to issue.
///
/// Build one with [`CertProfile::end_entity`] or [`CertProfile::ca`] and set
/// the optional fields with `..` so callers keep compiling when fields are added.
#[derive(Clone, Debug)]
pub struct CertProfile {
    /// The subject's distinguished name.
    pub subject: Name,
    /// A CA certificate (basicConstraints cA, keyCertSign) rather than an
    /// end entity.
    pub ca: bool,
    /// Key usage for an end-entity certificate (ignored for CAs).
    pub key_usage: KeyUsage,
    /// Seconds since the Unix epoch.
    pub not_before: u64,
    /// Seconds since the Unix epoch.
    pub not_after: u64,
    /// Extended key usage, absent when `None`.
    pub extended_key_usage: Option<KeyPurposes>,
    /// id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1): a delegated OCSP responder's
    /// own status is not to be checked.
    pub ocsp_nocheck: bool,
    /// Where relying parties find the issuer and the status of this certificate.
    pub urls: Urls,
}

/// An extended key usage extension: key purposes and whether it is critical.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyPurposes {
    /// The key purpose OIDs.
    pub oids: Vec<ObjectIdentifier>,
    /// Marks the extension critical.
    pub critical: bool,
}

/// The status pointers of a certificate; each `None` leaves its part out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Urls {
    /// Authority information access, id-ad-ocsp: the OCSP responder.
    pub ocsp: Option<String>,
    /// Authority information access, id-ad-caIssuers: the issuer's certificate (DER).
    pub ca_issuers: Option<String>,
    /// CRL distribution point (one full name): the issuer's CRL (DER).
    pub crl: Option<String>,
}

/// id-kp-timeStamping: the only key purpose a TSA certificate may carry (RFC 3161 §2.3).
pub const ID_KP_TIME_STAMPING: ObjectIdentifier = const_oid::db::rfc5280::ID_KP_TIME_STAMPING;
/// id-kp-OCSPSigning: a responder the CA delegated OCSP signing to (RFC 6960 §4.2.2.2).
pub const ID_KP_OCSP_SIGNING: ObjectIdentifier = const_oid::db::rfc5280::ID_KP_OCSP_SIGNING;
/// id-pkix-ocsp-nocheck, the extension whose value is NULL.
pub const ID_PKIX_OCSP_NOCHECK: ObjectIdentifier = const_oid::db::rfc6960::ID_PKIX_OCSP_NOCHECK;

impl KeyPurposes {
    /// A TSA's: critical id-kp-timeStamping, as RFC 3161 requires.
    pub fn time_stamping() -> Self {
        KeyPurposes {
            oids: vec![ID_KP_TIME_STAMPING],
            critical: true,
        }
    }

    /// A delegated OCSP responder's: id-kp-OCSPSigning, not critical.
    pub fn ocsp_signing() -> Self {
        KeyPurposes {
            oids: vec![ID_KP_OCSP_SIGNING],
            critical: false,
        }
    }
}

impl CertProfile {
    /// An end entity with `key_usage`, no extended key usage and no status pointers.
    pub fn end_entity(subject: Name, key_usage: KeyUsage, not_before: u64, not_after: u64) -> Self {
        CertProfile {
            subject,
            ca: false,
            key_usage,
            not_before,
            not_after,
            extended_key_usage: None,
            ocsp_nocheck: false,
            urls: Urls::default(),
        }
    }

    /// A CA (keyCertSign, cRLSign) without status pointers.
    pub fn ca(subject: Name, not_before: u64, not_after: u64) -> Self {
        CertProfile {
            ca: true,
            ..Self::end_entity(
                subject,
                KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign),
                not_before,
                not_after,
            )
        }
    }
}

/// A certification authority with its key in memory.
pub struct Ca {
    key: SigningKey<Sha256>,
    /// The CA's own certificate.
    pub cert: Certificate,
}

/// Root and intermediate of one test PKI.
pub struct TestPki {
    /// The self-signed root, the tests' trust anchor.
    pub root: Ca,
    /// Issued by the root; issues the signers' certificates.
    pub intermediate: Ca,
}

const DAY: u64 = 86_400;

impl TestPki {
    /// A fresh PKI valid from a day before `now` for ten years.
    pub fn generate(now: u64) -> Result<Self, String> {
        Self::generate_with(now, None)
    }

    /// As [`TestPki::generate`], the intermediate carrying `intermediate_urls`
    /// (the root's CRL and certificate, as a relying party needs them to check
    /// the intermediate).
    pub fn generate_with(now: u64, intermediate_urls: Option<&Urls>) -> Result<Self, String> {
        let root_key = SigningKey::<Sha256>::new(PrivateKey::generate());
        let root_name = crate::names::name(&[
            ("C", "VN"),
            ("O", "Kyso Thử nghiệm"),
            ("CN", "Kyso Test Root CA G2"),
        ]);
        let root_profile = CertProfile::ca(root_name.clone(), now - DAY, now + 3650 * DAY);
        let root_spki = spki_of(&root_key)?;
        let root_cert = issue(&root_key, &root_name, &root_spki, &root_spki, &root_profile)?;
        let root = Ca {
            key: root_key,
            cert: root_cert,
        };

        let inter_key = SigningKey::<Sha256>::new(PrivateKey::generate());
        let inter_profile = CertProfile {
            subject: crate::names::name(&[
                ("C", "VN"),
                ("O", "Kyso Thử nghiệm"),
                ("CN", "Kyso Test CA phục vụ cơ quan Nhà nước"),
            ]),
            not_before: now - DAY,
            not_after: now + 3000 * DAY,
            urls: intermediate_urls.cloned().unwrap_or_default(),
            ..root_profile
        };
        let intermediate = Ca {
            cert: root.issue(&spki_of(&inter_key)?, &inter_profile)?,
            key: inter_key,
        };
        Ok(TestPki { root, intermediate })
    }
}

impl Ca {
    /// Issues a certificate for `spki` with `profile`.
    pub fn issue(
        &self,
        spki: &SubjectPublicKeyInfoOwned,
        profile: &CertProfile,
    ) -> Result<Certificate, String> {
        let issuer_spki = self
            .cert
            .x509()
            .tbs_certificate()
            .subject_public_key_info()
            .clone();
        let issuer = self.cert.x509().tbs_certificate().subject().clone();
        issue(&self.key, &issuer, &issuer_spki, spki, profile)
    }

    /// The CA key as PKCS#8 PEM, for tools that issue more certificates or
    /// sign CRLs and OCSP responses (`openssl ca -gencrl`, `openssl ocsp`).
    pub fn key_pem(&self) -> Result<String, String> {
        self.key
            .as_ref()
            .to_pkcs8_pem(LineEnding::LF)
            .map(|p| p.to_string())
            .map_err(|e| e.to_string())
    }
}

/// A software RSA key with its PKCS#8 PEM, for signers outside the token
/// (cross-checks with OpenSSL and pyHanko).
pub fn software_rsa_key() -> Result<(SubjectPublicKeyInfoOwned, String), String> {
    let key = PrivateKey::generate();
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| e.to_string())?
        .to_string();
    let spki = spki_of(&SigningKey::<Sha256>::new(key))?;
    Ok((spki, pem))
}

fn spki_of(key: &SigningKey<Sha256>) -> Result<SubjectPublicKeyInfoOwned, String> {
    use rsa::pkcs8::EncodePublicKey;
    let der = key
        .as_ref()
        .to_public_key()
        .to_public_key_der()
        .map_err(|e| e.to_string())?;
    SubjectPublicKeyInfoOwned::from_der(der.as_bytes()).map_err(|e| e.to_string())
}

/// SHA-256 of the subject public key, truncated: a key identifier that is
/// stable for a key (RFC 7093 method 1).
fn key_id(spki: &SubjectPublicKeyInfoOwned) -> Vec<u8> {
    Sha256::digest(spki.subject_public_key.raw_bytes())[..20].to_vec()
}

struct Profile {
    issuer: Name,
    subject: Name,
    extensions: Vec<Extension>,
}

impl BuilderProfile for Profile {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }
    fn get_subject(&self) -> Name {
        self.subject.clone()
    }
    fn build_extensions(
        &self,
        _spk: spki::SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: spki::SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        Ok(self.extensions.clone())
    }
}

fn ext<E: Criticality + AssociatedOid + Encode>(
    subject: &Name,
    value: E,
) -> Result<Extension, String> {
    (&value)
        .to_extension(subject, &[])
        .map_err(|e| format!("extension: {e}"))
}

/// An extension whose criticality the profile decides (x509-cert fixes it per type).
fn raw_ext(
    oid: ObjectIdentifier,
    critical: bool,
    value: &impl Encode,
) -> Result<Extension, String> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der().map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?,
    })
}

fn uri(url: &str) -> Result<GeneralName, String> {
    Ia5String::new(url)
        .map(GeneralName::UniformResourceIdentifier)
        .map_err(|e| format!("URL {url}: {e}"))
}

fn issue(
    key: &SigningKey<Sha256>,
    issuer: &Name,
    issuer_spki: &SubjectPublicKeyInfoOwned,
    spki: &SubjectPublicKeyInfoOwned,
    profile: &CertProfile,
) -> Result<Certificate, String> {
    let subject = &profile.subject;
    let mut extensions = vec![
        ext(
            subject,
            BasicConstraints {
                ca: profile.ca,
                path_len_constraint: None,
            },
        )?,
        ext(subject, profile.key_usage)?,
        ext(
            subject,
            SubjectKeyIdentifier(OctetString::new(key_id(spki)).map_err(|e| e.to_string())?),
        )?,
    ];
    if issuer != subject {
        extensions.push(ext(
            subject,
            AuthorityKeyIdentifier {
                key_identifier: Some(
                    OctetString::new(key_id(issuer_spki)).map_err(|e| e.to_string())?,
                ),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            },
        )?);
    }
    if let Some(eku) = &profile.extended_key_usage {
        extensions.push(raw_ext(
            ExtendedKeyUsage::OID,
            eku.critical,
            &ExtendedKeyUsage(eku.oids.clone()),
        )?);
    }
    if profile.ocsp_nocheck {
        extensions.push(raw_ext(ID_PKIX_OCSP_NOCHECK, false, &Null)?);
    }
    let access: Vec<AccessDescription> = [
        (const_oid::db::rfc5280::ID_AD_OCSP, &profile.urls.ocsp),
        (
            const_oid::db::rfc5280::ID_AD_CA_ISSUERS,
            &profile.urls.ca_issuers,
        ),
    ]
    .into_iter()
    .filter_map(|(method, url)| url.as_ref().map(|u| (method, u)))
    .map(|(access_method, url)| {
        Ok(AccessDescription {
            access_method,
            access_location: uri(url)?,
        })
    })
    .collect::<Result<_, String>>()?;
    if !access.is_empty() {
        extensions.push(ext(subject, AuthorityInfoAccessSyntax(access))?);
    }
    if let Some(crl) = &profile.urls.crl {
        extensions.push(ext(
            subject,
            CrlDistributionPoints(vec![DistributionPoint {
                distribution_point: Some(DistributionPointName::FullName(vec![uri(crl)?])),
                reasons: None,
                crl_issuer: None,
            }]),
        )?);
    }
    let validity = Validity::new(time(profile.not_before)?, time(profile.not_after)?);
    let mut serial = Sha256::digest(spki.to_der().map_err(|e| e.to_string())?)[..16].to_vec();
    serial[0] &= 0x7f;
    let builder = CertificateBuilder::new(
        Profile {
            issuer: issuer.clone(),
            subject: subject.clone(),
            extensions,
        },
        SerialNumber::new(&serial).map_err(|e| e.to_string())?,
        validity,
        spki.clone(),
    )
    .map_err(|e| format!("certificate builder: {e}"))?;
    let cert = builder
        .build::<_, rsa::pkcs1v15::Signature>(key)
        .map_err(|e| format!("signing certificate: {e}"))?;
    Certificate::from_der(&cert.to_der().map_err(|e| e.to_string())?).map_err(|e| e.message())
}

fn time(secs: u64) -> Result<Time, String> {
    der::DateTime::from_unix_duration(Duration::from_secs(secs))
        .map(Time::from)
        .map_err(|e| e.to_string())
}
