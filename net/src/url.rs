//! The one kind of address kyso-net requests: an absolute `http` or `https`
//! URL with a host. The agent's configuration is checked with the same rule
//! at start-up, so a URL accepted there is one the requests accept.
//!
//! Plain `http` is allowed on purpose: OCSP and CRL distribution points are
//! `http` by design (an `https` one would need revocation data to check its
//! own certificate), and RFC 3161 replies are signed by the TSA, so the
//! transport adds no integrity they lack. The Vietnamese government TSA is
//! `http://tsa.ca.gov.vn`.

use std::fmt;

use ureq::http::Uri;

use crate::error::Reason;

/// An absolute `http` or `https` URL with a host and no user credentials.
///
/// ```
/// use kyso_net::HttpUrl;
///
/// assert!(HttpUrl::parse("http://tsa.ca.gov.vn").is_ok());
/// assert!(HttpUrl::parse("https://ocsp.example.vn/ocsp").unwrap().is_https());
/// assert!(HttpUrl::parse("file:///etc/passwd").is_err());
/// assert!(HttpUrl::parse("ftp://crl.example.vn/ca.crl").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpUrl {
    uri: Uri,
    text: String,
}

impl HttpUrl {
    /// Parses `text`, refusing anything but an absolute `http`/`https` URL
    /// with a host ([`Reason::UrlRefused`] says why).
    pub fn parse(text: &str) -> Result<HttpUrl, Reason> {
        let refused = |why: &str| Reason::UrlRefused(why.to_string());
        // The scheme first, so `file:///etc/passwd` is refused for what it
        // is rather than as unparsable.
        let scheme = text
            .split_once(':')
            .map(|(s, _)| s)
            .filter(|s| {
                !s.is_empty()
                    && s.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
            })
            .ok_or_else(|| refused("no scheme"))?;
        if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
            return Err(Reason::UrlRefused(format!("scheme {scheme}")));
        }
        let uri: Uri = text.parse().map_err(|_| refused("not a URL"))?;
        let authority = uri.authority().ok_or_else(|| refused("no host"))?;
        // Credentials in a URL taken from a certificate or a configuration
        // file would be sent in the clear over http; no such URL is needed.
        if authority.as_str().contains('@') {
            return Err(refused("user credentials in the URL"));
        }
        if authority.host().is_empty() {
            return Err(refused("no host"));
        }
        Ok(HttpUrl {
            uri,
            text: text.to_string(),
        })
    }

    /// The URL as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the scheme is `https`.
    pub fn is_https(&self) -> bool {
        self.uri
            .scheme_str()
            .is_some_and(|s| s.eq_ignore_ascii_case("https"))
    }

    /// The parsed form, for the HTTP client.
    pub(crate) fn uri(&self) -> &Uri {
        &self.uri
    }
}

impl fmt::Display for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_http_and_https_urls_with_a_host() {
        for good in [
            "http://tsa.ca.gov.vn",
            "HTTP://TSA.CA.GOV.VN/",
            "https://ocsp.vnpt-ca.vn/responder?x=1",
            "http://127.0.0.1:8080/tsa",
            "http://[::1]:8080/",
        ] {
            assert!(HttpUrl::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "file:///etc/passwd",
            "ftp://crl.example.vn/ca.crl",
            "ldap://ldap.example.vn/cn=CA?certificateRevocationList",
            "gopher://x",
            "/relative/path",
            "tsa.ca.gov.vn",
            "http://",
            "http://user:secret@tsa.example.vn/",
            "http://tsa example.vn/",
            "",
        ] {
            let e = HttpUrl::parse(bad).unwrap_err();
            assert!(matches!(e, Reason::UrlRefused(_)), "{bad}: {e:?}");
        }
        assert_eq!(
            HttpUrl::parse("file:///etc/passwd"),
            Err(Reason::UrlRefused("scheme file".into()))
        );
    }

    #[test]
    fn keeps_the_text_as_given() {
        let u = HttpUrl::parse("http://tsa.ca.gov.vn").unwrap();
        assert_eq!(u.as_str(), "http://tsa.ca.gov.vn");
        assert_eq!(u.to_string(), "http://tsa.ca.gov.vn");
        assert!(!u.is_https());
    }
}
