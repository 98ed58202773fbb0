//! The HTTP side: one warp filter hands every request to [`handle`], which
//! routes it, checks where state-changing calls come from, reads the body
//! within a limit and turns every outcome into JSON (or a file).

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Buf;
use futures_util::{Stream, StreamExt};
use warp::http::{HeaderMap, HeaderValue, Method, Response, StatusCode};

use crate::api;
use crate::assets;
use crate::error::Error;
use crate::login::Logins;
use crate::store::Store;
use crate::verification::Verifier;

/// The largest PDF the portal takes (the page checks the same number,
/// `MAX_FILE` in static/portal.js, before anything is signed).
pub const PDF_LIMIT: usize = 50 << 20;
/// A request body at most: that PDF in base64 (4/3 of it) plus the form.
pub const BODY_LIMIT: usize = PDF_LIMIT / 3 * 4 + (1 << 20);

/// Everything a request may use.
pub struct App {
    pub store: Store,
    pub verifier: Verifier,
    pub logins: Logins,
    /// This portal's pages (demo-site/static).
    pub static_dir: PathBuf,
    /// The SDK and its wasm (js-sdk/dist), served under `/kyso/`.
    pub sdk_dir: PathBuf,
    /// Sample PDFs offered to try the flows, served under `/samples/`.
    pub samples_dir: Option<PathBuf>,
    /// Where the page looks for the agent (empty: the SDK's default ports).
    pub agent_ports: Vec<u16>,
}

/// A finished response.
pub type Reply = Response<Vec<u8>>;

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

/// The request as handlers see it.
pub struct Request {
    pub method: Method,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
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

    pub fn cookie(&self) -> Option<&str> {
        crate::login::session_cookie(self.headers.get("cookie").and_then(|v| v.to_str().ok()))
    }
}

pub async fn handle(
    app: Arc<App>,
    method: Method,
    path: warp::path::FullPath,
    query: Option<String>,
    headers: HeaderMap,
    body: impl Stream<Item = Result<impl Buf, warp::Error>> + Unpin + Send,
) -> Reply {
    let path = path.as_str().to_string();
    // Pages and files: GET only, no body.
    if !path.starts_with("/api/") {
        if method != Method::GET && method != Method::HEAD {
            return error(&Error::MethodNotAllowed);
        }
        return match assets::serve(&app, &path) {
            Ok(answer) => reply(answer),
            Err(e) => error(&e),
        };
    }
    // A page on another site must not file submissions or log someone in
    // through the visitor's browser (CSRF): state-changing calls must come
    // from this portal's own pages.
    if method == Method::POST {
        let origin = headers.get("origin").and_then(|v| v.to_str().ok());
        if let Some(o) = origin.filter(|o| !app.logins.origins().iter().any(|own| own == o)) {
            return error(&Error::ForeignOrigin(o.to_string()));
        }
    }
    let body = match read_body(&headers, body).await {
        Ok(b) => b,
        Err(e) => return error(&e),
    };
    let request = Request {
        method,
        path,
        query: query.unwrap_or_default(),
        headers,
        body,
    };
    match api::route(&app, &request).await {
        Ok(answer) => reply(answer),
        Err(e) => error(&e),
    }
}

async fn read_body(
    headers: &HeaderMap,
    mut body: impl Stream<Item = Result<impl Buf, warp::Error>> + Unpin,
) -> Result<Vec<u8>, Error> {
    let too_large = Error::PayloadTooLarge { limit: PDF_LIMIT };
    let declared = headers
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        return Err(too_large);
    }
    let mut out = Vec::new();
    while let Some(chunk) = body.next().await {
        let mut chunk = chunk.map_err(|e| Error::BadRequest(format!("body: {e}")))?;
        if out.len() + chunk.remaining() > BODY_LIMIT {
            return Err(too_large);
        }
        while chunk.has_remaining() {
            let part = chunk.chunk();
            out.extend_from_slice(part);
            let n = part.len();
            chunk.advance(n);
        }
    }
    Ok(out)
}

fn reply(answer: Answer) -> Reply {
    match answer {
        Answer::Json(status, value) => json(status, &value),
        Answer::JsonWithCookie(value, cookie) => {
            let mut r = json(StatusCode::OK, &value);
            if let Ok(c) = HeaderValue::from_str(&cookie) {
                r.headers_mut().insert("set-cookie", c);
            }
            r
        }
        Answer::File {
            content_type,
            bytes,
            disposition,
        } => {
            let mut r = Response::new(bytes);
            let h = r.headers_mut();
            h.insert("content-type", HeaderValue::from_static(content_type));
            if let Some(d) = disposition.and_then(|d| HeaderValue::from_str(&d).ok()) {
                h.insert("content-disposition", d);
            }
            // A document's PDF and preview keep their URL when the clerk
            // issues it; always ask again.
            h.insert("cache-control", HeaderValue::from_static("no-cache"));
            security_headers(h);
            r
        }
    }
}

pub fn error(e: &Error) -> Reply {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json(status, &e.body())
}

fn json(status: StatusCode, value: &serde_json::Value) -> Reply {
    let mut r = Response::new(serde_json::to_vec(value).unwrap_or_default());
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        "content-type",
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    h.insert("cache-control", HeaderValue::from_static("no-store"));
    security_headers(h);
    r
}

/// The page may run the SDK's wasm and reach the agent on loopback, and
/// nothing else: no inline scripts, no foreign frames.
fn security_headers(h: &mut HeaderMap) {
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
             connect-src 'self' http://127.0.0.1:* http://localhost:* http://[::1]:*; \
             img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; \
             object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
}
