//! What the page hands the verification from outside the file: OCSP
//! answers and CRLs the agent fetched for `Kyso.verify(…, { online })`,
//! each list as concatenated DER.

use wasm_bindgen::prelude::*;

use kyso_core::asn1::Tlv;
use kyso_core::revocation::{Origin, RevocationData};

use crate::error;

/// Revocation answers fetched for a verification (`Kyso.verify(…, { online
/// })`), as the verification's online data.
pub(crate) fn online(
    ocsp: Option<Vec<u8>>,
    crls: Option<Vec<u8>>,
) -> Result<Vec<(RevocationData, Origin)>, JsValue> {
    if ocsp.is_none() && crls.is_none() {
        return Ok(Vec::new());
    }
    let ocsp = split(ocsp.as_deref().unwrap_or_default())?;
    let crls = split(crls.as_deref().unwrap_or_default())?;
    Ok(vec![(
        RevocationData::from_der(&ocsp, &crls).0,
        Origin::Online,
    )])
}

/// Concatenated DER elements, one by one.
pub(crate) fn split(mut der: &[u8]) -> Result<Vec<Vec<u8>>, JsValue> {
    let mut out = Vec::new();
    while !der.is_empty() {
        let (tlv, rest) = Tlv::parse(der).map_err(error::to_js)?;
        out.push(tlv.raw.to_vec());
        der = rest;
    }
    Ok(out)
}
