use std::sync::Arc;

use bytes::Buf;
use futures_util::{Stream, StreamExt};
use serde::de::DeserializeOwned;
use serde::Serialize;
use warp::http::{HeaderMap, HeaderValue, Method, Response, StatusCode};

use kyso_wire::api::certificates::CertificatesResponse;
use kyso_wire::api::error::ErrorResponse;
use kyso_wire::api::info::{InfoResponse, AGENT_NAME};
use kyso_wire::api::API_VERSION;

use super::guard;
use super::state::State;
use crate::config::AllowedOrigin;
use crate::error::Error;
use crate::origin::Origin;
use crate::service::Service;

type Reply = Response<String>;

/// The endpoints, and whether a page must come from an allowed origin.
const ROUTES: &[(&str, &str, Access)] = &[
    ("GET", "/v1/info", Access::Public),
    ("POST", "/v1/pair", Access::Public),
    ("GET", "/v1/certificates", Access::Allowed),
    ("POST", "/v1/sign", Access::Allowed),
    ("POST", "/v1/sign-batch", Access::Allowed),
    ("POST", "/v1/authenticate", Access::Allowed),
    ("POST", "/v1/sign-hash", Access::Allowed),
    ("POST", "/v1/timestamp", Access::Allowed),
    ("POST", "/v1/revocation", Access::Allowed),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Any page may ask (the SDK must be able to find the agent and ask to pair).
    Public,
    /// Only allowed or paired origins; others get 403 with no UI.
    Allowed,
}

/// One request, from its Host header to its answer.
pub(super) async fn handle(
    state: Arc<State>,
    method: Method,
    path: warp::path::FullPath,
    headers: HeaderMap,
    body: impl Stream<Item = Result<impl Buf, warp::Error>> + Unpin + Send,
) -> Reply {
    // 1. DNS rebinding: the page must address us as loopback.
    let host = headers.get("host").and_then(|h| h.to_str().ok());
    if !guard::host_allowed(host, state.port) {
        return error(&Error::HostNotAllowed, None);
    }

    // 2. Route.
    let path = path.as_str();
    let Some(access) = ROUTES.iter().find(|(_, p, _)| *p == path).map(|r| r.2) else {
        return error(&Error::NotFound, None);
    };

    // 3. Origin. Browsers always send it on cross-origin requests; a request
    //    without one is not from a page we can attribute, so only public
    //    endpoints answer it.
    let origin_header = headers.get("origin").and_then(|h| h.to_str().ok());
    let origin = origin_header.and_then(Origin::parse);
    let allowed = origin.as_ref().is_some_and(|o| is_allowed(&state, o));
    let cors_origin = match access {
        Access::Public => origin.as_ref(),
        Access::Allowed => origin.as_ref().filter(|_| allowed),
    };

    if method == Method::OPTIONS {
        return match cors_origin {
            Some(o) => preflight(o),
            None => error(
                &Error::OriginNotAllowed(origin_header.unwrap_or("(none)").into()),
                None,
            ),
        };
    }
    if !ROUTES
        .iter()
        .any(|(m, p, _)| *p == path && *m == method.as_str())
    {
        return error(&Error::MethodNotAllowed, cors_origin);
    }
    if access == Access::Allowed && !allowed {
        let shown = origin_header.unwrap_or("(no Origin header)");
        return error(&Error::OriginNotAllowed(shown.to_string()), None);
    }

    // 4. Rate limit per origin (requests without an Origin share one bucket).
    let bucket = origin.as_ref().map(|o| o.to_string()).unwrap_or_default();
    if let Err(e) = state.guard.rate(&bucket) {
        return error(&e, cors_origin);
    }

    // 5. Body, bounded.
    let body = match read_body(&headers, body, state.config.limits.body_bytes).await {
        Ok(b) => b,
        Err(e) => return error(&e, cors_origin),
    };

    let result = match path {
        "/v1/info" => Ok(info(&state, allowed)),
        "/v1/pair" => super::pairing_handler::pair(&state, origin.as_ref()).await,
        "/v1/certificates" => {
            blocking(&state, move |s| {
                s.certificates()
                    .map(|certificates| json(&CertificatesResponse { certificates }))
            })
            .await
        }
        "/v1/sign" => token_op(&state, &body, origin.clone(), |s, o, r| s.sign(o, r)).await,
        "/v1/sign-batch" => {
            token_op(&state, &body, origin.clone(), |s, o, r| s.sign_batch(o, r)).await
        }
        "/v1/authenticate" => {
            token_op(&state, &body, origin.clone(), |s, o, r| {
                s.authenticate(o, r)
            })
            .await
        }
        "/v1/sign-hash" => {
            token_op(&state, &body, origin.clone(), |s, o, r| s.sign_hash(o, r)).await
        }
        // No token and no window, but outbound requests: off the async
        // threads, in the same bounded queue and timeout.
        "/v1/timestamp" => {
            token_op(&state, &body, origin.clone(), |s, o, r| s.timestamp(o, r)).await
        }
        "/v1/revocation" => {
            token_op(&state, &body, origin.clone(), |s, o, r| s.revocation(o, r)).await
        }
        _ => Err(Error::NotFound),
    };
    match result {
        Ok(value) => respond(StatusCode::OK, value, cors_origin),
        Err(e) => error(&e, cors_origin),
    }
}

fn is_allowed(state: &State, origin: &Origin) -> bool {
    AllowedOrigin::find(state.service.allowed(), origin).is_some()
        || state.pairing.is_paired(origin)
}

fn info(state: &State, allowed: bool) -> String {
    json(&InfoResponse {
        name: AGENT_NAME.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        api: API_VERSION,
        origin_allowed: allowed,
        // Whether a token is plugged in is only told to sites the user trusts.
        tokens: allowed.then(|| state.service.token_count()),
    })
}

/// Parses the JSON body and runs a token operation off the async threads, in
/// the bounded queue, within the user-interaction timeout.
async fn token_op<Req, Resp>(
    state: &Arc<State>,
    body: &[u8],
    origin: Option<Origin>,
    op: fn(&Service, &Origin, Req) -> Result<Resp, Error>,
) -> Result<String, Error>
where
    Req: DeserializeOwned + Send + 'static,
    Resp: Serialize + Send + 'static,
{
    let origin = origin.ok_or_else(|| Error::OriginNotAllowed("(no Origin header)".into()))?;
    let request: Req =
        serde_json::from_slice(body).map_err(|e| Error::BadRequest(format!("JSON: {e}")))?;
    blocking(state, move |s| op(s, &origin, request).map(|r| json(&r))).await
}

async fn blocking<T: Send + 'static>(
    state: &Arc<State>,
    f: impl FnOnce(&Service) -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    let permit = state.guard.enqueue()?;
    let service = state.service.clone();
    let task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        f(&service)
    });
    match tokio::time::timeout(state.operation_timeout(), task).await {
        Ok(Ok(result)) => result,
        Ok(Err(join)) => Err(Error::Io(format!("internal error: {join}"))),
        Err(_) => Err(Error::UserTimeout),
    }
}

async fn read_body(
    headers: &HeaderMap,
    mut body: impl Stream<Item = Result<impl Buf, warp::Error>> + Unpin,
    limit: usize,
) -> Result<Vec<u8>, Error> {
    let declared = headers
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(Error::PayloadTooLarge);
    }
    let mut out = Vec::new();
    while let Some(chunk) = body.next().await {
        let mut chunk = chunk.map_err(|e| Error::BadRequest(format!("body: {e}")))?;
        if out.len() + chunk.remaining() > limit {
            return Err(Error::PayloadTooLarge);
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

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "{}".into())
}

fn error(e: &Error, cors: Option<&Origin>) -> Reply {
    let body = json(&ErrorResponse::from(e.body()));
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    respond(status, body, cors)
}

fn respond(status: StatusCode, body: String, cors: Option<&Origin>) -> Reply {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        "content-type",
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    h.insert("cache-control", HeaderValue::from_static("no-store"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("vary", HeaderValue::from_static("Origin"));
    if let Some(o) = cors.and_then(|o| HeaderValue::from_str(&o.to_string()).ok()) {
        h.insert("access-control-allow-origin", o);
    }
    r
}

fn preflight(origin: &Origin) -> Reply {
    let mut r = respond(StatusCode::NO_CONTENT, String::new(), Some(origin));
    let h = r.headers_mut();
    h.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    h.insert(
        "access-control-allow-headers",
        HeaderValue::from_static("Content-Type"),
    );
    // Private Network Access preflights (Chrome). Sent for allowed origins, and
    // for any origin on the two public endpoints (info, pair) so a site can
    // find the agent and ask to be allowed.
    h.insert(
        "access-control-allow-private-network",
        HeaderValue::from_static("true"),
    );
    h.insert("access-control-max-age", HeaderValue::from_static("600"));
    r
}
