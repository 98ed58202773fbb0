//! `kyso-dialog` with requests it must refuse: one `error` answer line, exit
//! status 2, and no window (run without a display, where opening one would
//! fail differently, with status 1).

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn run_without_display(input: &[u8]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kyso-dialog"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WAYLAND_SOCKET")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start kyso-dialog");
    // A refused request may be answered before all of it is written.
    let _ = child.stdin.take().unwrap().write_all(input);
    let started = Instant::now();
    let output = child.wait_with_output().unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

fn valid_site() -> serde_json::Value {
    serde_json::json!({
        "kind": "site", "lang": "vi", "origin": "https://dichvucong.example.gov.vn",
        "pinRemembered": false, "allowRemember": false, "timeoutSeconds": 120
    })
}

#[test]
fn malformed_requests_get_an_error_answer_and_no_window() {
    let mut unknown_field = valid_site();
    unknown_field["autoApprove"] = true.into();
    let mut bad_kind = valid_site();
    bad_kind["kind"] = "signEverything".into();
    let mut site_with_pin_error = valid_site();
    site_with_pin_error["pinError"] = serde_json::json!({ "retriesLeft": 1, "countLow": true });
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty stdin", Vec::new()),
        ("not JSON", b"PIN please".to_vec()),
        ("truncated", br#"{"kind":"site","lang":"vi""#.to_vec()),
        ("unknown field", serde_json::to_vec(&unknown_field).unwrap()),
        ("unknown kind", serde_json::to_vec(&bad_kind).unwrap()),
        (
            "site with pinError",
            serde_json::to_vec(&site_with_pin_error).unwrap(),
        ),
        ("too large", vec![b' '; (1 << 20) + 10]),
    ];
    for (what, input) in cases {
        let (code, stdout) = run_without_display(&input);
        assert_eq!(code, Some(2), "{what}: exit status; stdout {stdout:?}");
        assert!(
            stdout.ends_with('\n') && stdout.lines().count() == 1,
            "{what}: {stdout:?}"
        );
        let answer: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(answer["decision"], "error", "{what}");
        assert!(
            answer["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{what}: {answer}"
        );
        assert_eq!(answer.as_object().unwrap().len(), 2, "{what}: {answer}");
    }
    let (_, stdout) = run_without_display(&serde_json::to_vec(&unknown_field).unwrap());
    assert!(stdout.contains("unknown field `autoApprove`"), "{stdout}");
}

#[test]
fn a_valid_request_without_a_display_is_an_error_not_a_hang() {
    let (code, stdout) = run_without_display(&serde_json::to_vec(&valid_site()).unwrap());
    assert_eq!(code, Some(1), "{stdout}");
    let answer: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(answer["decision"], "error");
}
