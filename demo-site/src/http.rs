//! A request as the handlers see it and what they answer: the types between
//! the server, which reads requests and writes responses, and the handlers.

use bytes::Bytes;
use warp::http::{HeaderMap, Method, StatusCode};

/// The request as handlers see it.
pub struct Request {
    pub method: Method,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    /// Read within the server's limit; empty for pages and files.
    pub body: Bytes,
}

impl Request {
    /// A query parameter's raw value.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }

    /// The session id of the portal's cookie.
    pub fn cookie(&self) -> Option<&str> {
        crate::login::session_cookie(self.headers.get("cookie").and_then(|v| v.to_str().ok()))
    }
}

/// What a handler gives back.
pub enum Answer {
    Json(StatusCode, serde_json::Value),
    /// JSON plus a `Set-Cookie` header (logging in and out).
    JsonWithCookie(serde_json::Value, String),
    File {
        content_type: &'static str,
        bytes: Vec<u8>,
        /// `attachment; filename=…` for downloads.
        disposition: Option<String>,
    },
}

impl Answer {
    /// `200 OK` with `value`.
    pub fn ok(value: serde_json::Value) -> Answer {
        Answer::Json(StatusCode::OK, value)
    }

    /// A PNG image.
    pub fn png(bytes: Vec<u8>) -> Answer {
        Answer::File {
            content_type: "image/png",
            bytes,
            disposition: None,
        }
    }

    /// A PDF shown in the browser, saved as `name`.
    pub fn pdf(bytes: Vec<u8>, name: &str) -> Answer {
        Answer::File {
            content_type: "application/pdf",
            bytes,
            disposition: Some(format!("inline; filename=\"{name}\"")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_and_cookie_are_read_from_the_request() {
        let mut headers = HeaderMap::new();
        headers.insert("cookie", "a=1; kyso_demo_session=s1".parse().unwrap());
        let r = Request {
            method: Method::GET,
            path: "/api/usage".into(),
            query: "days=7&page=2".into(),
            headers,
            body: Bytes::new(),
        };
        assert_eq!(r.query_param("page"), Some("2"));
        assert_eq!(r.query_param("pag"), None);
        assert_eq!(r.cookie(), Some("s1"));
    }
}
