//! CAdES signed attributes: building them for a new signature, and checking the
//! ones a page sends to the agent before anything is shown to the user.

use const_oid::db::rfc5911::{
    ID_AA_SIGNING_CERTIFICATE_V_2, ID_CONTENT_TYPE, ID_MESSAGE_DIGEST, ID_SIGNING_TIME,
};
use der::asn1::{ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use x509_cert::attr::{Attribute, Attributes};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::time::Time;

use super::ess::{EssCertIdV2, IssuerSerial, SigningCertificateV2};
use crate::time::DateTime;
use crate::{Certificate, DigestAlgorithm, Error};

/// What goes into the signed attributes of a new signature.
#[derive(Clone, Debug)]
pub struct SignedAttributesSpec<'a> {
    /// Usually `id-data`.
    pub content_type: ObjectIdentifier,
    /// The digest of the content, computed with `digest`.
    pub message_digest: &'a [u8],
    /// The digest algorithm of `message_digest` and of the certificate hash.
    pub digest: DigestAlgorithm,
    /// Bound through signing-certificate-v2.
    pub signer: &'a Certificate,
    /// `Some` adds a signing-time attribute (CAdES); `None` is the PAdES profile,
    /// where the time goes in the signature dictionary's /M instead.
    pub signing_time: Option<DateTime>,
}

/// Encodes the signed attributes as the DER `SET OF Attribute` that is hashed
/// and signed (RFC 5652 §5.4).
pub fn build(spec: &SignedAttributesSpec<'_>) -> Result<Vec<u8>, Error> {
    if spec.message_digest.len() != spec.digest.output_len() {
        return Err(Error::InvalidValue("message digest length"));
    }
    let mut attrs = vec![
        attribute(ID_CONTENT_TYPE, Any::encode_from(&spec.content_type)?)?,
        attribute(
            ID_MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(spec.message_digest)?)?,
        )?,
        attribute(
            ID_AA_SIGNING_CERTIFICATE_V_2,
            Any::encode_from(&signing_certificate_v2(spec.signer, spec.digest)?)?,
        )?,
    ];
    if let Some(t) = spec.signing_time {
        let time = Time::from(t);
        attrs.push(attribute(ID_SIGNING_TIME, Any::encode_from(&time)?)?);
    }
    // SetOfVec sorts into DER order.
    let set: Attributes = SetOfVec::try_from(attrs)?;
    Ok(set.to_der()?)
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, Error> {
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![value])?,
    })
}

fn signing_certificate_v2(
    cert: &Certificate,
    digest: DigestAlgorithm,
) -> Result<SigningCertificateV2, Error> {
    let tbs = cert.x509().tbs_certificate();
    Ok(SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: (digest != DigestAlgorithm::Sha256)
                .then(|| digest.algorithm_identifier()),
            cert_hash: OctetString::new(cert.fingerprint(digest))?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(tbs.issuer().clone())],
                serial_number: tbs.serial_number().clone(),
            }),
        }],
        policies: None,
    })
}

/// The attributes of a signed-attributes SET that verification and the agent
/// care about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedAttributesSummary {
    /// The content-type attribute (RFC 5652 §11.1).
    pub content_type: ObjectIdentifier,
    /// The message-digest attribute (RFC 5652 §11.2): what the content's
    /// digest must equal.
    pub message_digest: Vec<u8>,
    /// The signing-time attribute (RFC 5652 §11.3), a claim of the signer.
    pub signing_time: Option<DateTime>,
    /// The ESS signing-certificate-v2 attribute (RFC 5035).
    pub signing_certificate_v2: Option<SigningCertificateV2>,
    /// The legacy ESS signing-certificate (v1, SHA-1) is present.
    pub signing_certificate_v1: bool,
}

/// Parses and checks a DER signed-attributes SET: content-type and
/// message-digest each present exactly once with a single value, and, when
/// `digest` is given, a message digest of its length.
///
/// This is the check the agent makes on `/v1/sign` so that it never signs a bare
/// hash: what it signs is always the hash of a well-formed attribute set.
///
/// ```
/// use kyso_core::cms::signed_attrs;
/// assert!(signed_attrs::inspect(&[0x31, 0x00], None).is_err());
/// ```
pub fn inspect(
    der: &[u8],
    digest: Option<DigestAlgorithm>,
) -> Result<SignedAttributesSummary, Error> {
    if der.first() != Some(&0x31) {
        return Err(Error::InvalidSignedAttributes("not a DER SET"));
    }
    let attrs = Attributes::from_der(der)
        .map_err(|_| Error::InvalidSignedAttributes("not a DER SET OF Attribute"))?;
    let single = |oid: ObjectIdentifier| -> Result<Option<&Any>, Error> {
        let mut found = attrs.iter().filter(|a| a.oid == oid);
        match (found.next(), found.next()) {
            (None, _) => Ok(None),
            (Some(a), None) if a.values.len() == 1 => Ok(a.values.iter().next()),
            _ => Err(Error::InvalidSignedAttributes(
                "an attribute appears twice or with several values",
            )),
        }
    };
    let content_type = single(ID_CONTENT_TYPE)?
        .ok_or(Error::InvalidSignedAttributes("content-type missing"))?
        .decode_as::<ObjectIdentifier>()
        .map_err(|_| Error::InvalidSignedAttributes("content-type is not an OID"))?;
    let message_digest = single(ID_MESSAGE_DIGEST)?
        .ok_or(Error::InvalidSignedAttributes("message-digest missing"))?
        .decode_as::<OctetString>()
        .map_err(|_| Error::InvalidSignedAttributes("message-digest is not an OCTET STRING"))?
        .into_bytes()
        .into_vec();
    if let Some(alg) = digest {
        if message_digest.len() != alg.output_len() {
            return Err(Error::InvalidSignedAttributes(
                "message-digest length does not match the digest algorithm",
            ));
        }
    }
    let signing_time = single(ID_SIGNING_TIME)?
        .map(|a| a.decode_as::<Time>().map(|t| t.to_date_time()))
        .transpose()
        .map_err(|_| Error::InvalidSignedAttributes("signing-time"))?;
    let signing_certificate_v2 = single(ID_AA_SIGNING_CERTIFICATE_V_2)?
        .map(|a| SigningCertificateV2::from_der(&a.to_der()?))
        .transpose()
        .map_err(|_| Error::InvalidSignedAttributes("signing-certificate-v2"))?;
    let signing_certificate_v1 = attrs.iter().any(|a| a.oid == ID_AA_SIGNING_CERTIFICATE);
    Ok(SignedAttributesSummary {
        content_type,
        message_digest,
        signing_time,
        signing_certificate_v2,
        signing_certificate_v1,
    })
}

/// id-aa-signingCertificate (RFC 2634), the SHA-1 predecessor of v2.
const ID_AA_SIGNING_CERTIFICATE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.12");

#[cfg(test)]
mod tests {
    use super::*;

    fn set_of(attrs: Vec<Attribute>) -> Vec<u8> {
        SetOfVec::try_from(attrs).unwrap().to_der().unwrap()
    }

    fn md(len: usize) -> Attribute {
        attribute(
            ID_MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(vec![7u8; len]).unwrap()).unwrap(),
        )
        .unwrap()
    }

    fn ct() -> Attribute {
        attribute(
            ID_CONTENT_TYPE,
            Any::encode_from(&const_oid::db::rfc5911::ID_DATA).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn accepts_minimal_attributes() {
        let der = set_of(vec![ct(), md(32)]);
        let s = inspect(&der, Some(DigestAlgorithm::Sha256)).unwrap();
        assert_eq!(s.message_digest, vec![7u8; 32]);
        assert!(s.signing_time.is_none());
    }

    #[test]
    fn refuses_what_would_make_the_agent_a_hash_oracle() {
        // A bare 32-byte hash.
        assert!(inspect(&[0x5a; 32], Some(DigestAlgorithm::Sha256)).is_err());
        // No content type.
        assert!(inspect(&set_of(vec![md(32)]), None).is_err());
        // No message digest.
        assert!(inspect(&set_of(vec![ct()]), None).is_err());
        // Wrong digest length for the algorithm.
        assert!(inspect(&set_of(vec![ct(), md(20)]), Some(DigestAlgorithm::Sha256)).is_err());
        // Two message digests.
        let mut two = md(32);
        two.values
            .insert(Any::encode_from(&OctetString::new(vec![1u8; 32]).unwrap()).unwrap())
            .unwrap();
        assert!(inspect(&set_of(vec![ct(), two]), None).is_err());
        // Truncated.
        let der = set_of(vec![ct(), md(32)]);
        assert!(inspect(&der[..der.len() - 1], None).is_err());
    }
}
