//! CAdES-B-LT (ETSI EN 319 122-1 §6.3, the baseline profile of EN 319
//! 122-2): the certificates of every path go into `SignedData.certificates`
//! and the revocation answers into `SignedData.crls`, not into the
//! certificate-values / revocation-values attributes, which the baseline
//! levels forbid (EU DSS reports them as "CAdES-LT", not baseline).
//!
//! ```text
//! SignedData ::= SEQUENCE {
//!   version CMSVersion, digestAlgorithms DigestAlgorithmIdentifiers,
//!   encapContentInfo EncapsulatedContentInfo,
//!   certificates [0] IMPLICIT CertificateSet OPTIONAL,
//!   crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
//!   signerInfos SignerInfos }
//! RevocationInfoChoice ::= CHOICE {
//!   crl CertificateList,
//!   other [1] IMPLICIT OtherRevocationInfoFormat }
//! OtherRevocationInfoFormat ::= SEQUENCE {
//!   otherRevInfoFormat OBJECT IDENTIFIER,   -- id-ri-ocsp-response (RFC 5940)
//!   otherRevInfo ANY DEFINED BY otherRevInfoFormat }   -- an OCSPResponse
//! ```
//!
//! Written by hand: the `cms` crate's OtherRevocationInfoFormat encodes its
//! format as an AlgorithmIdentifier, which is not what RFC 5652 says.

use crate::asn1::{to_der, Tlv};
use crate::{Certificate, Error};

use super::SignedDataView;

/// id-ri-ocsp-response (1.3.6.1.5.5.7.16.2), as its DER TLV.
const ID_RI_OCSP_RESPONSE: &[u8] = &[0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x10, 0x02];

/// Adds `certificates`, `crls` (CertificateList DER) and `ocsp` (full
/// OCSPResponse DER) to the SignedData of `cms`, keeping what it already
/// carries. The signer's signed attributes and signature are untouched.
///
/// ```
/// assert!(kyso_core::cms::add_validation_data(b"junk", &[], &[], &[]).is_err());
/// ```
pub fn add_validation_data(
    cms: &[u8],
    certificates: &[Certificate],
    crls: &[Vec<u8>],
    ocsp: &[Vec<u8>],
) -> Result<Vec<u8>, Error> {
    let before = SignedDataView::parse(cms)?;
    let der = to_der(cms)?;
    let (oid, signed_data) = split_content_info(&der)?;

    let mut head = Vec::new();
    let mut certs: Vec<Vec<u8>> = Vec::new();
    let mut revocation: Vec<Vec<u8>> = Vec::new();
    let mut signer_infos = None;
    for field in signed_data.children() {
        let field = field?;
        match field.tag_byte() {
            Some(0xa0) => {
                for c in field.children() {
                    certs.push(c?.raw.to_vec());
                }
            }
            Some(0xa1) => {
                for c in field.children() {
                    revocation.push(c?.raw.to_vec());
                }
            }
            Some(0x31) if signer_infos.is_none() && head.len() >= 3 => {
                signer_infos = Some(field.raw.to_vec())
            }
            _ => head.push(field.raw.to_vec()),
        }
    }
    let signer_infos = signer_infos.ok_or_else(|| Error::malformed("signerInfos missing"))?;
    for c in certificates {
        if !certs.iter().any(|e| e.as_slice() == c.der()) {
            certs.push(c.der().to_vec());
        }
    }
    for crl in crls {
        Tlv::parse_exact(crl)?;
        if !revocation.contains(crl) {
            revocation.push(crl.clone());
        }
    }
    for response in ocsp {
        Tlv::parse_exact(response)?;
        let mut body = ID_RI_OCSP_RESPONSE.to_vec();
        body.extend_from_slice(response);
        let other = tlv(0xa1, &body)?;
        if !revocation.contains(&other) {
            revocation.push(other);
        }
    }
    let mut body: Vec<u8> = head.concat();
    if !certs.is_empty() {
        body.extend(set_of(0xa0, certs)?);
    }
    if !revocation.is_empty() {
        body.extend(set_of(0xa1, revocation)?);
    }
    body.extend(signer_infos);
    let out = content_info(oid.raw, &body)?;
    if !before.same_signed_part(&SignedDataView::parse(&out)?) {
        return Err(Error::malformed(
            "adding validation data would change the signature",
        ));
    }
    Ok(out)
}

/// The contentType and the SignedData of a DER ContentInfo.
pub(super) fn split_content_info(der: &[u8]) -> Result<(Tlv<'_>, Tlv<'_>), Error> {
    let content_info = Tlv::parse_exact(der)?;
    let mut ci = content_info.children();
    let oid = ci
        .next()
        .transpose()?
        .ok_or_else(|| Error::malformed("contentType missing"))?;
    let explicit = ci
        .next()
        .transpose()?
        .ok_or_else(|| Error::malformed("content missing"))?;
    Ok((oid, Tlv::parse_exact(explicit.content)?))
}

/// A ContentInfo of `content_type` (its TLV) around a SignedData whose
/// fields, encoded, are `fields`.
pub(super) fn content_info(content_type: &[u8], fields: &[u8]) -> Result<Vec<u8>, Error> {
    let mut body = content_type.to_vec();
    body.extend(tlv(0xa0, &tlv(0x30, fields)?)?);
    tlv(0x30, &body)
}

/// A DER SET OF: its elements in ascending order of their encodings (X.690
/// §11.6).
pub(super) fn set_of(tag: u8, mut items: Vec<Vec<u8>>) -> Result<Vec<u8>, Error> {
    items.sort();
    tlv(tag, &items.concat())
}

/// One DER element: `tag`, the definite length, `content`.
pub(super) fn tlv(tag: u8, content: &[u8]) -> Result<Vec<u8>, Error> {
    use der::Encode;
    let mut out = vec![tag];
    der::Length::try_from(content.len())?.encode_to_vec(&mut out)?;
    out.extend_from_slice(content);
    Ok(out)
}
