//! The `ltv` set and its responders, judged by the OpenSSL CLI rather than by
//! Kyso: the certificates carry the status pointers, the TSA's replies verify,
//! the OCSP responder and the CRLs follow a revocation at once, and nothing
//! listens once the responders stop.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use base64::Engine;
use kyso_testkit::ltv::{free_ports, hanging_server, Responders, TSA_POLICY};
use kyso_testkit::Manifest;

/// A scratch directory removed when the test passes (kept to inspect otherwise).
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir()
            .join("kyso-tests")
            .join(format!("testkit-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Runs `openssl` in `dir`, panicking with its output when it fails; returns
/// stdout and stderr together (OpenSSL splits its verdicts between them).
fn openssl(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "openssl {args:?} failed:\n{text}");
    text
}

struct HttpAnswer {
    status: u16,
    content_type: String,
    body: Vec<u8>,
}

/// A one-request HTTP/1.1 client, enough for the front (no curl needed).
fn http(port: u16, method: &str, path: &str, content_type: &str, body: &[u8]) -> HttpAnswer {
    let mut conn = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect");
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).unwrap();
    conn.write_all(body).unwrap();
    let mut raw = Vec::new();
    conn.read_to_end(&mut raw).expect("response");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head[9..12].parse().expect("status");
    let header = |name: &str| {
        head.lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let body = raw[split + 4..].to_vec();
    assert_eq!(header("content-length"), body.len().to_string());
    assert_eq!(header("connection"), "close");
    HttpAnswer {
        status,
        content_type: header("content-type"),
        body,
    }
}

fn refused(port: u16) -> bool {
    TcpStream::connect_timeout(&(Ipv4Addr::LOCALHOST, port).into(), Duration::from_secs(1)).is_err()
}

fn provision(dir: &Path) -> (Manifest, u16, u16) {
    let ports = free_ports(2).expect("free ports");
    let front = format!("http://127.0.0.1:{}", ports[0]);
    let ocsp = format!("http://127.0.0.1:{}", ports[1]);
    let manifest = kyso_testkit::provision_with(
        Path::new(env!("CARGO_BIN_EXE_kyso-testkit")),
        dir,
        "ltv",
        &["--responders", &front, "--ocsp", &ocsp],
    )
    .expect("provision --set ltv");
    (manifest, ports[0], ports[1])
}

fn rel(dir: &Path, p: &Path) -> String {
    p.strip_prefix(dir).unwrap_or(p).display().to_string()
}

#[test]
fn ltv_set_and_responders_as_openssl_sees_them() {
    let scratch = Scratch::new("ltv");
    let dir = scratch.0.as_path();
    let (manifest, front_port, ocsp_port) = provision(dir);
    let ltv = manifest.ltv.clone().expect("ltv section");
    let base = format!("http://127.0.0.1:{front_port}");
    let ocsp_url = format!("http://127.0.0.1:{ocsp_port}");
    assert_eq!(ltv.tsa_url, format!("{base}/tsa"));
    assert_eq!(ltv.ocsp_url, ocsp_url);
    assert_eq!(
        ltv.intermediate_crl_url,
        format!("{base}/crl/intermediate.crl")
    );
    assert_eq!(ltv.tsa_policy, TSA_POLICY);
    assert_eq!(manifest.tokens[0].label, "Kyso LTV Token");
    let names: Vec<_> = manifest.signers.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["ltv", "ltv-revoked"]);
    for p in [
        &ltv.root_key_pem,
        &ltv.intermediate_key_pem,
        &ltv.tsa_key_pem,
        &ltv.ocsp_key_pem,
    ] {
        assert!(p.exists(), "{} written", p.display());
    }

    // The status pointers, as any relying party reads them.
    let signer = rel(dir, &manifest.signer("ltv").cert_pem);
    let revoked = rel(dir, &manifest.signer("ltv-revoked").cert_pem);
    let text = openssl(dir, &["x509", "-in", &signer, "-noout", "-text"]);
    assert!(text.contains(&format!("OCSP - URI:{ocsp_url}")), "{text}");
    assert!(text.contains(&format!("CA Issuers - URI:{base}/ca/intermediate.cer")));
    assert!(text.contains(&format!("URI:{base}/crl/intermediate.crl")));
    assert!(text.contains("Digital Signature, Non Repudiation"));
    assert!(text.contains("UID = CCCD:001090006789"), "{text}");
    let text = openssl(dir, &["x509", "-in", "tsa.pem", "-noout", "-text"]);
    assert!(
        text.contains("X509v3 Extended Key Usage: critical\n                Time Stamping\n"),
        "{text}"
    );
    assert!(text.contains(&format!("URI:{base}/crl/intermediate.crl")));
    assert!(text.contains(&format!("OCSP - URI:{ocsp_url}")));
    let text = openssl(dir, &["x509", "-in", "ocsp.pem", "-noout", "-text"]);
    assert!(
        text.contains("OCSP Signing") && text.contains("OCSP No Check"),
        "{text}"
    );
    assert!(!text.contains("Authority Information Access"));
    let text = openssl(dir, &["x509", "-in", "intermediate.pem", "-noout", "-text"]);
    assert!(text.contains(&format!("URI:{base}/crl/root.crl")), "{text}");
    assert!(text.contains(&format!("CA Issuers - URI:{base}/ca/root.cer")));
    assert!(!text.contains("OCSP - URI"));
    let text = openssl(dir, &["x509", "-in", "root.pem", "-noout", "-text"]);
    assert!(!text.contains("Authority Information Access") && !text.contains("CRL Distribution"));
    let text = openssl(
        dir,
        &[
            "verify",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "intermediate.pem",
            &signer,
            &revoked,
            "tsa.pem",
            "ocsp.pem",
        ],
    );
    assert_eq!(text.matches(": OK").count(), 4, "{text}");

    let mut responders = Responders::start(&manifest).expect("responders start");

    // TSA: an OpenSSL query, answered and verified against the test root.
    std::fs::write(dir.join("data.txt"), "Hợp đồng số 14/2025").unwrap();
    openssl(
        dir,
        &[
            "ts", "-query", "-data", "data.txt", "-sha256", "-cert", "-out", "q.tsq",
        ],
    );
    let query = std::fs::read(dir.join("q.tsq")).unwrap();
    let answer = http(
        front_port,
        "POST",
        "/tsa",
        "application/timestamp-query",
        &query,
    );
    assert_eq!(
        answer.status,
        200,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    assert_eq!(answer.content_type, "application/timestamp-reply");
    std::fs::write(dir.join("r.tsr"), &answer.body).unwrap();
    let text = openssl(
        dir,
        &[
            "ts",
            "-verify",
            "-in",
            "r.tsr",
            "-queryfile",
            "q.tsq",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "intermediate.pem",
        ],
    );
    assert!(text.contains("Verification: OK"), "{text}");
    let text = openssl(dir, &["ts", "-reply", "-in", "r.tsr", "-text"]);
    assert!(
        text.contains(&format!("Policy OID: {TSA_POLICY}")),
        "{text}"
    );
    assert!(text.contains("Status: Granted."), "{text}");
    assert_eq!(responders.hits("/tsa"), 1);
    let wrong = http(
        front_port,
        "POST",
        "/tsa",
        "application/octet-stream",
        &query,
    );
    assert_eq!(wrong.status, 415);
    assert_eq!(
        http(front_port, "GET", "/nothing", "text/plain", b"").status,
        404
    );
    assert_eq!(responders.hits("/nothing"), 1);

    // CA certificates, DER.
    let inter = http(front_port, "GET", "/ca/intermediate.cer", "text/plain", b"");
    assert_eq!(inter.status, 200);
    assert_eq!(inter.content_type, "application/pkix-cert");
    std::fs::write(dir.join("inter.cer"), &inter.body).unwrap();
    let fetched = openssl(
        dir,
        &[
            "x509",
            "-inform",
            "DER",
            "-in",
            "inter.cer",
            "-noout",
            "-fingerprint",
        ],
    );
    let on_disk = openssl(
        dir,
        &["x509", "-in", "intermediate.pem", "-noout", "-fingerprint"],
    );
    assert_eq!(fetched, on_disk);
    assert_eq!(
        http(front_port, "GET", "/ca/root.cer", "text/plain", b"").status,
        200
    );

    // OCSP: good for everything the intermediate issued.
    let ocsp_check = |cert: &str| {
        openssl(
            dir,
            &[
                "ocsp",
                "-issuer",
                "intermediate.pem",
                "-cert",
                cert,
                "-url",
                &ocsp_url,
                "-CAfile",
                "root.pem",
                "-resp_text",
            ],
        )
    };
    let text = ocsp_check(&signer);
    assert!(text.contains("Response verify OK"), "{text}");
    assert!(text.contains(&format!("{signer}: good")), "{text}");
    assert!(ocsp_check("tsa.pem").contains("tsa.pem: good"));
    // Clients at once: each request has its own OpenSSL run.
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..4).map(|_| s.spawn(|| ocsp_check(&revoked))).collect();
        for w in workers {
            let text = w.join().expect("concurrent OCSP client");
            assert!(text.contains(&format!("{revoked}: good")), "{text}");
        }
    });
    assert_eq!(responders.ocsp_hits(), 6);

    // CRLs: signed by their CA, nothing revoked yet.
    let crl = |name: &str| {
        let answer = http(
            front_port,
            "GET",
            &format!("/crl/{name}.crl"),
            "text/plain",
            b"",
        );
        assert_eq!(answer.status, 200);
        assert_eq!(answer.content_type, "application/pkix-crl");
        let file = format!("{name}.crl");
        std::fs::write(dir.join(&file), &answer.body).unwrap();
        let ca = format!("{name}.pem");
        openssl(
            dir,
            &[
                "crl", "-inform", "DER", "-in", &file, "-CAfile", &ca, "-text",
            ],
        )
    };
    let text = crl("intermediate");
    assert!(
        text.contains("verify OK") && text.contains("No Revoked Certificates"),
        "{text}"
    );
    assert!(
        text.contains("X509v3 CRL Number") && text.contains("Next Update"),
        "{text}"
    );
    let text = crl("root");
    assert!(
        text.contains("verify OK") && text.contains("No Revoked Certificates"),
        "{text}"
    );

    // Revocation: the next OCSP answer and the new CRL both say so.
    responders
        .revoke(&manifest.signer("ltv-revoked").cert_pem, "keyCompromise")
        .expect("revoke");
    let text = ocsp_check(&revoked);
    assert!(text.contains(&format!("{revoked}: revoked")), "{text}");
    assert!(text.contains("Reason: keyCompromise"), "{text}");
    assert!(ocsp_check(&signer).contains(&format!("{signer}: good")));
    let serial = openssl(dir, &["x509", "-in", &revoked, "-noout", "-serial"]);
    let serial = serial.trim().trim_start_matches("serial=");
    let text = crl("intermediate");
    assert!(
        text.contains(&format!("Serial Number: {serial}")),
        "{serial} in {text}"
    );
    assert!(text.contains("Key Compromise"), "{text}");
    assert!(responders
        .revoke(&manifest.signer("ltv-revoked").cert_pem, "keyCompromise")
        .is_err());
    assert!(responders.revoke(&manifest.root_pem, "superseded").is_err());

    // RFC 6960 GET: the base64 request in the path.
    openssl(
        dir,
        &[
            "ocsp",
            "-issuer",
            "intermediate.pem",
            "-cert",
            &revoked,
            "-reqout",
            "get.req",
        ],
    );
    let req = std::fs::read(dir.join("get.req")).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(req);
    let path = format!(
        "/{}",
        b64.replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D")
    );
    let answer = http(ocsp_port, "GET", &path, "text/plain", b"");
    assert_eq!(answer.content_type, "application/ocsp-response");
    std::fs::write(dir.join("get.resp"), &answer.body).unwrap();
    let text = openssl(
        dir,
        &[
            "ocsp",
            "-respin",
            "get.resp",
            "-issuer",
            "intermediate.pem",
            "-cert",
            &revoked,
            "-CAfile",
            "root.pem",
            "-no_nonce",
        ],
    );
    assert!(text.contains(&format!("{revoked}: revoked")), "{text}");

    // Stopped: nothing listens any more.
    responders.stop();
    assert!(refused(front_port), "front still listening");
    assert!(refused(ocsp_port), "OCSP still listening");
}

#[test]
fn hanging_server_accepts_and_never_answers() {
    let (port, guard) = hanging_server().expect("hanging server");
    assert_eq!(guard.port(), port);
    let mut conn = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("accepts");
    conn.write_all(b"POST /tsa HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        .unwrap();
    conn.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut buf = [0u8; 16];
    // Signals (the children other tests run) interrupt reads: only the
    // timeout counts.
    let err = loop {
        match conn.read(&mut buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => break e,
            Ok(n) => panic!("the hanging server answered {n} bytes"),
        }
    };
    assert!(
        matches!(
            err.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
        "{err:?}"
    );
    drop(guard);
    assert!(refused(port), "hanging server still listening");
    // Its connections are closed with it.
    conn.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let closed = loop {
        match conn.read(&mut buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => break other,
        }
    };
    assert!(
        matches!(&closed, Ok(0))
            || matches!(&closed, Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset),
        "{closed:?}"
    );
}

#[test]
fn ltv_arguments_are_checked() {
    let scratch = Scratch::new("ltv-args");
    let exe = Path::new(env!("CARGO_BIN_EXE_kyso-testkit"));
    let err = kyso_testkit::provision(exe, &scratch.0, "ltv").expect_err("URLs required");
    assert!(err.contains("--responders"), "{err}");
    let err = kyso_testkit::provision_with(
        exe,
        &scratch.0,
        "ltv",
        &[
            "--responders",
            "http://10.0.0.1:80",
            "--ocsp",
            "http://127.0.0.1:9",
        ],
    )
    .expect_err("loopback only");
    assert!(err.contains("127.0.0.1"), "{err}");
    let err = kyso_testkit::provision_with(
        exe,
        &scratch.0,
        "single",
        &[
            "--responders",
            "http://127.0.0.1:8",
            "--ocsp",
            "http://127.0.0.1:9",
        ],
    )
    .expect_err("ltv only");
    assert!(err.contains("ltv set"), "{err}");
}
