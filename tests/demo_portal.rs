//! The demo portal end to end: real headless Chromium and Firefox ESR drive
//! its pages against the real agent (unattended approver) and a SoftHSM
//! token, the portal's server verifies with kyso-core, and every PDF the
//! flows produce is checked by pdfsig, pyHanko and `kyso verify`. A
//! screenshot of each page goes to the artifacts directory.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use kyso_testkit::browser::{Browser, Launch, Session};
use kyso_tests::agent::{http, Agent};
use kyso_tests::{artifacts, bin, pdf, Fixture};
use serde_json::Value;

/// A running `kyso-demo-site`; killed when dropped.
struct Portal {
    child: Child,
    port: u16,
    origin: String,
}

impl Portal {
    /// On `address:port` (the agent's configuration names that origin).
    fn start(fx: &Fixture, dir: &Path, address: &str, port: u16, agent_port: u16) -> Portal {
        let samples = dir.join("samples");
        std::fs::create_dir_all(&samples).unwrap();
        let input = &pdf::corpus(fx)[0].path;
        std::fs::copy(input, samples.join("ho-so-dang-ky.pdf")).unwrap();
        std::fs::copy(input, samples.join("du-thao-quyet-dinh.pdf")).unwrap();
        let db = dir.join("demo.sqlite3");
        let _ = std::fs::remove_file(&db);
        let mut child = Command::new(bin("kyso-demo-site"))
            .arg("--listen")
            .arg(format!("{address}:{port}"))
            .arg("--db")
            .arg(&db)
            .arg("--trust")
            .arg(&fx.manifest.root_pem)
            .arg("--samples")
            .arg(&samples)
            .arg("--agent-port")
            .arg(agent_port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start kyso-demo-site");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("kyso-demo-site did not start: {line:?}"));
        Portal {
            child,
            port,
            origin: format!("http://{address}:{port}"),
        }
    }

    fn get(&self, path: &str) -> Vec<u8> {
        let r = http(self.port, "GET", path, &[], b"");
        assert_eq!(r.status, 200, "GET {path}: {}", r.body);
        r.bytes
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls the page until `css` has `data-state` done or error (or a minute
/// passes) and returns its state, code, id and text.
const UNTIL: &str = r##"
const until = async (css, ms = 60000) => {
  const t0 = Date.now();
  for (;;) {
    const el = document.querySelector(css);
    const state = el && el.dataset.state;
    if (state === "done" || state === "error" || state === "ready")
      return { state, code: el.dataset.code || null, id: el.dataset.id || null,
               indication: el.dataset.indication || null, text: el.textContent };
    if (Date.now() - t0 > ms) return { state: "timeout", text: el ? el.textContent : null };
    await new Promise((r) => setTimeout(r, 100));
  }
};
const set = (css, value) => {
  const el = document.querySelector(css);
  el.value = value;
  el.dispatchEvent(new Event("input", { bubbles: true }));
  el.dispatchEvent(new Event("change", { bubbles: true }));
};
const choose = async (css, value) => {
  for (let i = 0; i < 300; i++) {
    const el = document.querySelector(css);
    if (el && [...el.options].some((o) => o.value === value)) { set(css, value); return true; }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
};
"##;

fn run(session: &Session, body: &str) -> Value {
    let out = session.run(&format!("{UNTIL}\n{body}"));
    out.get("ok")
        .cloned()
        .unwrap_or_else(|| panic!("the page script failed: {out}"))
}

/// A screenshot with `focus` (what the step is about) scrolled into view.
fn shot(session: &Session, browser: Browser, name: &str, focus: &str) {
    session.run(&format!(
        "const el = document.querySelector({}); if (el) el.scrollIntoView({{ block: \"center\" }}); return 1;",
        serde_json::to_string(focus).unwrap()
    ));
    let file = artifacts().join(format!("demo-{name}-{browser:?}.png").to_lowercase());
    session.screenshot(&file);
}

fn agent_for(fx: &Fixture, name: &str, origin: &str) -> Agent {
    Agent::start(fx, name, &allow(origin))
}

/// The agent configuration lines that let `origin` sign unattended.
fn allow(origin: &str) -> String {
    format!("[[origins]]\norigin = \"{origin}\"\nunattended = true\n")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Every flow a portal user meets, in one browser.
fn flows(browser: Browser) {
    let fx = Fixture::full();
    let name = format!("demo-{browser:?}").to_lowercase();
    let dir = fx.scratch(&name);
    let port = free_port("127.0.0.1");
    let origin = format!("http://127.0.0.1:{port}");
    let agent = agent_for(fx, &name, &origin);
    let portal = Portal::start(fx, &dir, "127.0.0.1", port, agent.port);
    let session = Session::start(browser, &dir);

    // Log in with the token: a single-use server nonce, verified on the server.
    session.goto(&format!("{origin}/"));
    let login = run(
        &session,
        &format!(
            r##"await choose("#login-cert", {leader});
            document.querySelector("#login").click();
            const result = await until("#login-result");
            const me = await (await fetch("/api/session")).json();
            // The same nonce twice: the server refuses the replay.
            const {{ Kyso }} = await import("/kyso/kyso.js");
            const cfg = await (await fetch("/api/config")).json();
            const kyso = await Kyso.connect({{ ports: cfg.agentPorts }});
            const {{ nonce }} = await (await fetch("/api/login/nonce", {{ method: "POST" }})).json();
            const token = await kyso.authenticate(nonce, {{ certificateId: {leader} }});
            const post = () => fetch("/api/login", {{ method: "POST", headers: {{ "Content-Type": "application/json" }}, body: JSON.stringify({{ nonce, token }}) }});
            const first = await post();
            const again = await (await post()).json();
            return {{ result, me, user: document.querySelector("#user").textContent, first: first.status, again }};"##,
            leader = serde_json::to_string(&fx.cert_id("rsa2048")).unwrap(),
        ),
    );
    assert_eq!(login["result"]["state"], "done", "login: {login}");
    assert_eq!(login["me"]["user"]["name"], "Nguyễn Văn An", "{login}");
    assert_eq!(login["me"]["user"]["cccd"], "001090001234");
    assert!(
        login["user"].as_str().unwrap().contains("Nguyễn Văn An"),
        "{login}"
    );
    assert_eq!(login["first"], 200);
    assert_eq!(login["again"]["error"]["code"], "NONCE_USED", "{login}");
    shot(&session, browser, "home", "#login-result");

    // Citizen: the form with a PDF attached, signed in the browser, verified
    // on the server, the receipt shows its report.
    session.goto(&format!("{origin}/citizen.html"));
    let attachment = &pdf::corpus(fx)[0].path;
    session.upload("#file", attachment);
    let citizen = run(
        &session,
        &format!(
            r##"set("#fullName", "Trần Thị Ánh");
            set("#cccd", "048190005678");
            set("#businessName", "Tiệm bánh Ánh Dương");
            set("#address", "12 Lê Lợi, phường Bến Nghé");
            set("#businessLine", "Sản xuất và bán lẻ bánh ngọt");
            set("#agency", "UBND phường Bến Nghé");
            if (!await choose("#certificate", {citizen})) return {{ state: "no certificate" }};
            document.querySelector("#sign-submit").click();
            const r = await until("#result");
            const link = document.querySelector("#receipt-link");
            return {{ ...r, receipt: link && link.getAttribute("href") }};"##,
            citizen = serde_json::to_string(&fx.cert_id("p256")).unwrap(),
        ),
    );
    assert_eq!(citizen["state"], "done", "citizen: {citizen}");
    shot(&session, browser, "citizen", "#result");
    let receipt = citizen["receipt"]
        .as_str()
        .expect("a receipt link")
        .to_string();
    session.goto(&format!("{origin}{receipt}"));
    let shown = run(
        &session,
        r##"const r = await until("#receipt");
        return { ...r, indication: document.querySelector("#report").dataset.indication };"##,
    );
    assert_eq!(shown["state"], "done", "receipt: {shown}");
    assert_eq!(shown["indication"], "TOTAL_PASSED", "receipt: {shown}");
    assert!(
        shown["text"].as_str().unwrap().contains("Trần Thị Ánh"),
        "{shown}"
    );
    shot(&session, browser, "receipt", "#report");
    let id = receipt.rsplit('=').next().unwrap();
    let submitted = write(
        &dir,
        "ho-so.pdf",
        &portal.get(&format!("/api/submissions/{id}/pdf")),
    );
    pdf::assert_all_valid(fx, &submitted, 1, &format!("{browser:?} citizen"));

    // Staff (Decree 30): the leader approves with the signature image, the
    // clerk issues with number, date and seal; both signatures valid.
    session.goto(&format!("{origin}/staff.html"));
    session.upload("#draft-file", attachment);
    let staff = run(
        &session,
        &format!(
            r##"set("#title", "Quyết định cấp Giấy chứng nhận đăng ký hộ kinh doanh");
            set("#organization", "UBND phường Bến Nghé");
            if (!await choose("#leader-cert", {leader})) return {{ state: "no leader certificate" }};
            document.querySelector("#approve").click();
            const approved = await until("#approve-result");
            if (approved.state !== "done") return {{ approved }};
            if (!await choose("#issue-doc", approved.id)) return {{ approved, state: "not offered to the clerk" }};
            set("#docNumber", "125/QĐ-UBND");
            set("#issuedDate", "01/12/2026");
            if (!await choose("#clerk-cert", {clerk})) return {{ state: "no clerk certificate" }};
            document.querySelector("#issue").click();
            const issued = await until("#issue-result");
            const row = document.querySelector(`#documents tr[data-id="${{approved.id}}"]`);
            return {{ approved, issued, status: row && row.dataset.status }};"##,
            leader = serde_json::to_string(&fx.cert_id("rsa2048")).unwrap(),
            clerk = serde_json::to_string(&fx.cert_id("rsa3072")).unwrap(),
        ),
    );
    assert_eq!(staff["approved"]["state"], "done", "approve: {staff}");
    assert_eq!(staff["issued"]["state"], "done", "issue: {staff}");
    let doc = staff["approved"]["id"].as_str().unwrap().to_string();
    let view = run(
        &session,
        &format!(
            r##"for (let i = 0; i < 100 && !document.querySelector(`#documents tr[data-id="{doc}"][data-status="issued"] button`); i++)
              await new Promise((r) => setTimeout(r, 100));
            document.querySelector(`#documents tr[data-id="{doc}"] button`).click();
            for (let i = 0; i < 300; i++) {{
              const img = document.querySelector("#preview");
              if (img && (img.dataset.loaded === "1" || img.dataset.state === "error")) break;
              await new Promise((r) => setTimeout(r, 100));
            }}
            const img = document.querySelector("#preview");
            const report = document.querySelector("#doc-report");
            return {{ loaded: img && img.dataset.loaded, width: img && img.naturalWidth,
                     indication: report && report.dataset.indication, text: report && report.textContent }};"##
        ),
    );
    assert_eq!(view["loaded"], "1", "preview: {view}");
    assert!(view["width"].as_u64().unwrap() > 300, "{view}");
    assert_eq!(view["indication"], "TOTAL_PASSED", "{view}");
    shot(&session, browser, "staff", "#preview");
    // Outside the page: staff actions need the login, and a foreign page
    // cannot act through the visitor's browser.
    let post = |origin: &str| {
        http(
            portal.port,
            "POST",
            "/api/documents",
            &[
                ("Origin", origin.to_string()),
                ("Content-Type", "application/json".into()),
            ],
            br#"{"title":"x","organization":"y","pdf":"JVBERi0xLjcK"}"#,
        )
    };
    let anonymous = post(&origin);
    assert_eq!(
        (anonymous.status, anonymous.code().as_str()),
        (401, "NOT_LOGGED_IN")
    );
    let foreign = post("https://evil.example");
    assert_eq!(
        (foreign.status, foreign.code().as_str()),
        (403, "ORIGIN_NOT_ALLOWED")
    );
    let issued = write(
        &dir,
        "van-ban.pdf",
        &portal.get(&format!("/api/documents/{doc}/pdf")),
    );
    pdf::assert_all_valid(fx, &issued, 2, &format!("{browser:?} approved+issued"));
    let preview = artifacts().join(format!("demo-preview-{browser:?}.png").to_lowercase());
    std::fs::write(
        &preview,
        portal.get(&format!("/api/documents/{doc}/preview.png?page=1")),
    )
    .unwrap();

    // Verification in the page alone: the issued PDF, then a tampered copy.
    let mut tampered = std::fs::read(&issued).unwrap();
    let at = tampered.len() / 3;
    tampered[at] ^= 0x01;
    let tampered = write(&dir, "van-ban-sua.pdf", &tampered);
    session.goto(&format!("{origin}/verify.html"));
    let mut verdicts = Vec::new();
    for file in [&tampered, &issued] {
        session.upload("#verify-file", file);
        verdicts.push(run(
            &session,
            r##"const r = await until("#verify-result");
            return r;"##,
        ));
        if file == &tampered {
            // Let the next upload start from a fresh state.
            run(
                &session,
                r##"document.querySelector("#verify-result").dataset.state = ""; return 1;"##,
            );
        }
    }
    // A detached .p7s (made by the CLI on the same token) with its original.
    let original = write(
        &dir,
        "to-khai.xml",
        "<ToKhai>Trần Thị Ánh</ToKhai>".as_bytes(),
    );
    let p7s = dir.join("to-khai.xml.p7s");
    kyso_tests::assert_success(&fx.sign_cms("p256", &original, &p7s, &[]), "kyso sign cms");
    run(
        &session,
        r##"document.querySelector("#verify-result").dataset.state = ""; return 1;"##,
    );
    session.upload("#verify-file", &p7s);
    run(
        &session,
        r##"await until("#verify-result"); document.querySelector("#verify-result").dataset.state = ""; return 1;"##,
    );
    session.upload("#verify-content", &original);
    let detached = run(&session, r##"return await until("#verify-result");"##);
    assert_eq!(
        detached["indication"], "TOTAL_PASSED",
        "p7s + original: {detached}"
    );
    assert!(
        detached["text"].as_str().unwrap().contains("Trần Thị Ánh"),
        "the signer is shown: {detached}"
    );
    assert_eq!(
        verdicts[0]["indication"], "TOTAL_FAILED",
        "tampered: {}",
        verdicts[0]
    );
    assert_eq!(
        verdicts[1]["indication"], "TOTAL_PASSED",
        "issued: {}",
        verdicts[1]
    );
    shot(&session, browser, "verify", "#verify-result");

    // The usage dashboard counts every accepted signature.
    session.goto(&format!("{origin}/dashboard.html"));
    let usage = run(
        &session,
        r##"const r = await until("#usage");
        return { ...r, total: document.querySelector("#total").textContent,
                 bars: document.querySelectorAll("#chart rect").length,
                 issuers: document.querySelector("#by-issuer").textContent,
                 agencies: document.querySelector("#by-agency").textContent };"##,
    );
    assert_eq!(usage["state"], "done", "dashboard: {usage}");
    // Logins twice (page + replay test), the citizen, the leader, the clerk.
    assert_eq!(usage["total"].as_str().unwrap().trim(), "5", "{usage}");
    assert!(usage["bars"].as_u64().unwrap() >= 1, "{usage}");
    assert!(
        usage["issuers"].as_str().unwrap().contains("Kyso Test CA"),
        "{usage}"
    );
    assert!(
        usage["agencies"]
            .as_str()
            .unwrap()
            .contains("UBND phường Bến Nghé"),
        "{usage}"
    );
    shot(&session, browser, "dashboard", "#chart");
}

/// A port nothing listens on now: the portal's, chosen before the agent's
/// configuration is written.
fn free_port(address: &str) -> u16 {
    std::net::TcpListener::bind((address, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn portal_flows_in_chromium() {
    flows(Browser::Chromium);
}

#[test]
fn portal_flows_in_firefox() {
    flows(Browser::Firefox);
}

/// The agent's state as the page shows it, once it settles.
fn agent_status(session: &Session) -> Value {
    run(
        session,
        r##"const r = await until("#agent-status", 20000);
        const visible = (css) => { const el = document.querySelector(css); return !!el && !el.hidden && el.offsetParent !== null; };
        return { ...r, install: visible("#install-hint"), lna: visible("#lna-hint"),
                 lnaText: document.querySelector("#lna-hint") && document.querySelector("#lna-hint").textContent };"##,
    )
}

/// Signs the citizen's form with `cert` and returns `#result`.
fn submit_citizen(session: &Session, attachment: &Path, cert: &str) -> Value {
    session.upload("#file", attachment);
    run(
        session,
        &format!(
            r##"set("#fullName", "Trần Thị Ánh"); set("#cccd", "048190005678");
            set("#businessName", "Tiệm bánh"); set("#address", "12 Lê Lợi");
            set("#businessLine", "Bánh ngọt"); set("#agency", "UBND phường Bến Nghé");
            await choose("#certificate", {cert});
            document.querySelector("#sign-submit").click();
            return await until("#result");"##,
            cert = serde_json::to_string(cert).unwrap()
        ),
    )
}

/// What goes wrong on a citizen's machine, each shown clearly and nothing
/// hangs: no agent, no token, a wrong PIN, a site the agent does not allow.
fn failures(browser: Browser) {
    let fx = Fixture::full();
    let name = format!("demo-fail-{browser:?}").to_lowercase();
    let dir = fx.scratch(&name);
    let attachment = &pdf::corpus(fx)[0].path;
    let session = Session::start(browser, &dir);

    // No agent running: the page says how to install it.
    let closed = free_port("127.0.0.1");
    let port = free_port("127.0.0.1");
    let portal = Portal::start(fx, &dir, "127.0.0.1", port, closed);
    session.goto(&format!("{}/citizen.html", portal.origin));
    let s = agent_status(&session);
    assert_eq!(
        (s["state"].as_str(), s["code"].as_str()),
        (Some("error"), Some("AGENT_NOT_FOUND")),
        "{s}"
    );
    assert_eq!(s["install"], true, "the install hint is shown: {s}");
    shot(&session, browser, "no-agent", "#agent-status");
    drop(portal);

    // A wrong PIN in the agent's hands: PIN_INCORRECT reaches the page.
    let port = free_port("127.0.0.1");
    let origin = format!("http://127.0.0.1:{port}");
    let wrong = Agent::start_full(fx, &format!("{name}-pin"), &allow(&origin), "00000000", &[]);
    let portal = Portal::start(fx, &dir, "127.0.0.1", port, wrong.port);
    session.goto(&format!("{origin}/citizen.html"));
    let r = submit_citizen(&session, attachment, &fx.cert_id("p256"));
    assert_eq!(
        (r["state"].as_str(), r["code"].as_str()),
        (Some("error"), Some("PIN_INCORRECT")),
        "{r}"
    );
    shot(&session, browser, "wrong-pin", "#result");
    drop((portal, wrong));

    // No token plugged in: nothing to sign with, said so.
    let empty = fx.scratch(&format!("{name}-empty-token"));
    std::fs::create_dir_all(empty.join("tokens")).unwrap();
    let conf = write(
        &empty,
        "softhsm2.conf",
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\n",
            empty.join("tokens").display()
        )
        .as_bytes(),
    );
    let port = free_port("127.0.0.1");
    let origin = format!("http://127.0.0.1:{port}");
    let tokenless = Agent::start_full(
        fx,
        &format!("{name}-tokenless"),
        &allow(&origin),
        &fx.manifest.pin,
        &[("SOFTHSM2_CONF", conf.to_str().unwrap())],
    );
    let portal = Portal::start(fx, &dir, "127.0.0.1", port, tokenless.port);
    session.goto(&format!("{origin}/citizen.html"));
    let r = submit_citizen(&session, attachment, "none");
    assert_eq!(
        (r["state"].as_str(), r["code"].as_str()),
        (Some("error"), Some("NO_CERTIFICATE")),
        "{r}"
    );
    assert!(
        r["text"].as_str().unwrap().contains("cắm thiết bị ký số"),
        "{r}"
    );
    let s = agent_status(&session);
    assert!(
        s["text"].as_str().unwrap().contains("cắm thiết bị ký số"),
        "the page asks to plug the token in: {s}"
    );
    shot(&session, browser, "no-token", "#result");
    drop((portal, tokenless));

    // A site the agent does not allow: refused at once, the reason shown.
    let port = free_port("127.0.0.1");
    let elsewhere = agent_for(
        fx,
        &format!("{name}-other"),
        "https://dichvucong.example.gov.vn",
    );
    let portal = Portal::start(fx, &dir, "127.0.0.1", port, elsewhere.port);
    session.goto(&format!("{}/citizen.html", portal.origin));
    let s = agent_status(&session);
    assert_eq!(s["code"], "ORIGIN_NOT_ALLOWED", "{s}");
    assert!(
        s["text"]
            .as_str()
            .unwrap()
            .contains(&format!("127.0.0.1:{port}")),
        "the refused origin is named: {s}"
    );
    let r = submit_citizen(&session, attachment, &fx.cert_id("p256"));
    assert_eq!(r["state"], "error", "{r}");
    shot(&session, browser, "origin-refused", "#agent-status");
    assert!(
        !elsewhere.audit_lines().iter().any(|l| l["event"] == "sign"),
        "nothing was signed for a refused site"
    );
}

#[test]
fn portal_failures_in_chromium() {
    failures(Browser::Chromium);
}

#[test]
fn portal_failures_in_firefox() {
    failures(Browser::Firefox);
}

/// The portal served as a public site would be (127.0.0.2, declared public
/// to the browser): with the `loopback-network` permission never answered,
/// denied and granted. The first two explain in Vietnamese how to allow it
/// within the SDK's timeout; the last one signs.
fn public_site(browser: Browser) {
    let fx = Fixture::full();
    let name = format!("demo-lna-{browser:?}").to_lowercase();
    let dir = fx.scratch(&name);
    let port = free_port("127.0.0.2");
    let origin = format!("http://127.0.0.2:{port}");
    let agent = agent_for(fx, &name, &origin);
    let portal = Portal::start(fx, &dir, "127.0.0.2", port, agent.port);
    let launch = Launch::public_site(browser, "127.0.0.2", port);
    let attachment = &pdf::corpus(fx)[0].path;
    for (case, permission) in [
        ("unanswered", None),
        ("denied", Some("denied")),
        ("granted", Some("granted")),
    ] {
        let session = Session::start_with(browser, &dir, &launch);
        session.goto(&format!("{}/citizen.html", portal.origin));
        if let Some(state) = permission {
            let set = session.set_permission("loopback-network", state);
            assert!(set["value"].is_null(), "Set Permission failed: {set}");
            session.goto(&format!("{}/citizen.html", portal.origin));
        }
        let started = std::time::Instant::now();
        let s = agent_status(&session);
        if case == "granted" {
            assert_eq!(s["state"], "ready", "{browser:?} {case}: {s}");
            let r = submit_citizen(&session, attachment, &fx.cert_id("p256"));
            assert_eq!(r["state"], "done", "{browser:?} {case}: {r}");
        } else {
            assert_eq!(
                s["code"], "LOCAL_NETWORK_ACCESS_DENIED",
                "{browser:?} {case}: {s}"
            );
            assert_eq!(s["lna"], true, "the explanation is shown: {s}");
            assert!(
                s["lnaText"].as_str().unwrap().contains("mạng cục bộ"),
                "{s}"
            );
            assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "{case} hung"
            );
        }
        shot(
            &session,
            browser,
            &format!("public-{case}"),
            "#agent-status",
        );
    }
    let signs = agent
        .audit_lines()
        .iter()
        .filter(|l| l["event"] == "sign")
        .count();
    assert_eq!(signs, 1, "only the granted page signed");
}

#[test]
fn portal_as_a_public_site_in_chromium() {
    public_site(Browser::Chromium);
}

#[test]
fn portal_as_a_public_site_in_firefox() {
    public_site(Browser::Firefox);
}
