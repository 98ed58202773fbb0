//! A TSA's answer (RFC 3161 §2.4.2), and the checks that make its token safe
//! to embed: granted, for the digest that was sent, with the nonce that was sent.
//!
//! ```text
//! TimeStampResp ::= SEQUENCE  {
//!    status                  PKIStatusInfo,
//!    timeStampToken          TimeStampToken     OPTIONAL  }
//! PKIStatusInfo ::= SEQUENCE {
//!    status        PKIStatus,
//!    statusString  PKIFreeText     OPTIONAL,
//!    failInfo      PKIFailureInfo  OPTIONAL  }
//! PKIStatus ::= INTEGER { granted (0), grantedWithMods (1), rejection (2),
//!    waiting (3), revocationWarning (4), revocationNotification (5) }
//! TimeStampToken ::= ContentInfo   -- SignedData over a TSTInfo
//! ```

use crate::asn1::Tlv;
use crate::cms::SignedDataView;
use crate::digest::HashAlgorithm;
use crate::Error;

use super::token::{TstInfo, ID_CT_TST_INFO};

/// A parsed TimeStampResp whose status is granted.
#[derive(Clone, Debug)]
pub struct TimeStampResponse {
    token: Vec<u8>,
    info: TstInfo,
}

impl TimeStampResponse {
    /// Reads a DER TimeStampResp. A rejection, or a grant without a token,
    /// is an error that carries the TSA's own words.
    ///
    /// ```
    /// assert!(kyso_core::tsp::TimeStampResponse::parse(b"\x30\x03\x02\x01\x02").is_err());
    /// ```
    pub fn parse(der: &[u8]) -> Result<Self, Error> {
        let resp = Tlv::parse_exact(der)?;
        if resp.tag_byte() != Some(0x30) {
            return Err(Error::malformed("TimeStampResp is not a SEQUENCE"));
        }
        let mut fields = resp.children();
        let status_info = fields
            .next()
            .transpose()?
            .ok_or_else(|| Error::malformed("TimeStampResp status missing"))?;
        let mut parts = status_info.children();
        let status = parts
            .next()
            .transpose()?
            .filter(|t| t.tag_byte() == Some(0x02) && t.content.len() == 1)
            .ok_or_else(|| Error::malformed("PKIStatus is not a small INTEGER"))?
            .content[0];
        if status > 1 {
            // statusString is a SEQUENCE OF UTF8String: the TSA's explanation.
            let words = parts
                .next()
                .transpose()
                .ok()
                .flatten()
                .filter(|t| t.tag_byte() == Some(0x30))
                .and_then(|t| t.children().next()?.ok())
                .map(|t| String::from_utf8_lossy(t.content).into_owned())
                .unwrap_or_default();
            let name = match status {
                2 => "rejection",
                3 => "waiting",
                4 => "revocationWarning",
                5 => "revocationNotification",
                _ => "unknown status",
            };
            return Err(Error::malformed(format!(
                "the TSA refused the time-stamp request ({name}{}{words})",
                if words.is_empty() { "" } else { ": " }
            )));
        }
        let token = fields
            .next()
            .transpose()?
            .ok_or_else(|| Error::malformed("the TSA granted the request but sent no token"))?;
        let token = token.raw.to_vec();
        let info = TimeStampToken::info_of(&token)?;
        Ok(TimeStampResponse { token, info })
    }

    /// The TimeStampToken (a CMS ContentInfo), if it stamps `digest` made with
    /// `algorithm` and echoes `nonce`: what goes into the signature.
    pub fn token_for(
        self,
        algorithm: HashAlgorithm,
        digest: &[u8],
        nonce: &[u8],
    ) -> Result<Vec<u8>, Error> {
        if self.info.hash_algorithm != algorithm || self.info.hashed_message != digest {
            return Err(Error::malformed(
                "the TSA stamped another digest than the one sent",
            ));
        }
        let sent = &nonce[nonce.iter().position(|b| *b != 0).unwrap_or(nonce.len())..];
        if self.info.nonce.as_deref() != Some(sent) {
            return Err(Error::malformed(
                "the TSA's answer does not echo the request's nonce",
            ));
        }
        Ok(self.token)
    }

    /// What the token asserts.
    pub fn info(&self) -> &TstInfo {
        &self.info
    }
}

/// A TimeStampToken: a SignedData whose content is a TSTInfo.
pub struct TimeStampToken;

impl TimeStampToken {
    /// The TSTInfo of a token (its signature is not checked here).
    pub fn info_of(token: &[u8]) -> Result<TstInfo, Error> {
        let view = SignedDataView::parse(token)?;
        if view.content_type != ID_CT_TST_INFO {
            return Err(Error::malformed(
                "the time-stamp token does not hold a TSTInfo",
            ));
        }
        let content = view
            .content
            .as_deref()
            .ok_or_else(|| Error::malformed("the time-stamp token has no TSTInfo"))?;
        TstInfo::parse(content)
    }
}
