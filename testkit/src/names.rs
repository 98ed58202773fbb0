//! Distinguished names in the shape Vietnamese CAs issue them: UTF-8 strings,
//! identifiers in UID attributes (`MST:…`, `CCCD:…`), country as PrintableString.

use const_oid::db::rfc4519::{C, CN, L, O, OU, ST, UID};
use der::asn1::ObjectIdentifier;
use der::{Any, Decode, Encode, Tag};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};

/// Builds a Name from `(label, value)` pairs, most general first
/// (`[("C", "VN"), ("O", "Bộ Tài chính"), ("CN", "Nguyễn Văn An")]`).
pub fn name(parts: &[(&str, &str)]) -> Name {
    let mut seq = RdnSequence::default();
    for (label, value) in parts {
        let (oid, tag): (ObjectIdentifier, Tag) = match *label {
            "C" => (C, Tag::PrintableString),
            "CN" => (CN, Tag::Utf8String),
            "O" => (O, Tag::Utf8String),
            "OU" => (OU, Tag::Utf8String),
            "L" => (L, Tag::Utf8String),
            "ST" => (ST, Tag::Utf8String),
            "UID" => (UID, Tag::Utf8String),
            other => panic!("unknown name attribute {other}"),
        };
        let mut rdn = RelativeDistinguishedName::default();
        rdn.insert(AttributeTypeAndValue {
            oid,
            value: Any::new(tag, value.as_bytes()).expect("attribute value"),
        })
        .expect("single attribute RDN");
        seq.push(rdn);
    }
    Name::from_der(&seq.to_der().expect("name encodes")).expect("name decodes")
}
