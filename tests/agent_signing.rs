//! Signing through the agent's HTTP API: single, batch, concurrent, login
//! tokens, PIN errors. Every signature is finished into a CMS and checked by
//! OpenSSL.

use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD};
use base64::Engine;
use kyso_core::auth::{self, AuthToken};
use kyso_core::Localized;
use kyso_tests::agent::{Agent, ORIGINS};
use kyso_tests::{signing, Fixture};
use serde_json::json;

fn now() -> kyso_core::time::DateTime {
    let s = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    kyso_core::time::from_unix(s).unwrap()
}

#[test]
fn sign_returns_a_signature_that_completes_a_valid_cms() {
    let fx = Fixture::full();
    let agent = Agent::start(fx, "sign", "");
    let dir = fx.scratch("agent-sign-files");
    for signer in ["rsa2048", "rsa3072", "p256", "p384"] {
        let content = format!("Đơn đề nghị — {signer}").into_bytes();
        let prepared = signing::prepare(fx, signer, &content);
        let r = agent.post(
            "/v1/sign",
            Some(ORIGINS[0]),
            &json!({
                "certificateId": fx.cert_id(signer),
                "signedAttributes": B64.encode(prepared.signed_attributes()),
                "digestAlgorithm": "SHA-256",
                "documentName": "don-de-nghi.pdf",
            }),
        );
        assert_eq!(r.status, 200, "{signer}: {}", r.body);
        let _: kyso_wire::api::sign::SignResponse = r.wire();
        let v = r.json();
        let cert = B64.decode(v["certificate"].as_str().unwrap()).unwrap();
        assert_eq!(
            cert,
            prepared.signer().der(),
            "the response names the signing certificate"
        );
        let p7s = signing::finish(
            prepared,
            v["signature"].as_str().unwrap(),
            v["signatureAlgorithm"].as_str().unwrap(),
        );
        let (sig, data) = (
            dir.join(format!("{signer}.p7s")),
            dir.join(format!("{signer}.txt")),
        );
        std::fs::write(&sig, p7s).unwrap();
        std::fs::write(&data, &content).unwrap();
        assert!(
            fx.independently_valid(&sig, Some(&data)),
            "OpenSSL rejects {signer}"
        );
    }
    let lines = agent.audit_lines();
    let signs: Vec<_> = lines.iter().filter(|l| l["event"] == "sign").collect();
    assert_eq!(signs.len(), 4);
    assert!(signs
        .iter()
        .all(|l| l["outcome"] == "ok" && l["documentName"] == "don-de-nghi.pdf"));
    assert!(signs
        .iter()
        .all(|l| l["digest"].as_str().unwrap().len() == 64));
    let text = std::fs::read_to_string(&agent.audit).unwrap();
    assert!(
        !text.contains(&fx.manifest.pin),
        "the PIN never reaches the audit log"
    );
}

#[test]
fn pss_is_available_on_request() {
    let fx = Fixture::full();
    let agent = Agent::start(fx, "pss", "");
    let prepared = signing::prepare(fx, "rsa2048", b"pss");
    let r = agent.post(
        "/v1/sign",
        Some(ORIGINS[0]),
        &json!({
            "certificateId": fx.cert_id("rsa2048"),
            "signedAttributes": B64.encode(prepared.signed_attributes()),
            "scheme": "PSS",
            "documentName": "a",
        }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["signatureAlgorithm"], "RSASSA-PSS-SHA256");
    let p7s = signing::finish(
        prepared,
        r.json()["signature"].as_str().unwrap(),
        "RSASSA-PSS-SHA256",
    );
    let dir = fx.scratch("agent-pss");
    std::fs::write(dir.join("a.p7s"), p7s).unwrap();
    std::fs::write(dir.join("a.txt"), b"pss").unwrap();
    assert!(fx.independently_valid(&dir.join("a.p7s"), Some(&dir.join("a.txt"))));
}

#[test]
fn batch_of_twenty_is_one_request_and_every_item_verifies() {
    let fx = Fixture::full();
    let agent = Agent::start(fx, "batch", "");
    let dir = fx.scratch("agent-batch");
    let docs: Vec<Vec<u8>> = (0..20)
        .map(|i| format!("Hồ sơ số {i}").into_bytes())
        .collect();
    let prepared: Vec<_> = docs
        .iter()
        .map(|d| signing::prepare(fx, "p256", d))
        .collect();
    let items: Vec<_> = prepared
        .iter()
        .enumerate()
        .map(|(i, p)| json!({"signedAttributes": B64.encode(p.signed_attributes()), "documentName": format!("ho-so-{i}.pdf")}))
        .collect();
    let r = agent.post(
        "/v1/sign-batch",
        Some(ORIGINS[1]),
        &json!({"certificateId": fx.cert_id("p256"), "items": items}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let typed: kyso_wire::api::sign_batch::BatchResponse = r.wire();
    assert!(typed.signatures.iter().all(|s| s.error.is_none()));
    let v = r.json();
    let sigs = v["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 20);
    for (i, (p, s)) in prepared.into_iter().zip(sigs).enumerate() {
        let p7s = signing::finish(
            p,
            s["signature"].as_str().expect("signed"),
            v["signatureAlgorithm"].as_str().unwrap(),
        );
        std::fs::write(dir.join(format!("{i}.p7s")), p7s).unwrap();
        std::fs::write(dir.join(format!("{i}.txt")), &docs[i]).unwrap();
        assert!(
            fx.independently_valid(
                &dir.join(format!("{i}.p7s")),
                Some(&dir.join(format!("{i}.txt")))
            ),
            "item {i}"
        );
    }
    let signs = agent
        .audit_lines()
        .into_iter()
        .filter(|l| l["event"] == "sign")
        .count();
    assert_eq!(signs, 20, "one audit line per document");

    // One bad item refuses the whole batch before anything is signed.
    let r = agent.post(
        "/v1/sign-batch",
        Some(ORIGINS[1]),
        &json!({
            "certificateId": fx.cert_id("p256"),
            "items": [{"signedAttributes": "AAAA", "documentName": "x"}]
        }),
    );
    assert_eq!(r.status, 400);
    assert!(r.body.contains("items[0]"));
}

#[test]
fn hundred_concurrent_signatures_from_four_origins() {
    let fx = Fixture::full();
    let agent = Agent::start(fx, "concurrent", "");
    let port = agent.port;
    let dir = fx.scratch("agent-concurrent");
    let handles: Vec<_> = (0..100)
        .map(|i| {
            let content = format!("Văn bản {i}").into_bytes();
            let prepared = signing::prepare(fx, "rsa2048", &content);
            let body = json!({
                "certificateId": fx.cert_id("rsa2048"),
                "signedAttributes": B64.encode(prepared.signed_attributes()),
                "documentName": format!("van-ban-{i}.pdf"),
            });
            std::thread::spawn(move || {
                let headers = [
                    ("Origin", ORIGINS[i % 4].to_string()),
                    ("Content-Type", "application/json".into()),
                ];
                let r = kyso_tests::agent::http(
                    port,
                    "POST",
                    "/v1/sign",
                    &headers,
                    body.to_string().as_bytes(),
                );
                (i, content, prepared, r)
            })
        })
        .collect();
    for h in handles {
        let (i, content, prepared, r) = h.join().unwrap();
        assert_eq!(r.status, 200, "request {i}: {}", r.body);
        let v = r.json();
        let p7s = signing::finish(
            prepared,
            v["signature"].as_str().unwrap(),
            v["signatureAlgorithm"].as_str().unwrap(),
        );
        std::fs::write(dir.join(format!("{i}.p7s")), p7s).unwrap();
        std::fs::write(dir.join(format!("{i}.txt")), content).unwrap();
        assert!(
            fx.independently_valid(
                &dir.join(format!("{i}.p7s")),
                Some(&dir.join(format!("{i}.txt")))
            ),
            "{i}"
        );
    }
    let lines = agent.audit_lines();
    let signs: Vec<_> = lines.iter().filter(|l| l["event"] == "sign").collect();
    assert_eq!(signs.len(), 100);
    for o in ORIGINS {
        assert_eq!(signs.iter().filter(|l| l["origin"] == o).count(), 25, "{o}");
    }
}

#[test]
fn authenticate_gives_a_token_the_portal_server_can_verify() {
    let fx = Fixture::full();
    let agent = Agent::start(fx, "auth", "");
    let mut anchors = kyso_core::TrustAnchors::empty();
    anchors
        .add_encoded(&std::fs::read(&fx.manifest.root_pem).unwrap())
        .unwrap();
    for signer in ["rsa2048", "p256"] {
        let nonce = URL_SAFE_NO_PAD.encode([7u8; 32].map(|b| b ^ signer.len() as u8));
        let r = agent.post(
            "/v1/authenticate",
            Some(ORIGINS[2]),
            &json!({"nonce": nonce, "certificateId": fx.cert_id(signer)}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let token: AuthToken = serde_json::from_str(&r.body).unwrap();
        assert_eq!(token.format, "kyso-auth:1");
        assert_eq!(
            token.origin, ORIGINS[2],
            "origin comes from the Origin header"
        );

        let cert = auth::verify(&token, ORIGINS[2], &nonce, &anchors, now()).expect("valid login");
        assert_eq!(
            cert.der(),
            std::fs::read_to_string(&fx.manifest.signer(signer).cert_pem)
                .map(|p| kyso_core::Certificate::from_pem(p.as_bytes())
                    .unwrap()
                    .der()
                    .to_vec())
                .unwrap()
        );
        // Replayed at another site, or with another nonce: refused.
        let other = auth::verify(&token, ORIGINS[3], &nonce, &anchors, now());
        assert_eq!(other.unwrap_err().code(), "AUTH_ORIGIN_MISMATCH");
        let wrong_nonce = URL_SAFE_NO_PAD.encode([9u8; 32]);
        assert_eq!(
            auth::verify(&token, ORIGINS[2], &wrong_nonce, &anchors, now())
                .unwrap_err()
                .code(),
            "AUTH_BAD_SIGNATURE"
        );
        // Untrusted root: refused.
        let none = kyso_core::TrustAnchors::empty();
        assert_eq!(
            auth::verify(&token, ORIGINS[2], &nonce, &none, now())
                .unwrap_err()
                .code(),
            "AUTH_CERTIFICATE"
        );
    }
    // A body claiming another origin changes nothing: the header decides.
    let r = agent.post(
        "/v1/authenticate",
        Some(ORIGINS[2]),
        &json!({"nonce": URL_SAFE_NO_PAD.encode([1u8; 32]), "origin": "https://bank.example"}),
    );
    assert_eq!(r.status, 400, "unknown fields are refused");
}

#[test]
fn wrong_pin_in_the_pin_file_is_reported_not_retried() {
    let fx = Fixture::single();
    let dir = fx.scratch("agent-wrong-pin");
    let pin = dir.join("pin");
    std::fs::write(&pin, "00000000").unwrap();
    kyso_tests::agent::set_mode(&pin, 0o600);
    let config = format!(
        "[server]\nport = 0\n[pkcs11]\nmodules = [\"{}\"]\n[approver]\nmode = \"unattended\"\npin_file = \"{}\"\n[[origins]]\norigin = \"{}\"\nunattended = true\n[audit]\npath = \"{}\"\n",
        fx.manifest.module.display(),
        pin.display(),
        ORIGINS[0],
        dir.join("audit.jsonl").display()
    );
    let agent = Agent::start_with_config(fx, &dir, &config).unwrap();
    let attrs = signing::signed_attributes(fx, "rsa2048", b"x");
    let body = json!({
        "certificateId": fx.cert_id("rsa2048"), "signedAttributes": attrs, "documentName": "x"
    });
    let r = agent.post("/v1/sign", Some(ORIGINS[0]), &body);
    assert_eq!(
        (r.status, r.code().as_str()),
        (401, "PIN_INCORRECT"),
        "{}",
        r.body
    );
    assert!(r.json()["error"]["messageVi"]
        .as_str()
        .unwrap()
        .contains("PIN"));
    // The same PIN is not sent again: a real token would count down to locked.
    let again = agent.post("/v1/sign", Some(ORIGINS[0]), &body);
    assert_eq!(
        (again.status, again.code().as_str()),
        (401, "PIN_UNAVAILABLE"),
        "{}",
        again.body
    );
    let outcomes: Vec<String> = agent
        .audit_lines()
        .iter()
        .filter(|l| l["event"] == "sign")
        .map(|l| l["outcome"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(outcomes, ["PIN_INCORRECT", "PIN_UNAVAILABLE"]);
}

#[test]
fn a_token_pulled_out_is_seen_without_restart() {
    // Its own token set: this test takes the token away.
    let fx = Fixture::provision_private("pulled-out", "single");
    let agent = Agent::start(&fx, "pulled-out", "");
    let body = |fx: &Fixture| {
        json!({
            "certificateId": fx.cert_id("rsa2048"),
            "signedAttributes": signing::signed_attributes(fx, "rsa2048", b"x"),
            "documentName": "x"
        })
    };
    assert_eq!(
        agent.post("/v1/sign", Some(ORIGINS[0]), &body(&fx)).status,
        200
    );
    // SoftHSM's equivalent of pulling the token: its directory goes away.
    let tokens = fx.manifest.softhsm2_conf.parent().unwrap().join("tokens");
    let token_dir = std::fs::read_dir(&tokens)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::rename(&token_dir, fx.dir.join("pulled-out-token")).unwrap();

    let info = agent.get("/v1/info", Some(ORIGINS[0])).json();
    assert_eq!(info["tokens"], 0);
    let r = agent.post("/v1/sign", Some(ORIGINS[0]), &body(&fx));
    assert_eq!(
        (r.status, r.code().as_str()),
        (404, "TOKEN_NOT_FOUND"),
        "{}",
        r.body
    );
    assert_eq!(
        agent.get("/v1/certificates", Some(ORIGINS[0])).json()["certificates"],
        json!([])
    );
}

#[test]
fn a_token_plugged_in_after_start_is_seen_without_restart() {
    let fx = Fixture::provision_private("plugged-in", "single");
    let tokens = fx.manifest.softhsm2_conf.parent().unwrap().join("tokens");
    let token_dir = std::fs::read_dir(&tokens)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let aside = fx.dir.join("token-in-a-drawer");
    std::fs::rename(&token_dir, &aside).unwrap();

    let agent = Agent::start(&fx, "plugged-in", "");
    assert_eq!(agent.get("/v1/info", Some(ORIGINS[0])).json()["tokens"], 0);
    std::fs::rename(&aside, &token_dir).unwrap();
    // Rescans are at most once a second.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(agent.get("/v1/info", Some(ORIGINS[0])).json()["tokens"], 1);
    let r = agent.post(
        "/v1/sign",
        Some(ORIGINS[0]),
        &json!({
            "certificateId": fx.cert_id("rsa2048"),
            "signedAttributes": signing::signed_attributes(&fx, "rsa2048", b"x"),
            "documentName": "x"
        }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
}
