//! Shared machinery of Kyso's end-to-end tests: a provisioned SoftHSM token per
//! test binary, the real `kyso` binary, and the independent validators
//! (OpenSSL, pyHanko) the results are checked with.

#![forbid(unsafe_code)]

pub mod agent;
pub mod dss;
pub mod handmade;
pub mod ltv;
pub mod pdf;
pub mod signing;
pub mod tray;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use kyso_testkit::Manifest;

/// A provisioned token set and its PKI.
pub struct Fixture {
    pub dir: PathBuf,
    pub manifest: Manifest,
}

static FULL: OnceLock<Fixture> = OnceLock::new();
static SINGLE: OnceLock<Fixture> = OnceLock::new();

impl Fixture {
    /// The token with every test signer (rsa2048, rsa3072, p256, p384, expired,
    /// wrong-ku) plus software signers (software, foreign).
    pub fn full() -> &'static Fixture {
        FULL.get_or_init(|| Fixture::provision("full"))
    }

    /// A token with exactly one certificate.
    pub fn single() -> &'static Fixture {
        SINGLE.get_or_init(|| Fixture::provision("single"))
    }

    /// A token set of its own, for a test that changes it.
    pub fn provision_private(name: &str, set: &str) -> Fixture {
        Fixture::provision_named(&format!("{name}-{set}"), set)
    }

    fn provision(set: &str) -> Fixture {
        Fixture::provision_named(set, set)
    }

    fn provision_named(name: &str, set: &str) -> Fixture {
        let exe = std::env::current_exe().expect("current exe");
        let test_name = exe
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("test")
            .to_string();
        let dir = std::env::temp_dir()
            .join("kyso-tests")
            .join(format!("{test_name}-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("fixture dir");
        let manifest = kyso_testkit::provision(&bin("kyso-testkit"), &dir, set)
            .unwrap_or_else(|e| panic!("provisioning failed: {e}"));
        Fixture { dir, manifest }
    }

    /// `kyso` with this fixture's token as the only PKCS#11 module.
    pub fn kyso(&self) -> Command {
        let mut cmd = Command::new(bin("kyso"));
        cmd.env("SOFTHSM2_CONF", &self.manifest.softhsm2_conf)
            .env("KYSO_PKCS11_MODULE", &self.manifest.module)
            .env("LANG", "C")
            .env_remove("KYSO_LANG");
        cmd
    }

    /// The agent/CLI certificate id of a token signer.
    pub fn cert_id(&self, signer: &str) -> String {
        let s = self.manifest.signer(signer);
        format!(
            "{}:{}",
            self.manifest.tokens[0].serial,
            s.cka_id.as_deref().expect("a token signer")
        )
    }

    /// A fresh directory for one test's files.
    pub fn scratch(&self, name: &str) -> PathBuf {
        let d = self.dir.join("work").join(name);
        std::fs::create_dir_all(&d).expect("scratch dir");
        d
    }

    /// `kyso sign cms` with the PIN on stdin.
    pub fn sign_cms(&self, signer: &str, input: &Path, out: &Path, extra: &[&str]) -> Output {
        self.sign_cms_with_pin(signer, input, out, extra, &self.manifest.pin)
    }

    pub fn sign_cms_with_pin(
        &self,
        signer: &str,
        input: &Path,
        out: &Path,
        extra: &[&str],
        pin: &str,
    ) -> Output {
        let mut cmd = self.kyso();
        cmd.args(["sign", "cms"])
            .arg(input)
            .arg("--out")
            .arg(out)
            .args(["--cert", &self.cert_id(signer), "--pin-stdin"])
            .args(extra);
        run_with_stdin(cmd, &format!("{pin}\n"))
    }

    /// `kyso verify --json` trusting the test root; returns the exit code and report.
    pub fn verify(
        &self,
        p7s: &Path,
        content: Option<&Path>,
        trust_test_root: bool,
    ) -> (i32, serde_json::Value) {
        let mut cmd = self.kyso();
        cmd.arg("verify").arg(p7s).arg("--json");
        if let Some(c) = content {
            cmd.arg("--content").arg(c);
        }
        if trust_test_root {
            cmd.arg("--trust").arg(&self.manifest.root_pem);
        }
        let out = cmd.output().expect("run kyso verify");
        let code = out.status.code().unwrap_or(-1);
        let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
            panic!(
                "kyso verify printed no JSON (exit {code}): {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (code, report)
    }

    /// `openssl cms -verify` against the test root; true when OpenSSL accepts.
    pub fn openssl_verify(&self, p7s: &Path, content: Option<&Path>) -> bool {
        openssl_cms_verify(
            p7s,
            content,
            &self.manifest.root_pem,
            &self.manifest.intermediate_pem,
        )
    }

    /// Whether OpenSSL accepts `p7s` and EU DSS judges every signature of it
    /// TOTAL_PASSED: what every CAdES Kyso makes must pass.
    pub fn independently_valid(&self, p7s: &Path, content: Option<&Path>) -> bool {
        if !self.openssl_verify(p7s, content) {
            eprintln!("OpenSSL rejects {}", p7s.display());
            return false;
        }
        let dss = self.dss_verdicts(p7s, content);
        let ok = !dss.is_empty() && dss.iter().all(|(i, _)| i == "TOTAL_PASSED");
        if !ok {
            eprintln!("DSS on {}: {dss:?}", p7s.display());
        }
        ok
    }

    /// EU DSS's verdicts on `p7s` (with its detached `content`), trusting
    /// the test root: (indication, sub-indication) per signature.
    pub fn dss_verdicts(&self, p7s: &Path, content: Option<&Path>) -> Vec<(String, String)> {
        let report = dss::validate(p7s, content, &[&self.manifest.root_pem]);
        dss::verdicts(&report)
    }

    /// pyHanko's detached-signature validation against the test root.
    pub fn pyhanko_verify_detached(&self, p7s: &Path, content: &Path) -> (bool, String) {
        let (ok, text) = self.pyhanko_validate(&[&p7s.to_string_lossy()], content);
        (ok && text.contains("INTACT:TRUSTED"), text)
    }

    /// `pyhanko sign validate` trusting the test root: `--detached P7S`
    /// then `file`, or a PDF alone (`detached` empty). Its success and text.
    pub fn pyhanko_validate(&self, detached: &[&str], file: &Path) -> (bool, String) {
        let mut cmd = Command::new(pyhanko());
        cmd.args(["sign", "validate"]);
        match detached {
            [p7s] => cmd.args(["--detached", p7s]),
            // The full report, for the assertion message.
            _ => cmd.arg("--pretty-print"),
        };
        let out = cmd
            .arg("--trust")
            .arg(&self.manifest.root_pem)
            .args(["--trust-replace", "--no-revocation-check"])
            .arg(file)
            .output()
            .expect("run pyhanko");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    }
}

/// OpenSSL 3.0's form (`-certfile`; `-untrusted` came later).
pub fn openssl_cms_verify(p7s: &Path, content: Option<&Path>, root: &Path, inter: &Path) -> bool {
    let mut cmd = Command::new("openssl");
    cmd.args(["cms", "-verify", "-binary", "-inform", "DER", "-in"])
        .arg(p7s)
        .arg("-CAfile")
        .arg(root)
        .arg("-certfile")
        .arg(inter)
        .args(["-purpose", "any", "-out", "/dev/null"]);
    if let Some(c) = content {
        cmd.arg("-content").arg(c);
    }
    cmd.output().expect("run openssl").status.success()
}

/// A binary of this workspace, built beside the test executable.
pub fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    // target/<profile>/deps/<test> → target/<profile>/<name>
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target dir")
        .to_path_buf();
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: run `cargo xtask test` (or `cargo build --workspace`) first",
        path.display()
    );
    path
}

/// The pyHanko CLI: `$KYSO_PYHANKO`, else the venv `cargo xtask setup` makes.
pub fn pyhanko() -> PathBuf {
    venv_tool("KYSO_PYHANKO", "pyhanko")
}

/// The venv's Python (with pyHanko importable).
pub fn python() -> PathBuf {
    venv_tool("KYSO_PYTHON", "python")
}

fn venv_tool(var: &str, name: &str) -> PathBuf {
    if let Some(p) = std::env::var_os(var) {
        return PathBuf::from(p);
    }
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/venv/bin")
        .join(name);
    assert!(
        p.exists(),
        "{} is missing: run `cargo xtask setup` (it installs pyHanko in target/venv)",
        p.display()
    );
    p
}

/// Where tests leave files for a person to look at (renders, screenshots):
/// `$KYSO_ARTIFACTS` (set by `cargo xtask test`), else target/artifacts.
pub fn artifacts() -> PathBuf {
    let dir = std::env::var_os("KYSO_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/artifacts"));
    std::fs::create_dir_all(&dir).expect("artifacts dir");
    dir
}

/// Runs `cmd` with `input` on stdin and collects its output.
pub fn run_with_stdin(mut cmd: Command, input: &str) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // A command that fails before reading its input (a bad file is refused
    // before the PIN is asked) closes the pipe: that is not the test's error.
    match child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => panic!("write stdin: {e}"),
        _ => {}
    }
    child.wait_with_output().expect("wait")
}

/// Asserts that a command succeeded, showing its output otherwise.
pub fn assert_success(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({}): {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The first signature's `indication` and `subIndication` of a report.
pub fn verdict(report: &serde_json::Value) -> (String, String) {
    let sig = &report["signatures"][0];
    (
        sig["indication"].as_str().unwrap_or_default().to_string(),
        sig["subIndication"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

/// Flips one byte in the middle of the first occurrence of `needle` in `file`.
pub fn corrupt_inside(file: &Path, needle: &[u8]) {
    let mut bytes = std::fs::read(file).expect("read");
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("needle present");
    bytes[at + needle.len() / 2] ^= 0x01;
    std::fs::write(file, bytes).expect("write");
}
