//! Reading a CMS SignedData (DER or BER) while keeping the original bytes of
//! the parts signatures are computed over.

use cms::signed_data::SignerInfo;
use const_oid::db::rfc5911::ID_SIGNED_DATA;
use der::asn1::ObjectIdentifier;
use der::Decode;

use crate::asn1::{to_der, Tlv};
use crate::{Certificate, Error};

/// id-ri-ocsp-response (1.3.6.1.5.5.7.16.2, RFC 5940), as its DER TLV.
const ID_RI_OCSP_RESPONSE_DER: &[u8] =
    &[0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x10, 0x02];

/// A parsed SignedData.
#[derive(Clone, Debug)]
pub struct SignedDataView {
    /// eContentType (id-data for documents).
    pub content_type: ObjectIdentifier,
    /// The encapsulated content, when the signature is attached.
    pub content: Option<Vec<u8>>,
    /// The certificates carried in the SignedData that could be parsed.
    pub certificates: Vec<Certificate>,
    /// `crls` (RFC 5652 §10.2.1): the CertificateLists carried, DER.
    pub crls: Vec<Vec<u8>>,
    /// `crls` entries of the other format id-ri-ocsp-response (RFC 5940
    /// §4.1): OCSPResponses carried, DER.
    pub ocsp_responses: Vec<Vec<u8>>,
    /// Every CertificateChoices of `certificates` as encoded, in order,
    /// whatever its kind: what an archive time-stamp's hash index names.
    pub certificate_choices: Vec<Vec<u8>>,
    /// Every RevocationInfoChoice of `crls` as encoded, in order (CRLs and
    /// other formats alike).
    pub revocation_choices: Vec<Vec<u8>>,
    /// Every SignerInfo, in order.
    pub signers: Vec<SignerView>,
}

/// One SignerInfo.
#[derive(Clone, Debug)]
pub struct SignerView {
    /// The SignerInfo as decoded (RFC 5652 §5.3).
    pub info: SignerInfo,
    /// The signed attributes exactly as encoded, re-tagged as a SET (0x31): the
    /// bytes the signature covers (RFC 5652 §5.4).
    pub signed_attrs_der: Option<Vec<u8>>,
    /// The whole SignerInfo as encoded: an archive time-stamp covers its
    /// fields byte for byte.
    pub der: Vec<u8>,
}

impl SignedDataView {
    /// Parses a ContentInfo holding a SignedData. BER (indefinite lengths,
    /// chunked strings) and trailing zero padding are accepted.
    ///
    /// ```
    /// assert!(kyso_core::cms::SignedDataView::parse(b"not cms").is_err());
    /// ```
    pub fn parse(input: &[u8]) -> Result<Self, Error> {
        Self::from_der(&to_der(input)?)
    }

    /// Like [`SignedDataView::parse`], but anything after the first element is
    /// ignored and its length returned: what a PDF's `/Contents` needs.
    pub fn parse_first(input: &[u8]) -> Result<(Self, usize), Error> {
        let (der, trailing) = crate::asn1::to_der_first(input)?;
        Ok((Self::from_der(&der)?, trailing))
    }

    /// Whether `other` has the same content and, signer by signer, the
    /// same signed attributes and signature value: what adding unsigned
    /// data must leave alone.
    pub(crate) fn same_signed_part(&self, other: &SignedDataView) -> bool {
        let signed = |v: &SignedDataView| {
            v.signers
                .iter()
                .map(|s| (s.signed_attrs_der.clone(), s.info.signature.clone()))
                .collect::<Vec<_>>()
        };
        signed(self) == signed(other) && self.content == other.content
    }

    fn from_der(der: &[u8]) -> Result<Self, Error> {
        let content_info = Tlv::parse_exact(der)?;
        let mut ci = content_info.children();
        let oid_tlv = next(&mut ci, "contentType")?;
        let oid = ObjectIdentifier::from_der(oid_tlv.raw)?;
        if oid != ID_SIGNED_DATA {
            return Err(Error::malformed(format!(
                "content type {oid} is not SignedData"
            )));
        }
        let explicit = next(&mut ci, "content")?;
        let signed_data = Tlv::parse_exact(explicit.content)?;
        if signed_data.tag_byte() != Some(0x30) {
            return Err(Error::malformed("SignedData is not a SEQUENCE"));
        }

        let mut fields = signed_data.children();
        let _version = next(&mut fields, "version")?;
        let _digest_algs = next(&mut fields, "digestAlgorithms")?;
        let encap = next(&mut fields, "encapContentInfo")?;
        let mut encap_fields = encap.children();
        let content_type =
            ObjectIdentifier::from_der(next(&mut encap_fields, "eContentType")?.raw)?;
        let content = match encap_fields.next().transpose()? {
            Some(explicit) if explicit.tag_byte() == Some(0xa0) => {
                let octets = Tlv::parse_exact(explicit.content)?;
                if octets.tag_byte() != Some(0x04) {
                    return Err(Error::malformed("eContent is not an OCTET STRING"));
                }
                Some(octets.content.to_vec())
            }
            Some(_) => return Err(Error::malformed("unexpected field in encapContentInfo")),
            None => None,
        };

        let mut certificates = Vec::new();
        let mut crls = Vec::new();
        let mut ocsp_responses = Vec::new();
        let mut certificate_choices = Vec::new();
        let mut revocation_choices = Vec::new();
        let mut signer_infos = None;
        for field in fields {
            let field = field?;
            match field.tag_byte() {
                Some(0xa0) => {
                    for cert in field.children() {
                        let cert = cert?;
                        certificate_choices.push(cert.raw.to_vec());
                        // Only X.509 certificates (not attribute certificates).
                        if cert.tag_byte() == Some(0x30) {
                            if let Ok(c) = Certificate::from_der(cert.raw) {
                                certificates.push(c);
                            }
                        }
                    }
                }
                Some(0xa1) => {
                    for choice in field.children() {
                        let choice = choice?;
                        revocation_choices.push(choice.raw.to_vec());
                        match choice.tag_byte() {
                            Some(0x30) => crls.push(choice.raw.to_vec()),
                            // [1] IMPLICIT OtherRevocationInfoFormat.
                            Some(0xa1) => {
                                let mut parts = choice.children();
                                let format = parts.next().transpose()?;
                                let info = parts.next().transpose()?;
                                if let (Some(format), Some(info)) = (format, info) {
                                    if format.raw == ID_RI_OCSP_RESPONSE_DER {
                                        ocsp_responses.push(info.raw.to_vec());
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
                Some(0x31) => signer_infos = Some(field),
                _ => return Err(Error::malformed("unexpected field in SignedData")),
            }
        }
        let signer_infos =
            signer_infos.ok_or_else(|| Error::malformed("SignedData has no signerInfos"))?;
        let signers = signer_infos
            .children()
            .map(|si| SignerView::parse(si?))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SignedDataView {
            content_type,
            content,
            certificates,
            crls,
            ocsp_responses,
            certificate_choices,
            revocation_choices,
            signers,
        })
    }
}

impl SignerView {
    fn parse(tlv: Tlv<'_>) -> Result<Self, Error> {
        let info = SignerInfo::from_der(tlv.raw)?;
        let mut signed_attrs_der = None;
        for field in tlv.children() {
            let field = field?;
            if field.tag_byte() == Some(0xa0) {
                let mut der = field.raw.to_vec();
                der[0] = 0x31;
                signed_attrs_der = Some(der);
            }
        }
        Ok(SignerView {
            info,
            signed_attrs_der,
            der: tlv.raw.to_vec(),
        })
    }
}

fn next<'a>(it: &mut crate::asn1::tlv::Children<'a>, what: &'static str) -> Result<Tlv<'a>, Error> {
    it.next()
        .transpose()?
        .ok_or_else(|| Error::malformed(format!("{what} missing")))
}
