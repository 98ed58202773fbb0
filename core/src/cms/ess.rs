//! ESS signing-certificate-v2 (RFC 5035): binds a signature to the signer's
//! certificate so the certificate cannot be swapped for another with the same key.

use der::asn1::OctetString;
use der::Sequence;
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::name::GeneralNames;
use x509_cert::serial_number::SerialNumber;

/// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies … OPTIONAL }`
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct SigningCertificateV2 {
    /// The signer's certificate first; further ones may constrain the path.
    pub certs: Vec<EssCertIdV2>,
    /// `SEQUENCE OF PolicyInformation`, kept undecoded: Kyso neither writes
    /// nor checks it.
    #[asn1(optional = "true")]
    pub policies: Option<der::Any>,
}

/// `ESSCertIDv2`; `hash_algorithm` absent means SHA-256 (its DEFAULT, which DER
/// requires to be omitted).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct EssCertIdV2 {
    /// `hashAlgorithm AlgorithmIdentifier DEFAULT {algorithm id-sha256}`.
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    /// `certHash Hash`: the digest of the whole certificate's DER.
    pub cert_hash: OctetString,
    /// `issuerSerial IssuerSerial OPTIONAL`: names the certificate too, for
    /// readers that look it up rather than hash candidates.
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }`
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct IssuerSerial {
    /// The issuer's name, as a directoryName.
    pub issuer: GeneralNames,
    /// The certificate's serial number.
    pub serial_number: SerialNumber,
}
