//! Real browsers for end-to-end tests: a static file server for the page and
//! the SDK, and a minimal W3C WebDriver client for chromedriver and
//! geckodriver (no client library: a session, a URL, an async script).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

/// Serves files under `root` on 127.0.0.1 until dropped (thread per request).
pub struct StaticServer {
    /// The port the system chose.
    pub port: u16,
    address: &'static str,
}

impl StaticServer {
    /// On 127.0.0.1, a port the system chooses.
    pub fn start(root: PathBuf) -> StaticServer {
        Self::start_on("127.0.0.1", root)
    }

    /// On another loopback address (127.0.0.2 plays a public site).
    pub fn start_on(address: &'static str, root: PathBuf) -> StaticServer {
        let listener = TcpListener::bind((address, 0)).expect("bind static server");
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let root = root.clone();
                std::thread::spawn(move || serve(stream, &root));
            }
        });
        StaticServer { port, address }
    }

    /// `http://address:port`, what the page's `location.origin` is.
    pub fn origin(&self) -> String {
        format!("http://{}:{}", self.address, self.port)
    }
}

fn serve(mut stream: TcpStream, root: &Path) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    // Drain the headers.
    let mut h = String::new();
    while reader.read_line(&mut h).map(|n| n > 2).unwrap_or(false) {
        h.clear();
    }
    let path = line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .split('?')
        .next()
        .unwrap_or("/");
    let rel = if path == "/" {
        "index.html"
    } else {
        path.trim_start_matches('/')
    };
    let file = root.join(rel);
    let (status, body) = if !rel.contains("..") && file.is_file() {
        ("200 OK", std::fs::read(&file).unwrap_or_default())
    } else {
        ("404 Not Found", b"not found".to_vec())
    };
    let kind = match file.extension().and_then(|e| e.to_str()) {
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("html") => "text/html; charset=utf-8",
        _ => "application/octet-stream",
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

/// Which browser to drive.
#[derive(Clone, Copy, Debug)]
pub enum Browser {
    /// Chromium through chromedriver.
    Chromium,
    /// Firefox through geckodriver.
    Firefox,
}

/// A WebDriver session in a headless browser; quits when dropped.
pub struct Session {
    driver: Child,
    port: u16,
    id: String,
    _profile: PathBuf,
}

/// How to launch the browser beyond the defaults every test needs.
#[derive(Debug, Default, Clone)]
pub struct Launch {
    /// Extra command-line flags for Chromium.
    pub chromium_flags: Vec<String>,
    /// `about:config` preferences for Firefox (a JSON object).
    pub firefox_prefs: serde_json::Map<String, Value>,
}

impl Launch {
    /// Tells `browser` that the site on `address:port` (plain http, on
    /// loopback) is a public one, so Local Network Access applies to it as
    /// to a real portal: the way to test that without leaving loopback.
    pub fn public_site(browser: Browser, address: &str, port: u16) -> Launch {
        let mut launch = Launch::default();
        match browser {
            Browser::Chromium => {
                launch.chromium_flags = vec![
                    format!("--ip-address-space-overrides={address}:{port}=public"),
                    format!("--unsafely-treat-insecure-origin-as-secure=http://{address}:{port}"),
                ]
            }
            Browser::Firefox => {
                launch.firefox_prefs.insert(
                    "network.lna.address_space.public.override".into(),
                    format!("{address}:{port}").into(),
                );
            }
        }
        launch
    }
}

impl Session {
    /// Starts the driver and a headless browser with a fresh profile under
    /// `scratch`.
    pub fn start(browser: Browser, scratch: &Path) -> Session {
        Self::start_with(browser, scratch, &Launch::default())
    }

    /// With extra Chromium flags or Firefox preferences.
    pub fn start_with(browser: Browser, scratch: &Path, launch: &Launch) -> Session {
        let port = free_port();
        let (exe, args): (PathBuf, Vec<String>) = match browser {
            Browser::Chromium => (
                "/usr/bin/chromedriver".into(),
                vec![format!("--port={port}")],
            ),
            Browser::Firefox => (geckodriver(), vec!["--port".into(), port.to_string()]),
        };
        let driver = Command::new(exe)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the WebDriver server");
        wait_for_port(port);
        let profile = scratch.join(format!("profile-{port}"));
        std::fs::create_dir_all(&profile).unwrap();
        let mut chromium_args: Vec<String> = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ]
        .map(String::from)
        .to_vec();
        chromium_args.push(format!("--user-data-dir={}", profile.display()));
        chromium_args.extend(launch.chromium_flags.iter().cloned());
        let capabilities = match browser {
            Browser::Chromium => json!({
                "browserName": "chrome",
                "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": chromium_args }
            }),
            Browser::Firefox => json!({
                "browserName": "firefox",
                "moz:firefoxOptions": {
                    "binary": "/usr/bin/firefox-esr",
                    "args": ["-headless", "-profile", profile.display().to_string()],
                    "prefs": launch.firefox_prefs
                }
            }),
        };
        let created = wd(
            port,
            "POST",
            "/session",
            Some(json!({"capabilities": {"alwaysMatch": capabilities}})),
        );
        let id = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {created}"))
            .to_string();
        let session = Session {
            driver,
            port,
            id,
            _profile: profile,
        };
        session.command("POST", "/timeouts", Some(json!({"script": 120_000})));
        // A desktop's window, so screenshots show pages as users see them.
        session.command(
            "POST",
            "/window/rect",
            Some(json!({"width": 1280, "height": 1000})),
        );
        session
    }

    /// WebDriver "Set Permission" for the current page's origin.
    pub fn set_permission(&self, name: &str, state: &str) -> Value {
        self.command(
            "POST",
            "/permissions",
            Some(json!({"descriptor": {"name": name}, "state": state})),
        )
    }

    /// Puts a local file into the page's `<input type=file>` matched by `css`:
    /// the page then holds a disk-backed `File`, as when a user picks one.
    pub fn upload(&self, css: &str, path: &Path) {
        let found = self.command(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        let element = found["value"]
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}: {found}"))
            .to_string();
        let r = self.command(
            "POST",
            &format!("/element/{element}/value"),
            Some(json!({"text": path.display().to_string()})),
        );
        assert!(r["value"].is_null(), "upload failed: {r}");
    }

    /// A PNG of the viewport, for a person to look at.
    pub fn screenshot(&self, path: &Path) {
        let shot = self.command("GET", "/screenshot", None);
        let png = shot["value"]
            .as_str()
            .and_then(|b| {
                use base64::Engine;
                base64::engine::general_purpose::STANDARD.decode(b).ok()
            })
            .unwrap_or_else(|| panic!("no screenshot: {shot}"));
        std::fs::write(path, png).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }

    /// Navigates to `url` and waits for the page to load.
    pub fn goto(&self, url: &str) {
        self.command("POST", "/url", Some(json!({"url": url})));
    }

    /// Runs `body` as an async function in the page; its return value (JSON)
    /// comes back, or `{"error": …}` if it throws.
    pub fn run(&self, body: &str) -> Value {
        let script = format!(
            "const done = arguments[arguments.length - 1];\n(async () => {{ {body} }})().then(v => done({{ok: v}}), e => done({{error: {{code: e && e.code, message: String(e && e.message || e), messageVi: e && e.messageVi}}}}));"
        );
        let v = self.command(
            "POST",
            "/execute/async",
            Some(json!({"script": script, "args": []})),
        );
        v["value"].clone()
    }

    fn command(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        wd(
            self.port,
            method,
            &format!("/session/{}{path}", self.id),
            body,
        )
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = wd(self.port, "DELETE", &format!("/session/{}", self.id), None);
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn geckodriver() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .expect("HOME");
    home.join("bin/geckodriver")
}

fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16) {
    for _ in 0..100 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("WebDriver server did not start on {port}");
}

/// One WebDriver HTTP call. The drivers keep connections open whatever the
/// request says, so the body is read by its length (or chunks), not to EOF.
fn wd(port: u16, method: &str, path: &str, body: Option<Value>) -> Value {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect WebDriver");
    s.set_read_timeout(Some(Duration::from_secs(180))).unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut reader = BufReader::new(s);
    let mut length = None;
    let mut chunked = false;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        let l = line.trim_end().to_ascii_lowercase();
        if l.is_empty() {
            break;
        }
        if let Some(v) = l.strip_prefix("content-length:") {
            length = v.trim().parse::<usize>().ok();
        }
        if l.starts_with("transfer-encoding:") && l.contains("chunked") {
            chunked = true;
        }
    }
    let mut payload = Vec::new();
    if chunked {
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap_or(0);
            let n = usize::from_str_radix(line.trim(), 16).unwrap_or(0);
            if n == 0 {
                break;
            }
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk).unwrap();
            payload.extend_from_slice(&chunk[..n]);
        }
    } else if let Some(n) = length {
        payload.resize(n, 0);
        reader.read_exact(&mut payload).unwrap();
    }
    serde_json::from_slice(&payload).unwrap_or(Value::Null)
}
