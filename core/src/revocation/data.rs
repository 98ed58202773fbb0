//! The revocation data at hand: embedded in a signature (CAdES
//! `revocation-values`, a PDF's `/DSS`) or fetched.

use super::Rejection;
use crate::crl::Crl;
use crate::ocsp::OcspResponse;

/// OCSP responses and CRLs, parsed.
#[derive(Clone, Debug, Default)]
pub struct RevocationData {
    /// OCSP responses.
    pub ocsp: Vec<OcspResponse>,
    /// Full CRLs.
    pub crls: Vec<Crl>,
}

impl RevocationData {
    /// Parses DER OCSP responses (an OCSPResponse, or a bare
    /// BasicOCSPResponse as CAdES stores it) and DER CRLs. What cannot be
    /// read is returned beside the data, not fatal: one bad item in a
    /// signature leaves the others usable.
    ///
    /// ```
    /// use kyso_core::revocation::{RevocationData, Rejection};
    /// let (data, rejected) = RevocationData::from_der([b"junk"], Vec::<Vec<u8>>::new());
    /// assert!(data.is_empty());
    /// assert!(matches!(rejected[..], [Rejection::Ocsp { index: 0, .. }]));
    /// ```
    pub fn from_der<O, C>(
        ocsp: impl IntoIterator<Item = O>,
        crls: impl IntoIterator<Item = C>,
    ) -> (Self, Vec<Rejection>)
    where
        O: AsRef<[u8]>,
        C: AsRef<[u8]>,
    {
        let mut data = RevocationData::default();
        let mut rejected = Vec::new();
        for (index, der) in ocsp.into_iter().enumerate() {
            match OcspResponse::parse(der.as_ref()) {
                Ok(r) => data.ocsp.push(r),
                Err(error) => rejected.push(Rejection::Ocsp { index, error }),
            }
        }
        for (index, der) in crls.into_iter().enumerate() {
            match Crl::from_der(der.as_ref()) {
                Ok(c) => data.crls.push(c),
                Err(error) => rejected.push(Rejection::Crl { index, error }),
            }
        }
        (data, rejected)
    }

    /// No OCSP response and no CRL.
    pub fn is_empty(&self) -> bool {
        self.ocsp.is_empty() && self.crls.is_empty()
    }
}
