//! What each protocol sends and accepts back: the method, the request's
//! content type, the answer's content type and the largest answer read.
//!
//! The size limits keep a slow or hostile server from filling memory; each
//! is well above what a real server sends (a time-stamp reply or an OCSP
//! response is a few KiB with its certificates, a national CA's CRL a few
//! MiB).

/// Largest RFC 3161 `TimeStampResp` read.
pub const MAX_TIMESTAMP_REPLY: u64 = 256 * 1024;
/// Largest OCSP response read.
pub const MAX_OCSP_RESPONSE: u64 = 256 * 1024;
/// Largest CRL read.
pub const MAX_CRL: u64 = 16 * 1024 * 1024;
/// Largest certificate (AIA `caIssuers`) read.
pub const MAX_CERTIFICATE: u64 = 64 * 1024;

/// One request of one protocol, with its body where it has one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exchange<'a> {
    /// RFC 3161 §3.4: POST a `TimeStampReq` (DER) as
    /// `application/timestamp-query`, get `application/timestamp-reply`.
    Timestamp(&'a [u8]),
    /// RFC 6960 appendix A: POST an `OCSPRequest` (DER) as
    /// `application/ocsp-request`, get `application/ocsp-response`.
    Ocsp(&'a [u8]),
    /// GET a CRL (RFC 5280 CRL distribution point). Servers label CRLs every
    /// which way (`application/pkix-crl`, `application/x-pkcs7-crl`,
    /// `application/octet-stream`, `text/plain`), so any type is accepted;
    /// the parser decides.
    Crl,
    /// GET an issuer certificate (RFC 5280 AIA `caIssuers`); any type, as
    /// for CRLs.
    Certificate,
}

impl Exchange<'_> {
    /// For a POST: the request's content type and body; `None` for a GET.
    pub fn request(&self) -> Option<(&'static str, &[u8])> {
        match self {
            Exchange::Timestamp(body) => Some(("application/timestamp-query", body)),
            Exchange::Ocsp(body) => Some(("application/ocsp-request", body)),
            Exchange::Crl | Exchange::Certificate => None,
        }
    }

    /// The content types accepted in the answer (compared without
    /// parameters, case-insensitively); empty: any.
    ///
    /// `application/timestamp-response` is the name of RFC 3161's drafts,
    /// which some TSAs still send.
    pub fn accepted_types(&self) -> &'static [&'static str] {
        match self {
            Exchange::Timestamp(_) => &[
                "application/timestamp-reply",
                "application/timestamp-response",
            ],
            Exchange::Ocsp(_) => &["application/ocsp-response"],
            Exchange::Crl | Exchange::Certificate => &[],
        }
    }

    /// The `Accept` header sent.
    pub fn accept(&self) -> &'static str {
        match self {
            Exchange::Timestamp(_) => "application/timestamp-reply",
            Exchange::Ocsp(_) => "application/ocsp-response",
            Exchange::Crl => "application/pkix-crl, */*",
            Exchange::Certificate => "application/pkix-cert, */*",
        }
    }

    /// The largest answer read, in bytes.
    pub fn max_bytes(&self) -> u64 {
        match self {
            Exchange::Timestamp(_) => MAX_TIMESTAMP_REPLY,
            Exchange::Ocsp(_) => MAX_OCSP_RESPONSE,
            Exchange::Crl => MAX_CRL,
            Exchange::Certificate => MAX_CERTIFICATE,
        }
    }

    /// Whether `content_type` (a header value, possibly with parameters) is
    /// accepted.
    pub fn accepts(&self, content_type: Option<&str>) -> bool {
        let accepted = self.accepted_types();
        if accepted.is_empty() {
            return true;
        }
        let Some(value) = content_type else {
            return false;
        };
        let essence = value.split(';').next().unwrap_or("").trim();
        accepted.iter().any(|t| t.eq_ignore_ascii_case(essence))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_by_protocol() {
        let ts = Exchange::Timestamp(b"q");
        assert!(ts.accepts(Some("application/timestamp-reply")));
        assert!(ts.accepts(Some("Application/Timestamp-Reply; charset=binary")));
        assert!(ts.accepts(Some("application/timestamp-response")));
        assert!(!ts.accepts(Some("text/html")));
        assert!(!ts.accepts(None));
        let ocsp = Exchange::Ocsp(b"q");
        assert!(ocsp.accepts(Some("application/ocsp-response")));
        assert!(!ocsp.accepts(Some("application/timestamp-reply")));
        for any in [Exchange::Crl, Exchange::Certificate] {
            assert!(any.accepts(Some("text/plain")) && any.accepts(None));
        }
    }

    #[test]
    fn posts_carry_their_body_gets_none() {
        assert_eq!(
            Exchange::Ocsp(b"abc").request(),
            Some(("application/ocsp-request", &b"abc"[..]))
        );
        assert_eq!(Exchange::Crl.request(), None);
        assert!(Exchange::Crl.max_bytes() > Exchange::Timestamp(b"").max_bytes());
    }
}
