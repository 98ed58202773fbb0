//! The HTTP side: binds the address, reads every request through one warp
//! filter (the body within a limit warp enforces), hands it to
//! [`routes::handle`] and turns every outcome into JSON (or a file) with the
//! portal's security headers.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use tokio::net::TcpListener;
use warp::http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
use warp::http::{HeaderMap, HeaderValue, Method, Response, StatusCode};
use warp::path::FullPath;
use warp::reject::{LengthRequired, PayloadTooLarge};
use warp::{Filter, Rejection};

use crate::app::App;
use crate::error::Error;
use crate::http::{Answer, Request};
use crate::routes;

/// The largest PDF the portal takes (the page checks the same number,
/// `MAX_FILE` in static/portal.js, before anything is signed).
pub const PDF_LIMIT: usize = 50 << 20;
/// A request body at most: that PDF in base64 (4/3 of it) plus the form.
pub const BODY_LIMIT: usize = PDF_LIMIT / 3 * 4 + (1 << 20);

/// A finished response.
type Reply = Response<Vec<u8>>;

/// Listens on `address` (port 0: any free port).
pub async fn bind(address: SocketAddr) -> Result<TcpListener, String> {
    TcpListener::bind(address)
        .await
        .map_err(|e| format!("--listen {address}: {e}"))
}

/// Serves `app` on `listener` until Ctrl-C.
pub async fn run(app: Arc<App>, listener: TcpListener) -> Result<(), String> {
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    let requests = warp::any()
        .map(move || app.clone())
        .and(warp::method())
        .and(warp::path::full())
        .and(warp::query::raw().or(warp::any().map(String::new)).unify())
        .and(warp::header::headers_cloned())
        .and(body())
        .then(answer);
    // Tests and `cargo xtask demo` wait for this line.
    println!("kyso-demo-site listening on http://{bound}");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    warp::serve(requests)
        .incoming(listener)
        .graceful(shutdown)
        .run()
        .await;
    Ok(())
}

async fn answer(
    app: Arc<App>,
    method: Method,
    path: FullPath,
    query: String,
    headers: HeaderMap,
    body: Result<Bytes, Error>,
) -> Reply {
    let request = Request {
        method,
        path: path.as_str().to_string(),
        query,
        headers,
        body: Bytes::new(),
    };
    match routes::handle(&app, request, body).await {
        Ok(answer) => reply(answer),
        Err(e) => error(&e),
    }
}

/// The body, read by warp within [`BODY_LIMIT`]: a larger `Content-Length`
/// is refused before anything is read, and hyper reads no more than the
/// length a request declares. A body of unknown length (chunked) is refused
/// too — browsers send the length of every body the pages post (strings) —
/// and a request with neither header has none. A refusal is not answered
/// here but handed on: [`routes::handle`] decides whether the body matters.
fn body() -> impl Filter<Extract = (Result<Bytes, Error>,), Error = Infallible> + Clone {
    let none = warp::header::headers_cloned().and_then(|headers: HeaderMap| async move {
        if headers.contains_key(CONTENT_LENGTH) || headers.contains_key(TRANSFER_ENCODING) {
            Err(warp::reject())
        } else {
            Ok(Ok(Bytes::new()))
        }
    });
    let limited = warp::body::content_length_limit(BODY_LIMIT as u64)
        .and(warp::body::bytes())
        .map(Ok);
    none.or(limited)
        .unify()
        .or_else(|refused: Rejection| async move { Ok::<_, Infallible>((Err(refusal(&refused)),)) })
}

/// Why warp would not read a body.
fn refusal(refused: &Rejection) -> Error {
    if refused.find::<PayloadTooLarge>().is_some() {
        Error::PayloadTooLarge { limit: PDF_LIMIT }
    } else if refused.find::<LengthRequired>().is_some() {
        Error::LengthRequired
    } else {
        Error::BadRequest(format!("body: {refused:?}"))
    }
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

fn error(e: &Error) -> Reply {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    // Through a `Value`: keys sorted, as in every other answer.
    json(status, &serde_json::to_value(e.body()).unwrap_or_default())
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

#[cfg(test)]
mod tests {
    use kyso_core::Localized;
    use warp::test::{request, RequestBuilder};

    use super::*;

    async fn read(req: RequestBuilder) -> Result<Bytes, Error> {
        req.filter(&body())
            .await
            .unwrap_or_else(|never| match never {})
    }

    #[tokio::test]
    async fn warp_bounds_the_body() {
        let form = read(request().method("POST").body("{}")).await;
        assert_eq!(form.unwrap(), "{}");
        // No Content-Length and not chunked: no body (a GET, a bare POST).
        assert!(read(request().method("POST")).await.unwrap().is_empty());
        let declared = (BODY_LIMIT + 1).to_string();
        let large = read(request().method("POST").header("content-length", declared)).await;
        let large = large.unwrap_err();
        assert_eq!((large.code(), large.status()), ("PAYLOAD_TOO_LARGE", 413));
        let chunked = read(
            request()
                .method("POST")
                .header("transfer-encoding", "chunked"),
        )
        .await;
        assert_eq!(chunked.unwrap_err().code(), "LENGTH_REQUIRED");
    }
}
