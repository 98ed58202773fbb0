//! The agent's controls (SECURITY.md § Controls), each exercised by a real request over
//! loopback against a real SoftHSM token.

use std::net::TcpListener;

use kyso_tests::agent::{http, set_mode, Agent, ORIGINS};
use kyso_tests::Fixture;
use serde_json::json;

const FOREIGN: &str = "https://evil.example";

#[test]
fn foreign_missing_and_rebinding_requests_are_refused_without_cors() {
    let fx = Fixture::full();
    let agent = Agent::start(fx, "origins", "");

    let ok = agent.get("/v1/certificates", Some(ORIGINS[0]));
    assert_eq!(ok.status, 200);
    assert_eq!(ok.headers["access-control-allow-origin"], ORIGINS[0]);
    assert_eq!(ok.json()["certificates"].as_array().unwrap().len(), 6);

    let foreign = agent.get("/v1/certificates", Some(FOREIGN));
    assert_eq!(
        (foreign.status, foreign.code().as_str()),
        (403, "ORIGIN_NOT_ALLOWED")
    );
    assert!(!foreign.headers.contains_key("access-control-allow-origin"));
    assert!(foreign.json()["error"]["messageVi"]
        .as_str()
        .unwrap()
        .contains("không được phép"));

    let missing = agent.get("/v1/certificates", None);
    assert_eq!(
        (missing.status, missing.code().as_str()),
        (403, "ORIGIN_NOT_ALLOWED")
    );

    for origin in [
        "null",
        "https://portal.example.gov.vn.evil.example",
        "http://portal.example.gov.vn",
    ] {
        let r = agent.get("/v1/certificates", Some(origin));
        assert_eq!(r.status, 403, "{origin}");
    }

    for host in ["evil.example", "127.0.0.1.nip.io", "localhost:1"] {
        let host = if host.contains(':') {
            host.to_string()
        } else {
            format!("{host}:{}", agent.port)
        };
        let r = agent.request(
            "GET",
            "/v1/info",
            &[("Host", host.clone()), ("Origin", ORIGINS[0].into())],
            b"",
        );
        assert_eq!(
            (r.status, r.code().as_str()),
            (403, "HOST_NOT_ALLOWED"),
            "{host}"
        );
    }
    for host in [
        format!("localhost:{}", agent.port),
        format!("[::1]:{}", agent.port),
    ] {
        let r = agent.request("GET", "/v1/info", &[("Host", host.clone())], b"");
        assert_eq!(r.status, 200, "{host}");
    }
}

#[test]
fn info_tells_any_page_the_agent_exists_but_not_about_tokens() {
    let fx = Fixture::full();
    let agent = Agent::start(fx, "info", "");
    let typed: kyso_wire::api::info::InfoResponse = agent.get("/v1/info", Some(ORIGINS[1])).wire();
    assert_eq!(typed.api, kyso_wire::api::API_VERSION);
    let mine = agent.get("/v1/info", Some(ORIGINS[1])).json();
    assert_eq!(mine["name"], "kyso-agent");
    assert_eq!(mine["api"], 1);
    assert_eq!(mine["tokens"], 1);
    assert_eq!(mine["originAllowed"], true);
    let theirs = agent.get("/v1/info", Some(FOREIGN));
    assert_eq!(theirs.status, 200);
    assert_eq!(theirs.json()["originAllowed"], false);
    assert!(theirs.json().get("tokens").is_none());
}

#[test]
fn preflight_answers_only_allowed_origins() {
    let fx = Fixture::full();
    let agent = Agent::start(fx, "preflight", "");
    let pre = |origin: &str| {
        agent.request(
            "OPTIONS",
            "/v1/sign",
            &[
                ("Origin", origin.to_string()),
                ("Access-Control-Request-Method", "POST".into()),
                ("Access-Control-Request-Private-Network", "true".into()),
            ],
            b"",
        )
    };
    let ok = pre(ORIGINS[2]);
    assert_eq!(ok.status, 204);
    assert_eq!(ok.headers["access-control-allow-origin"], ORIGINS[2]);
    assert_eq!(ok.headers["access-control-allow-private-network"], "true");
    assert!(ok.headers["access-control-allow-methods"].contains("POST"));
    let bad = pre(FOREIGN);
    assert_eq!(bad.status, 403);
    assert!(!bad.headers.contains_key("access-control-allow-origin"));
    assert!(!bad
        .headers
        .contains_key("access-control-allow-private-network"));
    assert!(bad.headers.values().all(|v| v != "*"));
}

#[test]
fn bad_input_gets_clear_errors() {
    let fx = Fixture::full();
    let agent = Agent::start(fx, "bad-input", "[limits]\nbody_bytes = 4096\n");
    let o = Some(ORIGINS[0]);
    let cert = fx.cert_id("rsa2048");

    let big = vec![b'x'; 10_000];
    let r = agent.request("POST", "/v1/sign", &[("Origin", ORIGINS[0].into())], &big);
    assert_eq!((r.status, r.code().as_str()), (413, "PAYLOAD_TOO_LARGE"));

    let r = agent.request(
        "POST",
        "/v1/sign",
        &[("Origin", ORIGINS[0].into())],
        b"{\"certificateId\": ",
    );
    assert_eq!((r.status, r.code().as_str()), (400, "BAD_REQUEST"));

    // A bare hash where signed attributes belong: the agent is no hash oracle.
    let r = agent.post("/v1/sign", o, &json!({
        "certificateId": cert, "signedAttributes": "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=", "documentName": "x"
    }));
    assert_eq!((r.status, r.code().as_str()), (400, "BAD_REQUEST"));
    assert!(r.body.contains("signed attributes"), "{}", r.body);

    let r = agent.post(
        "/v1/sign",
        o,
        &json!({"certificateId": cert, "signedAttributes": "***", "documentName": "x"}),
    );
    assert_eq!(r.status, 400);
    let r = agent.post(
        "/v1/sign",
        o,
        &json!({"certificateId": cert, "documentName": "x", "extra": 1}),
    );
    assert_eq!(r.status, 400);

    let attrs = kyso_tests::signing::signed_attributes(fx, "rsa2048", b"doc");
    let r = agent.post(
        "/v1/sign",
        o,
        &json!({
            "certificateId": "0000:01", "signedAttributes": attrs, "documentName": "x"
        }),
    );
    assert_eq!((r.status, r.code().as_str()), (404, "TOKEN_NOT_FOUND"));
    let other_key = format!("{}:77", fx.manifest.tokens[0].serial);
    let r = agent.post(
        "/v1/sign",
        o,
        &json!({"certificateId": other_key, "signedAttributes": attrs, "documentName": "x"}),
    );
    assert_eq!(
        (r.status, r.code().as_str()),
        (404, "CERTIFICATE_NOT_FOUND")
    );

    let r = agent.post("/v1/authenticate", o, &json!({"nonce": "c2hvcnQ"}));
    assert_eq!((r.status, r.code().as_str()), (400, "BAD_REQUEST"));

    assert_eq!(agent.get("/v1/nope", o).status, 404);
    assert_eq!(agent.get("/v1/sign", o).status, 405);
    assert_eq!(agent.post("/v1/certificates", o, &json!({})).status, 405);
}

#[test]
fn raw_hash_signing_only_for_flagged_origins() {
    let fx = Fixture::full();
    let extra = "[[origins]]\norigin = \"https://old.example.gov.vn\"\nunattended = true\nallow_raw_hash = true\n";
    let agent = Agent::start(fx, "raw-hash", extra);
    let body = json!({
        "certificateId": fx.cert_id("p256"),
        "digest": "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=",
        "digestAlgorithm": "SHA-256"
    });
    let refused = agent.post("/v1/sign-hash", Some(ORIGINS[0]), &body);
    assert_eq!(
        (refused.status, refused.code().as_str()),
        (403, "ORIGIN_NOT_ALLOWED")
    );
    let signed = agent.post("/v1/sign-hash", Some("https://old.example.gov.vn"), &body);
    assert_eq!(signed.status, 200, "{}", signed.body);
    assert_eq!(signed.json()["signatureAlgorithm"], "ecdsa-with-SHA256");
    // Refused before the token was touched: only the allowed one is audited.
    let signs: Vec<_> = agent
        .audit_lines()
        .into_iter()
        .filter(|l| l["event"] == "sign")
        .collect();
    assert_eq!(signs.len(), 1);
    assert_eq!(signs[0]["origin"], "https://old.example.gov.vn");
}

#[test]
fn origins_not_flagged_unattended_are_never_served_unattended() {
    let fx = Fixture::full();
    let extra = "[[origins]]\norigin = \"https://listed.example.gov.vn\"\n";
    let agent = Agent::start(fx, "not-unattended", extra);
    let attrs = kyso_tests::signing::signed_attributes(fx, "rsa2048", b"doc");
    let r = agent.post(
        "/v1/sign",
        Some("https://listed.example.gov.vn"),
        &json!({
            "certificateId": fx.cert_id("rsa2048"), "signedAttributes": attrs, "documentName": "x"
        }),
    );
    assert_eq!((r.status, r.code().as_str()), (403, "ORIGIN_NOT_ALLOWED"));
}

#[test]
/// On a machine with no graphical session (a server, CI), the consent window
/// cannot be shown: the dialog approver refuses, it never signs silently.
fn dialog_mode_without_a_display_refuses_instead_of_signing() {
    let fx = Fixture::full();
    let dir = fx.scratch("dialog-mode");
    let config = format!(
        "[server]\nport = 0\n[pkcs11]\nmodules = [\"{}\"]\n[[origins]]\norigin = \"{}\"\n",
        fx.manifest.module.display(),
        ORIGINS[0]
    );
    let agent = Agent::start_with_env(
        fx,
        &dir,
        &config,
        &[("DISPLAY", ""), ("WAYLAND_DISPLAY", "")],
    )
    .unwrap();
    let attrs = kyso_tests::signing::signed_attributes(fx, "rsa2048", b"doc");
    let r = agent.post(
        "/v1/sign",
        Some(ORIGINS[0]),
        &json!({
            "certificateId": fx.cert_id("rsa2048"), "signedAttributes": attrs, "documentName": "x"
        }),
    );
    assert_eq!((r.status, r.code().as_str()), (503, "APPROVER_UNAVAILABLE"));
}

#[test]
fn pairing_rules() {
    let fx = Fixture::full();
    let agent = Agent::start(fx, "pairing", "");
    let pair = |o: &str| agent.post("/v1/pair", Some(o), &json!({}));
    assert_eq!(pair(ORIGINS[0]).json()["paired"], true, "already allowed");
    let http_site = pair("http://other.example");
    assert_eq!(
        (http_site.status, http_site.code().as_str()),
        (403, "ORIGIN_NOT_ALLOWED")
    );
    // Unattended: nobody to ask.
    assert_eq!(pair("https://new.example").code(), "APPROVER_UNAVAILABLE");

    let off = Agent::start(fx, "pairing-off", "[pairing]\nenabled = false\n");
    let listed = off.post("/v1/pair", Some(ORIGINS[2]), &json!({}));
    assert_eq!(
        listed.json()["paired"],
        true,
        "listed sites need no pairing"
    );
    let r = off.post("/v1/pair", Some("https://new.example"), &json!({}));
    assert_eq!((r.status, r.code().as_str()), (403, "ORIGIN_NOT_ALLOWED"));
}

#[test]
fn rate_limit_per_origin() {
    let fx = Fixture::full();
    let agent = Agent::start(fx, "rate", "[limits]\nrequests_per_minute = 5\n");
    let codes: Vec<u16> = (0..7)
        .map(|_| agent.get("/v1/certificates", Some(ORIGINS[0])).status)
        .collect();
    assert_eq!(&codes[..5], &[200; 5]);
    let r = agent.get("/v1/certificates", Some(ORIGINS[0]));
    assert_eq!((r.status, r.code().as_str()), (429, "BUSY"));
    assert_eq!(
        agent.get("/v1/certificates", Some(ORIGINS[1])).status,
        200,
        "other origins unaffected"
    );
}

#[test]
fn burst_of_500_hostile_and_valid_requests_all_answered() {
    let fx = Fixture::full();
    let mut agent = Agent::start(
        fx,
        "burst",
        "[limits]\nbody_bytes = 65536\nrequests_per_minute = 100000\n",
    );
    let port = agent.port;
    let handles: Vec<_> = (0..500)
        .map(|i| {
            std::thread::spawn(move || {
                let (headers, body, want): (Vec<(&str, String)>, Vec<u8>, u16) = match i % 6 {
                    0 => (vec![("Origin", FOREIGN.into())], vec![], 403),
                    1 => (vec![], vec![], 403),
                    2 => (
                        vec![
                            ("Host", "evil.example".into()),
                            ("Origin", ORIGINS[0].into()),
                        ],
                        vec![],
                        403,
                    ),
                    3 => (
                        vec![("Origin", ORIGINS[0].into())],
                        vec![b'{'; 100_000],
                        413,
                    ),
                    4 => (
                        vec![("Origin", ORIGINS[1].into())],
                        b"{not json".to_vec(),
                        400,
                    ),
                    _ => (vec![("Origin", ORIGINS[2].into())], vec![], 200),
                };
                let (method, path) = match i % 6 {
                    3 | 4 => ("POST", "/v1/sign"),
                    5 => ("GET", "/v1/info"),
                    _ => ("GET", "/v1/certificates"),
                };
                let r = http(port, method, path, &headers, &body);
                (i, r.status, want, r.body)
            })
        })
        .collect();
    for h in handles {
        let (i, got, want, body) = h.join().unwrap();
        assert_eq!(got, want, "request {i}: {body}");
    }
    assert!(agent.alive());
    assert_eq!(agent.get("/v1/certificates", Some(ORIGINS[3])).status, 200);
}

#[test]
fn start_up_refuses_bad_configuration_naming_the_key() {
    let fx = Fixture::full();
    let dir = fx.scratch("bad-config");
    let module = fx.manifest.module.display().to_string();
    let pin = dir.join("pin");
    std::fs::write(&pin, &fx.manifest.pin).unwrap();
    set_mode(&pin, 0o644);
    let cases = [
        ("[server]\nprot = 1\n".to_string(), "prot"),
        ("[[origins]]\norigin = \"https://*\"\n".to_string(), "origins[0].origin"),
        ("[approver]\nmode = \"unattended\"\n".to_string(), "approver.pin_file"),
        (
            format!("[approver]\nmode = \"unattended\"\npin_file = \"{}\"\n", pin.display()),
            "audit.path",
        ),
        (
            format!(
                "[pkcs11]\nmodules = [\"{module}\"]\n[approver]\nmode = \"unattended\"\npin_file = \"{}\"\n[audit]\npath = \"{}\"\n",
                pin.display(),
                dir.join("audit.jsonl").display()
            ),
            "chmod 600",
        ),
        ("[pkcs11]\nmodules = [\"/nonexistent.so\"]\n".to_string(), "pkcs11.modules"),
    ];
    for (config, needle) in cases {
        let err = Agent::start_with_config(fx, &dir, &config)
            .err()
            .expect("must refuse");
        assert!(err.contains(needle), "expected '{needle}' in: {err}");
    }
}

#[test]
fn busy_ports_fall_back_to_the_next_two() {
    let fx = Fixture::full();
    // Find three consecutive free ports, then occupy the first two.
    let base = (20000..60000)
        .step_by(7)
        .find(|p| (0..3).all(|i| TcpListener::bind(("127.0.0.1", p + i)).is_ok()))
        .expect("free ports");
    let _a = TcpListener::bind(("127.0.0.1", base)).unwrap();
    let _b = TcpListener::bind(("127.0.0.1", base + 1)).unwrap();
    let dir = fx.scratch("ports");
    let config = format!(
        "[server]\nport = {base}\n[pkcs11]\nmodules = [\"{}\"]\n",
        fx.manifest.module.display()
    );
    let agent = Agent::start_with_config(fx, &dir, &config).unwrap();
    assert_eq!(agent.port, base + 2);
    assert_eq!(agent.get("/v1/info", None).status, 200);
}

/// A second agent on the same configuration refuses to start (and says who
/// holds it) instead of listening on the fallback port beside the first.
#[test]
fn a_second_agent_with_the_same_configuration_refuses_to_start() {
    let fx = Fixture::full();
    let first = Agent::start(fx, "single-instance", "");
    let config = std::fs::read_to_string(first.dir.join("agent.toml")).unwrap();
    let err = Agent::start_with_config(fx, &first.dir, &config)
        .err()
        .expect("the second agent exits");
    assert!(err.contains("already running"), "{err}");
    assert_eq!(
        first.get("/v1/info", None).status,
        200,
        "the first one still serves"
    );
}

/// `kyso-agent --autostart on|status|off` writes and removes the XDG
/// autostart entry in the user's configuration directory.
#[test]
fn autostart_entry_is_written_and_removed() {
    let fx = Fixture::full();
    let home = fx.scratch("autostart-home");
    let run = |arg: &str| {
        let out = std::process::Command::new(kyso_tests::bin("kyso-agent"))
            .args(["--autostart", arg])
            .env("HOME", &home)
            .env_remove("XDG_CONFIG_HOME")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let entry = home.join(".config/autostart/kyso-agent.desktop");
    assert!(run("status").starts_with("autostart off"));
    run("on");
    let text = std::fs::read_to_string(&entry).expect("the entry is written");
    let exe = kyso_tests::bin("kyso-agent");
    assert!(
        text.contains(&format!("Exec=\"{}\"", exe.display())),
        "{text}"
    );
    assert!(text.contains("[Desktop Entry]") && text.contains("Type=Application"));
    assert!(run("status").starts_with("autostart on"));
    run("off");
    assert!(!entry.exists());
    assert!(run("status").starts_with("autostart off"));
}
