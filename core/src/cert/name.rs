//! Distinguished names as people read them, diacritics intact.

use const_oid::db::rfc3280::EMAIL_ADDRESS;
use const_oid::db::rfc4519::{C, CN, DC, L, O, OU, SERIAL_NUMBER, SN, ST, STREET, TITLE, UID};
use der::asn1::ObjectIdentifier;
use der::{Any, Tag, Tagged};
use x509_cert::name::Name;

/// The short label of a name attribute, as OpenSSL and Windows show it.
fn label(oid: &ObjectIdentifier) -> String {
    match *oid {
        CN => "CN".into(),
        O => "O".into(),
        OU => "OU".into(),
        L => "L".into(),
        ST => "ST".into(),
        C => "C".into(),
        UID => "UID".into(),
        STREET => "STREET".into(),
        TITLE => "T".into(),
        SN => "SN".into(),
        SERIAL_NUMBER => "SERIALNUMBER".into(),
        DC => "DC".into(),
        EMAIL_ADDRESS => "E".into(),
        other => other.to_string(),
    }
}

/// Decodes a directory string of any of the types found in real certificates.
/// Vietnamese CAs use UTF8String; older ones BMPString.
pub fn attribute_text(value: &Any) -> String {
    let bytes = value.value();
    match value.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::VisibleString => {
            String::from_utf8_lossy(bytes).into_owned()
        }
        Tag::BmpString => {
            let units: Vec<u16> = bytes
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        // TeletexString in practice carries Latin-1.
        Tag::TeletexString => bytes.iter().map(|b| *b as char).collect(),
        _ => bytes.iter().map(|b| format!("{b:02X}")).collect(),
    }
}

/// `(label, text)` pairs in the order of the encoding (most general first).
pub fn attributes(name: &Name) -> Vec<(String, String)> {
    name.iter()
        .map(|atv| (label(&atv.oid), attribute_text(&atv.value)))
        .collect()
}

/// The text of the first attribute of type `oid`.
pub fn first(name: &Name, oid: ObjectIdentifier) -> Option<String> {
    name.iter()
        .find(|atv| atv.oid == oid)
        .map(|atv| attribute_text(&atv.value))
}

/// All texts of attributes of type `oid`.
pub fn all(name: &Name, oid: ObjectIdentifier) -> Vec<String> {
    name.iter()
        .filter(|atv| atv.oid == oid)
        .map(|atv| attribute_text(&atv.value))
        .collect()
}

/// A one-line rendering, most specific attribute first (RFC 4514 order), e.g.
/// `CN=Nguyễn Văn An, UID=CCCD:001090001234, O=Bộ Tài chính, C=VN`.
pub fn display(name: &Name) -> String {
    let mut parts: Vec<String> = attributes(name)
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    parts.reverse();
    parts.join(", ")
}
