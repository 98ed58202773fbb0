//! Which handler answers a request: pages and files for a GET, the JSON API
//! under `/api/` by method and path. State-changing calls must come from the
//! portal's own pages; only calls of the API use the body.

use std::sync::Arc;

use bytes::Bytes;
use warp::http::Method;

use crate::app::App;
use crate::error::Error;
use crate::http::{Answer, Request};
use crate::{api, assets};

/// Answers `request`. `body` is what the server read within its limit, or
/// why it did not: pages and files ignore it, and a call from a foreign page
/// is refused before it matters.
pub async fn handle(
    app: &Arc<App>,
    request: Request,
    body: Result<Bytes, Error>,
) -> Result<Answer, Error> {
    // Pages and files: GET only, no body.
    if !request.path.starts_with("/api/") {
        if request.method != Method::GET && request.method != Method::HEAD {
            return Err(Error::MethodNotAllowed);
        }
        return assets::serve(app, &request.path);
    }
    // A page on another site must not file submissions or log someone in
    // through the visitor's browser (CSRF): state-changing calls must come
    // from this portal's own pages.
    if request.method == Method::POST {
        let origin = request.headers.get("origin").and_then(|v| v.to_str().ok());
        if let Some(o) = origin.filter(|o| !app.logins.origins().iter().any(|own| own == o)) {
            return Err(Error::ForeignOrigin(o.to_string()));
        }
    }
    let request = Request {
        body: body?,
        ..request
    };
    call(app, &request).await
}

/// The API's table: method and path to handler.
async fn call(app: &Arc<App>, req: &Request) -> Result<Answer, Error> {
    let rest = req.path.strip_prefix("/api/").unwrap_or_default();
    let segments: Vec<&str> = rest.split('/').collect();
    let get = req.method == Method::GET || req.method == Method::HEAD;
    let post = req.method == Method::POST;
    match (segments.as_slice(), get, post) {
        (["config"], true, _) => Ok(api::config(app)),
        (["stamps", "signature.png"], true, _) => Ok(api::signature_image()),
        (["stamps", "seal.png"], true, _) => Ok(api::seal_image()),
        (["submissions"], _, true) => api::submit(app, req).await,
        (["submissions", id], true, _) => api::submission(app, id),
        (["submissions", id, "pdf"], true, _) => api::submission_pdf(app, id),
        (["login", "nonce"], _, true) => api::nonce(app),
        (["login"], _, true) => api::login(app, req),
        (["session"], true, _) => api::session(app, req),
        (["logout"], _, true) => Ok(api::logout(app, req)),
        (["documents"], true, _) => api::documents(app),
        (["documents"], _, true) => api::approve(app, req).await,
        (["documents", id], true, _) => api::document(app, id),
        (["documents", id, "pdf"], true, _) => api::document_pdf(app, id),
        (["documents", id, "preview.png"], true, _) => api::page_preview(app, req, id).await,
        (["documents", id, "issue"], _, true) => api::issue(app, req, id).await,
        (["usage"], true, _) => api::dashboard(app, req),
        (
            ["config" | "stamps" | "submissions" | "login" | "session" | "logout" | "documents"
            | "usage", ..],
            _,
            _,
        ) => Err(Error::MethodNotAllowed),
        _ => Err(Error::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use kyso_core::Localized;
    use warp::http::HeaderMap;

    use super::*;
    use crate::login::Logins;
    use crate::store::Store;
    use crate::verification::Verifier;

    const OWN: &str = "http://127.0.0.1:8080";

    fn app() -> Arc<App> {
        Arc::new(App {
            store: Store::open(Path::new(":memory:")).unwrap(),
            verifier: Verifier::new(&[]).unwrap(),
            logins: Logins::new(vec![OWN.into()]),
            static_dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("static"),
            sdk_dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("static"),
            samples_dir: None,
            agent_ports: vec![],
        })
    }

    fn request(method: Method, path: &str, origin: &str) -> Request {
        let mut headers = HeaderMap::new();
        headers.insert("origin", origin.parse().unwrap());
        Request {
            method,
            path: path.into(),
            query: String::new(),
            headers,
            body: Bytes::new(),
        }
    }

    async fn refusal(app: &Arc<App>, request: Request) -> Option<&'static str> {
        let too_large = Err(Error::PayloadTooLarge { limit: 1 });
        handle(app, request, too_large)
            .await
            .err()
            .map(|e| e.code())
    }

    #[tokio::test]
    async fn a_refused_body_matters_only_to_calls_from_the_portal() {
        let app = app();
        let foreign = request(Method::POST, "/api/submissions", "https://evil.example");
        assert_eq!(refusal(&app, foreign).await, Some("ORIGIN_NOT_ALLOWED"));
        let own = request(Method::POST, "/api/submissions", OWN);
        assert_eq!(refusal(&app, own).await, Some("PAYLOAD_TOO_LARGE"));
        let page = request(Method::GET, "/index.html", OWN);
        assert_eq!(refusal(&app, page).await, None);
        let post_page = request(Method::POST, "/index.html", OWN);
        assert_eq!(refusal(&app, post_page).await, Some("METHOD_NOT_ALLOWED"));
    }

    #[tokio::test]
    async fn the_table_tells_a_wrong_method_from_an_unknown_path() {
        let app = app();
        let ok = |r: Request| handle(&app, r, Ok(Bytes::new()));
        let code = |r: Result<Answer, Error>| r.err().map(|e| e.code());
        assert_eq!(
            code(ok(request(Method::GET, "/api/config", OWN)).await),
            None
        );
        let delete = request(Method::DELETE, "/api/config", OWN);
        assert_eq!(code(ok(delete).await), Some("METHOD_NOT_ALLOWED"));
        let unknown = request(Method::GET, "/api/nope", OWN);
        assert_eq!(code(ok(unknown).await), Some("NOT_FOUND"));
        let session = request(Method::GET, "/api/session", OWN);
        assert_eq!(code(ok(session).await), Some("NOT_LOGGED_IN"));
    }
}
