//! The real window under Xvfb, driven with xdotool, photographed with
//! ImageMagick's `import`: typing a PIN and pressing Enter approves, Escape
//! cancels, the countdown answers `timeout`.
//!
//! Needs `Xvfb`, `xdotool` and `import` (apt: xvfb xdotool imagemagick, plus
//! libxcursor1 libxi6 libxkbcommon-x11-0 for the window itself). Screenshots
//! go to `$KYSO_ARTIFACTS` (default `target/artifacts`).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The window ignores approval this long after it first draws (the
/// binary's INPUT_DELAY is 0.6 s); wait a little more before pressing Enter.
const INPUT_DELAY: Duration = Duration::from_millis(800);

use kyso_testkit::display::VirtualDisplay as Xvfb;

/// A running `kyso-dialog` and the thread reading its answer.
struct Dialog {
    child: Child,
    answer: mpsc::Receiver<String>,
    started: Instant,
}

impl Dialog {
    fn start(x: &Xvfb, request: &Value) -> Dialog {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kyso-dialog"))
            .env("DISPLAY", &x.name)
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start kyso-dialog");
        // Write the request, then close stdin (as the agent does).
        child
            .stdin
            .take()
            .unwrap()
            .write_all(&serde_json::to_vec(request).unwrap())
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut all = String::new();
            let _ = stdout.read_to_string(&mut all);
            let _ = tx.send(all);
        });
        Dialog {
            child,
            answer: rx,
            started: Instant::now(),
        }
    }

    /// The window id, once the window is mapped (title search: xdotool
    /// matches only the ASCII part of the title).
    fn window(&mut self, x: &Xvfb, title_word: &str) -> String {
        let mut search = Command::new("xdotool")
            .args(["search", "--sync", "--onlyvisible", "--name", title_word])
            .env("DISPLAY", &x.name)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot run xdotool ({e}): install xdotool (cargo xtask setup)")
            });
        let started = Instant::now();
        while search.try_wait().unwrap().is_none() {
            if started.elapsed() > Duration::from_secs(30) {
                let _ = search.kill();
                let _ = search.wait();
                let _ = self.child.kill();
                panic!("no window titled *{title_word}* after 30 s");
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                let _ = search.kill();
                let _ = search.wait();
                panic!("kyso-dialog exited ({status}) before showing a window");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut out = String::new();
        search
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        out.lines().next().expect("a window id").trim().to_string()
    }

    /// The one answer line, parsed; checks the exit status is 0.
    fn answer(mut self, within: Duration) -> Value {
        let out = match self.answer.recv_timeout(within) {
            Ok(out) => out,
            Err(_) => {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("no answer within {within:?}");
            }
        };
        let status = self.child.wait().unwrap();
        assert!(status.success(), "exit status {status}; stdout {out:?}");
        assert!(
            out.ends_with('\n') && out.lines().count() == 1,
            "exactly one answer line expected, got {out:?}"
        );
        serde_json::from_str(&out).unwrap()
    }
}

/// Screenshots the screen once the window has drawn (its centre, where the
/// 520x560 window sits, stops being the black of the empty root window) and
/// the input delay is over: after this, Enter approves.
fn screenshot(x: &Xvfb, name: &str) {
    let dir = std::env::var_os("KYSO_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/artifacts"));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let path = path.to_str().unwrap();
    let started = Instant::now();
    loop {
        x.run("import", &["-window", "root", path]);
        let centre = x.run(
            "convert",
            &[path, "-format", "%[pixel:p{640,420}]", "info:"],
        );
        if !centre.contains("black") && !centre.contains("(0,0,0)") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the window did not draw within 20 s (centre pixel {centre})"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // Again once the approve button is enabled (after the input delay).
    std::thread::sleep(INPUT_DELAY);
    x.run("import", &["-window", "root", path]);
    eprintln!("screenshot: {path}");
}

fn sign_request() -> Value {
    json!({
        "kind": "sign",
        "lang": "vi",
        "origin": "https://dichvucong.example.gov.vn",
        "documents": [
            { "name": "tờ-khai-thuế-quý-1-2026.pdf", "digest": "3f2a9c1b7e0d44a1" },
            { "name": "phụ lục 01 – bảng kê hóa đơn.xml", "digest": "aa12bb34cc56dd78" },
            { "name": "giấy ủy quyền.pdf", "digest": "0123456789abcdef" }
        ],
        "certificate": {
            "name": "Nguyễn Văn An",
            "identifiers": ["MST:0401234567", "CCCD:001080012345"],
            "issuer": "CA phục vụ các cơ quan Nhà nước G2",
            "notBefore": "2025-01-01T00:00:00Z",
            "notAfter": "2027-01-01T00:00:00Z"
        },
        "token": { "label": "Kyso Test Token", "pinPad": false },
        "pinRemembered": false,
        "allowRemember": true,
        "timeoutSeconds": 120
    })
}

fn site_request() -> Value {
    json!({
        "kind": "site",
        "lang": "vi",
        "origin": "https://dichvucong.example.gov.vn",
        "pinRemembered": false,
        "allowRemember": false,
        "timeoutSeconds": 120
    })
}

#[test]
fn window_under_xvfb() {
    let x = Xvfb::start();
    let answer_time = Duration::from_secs(15);

    // Sign 3 documents, Vietnamese: type the PIN, Enter approves.
    let mut dialog = Dialog::start(&x, &sign_request());
    let id = dialog.window(&x, "PIN");
    screenshot(&x, "dialog-sign-vi.png");
    x.run(
        "xdotool",
        &[
            "windowfocus",
            "--sync",
            &id,
            "type",
            "--delay",
            "40",
            "12345678",
        ],
    );
    x.run("xdotool", &["key", "Return"]);
    assert_eq!(
        dialog.answer(answer_time),
        json!({ "decision": "approve", "pin": "12345678", "rememberMinutes": 0 })
    );

    // English, after a wrong PIN: Escape cancels.
    let mut request = sign_request();
    request["lang"] = "en".into();
    request["pinError"] = json!({ "retriesLeft": 2, "countLow": false });
    let mut dialog = Dialog::start(&x, &request);
    let id = dialog.window(&x, "PIN");
    screenshot(&x, "dialog-wrong-pin-en.png");
    x.run("xdotool", &["windowfocus", "--sync", &id, "key", "Escape"]);
    assert_eq!(dialog.answer(answer_time), json!({ "decision": "cancel" }));

    // Site approval: Escape denies...
    let mut dialog = Dialog::start(&x, &site_request());
    let id = dialog.window(&x, "site");
    screenshot(&x, "dialog-site-vi.png");
    x.run("xdotool", &["windowfocus", "--sync", &id, "key", "Escape"]);
    assert_eq!(dialog.answer(answer_time), json!({ "decision": "cancel" }));

    // ...and Enter allows (here in English), with no PIN in the answer.
    let mut request = site_request();
    request["lang"] = "en".into();
    let mut dialog = Dialog::start(&x, &request);
    let id = dialog.window(&x, "site");
    screenshot(&x, "dialog-site-en.png");
    x.run("xdotool", &["windowfocus", "--sync", &id, "key", "Return"]);
    assert_eq!(
        dialog.answer(answer_time),
        json!({ "decision": "approve", "rememberMinutes": 0 })
    );

    // Nobody answers: the countdown does.
    let mut request = sign_request();
    request["timeoutSeconds"] = 2.into();
    let mut dialog = Dialog::start(&x, &request);
    dialog.window(&x, "PIN");
    let started = dialog.started;
    assert_eq!(
        dialog.answer(Duration::from_secs(10)),
        json!({ "decision": "timeout" })
    );
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(5),
        "timeout answer after {took:?}"
    );
}
