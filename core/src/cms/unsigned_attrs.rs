//! Unsigned attributes that make a CAdES signature last (ETSI EN 319 122-1
//! §5.3, §5.5): added after the token signed, they change nothing the
//! signer's key covers. Kyso writes the signature-time-stamp; it reads
//! certificate-values and revocation-values (written by other tools' CAdES-X-L
//! and -A signatures) but puts B-LT data in the SignedData itself
//! ([`super::add_validation_data`]), as the baseline profile requires.
//!
//! ```text
//! signature-time-stamp  (id-aa-signatureTimeStampToken, 1.2.840.113549.1.9.16.2.14)
//!    SignatureTimeStampToken ::= TimeStampToken   -- over the signature value
//! certificate-values    (id-aa-ets-certValues, 1.2.840.113549.1.9.16.2.23)
//!    CertificateValues ::= SEQUENCE OF Certificate
//! revocation-values     (id-aa-ets-revocationValues, 1.2.840.113549.1.9.16.2.24)
//!    RevocationValues ::= SEQUENCE {
//!       crlVals    [0] SEQUENCE OF CertificateList OPTIONAL,
//!       ocspVals   [1] SEQUENCE OF BasicOCSPResponse OPTIONAL,
//!       otherRevVals [2] OtherRevVals OPTIONAL }
//! ```

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use const_oid::db::rfc5911::ID_SIGNED_DATA;
use der::asn1::{ObjectIdentifier, SetOfVec};
use der::{Any, Decode, Encode};
use x509_cert::attr::Attribute;

use super::SignedDataView;
use crate::digest::HashAlgorithm;
use crate::Error;

/// id-aa-signatureTimeStampToken (RFC 3161 appendix A).
pub const ID_AA_SIGNATURE_TIME_STAMP_TOKEN: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");
/// id-aa-ets-certValues (ETSI EN 319 122-1 §5.5.1).
pub const ID_AA_ETS_CERT_VALUES: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.23");
/// id-aa-ets-revocationValues (ETSI EN 319 122-1 §5.5.2).
pub const ID_AA_ETS_REVOCATION_VALUES: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.24");

/// The signature value of the one signer of `cms`: what a signature
/// time-stamp stamps.
///
/// ```
/// assert!(kyso_core::cms::unsigned_attrs::signature_value(b"junk").is_err());
/// ```
pub fn signature_value(cms: &[u8]) -> Result<Vec<u8>, Error> {
    let view = SignedDataView::parse(cms)?;
    match view.signers.as_slice() {
        [one] => Ok(one.info.signature.as_bytes().to_vec()),
        _ => Err(Error::malformed("the CMS must have exactly one signer")),
    }
}

/// The imprint a TSA must stamp for a signature time-stamp on `cms`.
pub fn signature_timestamp_imprint(cms: &[u8], alg: HashAlgorithm) -> Result<Vec<u8>, Error> {
    Ok(alg.digest(&signature_value(cms)?))
}

/// Adds a signature-time-stamp (B-T) to the one signer of `cms`.
pub fn add_signature_timestamp(cms: &[u8], token: &[u8]) -> Result<Vec<u8>, Error> {
    // The token must be a time-stamp of this very signature value.
    let info = crate::tsp::TimeStampToken::info_of(token)?;
    if info.hashed_message != signature_timestamp_imprint(cms, info.hash_algorithm)? {
        return Err(Error::malformed(
            "the time-stamp does not stamp this signature's value",
        ));
    }
    add(
        cms,
        vec![(ID_AA_SIGNATURE_TIME_STAMP_TOKEN, Any::from_der(token)?)],
    )
}

/// The unsigned attributes of `cms`'s one signer with `oid`, each value's DER.
pub fn values(cms: &[u8], oid: ObjectIdentifier) -> Result<Vec<Vec<u8>>, Error> {
    let view = SignedDataView::parse(cms)?;
    let signer = view
        .signers
        .first()
        .ok_or_else(|| Error::malformed("the CMS has no signer"))?;
    values_of(&signer.info, oid)
}

/// [`values`] for a SignerInfo already parsed.
pub(crate) fn values_of(
    info: &cms::signed_data::SignerInfo,
    oid: ObjectIdentifier,
) -> Result<Vec<Vec<u8>>, Error> {
    let mut out = Vec::new();
    for attr in info.unsigned_attrs.iter().flat_map(|a| a.iter()) {
        if attr.oid == oid {
            for v in attr.values.iter() {
                out.push(v.to_der()?);
            }
        }
    }
    Ok(out)
}

fn add(cms: &[u8], new: Vec<(ObjectIdentifier, Any)>) -> Result<Vec<u8>, Error> {
    let before = SignedDataView::parse(cms)?;
    let der = crate::asn1::to_der(cms)?;
    let content_info = ContentInfo::from_der(&der)?;
    if content_info.content_type != ID_SIGNED_DATA {
        return Err(Error::malformed("not a SignedData"));
    }
    let mut signed_data: SignedData = content_info.content.decode_as()?;
    let mut signers: Vec<_> = signed_data.signer_infos.0.into_vec();
    let [signer] = signers.as_mut_slice() else {
        return Err(Error::malformed("the CMS must have exactly one signer"));
    };
    let mut attrs: Vec<Attribute> = signer
        .unsigned_attrs
        .take()
        .map(|a| a.into_vec())
        .unwrap_or_default();
    for (oid, value) in new {
        attrs.push(Attribute {
            oid,
            values: SetOfVec::try_from(vec![value])?,
        });
    }
    signer.unsigned_attrs = Some(SetOfVec::try_from(attrs)?);
    signed_data.signer_infos = cms::signed_data::SignerInfos::try_from(signers)?;
    let out = ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&signed_data)?,
    }
    .to_der()?;
    // Re-encoding must not touch what the signer's key covers.
    if !before.same_signed_part(&SignedDataView::parse(&out)?) {
        return Err(Error::InvalidSignedAttributes(
            "the signed part would change when re-encoded (not DER)",
        ));
    }
    Ok(out)
}
