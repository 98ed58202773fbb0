//! The portal's files: its pages (`/`, `/NAME.html`, `/static/…`), the SDK
//! (`/kyso/…`) and the sample PDFs (`/samples/…`), each from its own
//! directory and never above it.

use std::path::{Component, Path, PathBuf};

use crate::app::App;
use crate::error::Error;
use crate::http::Answer;

/// The file behind a GET of `path`.
pub fn serve(app: &App, path: &str) -> Result<Answer, Error> {
    let (root, rel) = if path == "/" {
        (app.static_dir.as_path(), "index.html")
    } else if let Some(rel) = path.strip_prefix("/kyso/") {
        (app.sdk_dir.as_path(), rel)
    } else if let Some(rel) = path.strip_prefix("/samples/") {
        let dir = app.samples_dir.as_deref().ok_or(Error::NotFound)?;
        (dir, rel)
    } else if let Some(rel) = path.strip_prefix("/static/") {
        (app.static_dir.as_path(), rel)
    } else if path.ends_with(".html") && path[1..].find('/').is_none() {
        (app.static_dir.as_path(), &path[1..])
    } else {
        return Err(Error::NotFound);
    };
    let file = inside(root, rel).ok_or(Error::NotFound)?;
    let bytes = std::fs::read(&file).map_err(|_| Error::NotFound)?;
    Ok(Answer::File {
        content_type: content_type(&file),
        bytes,
        disposition: None,
    })
}

/// `root/rel` when `rel` is a plain relative path (no `..`, no root, no
/// drive): a request cannot climb out of `root`.
fn inside(root: &Path, rel: &str) -> Option<PathBuf> {
    let decoded = percent_decode(rel)?;
    let rel = Path::new(&decoded);
    if decoded.is_empty() || !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return None;
    }
    Some(root.join(rel))
}

/// `%XX` escapes (browsers send them for Vietnamese file names).
fn percent_decode(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hi = (bytes.next()? as char).to_digit(16)?;
            let lo = (bytes.next()? as char).to_digit(16)?;
            out.push((hi * 16 + lo) as u8);
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("pdf") => "application/pdf",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        Some("ttf") => "font/ttf",
        Some("json") => "application/json",
        Some("txt" | "md") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_stay_inside_their_directory() {
        let root = Path::new("/srv/static");
        assert_eq!(inside(root, "app.css"), Some(root.join("app.css")));
        assert_eq!(
            inside(root, "h%E1%BB%93-s%C6%A1.pdf"),
            Some(root.join("hồ-sơ.pdf"))
        );
        for bad in [
            "../secret",
            "a/../../b",
            "/etc/passwd",
            "%2e%2e/x",
            "",
            "%zz",
        ] {
            assert_eq!(inside(root, bad), None, "{bad}");
        }
    }

    #[test]
    fn wasm_is_served_as_wasm() {
        assert_eq!(
            content_type(Path::new("kyso_wasm_bg.wasm")),
            "application/wasm"
        );
        assert_eq!(content_type(Path::new("x.JS")), "application/octet-stream");
    }
}
