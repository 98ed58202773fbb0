//! The dialog approver for real: the agent under a virtual X display shows
//! `kyso-dialog`, and the test answers it as a person would, with xdotool.
//! Screenshots of each window go to the artifacts directory.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use kyso_testkit::display::VirtualDisplay;
use kyso_tests::agent::Agent;
use kyso_tests::{artifacts, signing, Fixture};

const PORTAL: &str = "https://dichvucong.example.gov.vn";
/// Longer than the window's own delay before it accepts keys.
const INPUT_DELAY: Duration = Duration::from_millis(1200);

fn agent(fx: &Fixture, display: &VirtualDisplay, name: &str, lang: &str) -> Agent {
    let dir = fx.scratch(name);
    let audit = dir.join("audit.jsonl");
    let config = format!(
        "[server]\nport = 0\n[pkcs11]\nmodules = [\"{}\"]\n[approver]\nmode = \"dialog\"\ntimeout_seconds = 60\n[audit]\npath = \"{}\"\n[[origins]]\norigin = \"{PORTAL}\"\n[pairing]\nenabled = true\n",
        fx.manifest.module.display(),
        audit.display()
    );
    Agent::start_with_env(
        fx,
        &dir,
        &config,
        &[("DISPLAY", display.name.as_str()), ("KYSO_LANG", lang)],
    )
    .unwrap_or_else(|e| panic!("agent did not start: {e}"))
}

/// Sends a sign request on another thread (it blocks until the window is
/// answered) and returns a handle to its reply.
fn sign_in_background(
    agent: &Agent,
    fx: &'static Fixture,
    origin: &'static str,
    content: &'static [u8],
) -> std::thread::JoinHandle<(kyso_tests::agent::Reply, kyso_core::cms::PreparedSignature)> {
    let port = agent.port;
    let cert_id = fx.cert_id("rsa2048");
    std::thread::spawn(move || {
        let prepared = signing::prepare(fx, "rsa2048", content);
        let body = serde_json::json!({
            "certificateId": cert_id,
            "signedAttributes": B64.encode(prepared.signed_attributes()),
            "documentName": "to-khai-ho-kinh-doanh.pdf",
        });
        let reply = kyso_tests::agent::http(
            port,
            "POST",
            "/v1/sign",
            &[
                ("Origin", origin.to_string()),
                ("Content-Type", "application/json".into()),
            ],
            body.to_string().as_bytes(),
        );
        (reply, prepared)
    })
}

#[test]
fn sign_with_the_pin_typed_into_the_window() {
    let fx = Fixture::full();
    let display = VirtualDisplay::start();
    let agent = agent(fx, &display, "dialog-sign", "vi");
    let content: &'static [u8] = "Tờ khai đăng ký hộ kinh doanh".as_bytes();

    let pending = sign_in_background(&agent, fx, PORTAL, content);
    let window = display
        .window("PIN", Duration::from_secs(30))
        .expect("the consent window appears");
    std::thread::sleep(INPUT_DELAY); // painted, and keys are accepted
    display.screenshot(&artifacts().join("agent-dialog-sign-vi.png"));
    display.type_into(&window, &fx.manifest.pin, Some("Return"));
    let (reply, prepared) = pending.join().unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
    let v = reply.json();
    let p7s = signing::finish(
        prepared,
        v["signature"].as_str().unwrap(),
        v["signatureAlgorithm"].as_str().unwrap(),
    );
    let dir = fx.scratch("dialog-sign-files");
    std::fs::write(dir.join("doc.txt"), content).unwrap();
    std::fs::write(dir.join("doc.p7s"), &p7s).unwrap();
    assert!(
        fx.independently_valid(&dir.join("doc.p7s"), Some(&dir.join("doc.txt"))),
        "OpenSSL rejects the signature approved in the window"
    );
    let audit = agent.audit_lines();
    assert!(
        audit
            .iter()
            .any(|l| l["event"] == "sign" && l["approver"] == "dialog" && l["outcome"] == "ok"),
        "{audit:?}"
    );
}

#[test]
fn a_wrong_pin_is_asked_again_and_escape_cancels() {
    let fx = Fixture::full();
    let display = VirtualDisplay::start();
    let agent = agent(fx, &display, "dialog-wrong-pin", "en");
    let pending = sign_in_background(&agent, fx, PORTAL, b"quyet dinh");
    let first = display
        .window("PIN", Duration::from_secs(30))
        .expect("the consent window appears");
    // The window ignores keys for its first moment (a page cannot make a
    // hurried click or Enter approve it): wait that out, as a person does.
    std::thread::sleep(INPUT_DELAY);
    // X recycles window ids across programs: tell the windows apart by the
    // process that owns them.
    let owner = |id: &str| display.xdotool(&["getwindowpid", id]).trim().to_string();
    let first_pid = owner(&first);
    assert!(!first_pid.is_empty(), "the window names its process");
    display.type_into(&first, "0000", Some("Return"));
    // The token refuses; a new window comes back saying so.
    let started = std::time::Instant::now();
    let again = loop {
        match display.window("PIN", Duration::from_secs(1)) {
            Some(id) if owner(&id) != first_pid && !owner(&id).is_empty() => break id,
            _ if started.elapsed() > Duration::from_secs(30) => {
                let (reply, _) = pending.join().unwrap();
                panic!(
                    "the window did not ask again after a wrong PIN; the agent answered {} {}",
                    reply.status, reply.body
                )
            }
            _ => std::thread::sleep(Duration::from_millis(200)),
        }
    };
    std::thread::sleep(INPUT_DELAY);
    display.screenshot(&artifacts().join("agent-dialog-wrong-pin-en.png"));
    display.type_into(&again, "", Some("Escape"));
    let (reply, _) = pending.join().unwrap();
    assert_eq!(reply.status, 409, "{}", reply.body);
    assert_eq!(reply.code(), "USER_CANCELLED", "{}", reply.body);
}

#[test]
fn a_site_not_allowed_opens_no_window() {
    let fx = Fixture::full();
    let display = VirtualDisplay::start();
    let agent = agent(fx, &display, "dialog-foreign", "vi");
    let pending = sign_in_background(&agent, fx, "https://lua-dao.example.com", b"x");
    let (reply, _) = pending.join().unwrap();
    assert_eq!(reply.code(), "ORIGIN_NOT_ALLOWED", "{}", reply.body);
    assert!(
        display.window("Kyso", Duration::from_secs(2)).is_none(),
        "no window for a site that is not allowed"
    );
    assert!(agent
        .audit_lines()
        .iter()
        .all(|l| l["event"] != "sign" || l["outcome"] != "ok"));
}
