//! Assembling a CAdES SignedData around a signature value made elsewhere (on a
//! token, through the agent): prepare the signed attributes, let the token sign
//! them, then finish.

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::db::rfc5911::{ID_DATA, ID_SIGNED_DATA};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use x509_cert::attr::Attributes;

use super::signed_attrs::{self, SignedAttributesSpec};
use crate::signature_scheme::{ecdsa_to_der, SignatureAlgorithm, SignatureScheme};
use crate::time::DateTime;
use crate::{Certificate, DigestAlgorithm, Error};

/// The content a signature covers.
#[derive(Clone, Debug)]
pub enum Content {
    /// Detached: only the digest is needed (the content may be gigabytes,
    /// hashed in a stream elsewhere).
    Detached {
        /// The content's digest, with [`CadesParams::digest`].
        digest: Vec<u8>,
    },
    /// Attached: the content is embedded in the SignedData.
    Attached(Vec<u8>),
}

/// Everything needed to prepare a CAdES-B-B signature.
#[derive(Clone, Debug)]
pub struct CadesParams {
    /// The certificate of the key that will sign, bound through ESS
    /// signing-certificate-v2.
    pub signer: Certificate,
    /// Intermediates (and optionally the root) to embed for verifiers.
    pub chain: Vec<Certificate>,
    /// The digest of the content and of the signed attributes.
    pub digest: DigestAlgorithm,
    /// What the signature covers.
    pub content: Content,
    /// `Some` for CAdES signing-time; `None` for the PAdES profile.
    pub signing_time: Option<DateTime>,
}

/// A signature whose signed attributes are fixed and whose signature value is
/// still to come.
///
/// ```no_run
/// # use kyso_core::cms::{CadesParams, Content, PreparedSignature};
/// # use kyso_core::{Certificate, DigestAlgorithm, SignatureScheme};
/// # fn token_sign(_: &[u8]) -> Vec<u8> { unimplemented!() }
/// # let signer: Certificate = unimplemented!();
/// let content = b"To khai thue thang 11";
/// let prepared = PreparedSignature::new(CadesParams {
///     signer,
///     chain: vec![],
///     digest: DigestAlgorithm::Sha256,
///     content: Content::Detached { digest: DigestAlgorithm::Sha256.digest(content) },
///     signing_time: None,
/// })?;
/// // The token signs the DER of the signed attributes (CKM_SHA256_RSA_PKCS…).
/// let signature = token_sign(prepared.signed_attributes());
/// let p7s = prepared.finish(&signature, SignatureScheme::RsaPkcs1v15)?;
/// # Ok::<(), kyso_core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct PreparedSignature {
    params: CadesParams,
    signed_attributes: Vec<u8>,
}

impl PreparedSignature {
    /// Digests the content (when attached) and fixes the signed
    /// attributes; a detached digest of the wrong length is an error.
    pub fn new(params: CadesParams) -> Result<Self, Error> {
        let digest = match &params.content {
            Content::Detached { digest } => digest.clone(),
            Content::Attached(data) => params.digest.digest(data),
        };
        let signed_attributes = signed_attrs::build(&SignedAttributesSpec {
            content_type: ID_DATA,
            message_digest: &digest,
            digest: params.digest,
            signer: &params.signer,
            signing_time: params.signing_time,
        })?;
        Ok(PreparedSignature {
            params,
            signed_attributes,
        })
    }

    /// The DER bytes the signer's key signs (hashing them is the signer's job).
    pub fn signed_attributes(&self) -> &[u8] {
        &self.signed_attributes
    }

    /// The digest of the signed attributes, for tokens that sign a digest
    /// (CKM_ECDSA, CKM_RSA_PKCS over a DigestInfo).
    pub fn digest_to_sign(&self) -> Vec<u8> {
        self.params.digest.digest(&self.signed_attributes)
    }

    /// The digest the token's mechanism must use (`CKM_SHA256_…`).
    pub fn digest_algorithm(&self) -> DigestAlgorithm {
        self.params.digest
    }

    /// The certificate the signature will name: its key must sign.
    pub fn signer(&self) -> &Certificate {
        &self.params.signer
    }

    /// Embeds `signature` and returns the DER `ContentInfo`. The signature is
    /// checked against the signer's public key first, so a token that signed with
    /// the wrong key (or garbage) is caught here, not by the relying party.
    pub fn finish(self, signature: &[u8], scheme: SignatureScheme) -> Result<Vec<u8>, Error> {
        let key = self.params.signer.public_key()?;
        // Tokens return raw r ‖ s (two field-sized halves); the agent API returns
        // DER. Accept both.
        let signature = match scheme {
            SignatureScheme::Ecdsa if signature.len() == 2 * key.bits().div_ceil(8) => {
                ecdsa_to_der(signature)?
            }
            _ => signature.to_vec(),
        };
        let sig_alg_id = SignatureAlgorithm::cms_identifier(scheme, self.params.digest)?;
        let sig_alg = SignatureAlgorithm::from_identifier(&sig_alg_id)?;
        key.verify_digest(
            &sig_alg,
            self.params.digest,
            &self.digest_to_sign(),
            &signature,
        )?;

        let signer_x509 = self.params.signer.x509();
        let signed_attrs = Attributes::from_der(&self.signed_attributes)?;
        let signer_info = SignerInfo {
            version: CmsVersion::V1,
            sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: signer_x509.tbs_certificate().issuer().clone(),
                serial_number: signer_x509.tbs_certificate().serial_number().clone(),
            }),
            digest_alg: self.params.digest.algorithm_identifier(),
            signed_attrs: Some(signed_attrs),
            signature_algorithm: sig_alg_id,
            signature: OctetString::new(signature)?,
            unsigned_attrs: None,
        };
        let mut certs = vec![CertificateChoices::Certificate(signer_x509.clone())];
        for c in &self.params.chain {
            if *c != self.params.signer {
                certs.push(CertificateChoices::Certificate(c.x509().clone()));
            }
        }
        let econtent = match &self.params.content {
            Content::Attached(data) => Some(Any::encode_from(&OctetString::new(data.as_slice())?)?),
            Content::Detached { .. } => None,
        };
        let signed_data = SignedData {
            version: CmsVersion::V1,
            digest_algorithms: SetOfVec::try_from(vec![self.params.digest.algorithm_identifier()])?,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: ID_DATA,
                econtent,
            },
            certificates: Some(CertificateSet::try_from(certs)?),
            crls: None,
            signer_infos: SignerInfos::try_from(vec![signer_info])?,
        };
        let der = ContentInfo {
            content_type: ID_SIGNED_DATA,
            content: Any::encode_from(&signed_data)?,
        }
        .to_der()?;

        // The attribute SET is re-encoded by the cms types; make sure the bytes
        // that were signed are the bytes that were embedded.
        let parsed = super::SignedDataView::parse(&der)?;
        let embedded = parsed
            .signers
            .first()
            .and_then(|s| s.signed_attrs_der.as_deref());
        if embedded != Some(self.signed_attributes.as_slice()) {
            return Err(Error::InvalidSignedAttributes(
                "signed attributes are not in DER order",
            ));
        }
        Ok(der)
    }
}
