//! CAdES B-LTA (ETSI EN 319 122-1 V1.1.1 and later, §5.5.2 and §5.5.3): an
//! archive-time-stamp-v3 over the signed content, the signer's signed
//! fields and signature value and, through the ats-hash-index-v3 that its
//! token carries, every certificate, revocation answer and unsigned
//! attribute value the signature holds when it is stamped.
//!
//! ```text
//! id-aa-ets-archiveTimestampV3 OBJECT IDENTIFIER ::= { itu-t(0)
//!    identified-organization(4) etsi(0) electronic-signature-standard(1733)
//!    attributes(2) 4 }
//! ArchiveTimeStampToken ::= TimeStampToken
//!
//! id-aa-ATSHashIndex-v3 OBJECT IDENTIFIER ::= { itu-t(0)
//!    identified-organization(4) etsi(0) cades(19122) attributes(1) 5 }
//! ATSHashIndexV3 ::= SEQUENCE {
//!    hashIndAlgorithm             AlgorithmIdentifier,
//!    certificatesHashIndex        SEQUENCE OF OCTET STRING,
//!    crlsHashIndex                SEQUENCE OF OCTET STRING,
//!    unsignedAttrValuesHashIndex  SEQUENCE OF OCTET STRING }
//! ```
//!
//! The token's message imprint is the hash, with the token's algorithm, of
//! (§5.5.3, in this order, each as encoded, tag and length included):
//! 1. `encapContentInfo.eContentType`;
//! 2. the hash of the signed content (what message-digest covers) with that
//!    same algorithm;
//! 3. the SignerInfo's `version`, `sid`, `digestAlgorithm`, `signedAttrs`
//!    (its `[0] IMPLICIT` encoding), `signatureAlgorithm` and `signature`;
//! 4. the ATSHashIndexV3, which also goes into the token's own SignerInfo as
//!    its ats-hash-index-v3 unsigned attribute.
//!
//! The index lists the hash of each CertificateChoices of
//! `SignedData.certificates`, of each RevocationInfoChoice of
//! `SignedData.crls` (CRLs and OCSP answers alike) and, for every value of
//! every unsigned attribute, of its `attrType` followed by that one value:
//! one entry per value (v3's change) so that a later value or attribute,
//! such as the next archive time-stamp, leaves this one intact. A verifier
//! hashes what the signature holds now: every entry must still name
//! something present (else a covered item was changed or removed), and what
//! was added later is simply not covered.
//!
//! `hashIndAlgorithm` has no DEFAULT in the V3 syntax (Annex D), so it is
//! always written, parameters absent, as EU DSS writes it too.

use der::asn1::ObjectIdentifier;
use der::Encode;

use super::validation_data::{content_info, set_of, split_content_info, tlv};
use super::{SignedDataView, SignerView};
use crate::asn1::{to_der, Tlv};
use crate::digest::{HashAlgorithm, Hasher};
use crate::report::{Finding, SubIndication};
use crate::tsp::TimeStampToken;
use crate::{DigestAlgorithm, Error};

/// id-aa-ets-archiveTimestampV3 (EN 319 122-1 §5.5.3).
pub const ID_AA_ETS_ARCHIVE_TIMESTAMP_V3: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("0.4.0.1733.2.4");
/// id-aa-ATSHashIndex-v3 (EN 319 122-1 §5.5.2).
pub const ID_AA_ATS_HASH_INDEX_V3: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("0.4.0.19122.1.5");

/// An ATSHashIndexV3: which items an archive time-stamp covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HashIndex {
    /// `hashIndAlgorithm`, which is also the token's imprint algorithm.
    pub algorithm: HashAlgorithm,
    /// `certificatesHashIndex`.
    pub certificates: Vec<Vec<u8>>,
    /// `crlsHashIndex`.
    pub crls: Vec<Vec<u8>>,
    /// `unsignedAttrValuesHashIndex`.
    pub unsigned_attr_values: Vec<Vec<u8>>,
    der: Vec<u8>,
}

impl HashIndex {
    /// The index of what `signer` of `view` holds now, hashed with
    /// `algorithm`.
    pub fn of(
        view: &SignedDataView,
        signer: &SignerView,
        algorithm: HashAlgorithm,
    ) -> Result<Self, Error> {
        let certificates = view
            .certificate_choices
            .iter()
            .map(|c| algorithm.digest(c))
            .collect();
        let crls = view
            .revocation_choices
            .iter()
            .map(|c| algorithm.digest(c))
            .collect();
        let unsigned_attr_values = unsigned_attr_values(signer)?
            .iter()
            .map(|v| algorithm.digest(v))
            .collect();
        let mut index = HashIndex {
            algorithm,
            certificates,
            crls,
            unsigned_attr_values,
            der: Vec::new(),
        };
        index.der = index.encode()?;
        Ok(index)
    }

    /// Reads an ATSHashIndexV3 (the value of an ats-hash-index-v3 attribute).
    ///
    /// ```
    /// use kyso_core::cms::archive_timestamp::HashIndex;
    /// // SHA-256, no certificate, no CRL, no attribute value.
    /// let der = [0x30, 0x13, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
    ///            0x04, 0x02, 0x01, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00];
    /// let index = HashIndex::parse(&der).unwrap();
    /// assert!(index.certificates.is_empty());
    /// assert_eq!(index.der(), der);
    /// assert!(HashIndex::parse(&der[..20]).is_err());
    /// ```
    pub fn parse(der: &[u8]) -> Result<Self, Error> {
        let seq = Tlv::parse_exact(der)?;
        if seq.tag_byte() != Some(0x30) {
            return Err(Error::malformed("ATSHashIndexV3 is not a SEQUENCE"));
        }
        let mut fields = seq.children().collect::<Result<Vec<_>, _>>()?.into_iter();
        let first = fields
            .next()
            .ok_or_else(|| Error::malformed("ATSHashIndexV3 is empty"))?;
        // V3 makes hashIndAlgorithm mandatory; an index without it (the
        // older ats-hash-index's DEFAULT) is read as SHA-256 and its bytes
        // hashed as they are.
        let algorithm_oid = match first.tag_byte() {
            Some(0x30) => first
                .children()
                .next()
                .transpose()?
                .filter(|t| t.tag_byte() == Some(0x06)),
            _ => None,
        };
        let algorithm = match algorithm_oid {
            Some(oid) => {
                HashAlgorithm::from_oid(&<ObjectIdentifier as der::Decode>::from_der(oid.raw)?)?
            }
            None => HashAlgorithm::Sha256,
        };
        let lists: Vec<Tlv<'_>> = if algorithm_oid.is_some() {
            fields.collect()
        } else {
            std::iter::once(first).chain(fields).collect()
        };
        let [certificates, crls, values] = lists.as_slice() else {
            return Err(Error::malformed(
                "ATSHashIndexV3 must have three hash lists",
            ));
        };
        let read = |list: &Tlv<'_>| -> Result<Vec<Vec<u8>>, Error> {
            if list.tag_byte() != Some(0x30) {
                return Err(Error::malformed("an ATSHashIndexV3 list is not a SEQUENCE"));
            }
            list.children()
                .map(|h| {
                    let h = h?;
                    if h.tag_byte() != Some(0x04) || h.content.len() != algorithm.output_len() {
                        return Err(Error::malformed(format!(
                            "an ATSHashIndexV3 entry is not a {algorithm} hash"
                        )));
                    }
                    Ok(h.content.to_vec())
                })
                .collect()
        };
        Ok(HashIndex {
            algorithm,
            certificates: read(certificates)?,
            crls: read(crls)?,
            unsigned_attr_values: read(values)?,
            der: der.to_vec(),
        })
    }

    /// The index as encoded: what the imprint covers.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    fn encode(&self) -> Result<Vec<u8>, Error> {
        let list = |hashes: &[Vec<u8>]| -> Result<Vec<u8>, Error> {
            let items = hashes
                .iter()
                .map(|h| tlv(0x04, h))
                .collect::<Result<Vec<_>, _>>()?;
            tlv(0x30, &items.concat())
        };
        let mut body = tlv(0x30, &self.algorithm.oid().to_der()?)?;
        body.extend(list(&self.certificates)?);
        body.extend(list(&self.crls)?);
        body.extend(list(&self.unsigned_attr_values)?);
        tlv(0x30, &body)
    }

    /// How many entries of each list name nothing in `now` (an index of the
    /// signature as it stands, with the same algorithm). Each present item
    /// answers one entry.
    fn unmatched(&self, now: &HashIndex) -> [usize; 3] {
        fn missing(listed: &[Vec<u8>], present: &[Vec<u8>]) -> usize {
            let mut left: Vec<&Vec<u8>> = present.iter().collect();
            listed
                .iter()
                .filter(|h| match left.iter().position(|p| p == h) {
                    Some(i) => {
                        left.swap_remove(i);
                        false
                    }
                    None => true,
                })
                .count()
        }
        [
            missing(&self.certificates, &now.certificates),
            missing(&self.crls, &now.crls),
            missing(&self.unsigned_attr_values, &now.unsigned_attr_values),
        ]
    }
}

/// An archive time-stamp being made: the index of the signature as it is
/// now, and the imprint the TSA must stamp.
///
/// The signature should already be B-LT: EN 319 122-1 §5.5.3 wants the
/// validation data of the signature and its time-stamps in the SignedData
/// before it is archive time-stamped ([`super::add_validation_data`]).
///
/// ```
/// use kyso_core::cms::archive_timestamp::PreparedArchiveTimestamp;
/// use kyso_core::DigestAlgorithm;
/// # fn tsa(_: &[u8]) -> Vec<u8> { unimplemented!() }
/// # fn run(p7s: &[u8], content_sha256: &[u8]) -> Result<Vec<u8>, kyso_core::Error> {
/// let prepared = PreparedArchiveTimestamp::new(p7s, DigestAlgorithm::Sha256, Some(content_sha256))?;
/// let token = tsa(prepared.imprint());
/// let b_lta = prepared.finish(&token)?;
/// # Ok(b_lta) }
/// assert!(PreparedArchiveTimestamp::new(b"junk", DigestAlgorithm::Sha256, None).is_err());
/// ```
#[derive(Clone, Debug)]
pub struct PreparedArchiveTimestamp {
    cms: Vec<u8>,
    digest: DigestAlgorithm,
    content_hash: Vec<u8>,
    index: HashIndex,
    imprint: Vec<u8>,
}

impl PreparedArchiveTimestamp {
    /// Prepares an archive time-stamp with `digest` on the one signer of
    /// `cms`. An attached signature's content is read from it; a detached
    /// one needs `content_digest`, the content's digest with `digest`.
    pub fn new(
        cms: &[u8],
        digest: DigestAlgorithm,
        content_digest: Option<&[u8]>,
    ) -> Result<Self, Error> {
        let der = to_der(cms)?;
        let view = SignedDataView::parse(&der)?;
        let [signer] = view.signers.as_slice() else {
            return Err(Error::malformed("the CMS must have exactly one signer"));
        };
        let alg: HashAlgorithm = digest.into();
        let content_hash = match (&view.content, content_digest) {
            (Some(content), given) => {
                let hash = alg.digest(content);
                if given.is_some_and(|g| g != hash) {
                    return Err(Error::malformed(
                        "the content digest given is not the embedded content's",
                    ));
                }
                hash
            }
            (None, Some(given)) if given.len() == alg.output_len() => given.to_vec(),
            (None, Some(_)) => return Err(Error::InvalidValue("content digest length")),
            (None, None) => {
                return Err(Error::malformed(
                    "a detached signature's archive time-stamp needs the content's digest",
                ))
            }
        };
        // With the signer's own algorithm the digest can be checked: a wrong
        // one would make a time-stamp that no verifier can match.
        if let (Ok(signed_with), Some(attrs)) = (
            HashAlgorithm::from_oid(&signer.info.digest_alg.oid),
            &signer.signed_attrs_der,
        ) {
            if signed_with == alg
                && super::signed_attrs::inspect(attrs, None)?.message_digest != content_hash
            {
                return Err(Error::malformed(
                    "the content digest given is not the one this signature signed",
                ));
            }
        }
        let index = HashIndex::of(&view, signer, alg)?;
        let imprint = imprint(&view, signer, &content_hash, &index)?;
        Ok(PreparedArchiveTimestamp {
            cms: der,
            digest,
            content_hash,
            index,
            imprint,
        })
    }

    /// The digest the TSA must stamp.
    pub fn imprint(&self) -> &[u8] {
        &self.imprint
    }

    /// Its algorithm.
    pub fn digest_algorithm(&self) -> DigestAlgorithm {
        self.digest
    }

    /// The index the imprint covers; [`PreparedArchiveTimestamp::finish`]
    /// puts it into the token.
    pub fn hash_index(&self) -> &HashIndex {
        &self.index
    }

    /// Adds `token`, which must stamp [`PreparedArchiveTimestamp::imprint`],
    /// as archive-time-stamp-v3, the index as its ats-hash-index-v3. Neither
    /// the signature's signed part nor the token's changes by a byte.
    pub fn finish(self, token: &[u8]) -> Result<Vec<u8>, Error> {
        let info = TimeStampToken::info_of(token)?;
        if info.hash_algorithm != self.digest.into() || info.hashed_message != self.imprint {
            return Err(Error::malformed(
                "the time-stamp does not stamp this signature's archive imprint",
            ));
        }
        let token = to_der(token)?;
        let token_view = SignedDataView::parse(&token)?;
        let [tsa] = token_view.signers.as_slice() else {
            return Err(Error::malformed(
                "the time-stamp must have exactly one signer",
            ));
        };
        if !super::unsigned_attrs::values_of(&tsa.info, ID_AA_ATS_HASH_INDEX_V3)?.is_empty() {
            return Err(Error::malformed(
                "the time-stamp already carries an ats-hash-index-v3",
            ));
        }
        let indexed = with_unsigned_attribute(&token, ID_AA_ATS_HASH_INDEX_V3, self.index.der())?;
        let out = with_unsigned_attribute(&self.cms, ID_AA_ETS_ARCHIVE_TIMESTAMP_V3, &indexed)?;

        // What each signature covers is as it was, and the new signature
        // still matches the token: its index names what it holds, and the
        // imprint comes out the same.
        if !token_view.same_signed_part(&SignedDataView::parse(&indexed)?) {
            return Err(Error::malformed(
                "adding the index would change the time-stamp's signed part",
            ));
        }
        let view = SignedDataView::parse(&out)?;
        let signer = view
            .signers
            .first()
            .ok_or_else(|| Error::malformed("the CMS lost its signer"))?;
        let now = HashIndex::of(&view, signer, self.index.algorithm)?;
        if self.index.unmatched(&now) != [0; 3]
            || imprint(&view, signer, &self.content_hash, &self.index)? != self.imprint
        {
            return Err(Error::malformed(
                "adding the archive time-stamp would change what it covers",
            ));
        }
        Ok(out)
    }
}

/// The hash `index.algorithm` of the archive time-stamp input (§5.5.3).
fn imprint(
    view: &SignedDataView,
    signer: &SignerView,
    content_hash: &[u8],
    index: &HashIndex,
) -> Result<Vec<u8>, Error> {
    let mut hasher = Hasher::new(index.algorithm);
    hasher.update(&view.content_type.to_der()?);
    hasher.update(content_hash);
    // version, sid, digestAlgorithm, signedAttrs, signatureAlgorithm,
    // signature: everything but unsignedAttrs, as encoded.
    for field in Tlv::parse_exact(&signer.der)?.children() {
        let field = field?;
        if field.tag_byte() != Some(0xa1) {
            hasher.update(field.raw);
        }
    }
    hasher.update(&index.der);
    Ok(hasher.finalize())
}

/// For each value of each unsigned attribute of `signer`: its `attrType`
/// followed by that value, as encoded.
fn unsigned_attr_values(signer: &SignerView) -> Result<Vec<Vec<u8>>, Error> {
    let mut out = Vec::new();
    for field in Tlv::parse_exact(&signer.der)?.children() {
        let field = field?;
        if field.tag_byte() != Some(0xa1) {
            continue;
        }
        for attr in field.children() {
            let attr = attr?;
            let mut parts = attr.children();
            let (Some(kind), Some(values)) = (parts.next().transpose()?, parts.next().transpose()?)
            else {
                return Err(Error::malformed("an unsigned attribute is incomplete"));
            };
            for value in values.children() {
                out.push([kind.raw, value?.raw].concat());
            }
        }
    }
    Ok(out)
}

/// `cms` (DER, one signer) with one more unsigned attribute `oid` whose one
/// value is `value`. Spliced, not re-encoded: every other byte of the
/// SignedData and the SignerInfo stays as it was, and the unsigned
/// attributes already there keep their encodings (only their order in the
/// DER SET may change).
fn with_unsigned_attribute(
    cms: &[u8],
    oid: ObjectIdentifier,
    value: &[u8],
) -> Result<Vec<u8>, Error> {
    let (content_type, signed_data) = split_content_info(cms)?;
    let fields = signed_data.children().collect::<Result<Vec<_>, _>>()?;
    let (signer_infos, head) = fields
        .split_last()
        .filter(|(last, head)| last.tag_byte() == Some(0x31) && head.len() >= 3)
        .ok_or_else(|| Error::malformed("signerInfos missing"))?;
    let signers = signer_infos.children().collect::<Result<Vec<_>, _>>()?;
    let [signer] = signers.as_slice() else {
        return Err(Error::malformed("the CMS must have exactly one signer"));
    };

    let mut signer_body = Vec::new();
    let mut attrs: Vec<Vec<u8>> = Vec::new();
    for field in signer.children() {
        let field = field?;
        if field.tag_byte() == Some(0xa1) {
            for attr in field.children() {
                attrs.push(attr?.raw.to_vec());
            }
        } else {
            signer_body.extend_from_slice(field.raw);
        }
    }
    Tlv::parse_exact(value)?;
    let mut attr = oid.to_der()?;
    attr.extend(tlv(0x31, value)?);
    attrs.push(tlv(0x30, &attr)?);
    signer_body.extend(set_of(0xa1, attrs)?);

    let mut body: Vec<u8> = head.iter().flat_map(|f| f.raw.iter().copied()).collect();
    body.extend(tlv(0x31, &tlv(0x30, &signer_body)?)?);
    content_info(content_type.raw, &body)
}

/// Why an archive time-stamp does not cover the signature as it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Uncovered {
    /// The token has no single readable ats-hash-index-v3.
    Index(String),
    /// `hashIndAlgorithm` is not the token's imprint algorithm.
    Algorithm,
    /// Entries naming nothing the signature holds now, per list
    /// (certificates, CRLs/OCSP, unsigned attribute values): a covered item
    /// was changed or removed.
    Changed([usize; 3]),
    /// The content's digest with the token's algorithm cannot be had: a
    /// detached signature verified from a digest of another algorithm.
    NoContent(HashAlgorithm),
}

impl Uncovered {
    /// What a report says of it.
    pub(crate) fn finding(&self) -> (SubIndication, Finding) {
        match self {
            Uncovered::Index(why) => (
                SubIndication::FormatFailure,
                Finding::new(
                    "ARCHIVE_TIMESTAMP_INDEX_INVALID",
                    format!("Dấu thời gian lưu trữ không có ats-hash-index-v3 hợp lệ: {why}"),
                    format!("The archive time-stamp has no valid ats-hash-index-v3: {why}"),
                ),
            ),
            Uncovered::Algorithm => (
                SubIndication::FormatFailure,
                Finding::new(
                    "ARCHIVE_TIMESTAMP_INDEX_INVALID",
                    "Thuật toán băm của ats-hash-index-v3 khác thuật toán của dấu thời gian lưu trữ",
                    "The ats-hash-index-v3 hash algorithm is not the archive time-stamp's",
                ),
            ),
            Uncovered::Changed([certs, crls, attrs]) => (
                SubIndication::HashFailure,
                Finding::new(
                    "ARCHIVE_TIMESTAMP_DATA_CHANGED",
                    format!(
                        "Dữ liệu được dấu thời gian lưu trữ bảo vệ đã bị thay đổi hoặc gỡ bỏ \
                         ({certs} chứng thư số, {crls} CRL/OCSP, {attrs} thuộc tính không ký)"
                    ),
                    format!(
                        "Data the archive time-stamp covers was changed or removed \
                         ({certs} certificates, {crls} CRL/OCSP, {attrs} unsigned attribute values)"
                    ),
                ),
            ),
            Uncovered::NoContent(alg) => (
                SubIndication::SignedDataNotFound,
                Finding::new(
                    "SIGNED_DATA_NOT_FOUND",
                    format!("Cần giá trị băm {alg} của tài liệu gốc để kiểm tra dấu thời gian lưu trữ"),
                    format!("The archive time-stamp needs the signed content's {alg} digest"),
                ),
            ),
        }
    }
}

/// The imprint `token` (an archive-time-stamp-v3 value of `signer`) must
/// carry, recomputed from the signature as it stands with the token's own
/// index, and its algorithm. `content_digest` gives the signed content's
/// digest with an algorithm, when it can.
pub(crate) fn covered_imprint(
    view: &SignedDataView,
    signer: &SignerView,
    token: &[u8],
    content_digest: &dyn Fn(HashAlgorithm) -> Option<Vec<u8>>,
) -> Result<(HashAlgorithm, Vec<u8>), Uncovered> {
    use crate::Localized;
    let unreadable = |e: Error| Uncovered::Index(e.message());
    let info = TimeStampToken::info_of(token).map_err(unreadable)?;
    let token_view = SignedDataView::parse(token).map_err(unreadable)?;
    let tsa = token_view
        .signers
        .first()
        .ok_or_else(|| Uncovered::Index("the time-stamp has no signer".into()))?;
    let values =
        super::unsigned_attrs::values_of(&tsa.info, ID_AA_ATS_HASH_INDEX_V3).map_err(unreadable)?;
    let [value] = values.as_slice() else {
        return Err(Uncovered::Index(format!(
            "{} ats-hash-index-v3 values instead of one",
            values.len()
        )));
    };
    let index = HashIndex::parse(value).map_err(unreadable)?;
    if index.algorithm != info.hash_algorithm {
        return Err(Uncovered::Algorithm);
    }
    let now = HashIndex::of(view, signer, index.algorithm).map_err(unreadable)?;
    let unmatched = index.unmatched(&now);
    if unmatched != [0; 3] {
        return Err(Uncovered::Changed(unmatched));
    }
    let content = content_digest(index.algorithm).ok_or(Uncovered::NoContent(index.algorithm))?;
    let imprint = imprint(view, signer, &content, &index).map_err(unreadable)?;
    Ok((index.algorithm, imprint))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(tag: u8, body: &[u8]) -> Vec<u8> {
        tlv(tag, body).unwrap()
    }

    fn oid(s: &str) -> Vec<u8> {
        ObjectIdentifier::new_unwrap(s).to_der().unwrap()
    }

    const CONTENT: &[u8] = b"<ToKhai/>";

    /// A SignedData around one SignerInfo, with `certs` and `crls` as they
    /// would be encoded, `econtent` attached when given. Nothing here is
    /// signed for real: the index and the imprint are about bytes.
    fn signed_data(
        content_type: &str,
        econtent: Option<&[u8]>,
        message_digest: &[u8],
        certs: &[Vec<u8>],
        crls: &[Vec<u8>],
        unsigned: &[Vec<u8>],
    ) -> Vec<u8> {
        let sha256 = t(0x30, &oid("2.16.840.1.101.3.4.2.1"));
        let name = t(
            0x30,
            &t(0x31, &t(0x30, &[oid("2.5.4.3"), t(0x0c, b"TSA")].concat())),
        );
        let sid = t(0x30, &[name, t(0x02, &[0x01, 0x23])].concat());
        let attr = |o: &str, v: Vec<u8>| t(0x30, &[oid(o), t(0x31, &v)].concat());
        let signed_attrs = set_of(
            0xa0,
            vec![
                attr("1.2.840.113549.1.9.3", oid(content_type)),
                attr("1.2.840.113549.1.9.4", t(0x04, message_digest)),
            ],
        )
        .unwrap();
        let mut signer = [
            t(0x02, &[1]),
            sid,
            sha256.clone(),
            signed_attrs,
            t(0x30, &oid("1.2.840.10045.4.3.2")),
            t(0x04, &[0x5a; 70]),
        ]
        .concat();
        if !unsigned.is_empty() {
            signer.extend(set_of(0xa1, unsigned.to_vec()).unwrap());
        }
        let mut encap = oid(content_type);
        if let Some(c) = econtent {
            encap.extend(t(0xa0, &t(0x04, c)));
        }
        let mut body = [t(0x02, &[1]), t(0x31, &sha256), t(0x30, &encap)].concat();
        if !certs.is_empty() {
            body.extend(set_of(0xa0, certs.to_vec()).unwrap());
        }
        if !crls.is_empty() {
            body.extend(set_of(0xa1, crls.to_vec()).unwrap());
        }
        body.extend(t(0x31, &t(0x30, &signer)));
        t(
            0x30,
            &[oid("1.2.840.113549.1.7.2"), t(0xa0, &t(0x30, &body))].concat(),
        )
    }

    /// A B-LT-like detached CAdES signature: a certificate, a CRL and an
    /// OCSP answer in the SignedData, a signature time-stamp attribute.
    fn b_lt() -> Vec<u8> {
        let cert = signed_object(&[0x11; 40]);
        let crl = signed_object(&[0x22; 30]);
        let ocsp = t(
            0xa1,
            &[oid("1.3.6.1.5.5.7.16.2"), t(0x30, &[0x0a, 0x01, 0x00])].concat(),
        );
        let sig_ts = t(
            0x30,
            &[
                oid("1.2.840.113549.1.9.16.2.14"),
                t(0x31, &t(0x04, &[0x33; 20])),
            ]
            .concat(),
        );
        let digest = DigestAlgorithm::Sha256.digest(CONTENT);
        signed_data(
            "1.2.840.113549.1.7.1",
            None,
            &digest,
            &[cert],
            &[crl, ocsp],
            &[sig_ts],
        )
    }

    /// The shape of a certificate or a CRL: to-be-signed part (`tbs` in an
    /// OCTET STRING), algorithm, signature.
    fn signed_object(tbs: &[u8]) -> Vec<u8> {
        t(
            0x30,
            &[t(0x30, &t(0x04, tbs)), t(0x30, &[]), t(0x03, &[0; 9])].concat(),
        )
    }

    /// A time-stamp token (unsigned: `finish` does not judge the TSA) over
    /// `imprint`.
    fn token(imprint: &[u8]) -> Vec<u8> {
        let tst_info = t(
            0x30,
            &[
                t(0x02, &[1]),
                oid("1.2.3.4"),
                t(
                    0x30,
                    &[t(0x30, &oid("2.16.840.1.101.3.4.2.1")), t(0x04, imprint)].concat(),
                ),
                t(0x02, &[7]),
                t(0x18, b"20261203101500Z"),
            ]
            .concat(),
        );
        let digest = DigestAlgorithm::Sha256.digest(&tst_info);
        signed_data(
            "1.2.840.113549.1.9.16.1.4",
            Some(&tst_info),
            &digest,
            &[],
            &[],
            &[],
        )
    }

    fn digest_of_content(alg: HashAlgorithm) -> Option<Vec<u8>> {
        Some(alg.digest(CONTENT))
    }

    fn stamped() -> (Vec<u8>, PreparedArchiveTimestamp) {
        let cms = b_lt();
        let content = DigestAlgorithm::Sha256.digest(CONTENT);
        let prepared =
            PreparedArchiveTimestamp::new(&cms, DigestAlgorithm::Sha256, Some(&content)).unwrap();
        let out = prepared.clone().finish(&token(prepared.imprint())).unwrap();
        (out, prepared)
    }

    /// The imprint a verifier recomputes for the archive time-stamp `finish`
    /// added (the only one with an index).
    fn recomputed(cms: &[u8]) -> Result<(HashAlgorithm, Vec<u8>), Uncovered> {
        let view = SignedDataView::parse(cms).unwrap();
        let signer = &view.signers[0];
        let tokens =
            super::super::unsigned_attrs::values_of(&signer.info, ID_AA_ETS_ARCHIVE_TIMESTAMP_V3)
                .unwrap();
        let mut results = tokens
            .iter()
            .map(|t| covered_imprint(&view, signer, t, &digest_of_content));
        results
            .find(|r| !matches!(r, Err(Uncovered::Index(_))))
            .unwrap()
    }

    #[test]
    fn the_index_lists_every_item_and_attribute_value() {
        let cms = b_lt();
        let view = SignedDataView::parse(&cms).unwrap();
        let index = HashIndex::of(&view, &view.signers[0], HashAlgorithm::Sha256).unwrap();
        assert_eq!(
            (
                index.certificates.len(),
                index.crls.len(),
                index.unsigned_attr_values.len()
            ),
            (1, 2, 1)
        );
        assert_eq!(
            index.crls[1],
            HashAlgorithm::Sha256.digest(&view.revocation_choices[1])
        );
        // hashIndAlgorithm is written, parameters absent.
        let first = Tlv::parse_exact(index.der()).unwrap().children().next();
        assert_eq!(
            first.unwrap().unwrap().raw,
            t(0x30, &oid("2.16.840.1.101.3.4.2.1"))
        );
        assert_eq!(HashIndex::parse(index.der()).unwrap(), index);
    }

    #[test]
    fn finish_embeds_the_token_with_its_index_and_keeps_every_signed_byte() {
        let (out, prepared) = stamped();
        let before = SignedDataView::parse(&b_lt()).unwrap();
        let after = SignedDataView::parse(&out).unwrap();
        assert_eq!(
            before.signers[0].signed_attrs_der,
            after.signers[0].signed_attrs_der
        );
        assert_eq!(before.certificate_choices, after.certificate_choices);
        assert_eq!(before.revocation_choices, after.revocation_choices);
        let tokens =
            super::super::unsigned_attrs::values(&out, ID_AA_ETS_ARCHIVE_TIMESTAMP_V3).unwrap();
        let index =
            super::super::unsigned_attrs::values(&tokens[0], ID_AA_ATS_HASH_INDEX_V3).unwrap();
        assert_eq!(index, [prepared.hash_index().der().to_vec()]);
        assert_eq!(
            recomputed(&out).unwrap(),
            (HashAlgorithm::Sha256, prepared.imprint().to_vec())
        );
    }

    #[test]
    fn what_is_added_after_the_archive_time_stamp_leaves_it_intact() {
        let (out, prepared) = stamped();
        // Another attribute value (a renewal's archive time-stamp would be
        // one) and another CRL: neither is covered, neither breaks it.
        let later =
            with_unsigned_attribute(&out, ID_AA_ETS_ARCHIVE_TIMESTAMP_V3, &token(&[0x44; 32]))
                .unwrap();
        let later =
            super::super::add_validation_data(&later, &[], &[signed_object(&[0x55; 30])], &[])
                .unwrap();
        assert_ne!(later, out);
        assert_eq!(recomputed(&later).unwrap().1, prepared.imprint());
    }

    #[test]
    fn a_changed_covered_item_or_signature_is_caught() {
        let (out, prepared) = stamped();
        // The last byte of `needle`, where it is in the signature.
        let flip = |needle: &[u8]| {
            let pos = out.windows(needle.len()).position(|w| w == needle).unwrap();
            let mut bad = out.clone();
            bad[pos + needle.len() - 1] ^= 1;
            bad
        };
        // A byte inside the CRL, the certificate, the OCSP answer.
        for (needle, changed) in [
            (&[0x22u8; 30][..], [0, 1, 0]),
            (&[0x11; 40][..], [1, 0, 0]),
            (&[0x0a, 0x01, 0x00][..], [0, 1, 0]),
            // The signature time-stamp attribute's value.
            (&[0x33; 20][..], [0, 0, 1]),
        ] {
            assert_eq!(recomputed(&flip(needle)), Err(Uncovered::Changed(changed)));
        }
        // The signature value: every item is there, the imprint differs.
        let (_, imprint) = recomputed(&flip(&[0x5a; 70])).unwrap();
        assert_ne!(imprint, prepared.imprint());
    }

    #[test]
    fn the_content_digest_is_checked_and_needed() {
        let cms = b_lt();
        let wrong = DigestAlgorithm::Sha256.digest(b"another file");
        assert!(
            PreparedArchiveTimestamp::new(&cms, DigestAlgorithm::Sha256, Some(&wrong)).is_err()
        );
        assert!(PreparedArchiveTimestamp::new(&cms, DigestAlgorithm::Sha256, None).is_err());
        // Another algorithm than the signer's cannot be checked, only sized.
        assert!(
            PreparedArchiveTimestamp::new(&cms, DigestAlgorithm::Sha384, Some(&wrong)).is_err()
        );
        assert!(PreparedArchiveTimestamp::new(
            &cms,
            DigestAlgorithm::Sha384,
            Some(&DigestAlgorithm::Sha384.digest(CONTENT))
        )
        .is_ok());
        // A verifier with only another algorithm's digest cannot recompute.
        let (out, _) = stamped();
        let view = SignedDataView::parse(&out).unwrap();
        let tokens =
            super::super::unsigned_attrs::values(&out, ID_AA_ETS_ARCHIVE_TIMESTAMP_V3).unwrap();
        let only_sha384 =
            |a: HashAlgorithm| (a == HashAlgorithm::Sha384).then(|| a.digest(CONTENT));
        assert_eq!(
            covered_imprint(&view, &view.signers[0], &tokens[0], &only_sha384),
            Err(Uncovered::NoContent(HashAlgorithm::Sha256))
        );
    }

    #[test]
    fn an_attached_signature_hashes_its_own_content() {
        let digest = DigestAlgorithm::Sha256.digest(CONTENT);
        let cms = signed_data(
            "1.2.840.113549.1.7.1",
            Some(CONTENT),
            &digest,
            &[],
            &[],
            &[],
        );
        let prepared = PreparedArchiveTimestamp::new(&cms, DigestAlgorithm::Sha256, None).unwrap();
        let out = prepared.clone().finish(&token(prepared.imprint())).unwrap();
        assert_eq!(recomputed(&out).unwrap().1, prepared.imprint());
        // A token for something else is refused.
        assert!(prepared.finish(&token(&[0; 32])).is_err());
    }
}
