//! The HTTP client every outbound request goes through, and the rules it
//! keeps: only `http`/`https` ([`HttpUrl`]), a connect and an overall
//! timeout, no redirects, a size limit and a content-type check per
//! protocol ([`Exchange`]), TLS through the operating system's library and
//! trust store.
//!
//! Blocking on purpose: the agent calls it from its blocking threads, the
//! CLI from its main thread, and neither needs an async runtime for it.

use std::time::Duration;

use ureq::tls::{RootCerts, TlsConfig, TlsProvider};
use ureq::Agent;

use crate::error::Reason;
use crate::exchange::Exchange;
use crate::url::HttpUrl;

/// The default overall time for one request, answer body included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default time to resolve and connect (TLS handshake included).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How a [`Fetcher`] behaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// The whole request, from resolving the name to the last byte of the
    /// answer.
    pub timeout: Duration,
    /// Resolving the name and connecting, TLS handshake included.
    pub connect_timeout: Duration,
    /// Honour `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` and `NO_PROXY`, as
    /// offices behind a proxy need.
    pub system_proxy: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            system_proxy: true,
        }
    }
}

impl Settings {
    /// The defaults with an overall `timeout`; connecting gets the same
    /// time or [`DEFAULT_CONNECT_TIMEOUT`], whichever is shorter.
    pub fn with_timeout(timeout: Duration) -> Settings {
        Settings {
            timeout,
            connect_timeout: timeout.min(DEFAULT_CONNECT_TIMEOUT),
            ..Settings::default()
        }
    }
}

/// Makes one request at a time under the crate's rules; cheap to clone
/// (clones share connections).
///
/// ```no_run
/// use kyso_net::{Exchange, Fetcher, Settings};
///
/// let fetcher = Fetcher::new(Settings::default());
/// let crl = fetcher.fetch("http://crl.example.vn/ca.crl", Exchange::Crl)?;
/// # Ok::<(), kyso_net::Reason>(())
/// ```
#[derive(Clone, Debug)]
pub struct Fetcher {
    agent: Agent,
    settings: Settings,
}

impl Fetcher {
    /// A client with these settings. Nothing is contacted until a request.
    pub fn new(settings: Settings) -> Fetcher {
        let tls = TlsConfig::builder()
            .provider(TlsProvider::NativeTls)
            // native-tls's own roots: the operating system's trust store.
            .root_certs(RootCerts::PlatformVerifier)
            .build();
        let agent = Agent::config_builder()
            .tls_config(tls)
            .proxy(if settings.system_proxy {
                ureq::Proxy::try_from_env()
            } else {
                None
            })
            // A redirect could point anywhere, the user's own network
            // included; the 3xx is reported instead (Reason::Redirect).
            .max_redirects(0)
            // Statuses are reasons of their own, not transport errors.
            .http_status_as_error(false)
            .timeout_global(Some(settings.timeout))
            .timeout_resolve(Some(settings.connect_timeout))
            .timeout_connect(Some(settings.connect_timeout))
            .user_agent(concat!("kyso/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Fetcher { agent, settings }
    }

    /// The settings it was made with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Sends `exchange` to `url` and returns the answer's body: a 200 with
    /// an accepted content type, not empty, within the size limit.
    pub fn fetch(&self, url: &str, exchange: Exchange<'_>) -> Result<Vec<u8>, Reason> {
        let url = HttpUrl::parse(url)?;
        let sent = match exchange.request() {
            Some((content_type, body)) => self
                .agent
                .post(url.uri())
                .header("Content-Type", content_type)
                .header("Accept", exchange.accept())
                .send(body),
            None => self
                .agent
                .get(url.uri())
                .header("Accept", exchange.accept())
                .call(),
        };
        let mut response = sent.map_err(|e| self.reason(e))?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        };
        if (300..400).contains(&status) {
            return Err(Reason::Redirect {
                status,
                location: header("location"),
            });
        }
        if status != 200 {
            return Err(Reason::Status(status));
        }
        let content_type = header("content-type");
        if !exchange.accepts(content_type.as_deref()) {
            return Err(Reason::ContentType {
                expected: exchange.accepted_types()[0],
                got: content_type,
            });
        }
        let body = response
            .body_mut()
            .with_config()
            .limit(exchange.max_bytes())
            .read_to_vec()
            .map_err(|e| self.reason(e))?;
        if body.is_empty() {
            return Err(Reason::Empty);
        }
        Ok(body)
    }

    /// A ureq failure in the crate's terms.
    fn reason(&self, e: ureq::Error) -> Reason {
        use std::io::ErrorKind;
        use ureq::Error as E;
        match e {
            E::Timeout(ureq::Timeout::Resolve | ureq::Timeout::Connect) => {
                Reason::Timeout(self.settings.connect_timeout)
            }
            E::Timeout(_) => Reason::Timeout(self.settings.timeout),
            E::HostNotFound => Reason::HostNotFound,
            E::ConnectionFailed => Reason::ConnectionFailed("no address answered".into()),
            E::Io(io) => match io.kind() {
                ErrorKind::TimedOut | ErrorKind::WouldBlock => {
                    Reason::Timeout(self.settings.timeout)
                }
                ErrorKind::ConnectionRefused => {
                    Reason::ConnectionFailed("connection refused".into())
                }
                ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted
                | ErrorKind::NotConnected
                | ErrorKind::AddrNotAvailable
                | ErrorKind::HostUnreachable
                | ErrorKind::NetworkUnreachable => Reason::ConnectionFailed(io.to_string()),
                _ => Reason::Protocol(io.to_string()),
            },
            E::BodyExceedsLimit(limit) => Reason::TooLarge(limit),
            E::BadUri(m) => Reason::UrlRefused(m),
            E::Tls(m) => Reason::Tls(m.to_string()),
            E::NativeTls(e) => Reason::Tls(e.to_string()),
            other => Reason::Protocol(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::loopback::{refused_url, Reply, Server};

    fn fetcher() -> Fetcher {
        Fetcher::new(Settings {
            timeout: Duration::from_secs(1),
            connect_timeout: Duration::from_secs(1),
            system_proxy: false,
        })
    }

    #[test]
    fn posts_the_request_and_returns_the_answer() {
        let server = Server::start(vec![Reply::ok("application/ocsp-response", b"answer")]);
        let body = fetcher()
            .fetch(&server.url("/ocsp"), Exchange::Ocsp(b"\x30\x03req"))
            .unwrap();
        assert_eq!(body, b"answer");
        let seen = server.requests();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].method, "POST");
        assert_eq!(seen[0].path, "/ocsp");
        assert_eq!(
            seen[0].content_type.as_deref(),
            Some("application/ocsp-request")
        );
        assert_eq!(seen[0].body, b"\x30\x03req");
    }

    #[test]
    fn gets_a_crl_whatever_its_content_type() {
        let server = Server::start(vec![
            Reply::ok("text/plain", b"crl bytes"),
            Reply::close_delimited(None, b"no type, no length"),
        ]);
        assert_eq!(
            fetcher()
                .fetch(&server.url("/ca.crl"), Exchange::Crl)
                .unwrap(),
            b"crl bytes"
        );
        assert_eq!(
            fetcher()
                .fetch(&server.url("/ca.crl"), Exchange::Crl)
                .unwrap(),
            b"no type, no length"
        );
        let seen = server.requests();
        assert_eq!(seen[0].method, "GET");
        assert!(seen[0].body.is_empty());
    }

    #[test]
    fn wrong_content_type_status_and_empty_body_are_refused() {
        let server = Server::start(vec![
            Reply::ok("text/html", b"<html>captive portal</html>"),
            Reply::status(500),
            Reply::ok("application/timestamp-reply", b""),
        ]);
        let ts = Exchange::Timestamp(b"q");
        let e = fetcher().fetch(&server.url("/"), ts).unwrap_err();
        assert_eq!(
            e,
            Reason::ContentType {
                expected: "application/timestamp-reply",
                got: Some("text/html".into())
            }
        );
        assert_eq!(
            fetcher().fetch(&server.url("/"), ts).unwrap_err(),
            Reason::Status(500)
        );
        assert_eq!(
            fetcher().fetch(&server.url("/"), ts).unwrap_err(),
            Reason::Empty
        );
    }

    #[test]
    fn an_oversized_answer_is_refused() {
        let big = vec![0x30; (crate::exchange::MAX_TIMESTAMP_REPLY + 1) as usize];
        let server = Server::start(vec![
            Reply::ok("application/timestamp-reply", &big),
            Reply::close_delimited(Some("application/timestamp-reply"), &big),
        ]);
        for _ in 0..2 {
            let e = fetcher()
                .fetch(&server.url("/"), Exchange::Timestamp(b"q"))
                .unwrap_err();
            assert_eq!(e, Reason::TooLarge(crate::exchange::MAX_TIMESTAMP_REPLY));
        }
    }

    #[test]
    fn a_redirect_is_reported_not_followed() {
        let elsewhere = Server::start(vec![Reply::ok("application/ocsp-response", b"no")]);
        let server = Server::start(vec![Reply::redirect(&elsewhere.url("/inside"))]);
        let e = fetcher()
            .fetch(&server.url("/"), Exchange::Ocsp(b"q"))
            .unwrap_err();
        assert_eq!(
            e,
            Reason::Redirect {
                status: 302,
                location: Some(elsewhere.url("/inside"))
            }
        );
        assert_eq!(server.requests().len(), 1);
        assert!(elsewhere.requests().is_empty(), "the redirect was followed");
    }

    #[test]
    fn other_schemes_are_never_requested() {
        for url in ["file:///etc/passwd", "ftp://127.0.0.1/ca.crl", "/ca.crl"] {
            let e = fetcher().fetch(url, Exchange::Crl).unwrap_err();
            assert!(matches!(e, Reason::UrlRefused(_)), "{url}: {e:?}");
        }
    }

    #[test]
    fn https_goes_through_native_tls() {
        // A plain-HTTP server cannot complete a handshake: the failure must
        // come from the TLS library (configured, with the system's roots),
        // not from a missing provider.
        let server = Server::start(vec![Reply::status(200)]);
        let url = server.url("/").replacen("http:", "https:", 1);
        let e = fetcher().fetch(&url, Exchange::Crl).unwrap_err();
        assert!(matches!(e, Reason::Tls(_)), "{e:?}");
    }

    #[test]
    fn refused_and_silent_servers_fail_in_time() {
        let e = fetcher().fetch(&refused_url(), Exchange::Crl).unwrap_err();
        assert!(matches!(e, Reason::ConnectionFailed(_)), "{e:?}");
        let server = Server::start(vec![Reply::Hang]);
        let started = Instant::now();
        let e = fetcher()
            .fetch(&server.url("/"), Exchange::Crl)
            .unwrap_err();
        assert_eq!(e, Reason::Timeout(Duration::from_secs(1)));
        assert!(started.elapsed() < Duration::from_secs(3));
    }
}
