//! The JS SDK in real headless Chromium and Firefox ESR, against the real
//! agent (unattended approver) and a SoftHSM token. Every .p7s the page
//! produces is checked with OpenSSL; the login token with kyso-core's
//! server-side verifier; the long-term levels (the agent's TSA and
//! `/v1/revocation`, the `ltv` token's loopback responders) with `kyso
//! verify`, EU DSS, pyHanko and `openssl ts`.

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD};
use base64::Engine;
use kyso_core::auth::{self, AuthToken};
use kyso_core::cms::unsigned_attrs;
use kyso_testkit::browser::{Browser, Launch, Session, StaticServer};
use kyso_tests::agent::Agent;
use kyso_tests::{ltv, Fixture};

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

/// The SDK beside the wasm bundle `cargo xtask build` makes.
fn dist() -> PathBuf {
    let dist = workspace().join("js-sdk/dist");
    assert!(
        dist.join("kyso_wasm_bg.wasm").is_file() && dist.join("kyso.js").is_file(),
        "{} has no wasm bundle: run `cargo xtask test` (it builds it) or `cargo xtask build`",
        dist.display()
    );
    dist
}

/// The page's files: the SDK as a portal would serve it unbundled.
fn site(dir: &Path) -> PathBuf {
    let dist = dist();
    let site = dir.join("site");
    std::fs::create_dir_all(&site).unwrap();
    for f in [
        "kyso.js",
        "kyso_wasm.js",
        "kyso_wasm_bg.wasm",
        "kyso_wasm_pdf.js",
        "kyso_wasm_pdf_bg.wasm",
        "LiberationSerif-Regular.ttf",
    ] {
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
        const batchProgress = [];
        const batch = await kyso.signBatch(items, {{ certificateId: {id}, onProgress: (d, t) => batchProgress.push([d, t]) }});
        // Streaming forced on a 10 MiB Blob: one event per 4 MiB slice, and the
        // same digest as WebCrypto's one-shot.
        const big = new Blob([new Uint8Array(10 << 20).fill(7)]);
        const streamProgress = [];
        const streamed = await Kyso.hash(big, {{ streamAbove: 0, onProgress: (d, t) => streamProgress.push([d, t]) }});
        const oneShot = new Uint8Array(await crypto.subtle.digest("SHA-256", await big.arrayBuffer()));
        const token = await kyso.authenticate({nonce}, {{ certificateId: {id} }});
        const verified = await Kyso.verify(single.cms, {{ content: new Blob([data]), trustAnchors: [root] }});
        const tampered = await Kyso.verify(single.cms, {{ content: new TextEncoder().encode("khác"), trustAnchors: [root] }});
        const detailed = await Kyso.verify(single.cms, {{ content: data, trustAnchors: [root], report: "detailed" }});
        const sha3 = await Kyso.hash(new TextEncoder().encode("abc"), {{ algorithm: "SHA3-256" }});
        const digest = await Kyso.hash(new Blob([data]), {{ algorithm: "SHA-256" }});
        let missing;
        try {{ await Kyso.connect({{ ports: [{closed}], timeoutMs: 1500 }}); }} catch (e) {{ missing = {{ code: e.code, vi: e.messageVi, isKysoError: e instanceof KysoError }}; }}
        return {{
          info: kyso.info, byMst: byMst.map((c) => c.id), all: all.length,
          data: b64(data), cms: b64(single.cms), report: single.report,
          batch: batch.map((b) => ({{ cms: b.cms && b64(b.cms), indication: b.report && b.report.indication }})),
          token, verified: verified.indication, tampered: tampered.signatures[0].subIndication,
          simpleHasBlocks: "validation" in verified.signatures[0],
          blocks: detailed.signatures[0].validation.map((b) => b.block),
          cvTitleVi: detailed.signatures[0].validation.find((b) => b.block === "CV").titleVi,
          sha3: hex(sha3),
          digest: hex(digest), missing,
          batchProgress, streamProgress, streamed: hex(streamed), oneShot: hex(oneShot),
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
    // The detailed report in the page: every ETSI EN 319 102-1 block, in order,
    // titled in Vietnamese; the simple one carries none.
    assert_eq!(v["simpleHasBlocks"], false, "{browser:?}");
    assert_eq!(
        v["blocks"],
        serde_json::json!(["FC", "ISC", "VCI", "CV", "SAV", "XCV"]),
        "{browser:?}"
    );
    assert_eq!(v["cvTitleVi"], "Kiểm tra mật mã");
    // SHA-3, which WebCrypto lacks, through the wasm hasher (FIPS 202 "abc").
    assert_eq!(
        v["sha3"],
        "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"
    );
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

    let progress = |key: &str| -> Vec<(u64, u64)> {
        v[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e[0].as_u64().unwrap(), e[1].as_u64().unwrap()))
            .collect()
    };
    let stream = progress("streamProgress");
    let big = 10u64 << 20;
    let slice = 4u64 << 20;
    assert_eq!(
        stream,
        vec![(slice, big), (2 * slice, big), (big, big)],
        "{browser:?}"
    );
    assert_eq!(v["streamed"], v["oneShot"], "{browser:?}: streamed digest");
    let batch_progress = progress("batchProgress");
    let batch_total: u64 = (0..20).map(|i| format!("Hồ sơ số {i}").len() as u64).sum();
    assert_eq!(batch_progress.len(), 20, "one event per document");
    assert!(batch_progress.windows(2).all(|w| w[0].0 < w[1].0));
    assert!(batch_progress.iter().all(|&(_, t)| t == batch_total));
    assert_eq!(batch_progress.last().unwrap().0, batch_total);

    // Independent check of every signature the page made.
    let files = fx.scratch(&format!("sdk-{browser:?}-files"));
    let content = files.join("to-khai.xml");
    std::fs::write(&content, &data).unwrap();
    let p7s = files.join("to-khai.p7s");
    std::fs::write(&p7s, B64.decode(v["cms"].as_str().unwrap()).unwrap()).unwrap();
    assert!(
        fx.independently_valid(&p7s, Some(&content)),
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
            fx.independently_valid(&f, Some(&c)),
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

/// A portal on a public address (127.0.0.2, declared public to the browser):
/// while the user has not answered the loopback-network prompt, and after
/// refusing it, the SDK explains how to allow it (never hangs); once allowed,
/// signing works.
fn local_network_access(browser: Browser) {
    let fx = Fixture::full();
    let dir = fx.scratch(&format!("sdk-lna-{browser:?}"));
    let server = StaticServer::start_on("127.0.0.2", site(&dir));
    let page = server.origin();
    let agent = Agent::start(
        fx,
        &format!("sdk-lna-{browser:?}"),
        &format!("[[origins]]\norigin = \"{page}\"\nunattended = true\n"),
    );
    let launch = Launch::public_site(browser, "127.0.0.2", server.port);
    let cert_id = fx.cert_id("p256");
    let connect_and_sign = format!(
        r#"const {{ Kyso }} = await import("/kyso.js");
        const started = performance.now();
        try {{
          const k = await Kyso.connect({{ ports: [{port}], timeoutMs: 4000 }});
          const {{ report }} = await k.signCms(new TextEncoder().encode("to khai"), {{ certificateId: "{cert_id}" }});
          return {{ connected: k.info.originAllowed, signed: report.signatures.length }};
        }} catch (e) {{
          return {{ code: e.code, vi: e.messageVi, ms: performance.now() - started }};
        }}"#,
        port = agent.port
    );
    let refused = |r: &serde_json::Value, case: &str| {
        assert_eq!(
            r["ok"]["code"], "LOCAL_NETWORK_ACCESS_DENIED",
            "{browser:?} {case}: {r}"
        );
        let vi = r["ok"]["vi"].as_str().unwrap();
        assert!(vi.contains("mạng cục bộ"), "{browser:?} {case}: {r}");
        // Bounded by the SDK's own timeout, not the browser's.
        assert!(r["ok"]["ms"].as_f64().unwrap() < 10_000.0, "{r}");
    };

    let unanswered = Session::start_with(browser, &dir, &launch);
    unanswered.goto(&format!("{page}/"));
    refused(&unanswered.run(&connect_and_sign), "not answered");
    drop(unanswered);

    let denied = Session::start_with(browser, &dir, &launch);
    denied.goto(&format!("{page}/"));
    let set = denied.set_permission("loopback-network", "denied");
    assert!(set["value"].is_null(), "Set Permission failed: {set}");
    refused(&denied.run(&connect_and_sign), "denied");
    drop(denied);

    let granted = Session::start_with(browser, &dir, &launch);
    granted.goto(&format!("{page}/"));
    let set = granted.set_permission("loopback-network", "granted");
    assert!(set["value"].is_null(), "Set Permission failed: {set}");
    let r = granted.run(&connect_and_sign);
    assert_eq!(r["ok"]["connected"], true, "{browser:?} granted: {r}");
    assert_eq!(r["ok"]["signed"], 1, "{browser:?} granted: {r}");
}

#[test]
fn local_network_access_in_chromium() {
    local_network_access(Browser::Chromium);
}

#[test]
fn local_network_access_in_firefox() {
    local_network_access(Browser::Firefox);
}

/// A portal that bundles the SDK: `import { Kyso } from "kyso-sdk"` built
/// by Vite, which must carry the wasm along (the SDK finds it through
/// `import.meta.url`). The bundled page signs through the agent and verifies
/// in the page.
#[test]
fn sdk_through_a_bundler() {
    dist(); // Vite resolves "kyso-sdk" to js-sdk/dist
    let fixture = workspace().join("js-sdk/test/bundler");
    let vite = fixture.join("node_modules/.bin/vite");
    assert!(
        vite.is_file(),
        "{} is missing: `cargo xtask test` (its setup runs `npm ci` there)",
        vite.display()
    );
    let fx = Fixture::full();
    let dir = fx.scratch("sdk-bundler");
    let out = dir.join("site");
    let built = std::process::Command::new(&vite)
        .args(["build", "--outDir"])
        .arg(&out)
        .current_dir(&fixture)
        .output()
        .expect("run vite");
    assert!(
        built.status.success(),
        "vite build failed: {}",
        String::from_utf8_lossy(&built.stderr)
    );
    let assets: Vec<String> = std::fs::read_dir(out.join("assets"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        assets.iter().filter(|a| a.ends_with(".wasm")).count(),
        2,
        "the bundle must carry both wasm modules: {assets:?}"
    );

    let server = StaticServer::start(out);
    let page = server.origin();
    let agent = Agent::start(
        fx,
        "sdk-bundler",
        &format!("[[origins]]\norigin = \"{page}\"\nunattended = true\n"),
    );
    let root_pem = std::fs::read_to_string(&fx.manifest.root_pem).unwrap();
    let script = format!(
        r#"
        for (let i = 0; i < 100 && !window.kysoBundled; i++) await new Promise((r) => setTimeout(r, 50));
        const {{ Kyso }} = window.kysoBundled;
        const data = new TextEncoder().encode("Công văn số 12/UBND");
        const kyso = await Kyso.connect({{ ports: [{port}], trustAnchors: [{root}] }});
        const {{ cms, report }} = await kyso.signCms(data, {{ certificateId: {id} }});
        const streamed = await Kyso.hash(new Blob([data]), {{ streamAbove: 0 }});
        const verified = await Kyso.verify(cms, {{ content: data, trustAnchors: [{root}] }});
        // A PDF loads the second (PAdES) module through the bundle.
        const pdf = await Kyso.verify(new TextEncoder().encode("%PDF-1.7\n%%EOF\n"));
        return {{
          cms: btoa(String.fromCharCode(...cms)), report: report.indication,
          verified: verified.indication, streamed: Array.from(streamed),
          pdf: pdf.signatures[0].errors[0].code,
        }};
        "#,
        port = agent.port,
        root = serde_json::to_string(&root_pem).unwrap(),
        id = serde_json::to_string(&fx.cert_id("rsa2048")).unwrap(),
    );
    for browser in [Browser::Chromium, Browser::Firefox] {
        let session = Session::start(browser, &dir);
        session.goto(&format!("{page}/"));
        let r = session.run(&script);
        let v = r
            .get("ok")
            .unwrap_or_else(|| panic!("{browser:?}: the bundled page failed: {r}"));
        assert_eq!(v["report"], "TOTAL_PASSED", "{browser:?}: {v}");
        assert_eq!(v["verified"], "TOTAL_PASSED", "{browser:?}: {v}");
        assert_eq!(v["pdf"], "PDF_MALFORMED", "{browser:?}: {v}");
        let data = "Công văn số 12/UBND".as_bytes();
        let want = kyso_core::DigestAlgorithm::Sha256.digest(data);
        assert_eq!(v["streamed"], serde_json::json!(want), "{browser:?}");
        let files = fx.scratch(&format!("sdk-bundler-{browser:?}"));
        std::fs::write(files.join("cv.txt"), data).unwrap();
        std::fs::write(
            files.join("cv.p7s"),
            B64.decode(v["cms"].as_str().unwrap()).unwrap(),
        )
        .unwrap();
        assert!(
            fx.independently_valid(&files.join("cv.p7s"), Some(&files.join("cv.txt"))),
            "{browser:?}: OpenSSL rejects the bundled page's signature"
        );
    }
}

/// `signPdf` in the page: the leader approves with a signature image, the
/// clerk issues with the seal (another certificate), each through the agent;
/// the page's own report, pdfsig, pyHanko and `kyso verify` all accept both.
fn sign_pdf_in(browser: Browser) {
    let fx = Fixture::full();
    let dir = fx.scratch(&format!("sdk-pdf-{browser:?}"));
    let site = site(&dir);
    std::fs::copy(&kyso_tests::pdf::corpus(fx)[0].path, site.join("draft.pdf")).unwrap();
    kyso_tests::pdf::test_png(&site.join("sig.png"), false);
    kyso_tests::pdf::test_png(&site.join("seal.png"), true);
    let server = StaticServer::start(site);
    let page = server.origin();
    let agent = Agent::start(
        fx,
        &format!("sdk-pdf-{browser:?}"),
        &format!("[[origins]]\norigin = \"{page}\"\nunattended = true\n"),
    );
    let root_pem = std::fs::read_to_string(&fx.manifest.root_pem).unwrap();
    let script = format!(
        r#"
        const {{ Kyso }} = await import("/kyso.js");
        const get = async (p) => new Uint8Array(await (await fetch(p)).arrayBuffer());
        const kyso = await Kyso.connect({{ ports: [{port}], trustAnchors: [{root}] }});
        const draft = await get("/draft.pdf");
        const approved = await kyso.signPdf(new Blob([draft]), {{
          certificateId: {leader}, role: "approved", image: await get("/sig.png"), reason: "Phê duyệt",
          documentName: "du-thao.pdf",
        }});
        const issued = await kyso.signPdf(approved.pdf, {{
          certificateId: {clerk}, role: "issued", seal: await get("/seal.png"),
          docNumber: "12/QĐ-UBND", issuedDate: "25/11/2026",
        }});
        const again = await Kyso.verify(issued.pdf, {{ trustAnchors: [{root}] }});
        let bad;
        try {{ await kyso.signPdf(new TextEncoder().encode("%PDF-1.7 not really"), {{ certificateId: {leader} }}); }}
        catch (e) {{ bad = {{ code: e.code, vi: e.messageVi }}; }}
        const b64 = (u8) => {{ let s = ""; for (let i = 0; i < u8.length; i += 8192) s += String.fromCharCode(...u8.subarray(i, i + 8192)); return btoa(s); }};
        return {{
          first: approved.report, second: issued.report, again: again.indication,
          count: again.signatures.length, pdf: b64(issued.pdf), bad,
        }};
        "#,
        port = agent.port,
        root = serde_json::to_string(&root_pem).unwrap(),
        leader = serde_json::to_string(&fx.cert_id("rsa2048")).unwrap(),
        clerk = serde_json::to_string(&fx.cert_id("p256")).unwrap(),
    );
    let session = Session::start(browser, &dir);
    session.goto(&format!("{page}/"));
    let r = session.run(&script);
    let v = r
        .get("ok")
        .unwrap_or_else(|| panic!("{browser:?}: the page failed: {r}"));
    assert_eq!(
        v["first"]["indication"], "TOTAL_PASSED",
        "{browser:?}: {v:#}"
    );
    assert_eq!(
        v["second"]["indication"], "TOTAL_PASSED",
        "{browser:?}: {v:#}"
    );
    assert_eq!(v["again"], "TOTAL_PASSED");
    assert_eq!(v["count"], 2);
    assert_eq!(v["bad"]["code"], "PDF_MALFORMED", "{v:#}");
    assert!(v["bad"]["vi"].as_str().unwrap().contains("PDF"));

    let signed = dir.join("issued.pdf");
    std::fs::write(&signed, B64.decode(v["pdf"].as_str().unwrap()).unwrap()).unwrap();
    let (sigs, text) = kyso_tests::pdf::pdfsig(fx, &signed);
    assert_eq!(
        sigs,
        vec![(true, true), (true, true)],
        "{browser:?}: {text}"
    );
    let (ok, text) = fx.pyhanko_validate(&[], &signed);
    assert!(ok, "{browser:?}: pyHanko: {text}");
    let (code, report) = fx.verify(&signed, None, true);
    assert_eq!(code, 0, "{report:#}");
    kyso_tests::pdf::render_artifact(&signed, 1, &format!("sdk-signpdf-{browser:?}"));
    let signs = agent
        .audit_lines()
        .iter()
        .filter(|l| l["event"] == "sign" && l["documentName"] == "du-thao.pdf")
        .count();
    assert_eq!(signs, 1, "the audit log names the document");
}

#[test]
fn sign_pdf_in_chromium() {
    sign_pdf_in(Browser::Chromium);
}

#[test]
fn sign_pdf_in_firefox() {
    sign_pdf_in(Browser::Firefox);
}

/// What every long-term page script starts with: the SDK connected to the
/// agent on `port`, the `ltv` signer's id, base64 out and a report's summary.
fn ltv_prelude(fx: &Fixture, port: u16) -> String {
    format!(
        r#"
        const {{ Kyso }} = await import("/kyso.js");
        const b64 = (u8) => {{ let s = ""; for (let i = 0; i < u8.length; i += 8192) s += String.fromCharCode(...u8.subarray(i, i + 8192)); return btoa(s); }};
        const get = async (p) => new Uint8Array(await (await fetch(p)).arrayBuffer());
        const root = {root};
        const kyso = await Kyso.connect({{ ports: [{port}], trustAnchors: [root] }});
        const certificateId = {id};
        const summary = (r) => ({{
          indication: r.indication, count: r.signatures.length,
          level: r.signatures[0].level, subIndication: r.signatures[0].subIndication,
          timestamps: (r.signatures[0].timestamps ?? []).map((t) => [t.kind, t.indication]),
        }});
        "#,
        root = serde_json::to_string(&std::fs::read_to_string(&fx.manifest.root_pem).unwrap())
            .unwrap(),
        id = serde_json::to_string(&fx.cert_id("ltv")).unwrap(),
    )
}

fn run_ok(session: &Session, browser: Browser, what: &str, script: &str) -> serde_json::Value {
    let r = session.run(script);
    r.get("ok")
        .unwrap_or_else(|| panic!("{browser:?} {what}: the page failed: {r}"))
        .clone()
}

fn write_b64(path: &Path, v: &serde_json::Value) {
    std::fs::write(path, B64.decode(v.as_str().expect("base64")).unwrap()).unwrap();
}

/// `kyso verify` (offline, trusting the test root): the exit code, the
/// report's indication and the first signature's level.
fn kyso_verdict(
    fx: &Fixture,
    file: &Path,
    content: Option<&Path>,
) -> (i32, String, String, serde_json::Value) {
    let (code, report) = fx.verify(file, content, true);
    let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    (
        code,
        s(&report["indication"]),
        s(&report["signatures"][0]["level"]),
        report,
    )
}

/// The long-term levels through the page, against the real agent (its TSA
/// and `/v1/revocation`) and the `ltv` token's loopback responders: CAdES
/// B-LT, PAdES B-LTA, PAdES B-T extended to B-LTA. Judged after the
/// responders are stopped by `kyso verify`, EU DSS (its default policy,
/// nothing fetched), pyHanko's AdES process and `openssl ts -verify`.
fn long_term_in(browser: Browser) {
    let name = format!("sdk-ltv-{browser:?}");
    let (fx, mut responders) = ltv::fixture(&name);
    let dir = fx.scratch(&name);
    let site = site(&dir);
    std::fs::copy(kyso_tests::pdf::one_page(&dir), site.join("draft.pdf")).unwrap();
    let server = StaticServer::start(site);
    let page = server.origin();
    let tsa = responders.entry().tsa_url.clone();
    let agent = Agent::start(
        &fx,
        &name,
        &format!(
            "[[origins]]\norigin = \"{page}\"\nunattended = true\n[timestamp]\nurls = [\"{tsa}\"]\n"
        ),
    );
    let prelude = ltv_prelude(&fx, agent.port);
    let session = Session::start(browser, &dir);
    session.goto(&format!("{page}/"));

    let cms = run_ok(
        &session,
        browser,
        "signCms B-LT",
        &format!(
            r#"{prelude}
            const data = new TextEncoder().encode("Tờ khai thuế — bản lưu trữ dài hạn");
            const {{ cms, report }} = await kyso.signCms(new Blob([data]), {{ certificateId, level: "B-LT", documentName: "to-khai.xml" }});
            const items = ["Hồ sơ 1", "Hồ sơ 2"].map((t) => ({{ data: new TextEncoder().encode(t) }}));
            const batch = await kyso.signBatch(items, {{ certificateId, level: "B-LTA" }});
            return {{
              data: b64(data), cms: b64(cms), report: summary(report),
              batch: batch.map((b) => b.error ? {{ error: b.error.code }} : {{ cms: b64(b.cms), report: summary(b.report) }}),
            }};"#
        ),
    );
    let lta = run_ok(
        &session,
        browser,
        "signPdf B-LTA",
        &format!(
            r#"{prelude}
            const {{ pdf, report }} = await kyso.signPdf(await get("/draft.pdf"), {{ certificateId, level: "B-LTA" }});
            return {{ pdf: b64(pdf), report: summary(report) }};"#
        ),
    );
    let extended = run_ok(
        &session,
        browser,
        "signPdf B-T, extend B-LTA",
        &format!(
            r#"{prelude}
            const bt = await kyso.signPdf(await get("/draft.pdf"), {{ certificateId, level: "B-T" }});
            const lta = await Kyso.extend(bt.pdf, {{ level: "B-LTA", kyso }});
            // The statuses of a B-T file: none offline, the agent's with online.
            const statuses = (r) => (r.signatures[0].revocation ?? []).map((x) => [x.origin, x.status]);
            const offline = await Kyso.verify(bt.pdf, {{ trustAnchors: [root] }});
            const online = await Kyso.verify(bt.pdf, {{ trustAnchors: [root], online: true, kyso }});
            return {{
              bt: summary(bt.report), pdf: b64(lta.pdf), report: summary(lta.report),
              offline: statuses(offline), online: statuses(online),
            }};"#
        ),
    );
    drop(session);
    drop(agent);

    // The page's own reports.
    let summary = |level: &str, stamps: &[&str]| {
        serde_json::json!({
            "indication": "TOTAL_PASSED", "level": level,
            "timestamps": stamps.iter().map(|k| [*k, "TOTAL_PASSED"]).collect::<Vec<_>>(),
        })
    };
    let pick = |r: &serde_json::Value| {
        serde_json::json!({
            "indication": r["indication"], "level": r["level"], "timestamps": r["timestamps"],
        })
    };
    assert_eq!(
        pick(&cms["report"]),
        summary("B-LT", &["SIGNATURE"]),
        "{browser:?}: {cms:#}"
    );
    let batch = cms["batch"].as_array().unwrap();
    assert_eq!(batch.len(), 2, "{browser:?}");
    for (i, b) in batch.iter().enumerate() {
        assert_eq!(
            pick(&b["report"]),
            summary("B-LTA", &["SIGNATURE", "ARCHIVE"]),
            "{browser:?} batch item {i}: {b}"
        );
    }
    assert_eq!(
        pick(&extended["bt"]),
        summary("B-T", &["SIGNATURE"]),
        "{browser:?}"
    );
    // Kyso.verify({ online }): the agent's answers for the signer and its CA.
    assert_eq!(extended["offline"], serde_json::json!([]), "{browser:?}");
    assert_eq!(
        extended["online"],
        serde_json::json!([["ONLINE", "GOOD"], ["ONLINE", "GOOD"]]),
        "{browser:?}"
    );
    for (what, r) in [("B-LTA", &lta["report"]), ("extended", &extended["report"])] {
        assert_eq!(r["indication"], "TOTAL_PASSED", "{browser:?} {what}: {r}");
        assert_eq!(r["level"], "B-LTA", "{browser:?} {what}: {r}");
        let kinds = r["timestamps"].as_array().unwrap();
        assert!(
            kinds.iter().any(|t| t[0] == "SIGNATURE")
                && kinds.iter().any(|t| t[0] != "SIGNATURE")
                && kinds.iter().all(|t| t[1] == "TOTAL_PASSED"),
            "{browser:?} {what}: a signature and a document time-stamp: {r}"
        );
    }

    // Everything below is judged with what the files carry.
    responders.stop();
    let files = fx.scratch(&format!("{name}-files"));

    let (content, p7s) = (files.join("to-khai.xml"), files.join("to-khai.p7s"));
    write_b64(&content, &cms["data"]);
    write_b64(&p7s, &cms["cms"]);
    let (code, indication, level, report) = kyso_verdict(&fx, &p7s, Some(&content));
    assert_eq!(
        (code, indication.as_str(), level.as_str()),
        (0, "TOTAL_PASSED", "B-LT"),
        "{browser:?} CMS: {report:#}"
    );
    let dss = ltv::dss_default(&fx, &p7s, Some(&content));
    let s = &dss["signatures"][0];
    assert_eq!(
        (s["indication"].as_str(), s["signatureFormat"].as_str()),
        (Some("TOTAL_PASSED"), Some("CAdES-BASELINE-LT")),
        "{browser:?} CMS: {dss:#}"
    );
    let signed = std::fs::read(&p7s).unwrap();
    let token = unsigned_attrs::values(&signed, unsigned_attrs::ID_AA_SIGNATURE_TIME_STAMP_TOKEN)
        .unwrap()
        .remove(0);
    let (token_path, value) = (files.join("token.der"), files.join("value.bin"));
    std::fs::write(&token_path, token).unwrap();
    std::fs::write(&value, unsigned_attrs::signature_value(&signed).unwrap()).unwrap();
    ltv::assert_openssl_ts_verifies(&fx, &token_path, &["-data".as_ref(), value.as_os_str()]);
    for (i, b) in batch.iter().enumerate() {
        let (content, p7s) = (
            files.join(format!("{i}.txt")),
            files.join(format!("{i}.p7s")),
        );
        std::fs::write(&content, format!("Hồ sơ {}", i + 1)).unwrap();
        write_b64(&p7s, &b["cms"]);
        let (code, indication, level, report) = kyso_verdict(&fx, &p7s, Some(&content));
        assert_eq!(
            (code, indication.as_str(), level.as_str()),
            (0, "TOTAL_PASSED", "B-LTA"),
            "{browser:?} batch item {i}: {report:#}"
        );
        let dss = ltv::dss_default(&fx, &p7s, Some(&content));
        let s = &dss["signatures"][0];
        assert_eq!(
            (s["indication"].as_str(), s["signatureFormat"].as_str()),
            (Some("TOTAL_PASSED"), Some("CAdES-BASELINE-LTA")),
            "{browser:?} batch item {i}: {dss:#}"
        );
    }

    for (what, v) in [("B-LTA", &lta), ("extended", &extended)] {
        let pdf = files.join(format!("{what}.pdf"));
        write_b64(&pdf, &v["pdf"]);
        let (code, indication, level, report) = kyso_verdict(&fx, &pdf, None);
        assert_eq!(
            (code, indication.as_str(), level.as_str()),
            (0, "TOTAL_PASSED", "B-LTA"),
            "{browser:?} {what}: {report:#}"
        );
        let dss = ltv::dss_default(&fx, &pdf, None);
        let s = &dss["signatures"][0];
        assert_eq!(
            (s["indication"].as_str(), s["signatureFormat"].as_str()),
            (Some("TOTAL_PASSED"), Some("PAdES-BASELINE-LTA")),
            "{browser:?} {what}: {dss:#}"
        );
        let (ok, text) = ltv::pyhanko_ades(&fx, &pdf);
        assert!(ok, "{browser:?} {what}: pyHanko: {text}");
    }
}

#[test]
fn long_term_levels_in_chromium() {
    long_term_in(Browser::Chromium);
}

#[test]
fn long_term_levels_in_firefox() {
    long_term_in(Browser::Firefox);
}

/// A TSA that accepts and never answers: `signPdf(B-T)` rejects with
/// TSA_UNAVAILABLE once the agent's `timestamp.timeout_seconds` ran out —
/// longer than the SDK's `timeoutMs`, as the defaults are (10 s, 3 s) — and
/// the error carries the B-B PDF the token signed, valid.
fn tsa_hangs_in(browser: Browser) {
    let fx = Fixture::full();
    let name = format!("sdk-tsa-hangs-{browser:?}");
    let dir = fx.scratch(&name);
    let site = site(&dir);
    std::fs::copy(kyso_tests::pdf::one_page(&dir), site.join("draft.pdf")).unwrap();
    let server = StaticServer::start(site);
    let page = server.origin();
    let (hang_port, _hang) = kyso_testkit::ltv::hanging_server().unwrap();
    const TSA_TIMEOUT: u64 = 4;
    let agent = Agent::start(
        fx,
        &name,
        &format!(
            "[[origins]]\norigin = \"{page}\"\nunattended = true\n\
             [timestamp]\nurls = [\"http://127.0.0.1:{hang_port}/tsa\"]\ntimeout_seconds = {TSA_TIMEOUT}\n"
        ),
    );
    let session = Session::start(browser, &dir);
    session.goto(&format!("{page}/"));
    let v = run_ok(
        &session,
        browser,
        "signPdf B-T, TSA hangs",
        &format!(
            r#"
            const {{ Kyso, KysoError }} = await import("/kyso.js");
            const b64 = (u8) => {{ let s = ""; for (let i = 0; i < u8.length; i += 8192) s += String.fromCharCode(...u8.subarray(i, i + 8192)); return btoa(s); }};
            const kyso = await Kyso.connect({{ ports: [{port}], trustAnchors: [{root}] }});
            const draft = new Uint8Array(await (await fetch("/draft.pdf")).arrayBuffer());
            const started = performance.now();
            try {{
              await kyso.signPdf(draft, {{ certificateId: {id}, level: "B-T" }});
              return {{ signed: true }};
            }} catch (e) {{
              const result = e.details && e.details.result;
              return {{
                ms: performance.now() - started, code: e.code, isKysoError: e instanceof KysoError,
                level: e.details && e.details.level,
                pdf: result && result.pdf && b64(result.pdf),
                report: result && result.report && result.report.signatures[0].level,
                indication: result && result.report && result.report.indication,
              }};
            }}"#,
            port = agent.port,
            root = serde_json::to_string(&std::fs::read_to_string(&fx.manifest.root_pem).unwrap())
                .unwrap(),
            id = serde_json::to_string(&fx.cert_id("p256")).unwrap(),
        ),
    );
    assert_eq!(v["code"], "TSA_UNAVAILABLE", "{browser:?}: {v}");
    assert_eq!(v["isKysoError"], true);
    let ms = v["ms"].as_f64().unwrap();
    assert!(
        ms < (TSA_TIMEOUT * 1000 + 3000) as f64,
        "{browser:?}: rejected after {ms} ms"
    );
    assert_eq!(v["level"], "B-B", "{browser:?}: {v}");
    assert_eq!(
        (v["indication"].as_str(), v["report"].as_str()),
        (Some("TOTAL_PASSED"), Some("B-B")),
        "{browser:?}: {v}"
    );
    let pdf = dir.join("b-b.pdf");
    write_b64(&pdf, &v["pdf"]);
    let (code, indication, level, report) = kyso_verdict(fx, &pdf, None);
    assert_eq!(
        (code, indication.as_str(), level.as_str()),
        (0, "TOTAL_PASSED", "B-B"),
        "{browser:?}: {report:#}"
    );
}

#[test]
fn tsa_hangs_in_chromium() {
    tsa_hangs_in(Browser::Chromium);
}

#[test]
fn tsa_hangs_in_firefox() {
    tsa_hangs_in(Browser::Firefox);
}
