//! Web origins and the allow-list patterns an administrator writes for them.

/// A parsed origin: `scheme://host[:port]`, lower-cased, default port dropped.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Origin {
    pub scheme: String,
    pub host: String,
    pub port: Option<u16>,
}

impl Origin {
    /// Parses the value of an `Origin` header. `null` and anything with a path,
    /// userinfo or query is refused.
    pub fn parse(value: &str) -> Option<Origin> {
        let (scheme, rest) = value.split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            return None;
        }
        if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
            return None;
        }
        let (host, port) = split_host_port(rest)?;
        let default = if scheme == "https" { 443 } else { 80 };
        Some(Origin {
            scheme,
            host: host.to_ascii_lowercase(),
            port: port.filter(|p| *p != default),
        })
    }

    pub fn is_https(&self) -> bool {
        self.scheme == "https"
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "{}://[{}]", self.scheme, self.host)?;
        } else {
            write!(f, "{}://{}", self.scheme, self.host)?;
        }
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        Ok(())
    }
}

fn split_host_port(s: &str) -> Option<(&str, Option<u16>)> {
    if let Some(v6) = s.strip_prefix('[') {
        let (host, rest) = v6.split_once(']')?;
        let port = match rest {
            "" => None,
            r => Some(r.strip_prefix(':')?.parse().ok()?),
        };
        return Some((host, port));
    }
    match s.rsplit_once(':') {
        Some((h, p)) => Some((h, Some(p.parse().ok()?))),
        None => Some((s, None)),
    }
    .filter(|(h, _)| !h.is_empty())
}

/// An allow-list entry: an exact origin, or `scheme://*.domain[:port]`, which
/// matches any subdomain of `domain` (not `domain` itself, not lookalikes such
/// as `evilgov.vn`).
/// (`wildcards_match_subdomains_only` below shows each case.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginPattern {
    scheme: String,
    /// `Some(suffix)` for a wildcard: the host must end with `.suffix`.
    wildcard_suffix: Option<String>,
    host: String,
    port: Option<u16>,
}

impl OriginPattern {
    pub fn parse(s: &str) -> Result<Self, String> {
        let (wildcard, concrete) = match s.split_once("://*.") {
            Some((scheme, rest)) => (true, format!("{scheme}://{rest}")),
            None => (false, s.to_string()),
        };
        let o = Origin::parse(&concrete)
            .ok_or_else(|| format!("'{s}' is not an origin (scheme://host[:port])"))?;
        if o.host.contains('*') {
            return Err(format!("'{s}': a wildcard may only be the first label"));
        }
        if wildcard && !o.host.contains('.') {
            return Err(format!(
                "'{s}': a wildcard needs at least a two-label domain"
            ));
        }
        Ok(OriginPattern {
            scheme: o.scheme,
            wildcard_suffix: wildcard.then(|| o.host.clone()),
            host: o.host,
            port: o.port,
        })
    }

    pub fn matches(&self, origin: &Origin) -> bool {
        if origin.scheme != self.scheme || origin.port != self.port {
            return false;
        }
        match &self.wildcard_suffix {
            Some(suffix) => origin
                .host
                .strip_suffix(suffix.as_str())
                .is_some_and(|label| label.len() > 1 && label.ends_with('.')),
            None => origin.host == self.host,
        }
    }
}

/// As an administrator writes it (`https://*.gov.vn`), normalised.
impl std::fmt::Display for OriginPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let concrete = Origin {
            scheme: self.scheme.clone(),
            host: self.host.clone(),
            port: self.port,
        }
        .to_string();
        if self.wildcard_suffix.is_some() {
            f.write_str(&concrete.replacen("://", "://*.", 1))
        } else {
            f.write_str(&concrete)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_subdomains_only() {
        let p = OriginPattern::parse("https://*.gov.vn").unwrap();
        let o = |s| Origin::parse(s).unwrap();
        assert!(p.matches(&o("https://dichvucong.gov.vn")));
        assert!(p.matches(&o("https://a.b.hanoi.gov.vn")));
        assert!(!p.matches(&o("https://gov.vn")));
        assert!(!p.matches(&o("https://evilgov.vn")));
        assert!(!p.matches(&o("http://dichvucong.gov.vn")));
    }

    #[test]
    fn patterns_print_as_written() {
        for (written, shown) in [
            ("https://*.gov.vn", "https://*.gov.vn"),
            ("HTTPS://DichVuCong.Gov.VN:443", "https://dichvucong.gov.vn"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://[::1]:9", "http://[::1]:9"),
        ] {
            assert_eq!(OriginPattern::parse(written).unwrap().to_string(), shown);
        }
    }

    #[test]
    fn parses_and_normalises() {
        let o = Origin::parse("HTTPS://DichVuCong.Gov.VN:443").unwrap();
        assert_eq!(o.to_string(), "https://dichvucong.gov.vn");
        assert_eq!(
            Origin::parse("http://127.0.0.1:8080").unwrap().port,
            Some(8080)
        );
        assert_eq!(Origin::parse("http://[::1]:9").unwrap().host, "::1");
        assert_eq!(
            Origin::parse("http://[::1]:9").unwrap().to_string(),
            "http://[::1]:9"
        );
        for bad in [
            "null",
            "",
            "file:///etc",
            "https://a.vn/path",
            "https://user@a.vn",
            "https://",
            "https://a.vn:99999",
            "ftp://a.vn",
        ] {
            assert!(Origin::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn exact_patterns_match_exactly() {
        let p = OriginPattern::parse("http://127.0.0.1:8080").unwrap();
        assert!(p.matches(&Origin::parse("http://127.0.0.1:8080").unwrap()));
        assert!(!p.matches(&Origin::parse("http://127.0.0.1:8081").unwrap()));
        assert!(!p.matches(&Origin::parse("http://127.0.0.1").unwrap()));
    }

    #[test]
    fn bad_patterns_are_refused() {
        assert!(OriginPattern::parse("https://*").is_err());
        assert!(OriginPattern::parse("https://*.vn").is_err());
        assert!(OriginPattern::parse("https://a.*.gov.vn").is_err());
        assert!(OriginPattern::parse("gov.vn").is_err());
    }
}
