//! EU DSS, the reference validator (ETSI EN 319 102-1), through the Maven
//! harness in `tests/dss/` (`cargo xtask setup` builds it into
//! `target/dss/kyso-dss.jar`). One JVM per test binary answers every request
//! (`serve`: one JSON line in, one out), so a hundred validations cost one
//! start-up.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Mutex, OnceLock};

use serde_json::{json, Value};

struct Server {
    _child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

static SERVER: OnceLock<Mutex<Server>> = OnceLock::new();

/// The harness jar: `$KYSO_DSS_JAR`, else `target/dss/kyso-dss.jar`.
pub fn jar() -> PathBuf {
    let p = std::env::var_os("KYSO_DSS_JAR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/dss/kyso-dss.jar")
        });
    assert!(
        p.exists(),
        "{} is missing: run `cargo xtask setup` (it builds the DSS harness with Maven)",
        p.display()
    );
    p
}

fn server() -> &'static Mutex<Server> {
    SERVER.get_or_init(|| {
        let mut child = Command::new("java")
            .arg("-jar")
            .arg(jar())
            .arg("serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start java (the DSS harness)");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        Mutex::new(Server {
            _child: child,
            stdin,
            stdout,
        })
    })
}

/// Sends one request to the harness and returns its answer.
pub fn request(request: Value) -> Value {
    let mut s = server().lock().unwrap_or_else(|e| e.into_inner());
    let line = serde_json::to_string(&request).expect("request JSON");
    writeln!(s.stdin, "{line}").expect("write to the DSS harness");
    s.stdin.flush().expect("flush");
    let mut answer = String::new();
    s.stdout
        .read_line(&mut answer)
        .expect("read from the DSS harness");
    assert!(!answer.is_empty(), "the DSS harness ended");
    serde_json::from_str(&answer).unwrap_or_else(|e| panic!("DSS answer {answer}: {e}"))
}

/// DSS's simple report for `file` (and its detached `content`), trusting
/// `trust` (PEM files): `{"signatures":[{"indication","subIndication","level"…}]}`.
pub fn validate(file: &Path, content: Option<&Path>, trust: &[&Path]) -> Value {
    // Kyso does not fetch revocation data yet; the harness's `kyso` policy
    // (DSS's default, built at run time with revocation availability relaxed
    // to a warning) makes both judge the same things. See tests/dss/README.md.
    let mut r = json!({ "cmd": "validate", "file": file, "trust": trust, "policy": "kyso" });
    if let Some(c) = content {
        r["content"] = json!(c);
    }
    request(r)
}

/// DSS's (indication, sub-indication) of each signature, in file order.
pub fn verdicts(report: &Value) -> Vec<(String, String)> {
    report["signatures"]
        .as_array()
        .unwrap_or_else(|| panic!("DSS gave no signatures: {report}"))
        .iter()
        .map(|s| {
            (
                s["indication"].as_str().unwrap_or("?").to_string(),
                s["subIndication"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Signs with DSS or PDFBox (`cmd` is `sign-pades`, `sign-cades` or
/// `sign-pdfbox`); `options` are the harness's option names.
pub fn sign(cmd: &str, input: &Path, out: &Path, options: Value) {
    let mut r = options;
    r["cmd"] = json!(cmd);
    r["in"] = json!(input);
    r["out"] = json!(out);
    let answer = request(r);
    assert_eq!(answer["ok"], json!(true), "{cmd}: {answer}");
}

/// Validates Kyso's ETSI TS 119 102-2 report against the schema DSS ships.
pub fn check_etsi_report(xml: &Path) -> Value {
    request(json!({ "cmd": "check-etsi-report", "file": xml }))
}
