//! A running `kyso-agent` for tests, and a raw HTTP/1.1 client that can send
//! the hostile requests a real client library would refuse to (foreign Host,
//! no Origin, oversized bodies).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::{bin, Fixture};

/// A running agent; killed when dropped.
pub struct Agent {
    child: Child,
    pub port: u16,
    pub dir: PathBuf,
    pub audit: PathBuf,
}

/// An HTTP response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: String,
    /// The body as sent (binary answers: PDFs, images).
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The body as the kyso-wire type `T`: a reply the wire contract does
    /// not describe fails the test.
    pub fn wire<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not a {} ({e}): {}", std::any::type_name::<T>(), self.body))
    }

    /// Asserts that this is the error `status` with `code`.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.code(), code, "{}", self.body);
    }

    /// The `error.code` of an error reply, read as the wire's error body.
    pub fn code(&self) -> String {
        self.wire::<kyso_wire::api::error::ErrorResponse>()
            .error
            .code
    }
}

/// The origins every agent test config allows, unattended.
pub const ORIGINS: [&str; 4] = [
    "http://127.0.0.1:8080",
    "http://127.0.0.1:8081",
    "https://portal.example.gov.vn",
    "https://staff.example.gov.vn",
];

impl Agent {
    /// Starts an agent on `fx`'s token with the unattended approver and the
    /// test origins, plus `extra` TOML appended to the config.
    pub fn start(fx: &Fixture, name: &str, extra: &str) -> Agent {
        Self::start_full(fx, name, extra, &fx.manifest.pin, &[])
    }

    /// Like [`Agent::start`] with the PIN the unattended approver reads
    /// (a wrong one, say) and extra environment (another token set).
    pub fn start_full(
        fx: &Fixture,
        name: &str,
        extra: &str,
        pin: &str,
        env: &[(&str, &str)],
    ) -> Agent {
        let dir = fx.scratch(&format!("agent-{name}"));
        let pin_file = dir.join("pin");
        std::fs::write(&pin_file, pin).unwrap();
        set_mode(&pin_file, 0o600);
        let audit = dir.join("audit.jsonl");
        let _ = std::fs::remove_file(&audit);
        let mut config = format!(
            "[server]\nport = 0\n[pkcs11]\nmodules = [\"{}\"]\n[approver]\nmode = \"unattended\"\npin_file = \"{}\"\ntimeout_seconds = 30\n[audit]\npath = \"{}\"\n",
            fx.manifest.module.display(),
            pin_file.display(),
            audit.display()
        );
        for o in ORIGINS {
            config.push_str(&format!(
                "[[origins]]\norigin = \"{o}\"\nunattended = true\n"
            ));
        }
        config.push_str(extra);
        Self::start_with_env(fx, &dir, &config, env)
            .unwrap_or_else(|e| panic!("agent did not start: {e}"))
    }

    /// Starts an agent with a literal config; `Err(stderr)` if it exits.
    pub fn start_with_config(fx: &Fixture, dir: &Path, config: &str) -> Result<Agent, String> {
        Self::start_with_env(fx, dir, config, &[])
    }

    /// Like [`Agent::start_with_config`] with extra environment (e.g.
    /// `DISPLAY` for the dialog approver).
    pub fn start_with_env(
        fx: &Fixture,
        dir: &Path,
        config: &str,
        env: &[(&str, &str)],
    ) -> Result<Agent, String> {
        let path = dir.join("agent.toml");
        std::fs::write(&path, config).unwrap();
        let mut child = Command::new(bin("kyso-agent"))
            .arg("--config")
            .arg(&path)
            .env("SOFTHSM2_CONF", &fx.manifest.softhsm2_conf)
            .env("HOME", dir)
            // No icon in the developer's own tray; tests/agent_tray.rs hands
            // the agent a private bus.
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            // After the defaults, so a test may point at another token set.
            .envs(env.iter().copied())
            .env_remove("KYSO_PKCS11_MODULE")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn kyso-agent");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).ok();
        let Some(port) = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse::<u16>().ok())
        else {
            let _ = child.wait();
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                e.read_to_string(&mut err).ok();
            }
            return Err(err);
        };
        let audit = config
            .lines()
            .find_map(|l| l.strip_prefix("path = \""))
            .map(|p| PathBuf::from(p.trim_end_matches('"')))
            .unwrap_or_default();
        Ok(Agent {
            child,
            port,
            dir: dir.to_path_buf(),
            audit,
        })
    }

    /// GET with an Origin.
    pub fn get(&self, path: &str, origin: Option<&str>) -> Reply {
        let mut h = vec![];
        if let Some(o) = origin {
            h.push(("Origin", o.to_string()));
        }
        self.request("GET", path, &h, b"")
    }

    /// POST JSON with an Origin.
    pub fn post(&self, path: &str, origin: Option<&str>, body: &serde_json::Value) -> Reply {
        let mut h = vec![("Content-Type", "application/json".to_string())];
        if let Some(o) = origin {
            h.push(("Origin", o.to_string()));
        }
        self.request("POST", path, &h, body.to_string().as_bytes())
    }

    /// Any request; `Host` defaults to 127.0.0.1:port unless given.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
        body: &[u8],
    ) -> Reply {
        http(self.port, method, path, headers, body)
    }

    /// The audit log's lines.
    pub fn audit_lines(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.audit)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("audit line is JSON"))
            .collect()
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The process id (a tray icon's D-Bus name carries it).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits up to `timeout` for the agent to end by itself; how it ended,
    /// or `None` if it is still running.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let started = std::time::Instant::now();
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) if started.elapsed() < timeout => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                _ => return None,
            }
        }
    }

    /// Stops the agent (if it still runs) and returns what it wrote on stderr.
    pub fn stop(&mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            e.read_to_string(&mut err).ok();
        }
        err
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request with `Connection: close`.
pub fn http(port: u16, method: &str, path: &str, headers: &[(&str, String)], body: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to agent");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\n");
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        req.push_str(&format!("Host: 127.0.0.1:{port}\r\n"));
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if !headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-length"))
    {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("Connection: close\r\n\r\n");
    stream.write_all(req.as_bytes()).unwrap();
    // The agent may answer (413) before reading the whole body; a reset
    // while writing the rest is expected then.
    let _ = stream.write_all(body);
    let mut raw = Vec::new();
    let read = stream.read_to_end(&mut raw);
    let mut reply = parse(&raw);
    if let (0, Err(e)) = (reply.status, read) {
        // Say why there is no reply, for the assertion that will fail.
        reply.body = format!("no reply: {e} ({:?})", e.kind());
    }
    reply
}

fn parse(raw: &[u8]) -> Reply {
    let bytes = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| raw[at + 4..].to_vec())
        .unwrap_or_default();
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_string(),
        bytes,
    }
}

#[cfg(unix)]
pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}
