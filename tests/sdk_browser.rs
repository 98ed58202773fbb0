//! The JS SDK in real headless Chromium and Firefox ESR, against the real
//! agent (unattended approver) and a SoftHSM token. Every .p7s the page
//! produces is checked with OpenSSL; the login token with kyso-core's
//! server-side verifier.

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD};
use base64::Engine;
use kyso_core::auth::{self, AuthToken};
use kyso_testkit::browser::{Browser, Session, StaticServer};
use kyso_tests::agent::Agent;
use kyso_tests::Fixture;

/// The page's files: the SDK beside the wasm bundle `cargo xtask build` makes.
fn site(dir: &Path) -> PathBuf {
    let ws = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let dist = ws.join("js-sdk/dist");
    assert!(
        dist.join("kyso_wasm_bg.wasm").is_file() && dist.join("kyso.js").is_file(),
        "{} has no wasm bundle: run `cargo xtask test` (it builds it) or `cargo xtask build`",
        dist.display()
    );
    let site = dir.join("site");
    std::fs::create_dir_all(&site).unwrap();
    for f in ["kyso.js", "kyso_wasm.js", "kyso_wasm_bg.wasm"] {
        std::fs::copy(dist.join(f), site.join(f)).unwrap();
    }
    std::fs::write(
        site.join("index.html"),
        "<!doctype html><meta charset=utf-8><title>Kyso SDK test</title>",
    )
    .unwrap();
    site
}

fn flow(browser: Browser) {
    let fx = Fixture::full();
    let dir = fx.scratch(&format!("sdk-{browser:?}"));
    let server = StaticServer::start(site(&dir));
    let page = server.origin();
    let agent = Agent::start(
        fx,
        &format!("sdk-{browser:?}"),
        &format!("[[origins]]\norigin = \"{page}\"\nunattended = true\n"),
    );
    let root_pem = std::fs::read_to_string(&fx.manifest.root_pem).unwrap();
    let cert_id = fx.cert_id("p256");
    let nonce = URL_SAFE_NO_PAD.encode(*b"mot-lan-duy-nhat-tu-may-chu-cong");
    let closed_port = std::net::TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port();

    let session = Session::start(browser, &dir);
    session.goto(&format!("{page}/"));
    let script = format!(
        r#"
        const {{ Kyso, KysoError }} = await import("/kyso.js");
        const b64 = (u8) => btoa(String.fromCharCode(...u8));
        const hex = (u8) => Array.from(u8, (b) => b.toString(16).padStart(2, "0")).join("");
        const root = {root};
        const kyso = await Kyso.connect({{ ports: [{port}], trustAnchors: [root] }});
        const byMst = await kyso.certificates({{ filter: {{ identifier: "MST:0401234567" }} }});
        const all = await kyso.certificates();
        const data = new TextEncoder().encode("Tờ khai đăng ký hộ kinh doanh — Nguyễn Văn An");
        const single = await kyso.signCms(new Blob([data]), {{ certificateId: {id}, documentName: "to-khai.xml" }});
        const items = Array.from({{ length: 20 }}, (_, i) => ({{ data: new TextEncoder().encode("Hồ sơ số " + i), documentName: "ho-so-" + i + ".pdf" }}));
        const batch = await kyso.signBatch(items, {{ certificateId: {id} }});
        const token = await kyso.authenticate({nonce}, {{ certificateId: {id} }});
        const verified = await Kyso.verify(single.cms, {{ content: new Blob([data]), trustAnchors: [root] }});
        const tampered = await Kyso.verify(single.cms, {{ content: new TextEncoder().encode("khác"), trustAnchors: [root] }});
        const digest = await Kyso.hash(new Blob([data]), {{ algorithm: "SHA-256" }});
        let missing;
        try {{ await Kyso.connect({{ ports: [{closed}], timeoutMs: 1500 }}); }} catch (e) {{ missing = {{ code: e.code, vi: e.messageVi, isKysoError: e instanceof KysoError }}; }}
        return {{
          info: kyso.info, byMst: byMst.map((c) => c.id), all: all.length,
          data: b64(data), cms: b64(single.cms), report: single.report,
          batch: batch.map((b) => ({{ cms: b.cms && b64(b.cms), indication: b.report && b.report.indication }})),
          token, verified: verified.indication, tampered: tampered.signatures[0].subIndication,
          digest: hex(digest), missing,
        }};
        "#,
        root = serde_json::to_string(&root_pem).unwrap(),
        port = agent.port,
        id = serde_json::to_string(&cert_id).unwrap(),
        nonce = serde_json::to_string(&nonce).unwrap(),
        closed = closed_port,
    );
    let out = session.run(&script);
    let v = out
        .get("ok")
        .unwrap_or_else(|| panic!("{browser:?}: the page failed: {out}"));

    assert_eq!(v["info"]["name"], "kyso-agent");
    assert_eq!(v["info"]["originAllowed"], true);
    assert_eq!(
        v["byMst"],
        serde_json::json!([cert_id]),
        "filter by identifier"
    );
    assert_eq!(v["all"], 6);
    assert_eq!(
        v["report"]["indication"], "TOTAL_PASSED",
        "{browser:?}: {}",
        v["report"]
    );
    assert_eq!(v["verified"], "TOTAL_PASSED");
    assert_eq!(v["tampered"], "HASH_FAILURE");
    let data = B64.decode(v["data"].as_str().unwrap()).unwrap();
    assert_eq!(
        v["digest"],
        hex::encode(kyso_core::DigestAlgorithm::Sha256.digest(&data))
    );

    // Independent check of every signature the page made.
    let files = fx.scratch(&format!("sdk-{browser:?}-files"));
    let content = files.join("to-khai.xml");
    std::fs::write(&content, &data).unwrap();
    let p7s = files.join("to-khai.p7s");
    std::fs::write(&p7s, B64.decode(v["cms"].as_str().unwrap()).unwrap()).unwrap();
    assert!(
        fx.openssl_verify(&p7s, Some(&content)),
        "{browser:?}: OpenSSL rejects signCms"
    );
    let batch = v["batch"].as_array().unwrap();
    assert_eq!(batch.len(), 20);
    for (i, b) in batch.iter().enumerate() {
        assert_eq!(b["indication"], "TOTAL_PASSED", "item {i}");
        let f = files.join(format!("{i}.p7s"));
        let c = files.join(format!("{i}.txt"));
        std::fs::write(&f, B64.decode(b["cms"].as_str().unwrap()).unwrap()).unwrap();
        std::fs::write(&c, format!("Hồ sơ số {i}")).unwrap();
        assert!(
            fx.openssl_verify(&f, Some(&c)),
            "{browser:?}: OpenSSL rejects batch item {i}"
        );
    }
    let signs = agent
        .audit_lines()
        .iter()
        .filter(|l| l["event"] == "sign" && l["origin"] == page.as_str())
        .count();
    assert_eq!(signs, 21, "one audit line per signature");

    // The portal's server checks the login token for its own origin and nonce.
    let token: AuthToken = serde_json::from_value(v["token"].clone()).unwrap();
    let mut anchors = kyso_core::TrustAnchors::empty();
    anchors.add_encoded(root_pem.as_bytes()).unwrap();
    let now = kyso_core::time::from_unix(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    auth::verify(&token, &page, &nonce, &anchors, now).expect("the server accepts the login");

    assert_eq!(v["missing"]["code"], "AGENT_NOT_FOUND", "{}", v["missing"]);
    assert_eq!(v["missing"]["isKysoError"], true);
    assert!(v["missing"]["vi"]
        .as_str()
        .unwrap()
        .contains("phần mềm ký số"));
}

#[test]
fn sdk_in_chromium() {
    flow(Browser::Chromium);
}

#[test]
fn sdk_in_firefox() {
    flow(Browser::Firefox);
}

/// A portal on a public address (127.0.0.2, declared public to Chromium):
/// without the user's loopback-network permission the SDK explains how to
/// allow it; with it, signing works.
#[test]
fn local_network_access_in_chromium() {
    let fx = Fixture::full();
    let dir = fx.scratch("sdk-lna");
    let server = StaticServer::start_on("127.0.0.2", site(&dir));
    let page = server.origin();
    let agent = Agent::start(
        fx,
        "sdk-lna",
        &format!("[[origins]]\norigin = \"{page}\"\nunattended = true\n"),
    );
    let flags = vec![
        format!(
            "--ip-address-space-overrides=127.0.0.2:{}=public",
            server.port
        ),
        format!("--unsafely-treat-insecure-origin-as-secure={page}"),
    ];
    let connect = format!(
        r#"const {{ Kyso }} = await import("/kyso.js");
        try {{ const k = await Kyso.connect({{ ports: [{port}], timeoutMs: 4000 }}); return {{ connected: k.info.originAllowed }}; }}
        catch (e) {{ return {{ code: e.code, vi: e.messageVi }}; }}"#,
        port = agent.port
    );

    let denied = Session::start_with(Browser::Chromium, &dir, &flags);
    denied.goto(&format!("{page}/"));
    let r = denied.run(&connect);
    assert_eq!(r["ok"]["code"], "LOCAL_NETWORK_ACCESS_DENIED", "{r}");
    assert!(
        r["ok"]["vi"].as_str().unwrap().contains("mạng cục bộ"),
        "{r}"
    );
    drop(denied);

    let granted = Session::start_with(Browser::Chromium, &dir, &flags);
    granted.goto(&format!("{page}/"));
    let set = granted.set_permission("loopback-network", "granted");
    assert!(set["value"].is_null(), "Set Permission failed: {set}");
    let r = granted.run(&connect);
    assert_eq!(r["ok"]["connected"], true, "{r}");
}
