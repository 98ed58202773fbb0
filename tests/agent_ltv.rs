//! The agent's long-term-signature endpoints and its revocation check before
//! signing, against the real `kyso-agent` and loopback responders (an
//! `openssl ts` TSA, an OpenSSL OCSP responder, CRLs over HTTP) that the
//! `ltv` token's certificates point at. Every server is on 127.0.0.1; the
//! responders' hit counters show what the agent fetched, and did not.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD};
use base64::Engine;
use kyso_core::revocation::{self, CertStatus, RevocationData, Source};
use kyso_core::tsp::TimeStampToken;
use kyso_core::{Certificate, DigestAlgorithm};
use kyso_testkit::ltv::{hanging_server, Responders};
use kyso_testkit::pki::{TestPki, Urls};
use kyso_tests::agent::{Agent, Reply, ORIGINS};
use kyso_tests::{ltv, signing, Fixture};
use serde_json::{json, Value};

const FOREIGN: &str = "https://evil.example";

/// `[timestamp]` and `[revocation]` for the agent's config.
fn outbound(tsa_urls: &[&str], tsa_timeout: u64, before_signing: &str, timeout: u64) -> String {
    let urls: Vec<String> = tsa_urls.iter().map(|u| format!("\"{u}\"")).collect();
    format!(
        "[timestamp]\nurls = [{}]\ntimeout_seconds = {tsa_timeout}\n\
         [revocation]\nbefore_signing = \"{before_signing}\"\ntimeout_seconds = {timeout}\n",
        urls.join(", ")
    )
}

fn pem_cert(path: &std::path::Path) -> Certificate {
    Certificate::from_pem(&std::fs::read(path).unwrap()).unwrap()
}

fn signer_cert(fx: &Fixture, signer: &str) -> Certificate {
    pem_cert(&fx.manifest.signer(signer).cert_pem)
}

fn timestamp(agent: &Agent, origin: &str, body: &Value) -> Reply {
    agent.post("/v1/timestamp", Some(origin), body)
}

fn revocation_of(agent: &Agent, certs: &[&Certificate]) -> Reply {
    let certificates: Vec<String> = certs.iter().map(|c| B64.encode(c.der())).collect();
    agent.post(
        "/v1/revocation",
        Some(ORIGINS[0]),
        &json!({ "certificates": certificates }),
    )
}

fn sign(agent: &Agent, fx: &Fixture, signer: &str) -> Reply {
    agent.post(
        "/v1/sign",
        Some(ORIGINS[0]),
        &json!({
            "certificateId": fx.cert_id(signer),
            "signedAttributes": signing::signed_attributes(fx, signer, b"to-khai"),
            "digestAlgorithm": "SHA-256",
            "documentName": "to-khai.xml",
        }),
    )
}

/// What the front and the OCSP responder received, in total.
fn all_hits(r: &Responders) -> usize {
    let front: usize = [
        "/tsa",
        "/crl/root.crl",
        "/crl/intermediate.crl",
        "/ca/root.cer",
        "/ca/intermediate.cer",
        "/ssrf.crl",
        "/ssrf.cer",
    ]
    .iter()
    .map(|p| r.hits(p))
    .sum();
    front + r.ocsp_hits()
}

/// The audit lines of `event`.
fn audited(agent: &Agent, event: &str) -> Vec<Value> {
    agent
        .audit_lines()
        .into_iter()
        .filter(|l| l["event"] == event)
        .collect()
}

#[test]
fn timestamp_comes_from_the_configured_tsa_only() {
    let (fx, responders) = ltv::fixture("timestamp");
    let tsa = responders.entry().tsa_url.clone();
    let agent = Agent::start(&fx, "timestamp", &outbound(&[&tsa], 5, "off", 5));
    let digest = DigestAlgorithm::Sha256.digest(b"signature value");

    let r = timestamp(
        &agent,
        ORIGINS[0],
        &json!({ "digest": B64.encode(&digest), "digestAlgorithm": "SHA-256" }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let answer: kyso_wire::api::timestamp::TimestampResponse = r.wire();
    let token = B64.decode(answer.time_stamp_token).unwrap();
    let info = TimeStampToken::info_of(&token).unwrap();
    assert_eq!(info.hashed_message, digest, "the token stamps the digest");
    assert_eq!(info.hash_algorithm, DigestAlgorithm::Sha256.into());
    assert!(info.nonce.is_some(), "the agent's request carried a nonce");
    assert_eq!(responders.hits("/tsa"), 1);

    // OpenSSL checks the token over the digest and its TSA's path.
    let work = fx.scratch("timestamp");
    let token_path = work.join("token.der");
    std::fs::write(&token_path, &token).unwrap();
    ltv::assert_openssl_ts_verifies(&fx, &token_path, &["-digest", &hex::encode(&digest)]);

    // Refused, and the TSA is not contacted: a foreign origin, a URL of the
    // page's choosing, a digest of the wrong length.
    let r = timestamp(&agent, FOREIGN, &json!({ "digest": B64.encode(&digest) }));
    r.assert_error(403, "ORIGIN_NOT_ALLOWED");
    let (port, _hang) = hanging_server().unwrap();
    let r = timestamp(
        &agent,
        ORIGINS[0],
        &json!({ "digest": B64.encode(&digest), "url": format!("http://127.0.0.1:{port}/tsa") }),
    );
    r.assert_error(400, "BAD_REQUEST");
    assert!(r.body.contains("url"), "{}", r.body);
    let r = timestamp(
        &agent,
        ORIGINS[0],
        &json!({ "digest": B64.encode(&digest[..20]), "digestAlgorithm": "SHA-256" }),
    );
    r.assert_error(400, "BAD_REQUEST");
    let r = timestamp(
        &agent,
        ORIGINS[0],
        &json!({ "digest": B64.encode(&digest), "digestAlgorithm": "SHA-512" }),
    );
    assert_eq!(r.status, 400, "a SHA-256 digest called SHA-512: {}", r.body);
    assert_eq!(responders.hits("/tsa"), 1, "nothing more was asked");

    let lines = audited(&agent, "timestamp");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["origin"], ORIGINS[0]);
    assert_eq!(lines[0]["digest"], hex::encode(&digest));
    assert_eq!(lines[0]["outcome"], "ok");
}

#[test]
fn a_tsa_that_hangs_is_tsa_unavailable_in_time() {
    let fx = Fixture::single();
    let (port, _hang) = hanging_server().unwrap();
    let url = format!("http://127.0.0.1:{port}/tsa");
    let agent = Agent::start(fx, "tsa-hangs", &outbound(&[&url], 2, "off", 2));
    let started = Instant::now();
    let r = timestamp(
        &agent,
        ORIGINS[0],
        &json!({ "digest": B64.encode([7u8; 32]) }),
    );
    let took = started.elapsed();
    r.assert_error(502, "TSA_UNAVAILABLE");
    assert!(
        r.body.contains(&url),
        "the message names the TSA: {}",
        r.body
    );
    assert!(took < Duration::from_secs(6), "answered after {took:?}");
    assert_eq!(agent.get("/v1/info", Some(ORIGINS[0])).status, 200);
    let lines = audited(&agent, "timestamp");
    assert_eq!(lines[0]["outcome"], "TSA_UNAVAILABLE");
}

#[test]
fn revocation_data_only_for_certificates_that_chain_to_the_anchors() {
    let (fx, responders) = ltv::fixture("revocation");
    let agent = Agent::start(&fx, "revocation", &outbound(&[], 5, "off", 5));
    let signer = signer_cert(&fx, "ltv");
    let intermediate = pem_cert(&fx.manifest.intermediate_pem);
    let root = pem_cert(&fx.manifest.root_pem);

    // The signer alone: the intermediate and root come from the token.
    let r = revocation_of(&agent, &[&signer]);
    assert_eq!(r.status, 200, "{}", r.body);
    let answer: kyso_wire::api::revocation::RevocationResponse = r.wire();
    let decode =
        |v: &[String]| -> Vec<Vec<u8>> { v.iter().map(|b| B64.decode(b).unwrap()).collect() };
    let (ocsp, crls) = (decode(&answer.ocsp), decode(&answer.crls));
    assert_eq!((ocsp.len(), crls.len()), (1, 1), "{answer:?}");
    let (data, rejected) = RevocationData::from_der(&ocsp, &crls);
    assert!(rejected.is_empty(), "{rejected:?}");
    let of_signer = revocation::status(&signer, &intermediate, &data).expect("signer's status");
    assert_eq!(
        (of_signer.status, of_signer.source),
        (CertStatus::Good, Source::Ocsp)
    );
    let of_ca = revocation::status(&intermediate, &root, &data).expect("intermediate's status");
    assert_eq!(
        (of_ca.status, of_ca.source),
        (CertStatus::Good, Source::Crl)
    );
    assert_eq!(responders.ocsp_hits(), 1);
    assert_eq!(responders.hits("/crl/root.crl"), 1);

    // Again, with the whole chain: from the cache.
    let hits = all_hits(&responders);
    let r = revocation_of(&agent, &[&signer, &intermediate, &root]);
    assert_eq!(r.status, 200, "{}", r.body);
    let again: kyso_wire::api::revocation::RevocationResponse = r.wire();
    assert_eq!(again, answer);
    assert_eq!(all_hits(&responders), hits, "served from the cache");

    // Another PKI whose CA points at the test's servers, sent with its own
    // self-signed root: refused, and nothing is fetched (no SSRF). Not even
    // for a good certificate sent beside it.
    let base = &responders.entry().base_url;
    let foreign = TestPki::generate_with(
        now_secs(),
        Some(&Urls {
            ocsp: Some(responders.entry().ocsp_url.clone()),
            ca_issuers: Some(format!("{base}/ssrf.cer")),
            crl: Some(format!("{base}/ssrf.crl")),
        }),
    )
    .unwrap();
    let fresh = signer_cert(&fx, "ltv-revoked");
    for certs in [
        vec![&foreign.intermediate.cert, &foreign.root.cert],
        vec![&foreign.intermediate.cert],
        vec![&foreign.root.cert],
        vec![&fresh, &foreign.intermediate.cert],
    ] {
        let r = revocation_of(&agent, &certs);
        r.assert_error(400, "BAD_REQUEST");
        assert!(r.body.contains("does not chain"), "{}", r.body);
    }
    assert_eq!(all_hits(&responders), hits, "no request for a foreign PKI");
    assert_eq!(
        (responders.hits("/ssrf.crl"), responders.hits("/ssrf.cer")),
        (0, 0)
    );

    // Malformed and oversized requests, each refused with its reason.
    for (body, reason) in [
        (json!({ "certificates": [] }), "1 to 32"),
        (json!({ "certificates": ["not base64!"] }), "base64"),
        (
            json!({ "certificates": [B64.encode(b"junk")] }),
            "not a certificate",
        ),
        (
            json!({ "certificates": vec![B64.encode(signer.der()); 33] }),
            "got 33",
        ),
        (
            json!({ "certificates": [B64.encode(vec![0x30; 17 * 1024])] }),
            "larger than",
        ),
        (
            json!({ "certificates": [B64.encode(signer.der())], "ocspUrl": base }),
            "unknown field",
        ),
    ] {
        let r = agent.post("/v1/revocation", Some(ORIGINS[0]), &body);
        r.assert_error(400, "BAD_REQUEST");
        assert!(r.body.contains(reason), "{reason}: {}", r.body);
    }
    let r = agent.post(
        "/v1/revocation",
        Some(FOREIGN),
        &json!({ "certificates": [B64.encode(signer.der())] }),
    );
    r.assert_error(403, "ORIGIN_NOT_ALLOWED");
    assert_eq!(all_hits(&responders), hits);
}

#[test]
fn revocation_before_signing() {
    let (fx, mut responders) = ltv::fixture("before");
    let ocsp_url = responders.entry().ocsp_url.clone();
    let base_url = responders.entry().base_url.clone();

    // off: nothing is asked, the audit line says nothing about revocation.
    let agent = Agent::start(&fx, "off", &outbound(&[], 5, "off", 5));
    let r = sign(&agent, &fx, "ltv");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(all_hits(&responders), 0, "off fetches nothing");
    assert!(audited(&agent, "sign")[0].get("revocation").is_none());
    drop(agent);

    // warn, responders up: checked once, then from the cache.
    let mut agent = Agent::start(&fx, "warn-good", &outbound(&[], 5, "warn", 5));
    for _ in 0..3 {
        let r = sign(&agent, &fx, "ltv");
        assert_eq!(r.status, 200, "{}", r.body);
    }
    assert_eq!(
        responders.ocsp_hits(),
        1,
        "one OCSP request for three signatures: {}",
        agent.stop()
    );
    for line in audited(&agent, "sign") {
        assert_eq!(
            (line["outcome"].as_str(), line["revocation"].as_str()),
            (Some("ok"), Some("good"))
        );
    }
    drop(agent);

    // Revoked: refused before the approver, under warn and require, for
    // every signing endpoint. The PIN file holds a wrong PIN: had the token
    // been asked to log in, the answer would be PIN_INCORRECT.
    responders
        .revoke(&fx.manifest.signer("ltv-revoked").cert_pem, "keyCompromise")
        .unwrap();
    for mode in ["warn", "require"] {
        let agent = Agent::start_full(
            &fx,
            &format!("revoked-{mode}"),
            &outbound(&[], 5, mode, 5),
            "00000000",
            &[],
        );
        let r = sign(&agent, &fx, "ltv-revoked");
        r.assert_error(403, "CERTIFICATE_REVOKED");
        assert!(r.body.contains("keyCompromise"), "{mode}: {}", r.body);
        let r = agent.post(
            "/v1/sign-batch",
            Some(ORIGINS[0]),
            &json!({
                "certificateId": fx.cert_id("ltv-revoked"),
                "items": [
                    { "signedAttributes": signing::signed_attributes(&fx, "ltv-revoked", b"a"), "documentName": "a.xml" },
                    { "signedAttributes": signing::signed_attributes(&fx, "ltv-revoked", b"b"), "documentName": "b.xml" },
                ],
            }),
        );
        r.assert_error(403, "CERTIFICATE_REVOKED");
        let r = agent.post(
            "/v1/authenticate",
            Some(ORIGINS[0]),
            &json!({ "nonce": URL_SAFE_NO_PAD.encode([9u8; 32]), "certificateId": fx.cert_id("ltv-revoked") }),
        );
        r.assert_error(403, "CERTIFICATE_REVOKED");
        let signs = audited(&agent, "sign");
        assert_eq!(signs.len(), 3, "one line per document: {signs:?}");
        for line in signs.iter().chain(&audited(&agent, "authenticate")) {
            assert_eq!(line["outcome"], "CERTIFICATE_REVOKED", "{line}");
            assert_eq!(line["revocation"], "revoked", "{line}");
        }
        // The token never saw the (wrong) PIN: the first login is now.
        let r = sign(&agent, &fx, "ltv");
        r.assert_error(401, "PIN_INCORRECT");
    }

    // The responders go away.
    responders.stop();
    let agent = Agent::start(&fx, "require-down", &outbound(&[], 5, "require", 5));
    let r = sign(&agent, &fx, "ltv");
    r.assert_error(502, "REVOCATION_UNAVAILABLE");
    let line = &audited(&agent, "sign")[0];
    assert_eq!(
        (line["outcome"].as_str(), line["revocation"].as_str()),
        (Some("REVOCATION_UNAVAILABLE"), Some("unknown"))
    );
    drop(agent);
    let agent = Agent::start(&fx, "warn-down", &outbound(&[], 5, "warn", 5));
    let r = sign(&agent, &fx, "ltv");
    assert_eq!(r.status, 200, "warn signs without a status: {}", r.body);
    let line = &audited(&agent, "sign")[0];
    assert_eq!(
        (line["outcome"].as_str(), line["revocation"].as_str()),
        (Some("ok"), Some("unknown"))
    );
    drop(agent);

    // Responders that accept and never answer: the check gives up after
    // revocation.timeout_seconds in all, not per URL (OCSP, then the CRL).
    let _ocsp = hang_on(&ocsp_url);
    let _front = hang_on(&base_url);
    let agent = Agent::start(&fx, "require-hang", &outbound(&[], 5, "require", 2));
    let started = Instant::now();
    let r = sign(&agent, &fx, "ltv");
    let took = started.elapsed();
    r.assert_error(502, "REVOCATION_UNAVAILABLE");
    assert!(
        took < Duration::from_millis(3500),
        "answered after {took:?}"
    );
    assert_eq!(agent.get("/v1/info", Some(ORIGINS[0])).status, 200);
}

/// Listens on the port of `url` (`http://127.0.0.1:PORT`), accepting
/// connections and never answering, until the test process ends.
fn hang_on(url: &str) -> std::thread::JoinHandle<()> {
    let port = kyso_testkit::ltv::loopback_port(url).unwrap();
    let listener = TcpListener::bind(("127.0.0.1", port)).expect("the responder's port is free");
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().flatten() {
            held.push(conn);
        }
    })
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}
