//! RFC 3161 time-stamping over HTTP: the request is built and the reply
//! parsed by kyso-core (`tsp`); this module only carries the bytes, trying
//! each configured authority in turn.

use crate::error::{Failure, NetError};
use crate::exchange::Exchange;
use crate::fetcher::Fetcher;

/// A client of time-stamping authorities.
///
/// ```no_run
/// use kyso_net::{Fetcher, Settings, Tsa};
///
/// let tsa = Tsa::new(Fetcher::new(Settings::default()));
/// let request_der: Vec<u8> = Vec::new(); // a TimeStampReq from kyso-core
/// let reply = tsa.timestamp(&["http://tsa.ca.gov.vn"], &request_der)?;
/// // kyso-core checks the TimeStampResp: status, token, nonce, imprint.
/// # Ok::<(), kyso_net::NetError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Tsa {
    fetcher: Fetcher,
}

impl Tsa {
    /// A client that makes its requests with `fetcher`.
    pub fn new(fetcher: Fetcher) -> Tsa {
        Tsa { fetcher }
    }

    /// POSTs `request_der` (a DER `TimeStampReq`) to each of `urls` in order
    /// and returns the first answer: the DER `TimeStampResp` of a 200 with
    /// the time-stamp reply's content type.
    ///
    /// Each URL gets the fetcher's whole timeout. `TSA_UNAVAILABLE` when
    /// none answers, with every URL's reason.
    pub fn timestamp<S: AsRef<str>>(
        &self,
        urls: &[S],
        request_der: &[u8],
    ) -> Result<Vec<u8>, NetError> {
        let mut failures = Vec::new();
        for url in urls {
            let url = url.as_ref();
            match self.fetcher.fetch(url, Exchange::Timestamp(request_der)) {
                Ok(reply) => return Ok(reply),
                Err(reason) => failures.push(Failure {
                    url: url.to_string(),
                    reason,
                }),
            }
        }
        Err(NetError::TsaUnavailable(failures))
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use kyso_core::Localized;

    use super::*;
    use crate::error::Reason;
    use crate::fetcher::Settings;
    use crate::loopback::{refused_url, Reply, Server};

    fn tsa() -> Tsa {
        Tsa::new(Fetcher::new(Settings {
            timeout: Duration::from_secs(1),
            connect_timeout: Duration::from_secs(1),
            system_proxy: false,
        }))
    }

    #[test]
    fn answers_with_the_reply() {
        let server = Server::start(vec![Reply::ok(
            "application/timestamp-reply",
            b"\x30\x03\x02\x01\x00",
        )]);
        let reply = tsa().timestamp(&[server.url("/tsa")], b"query").unwrap();
        assert_eq!(reply, b"\x30\x03\x02\x01\x00");
        let seen = server.requests();
        assert_eq!(seen[0].method, "POST");
        assert_eq!(
            seen[0].content_type.as_deref(),
            Some("application/timestamp-query")
        );
        assert_eq!(seen[0].body, b"query");
    }

    #[test]
    fn tries_the_urls_in_order_until_one_answers() {
        let second = Server::start(vec![Reply::ok("application/timestamp-reply", b"second")]);
        let third = Server::start(vec![Reply::ok("application/timestamp-reply", b"third")]);
        let urls = [refused_url(), second.url("/"), third.url("/")];
        assert_eq!(tsa().timestamp(&urls, b"q").unwrap(), b"second");
        assert!(third.requests().is_empty());
    }

    #[test]
    fn none_answering_is_tsa_unavailable_with_every_reason() {
        let server = Server::start(vec![Reply::status(503)]);
        let urls = [refused_url(), server.url("/"), "file:///etc/passwd".into()];
        let e = tsa().timestamp(&urls, b"q").unwrap_err();
        assert_eq!(e.code(), "TSA_UNAVAILABLE");
        let NetError::TsaUnavailable(failures) = &e else {
            panic!("{e:?}")
        };
        let reasons: Vec<&str> = failures.iter().map(|f| f.reason.code()).collect();
        assert_eq!(reasons, ["CONNECTION_FAILED", "HTTP_STATUS", "URL_REFUSED"]);
        for url in &urls {
            assert!(e.message().contains(url.as_str()), "{}", e.message());
            assert!(e.message_vi().contains(url.as_str()));
        }
        let none: [&str; 0] = [];
        assert_eq!(
            tsa().timestamp(&none, b"q").unwrap_err(),
            NetError::TsaUnavailable(Vec::new())
        );
    }

    #[test]
    fn a_tsa_that_never_answers_times_out() {
        let server = Server::start(vec![Reply::Hang]);
        let started = Instant::now();
        let e = tsa().timestamp(&[server.url("/")], b"q").unwrap_err();
        let elapsed = started.elapsed();
        assert_eq!(
            e,
            NetError::TsaUnavailable(vec![Failure {
                url: server.url("/"),
                reason: Reason::Timeout(Duration::from_secs(1)),
            }])
        );
        assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    }
}
