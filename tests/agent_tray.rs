//! The tray for real: the agent's icon in the Xfce panel on a virtual
//! display, over a private D-Bus session bus. The test reads the icon and
//! its menu and clicks the menu over D-Bus exactly as the panel does, checks
//! what each click changed in the agent, and photographs the menu the panel
//! draws, in Vietnamese and in English, into the artifacts directory.

use std::path::Path;
use std::time::Duration;

use kyso_testkit::display::VirtualDisplay;
use kyso_tests::agent::Agent;
use kyso_tests::tray::{wait_for, Item, Panel, Screen, SessionBus};
use kyso_tests::{artifacts, signing, Fixture};
use serde_json::json;

/// Allowed by the administrator's configuration: listed, not revocable.
const PORTAL: &str = "https://dichvucong.example.gov.vn";
/// Allowed by the user (paired): revocable from the tray.
const PAIRED: &str = "https://congty.example.com";
/// The icon's disc when a token is ready (agent/src/tray/icon.rs).
const READY_GREEN: [u8; 3] = [0x2e, 0x7d, 0x32];
/// Menu changes are pushed at once after a click; this is slack for a
/// loaded machine, not an expected delay.
const UPDATE: Duration = Duration::from_secs(10);

fn start_agent(fx: &Fixture, dir: &Path, env: &[(&str, &str)]) -> Agent {
    let config = format!(
        "[server]\nport = 0\n[pkcs11]\nmodules = [\"{}\"]\n[approver]\nmode = \"dialog\"\n[audit]\npath = \"{}\"\n[[origins]]\norigin = \"{PORTAL}\"\n[pairing]\nenabled = true\n",
        fx.manifest.module.display(),
        dir.join("audit.jsonl").display()
    );
    Agent::start_with_env(fx, dir, &config, env)
        .unwrap_or_else(|e| panic!("agent did not start: {e}"))
}

/// Reads the item again until `done` accepts it (the agent pushes a new
/// menu after each click; the host reads it when told).
fn item_when(bus: &SessionBus, registered: &str, what: &str, done: impl Fn(&Item) -> bool) -> Item {
    wait_for(what, UPDATE, || {
        let item = bus.item(registered)?;
        if done(&item) {
            Ok(item)
        } else {
            Err(format!("\n{}", item.menu.outline()))
        }
    })
}

/// Opens the tray menu as a user does (right-click on the icon the panel
/// draws), opens the sites submenu from the keyboard, saves a picture of
/// both as `name` in the artifacts, and closes them again.
fn photograph_menu(display: &VirtualDisplay, work: &Path, name: &str) {
    let shot = work.join("screen.png");
    let capture = || Screen::capture(display, &shot);
    let (x, y) = capture()
        .find_in_panel(READY_GREEN, 10)
        .unwrap_or_else(|| panic!("the panel shows no green Kyso icon; see {}", shot.display()));
    display.xdotool(&["mousemove", &x.to_string(), &y.to_string(), "click", "3"]);
    let (menu_right, _) = wait_for("the tray menu opens on a right click", UPDATE, || {
        capture()
            .below_panel_extent()
            .ok_or_else(|| "nothing drawn below the panel".to_string())
    });
    // Down selects the first entry that can be chosen (the status line
    // cannot): the sites. Right opens it.
    display.xdotool(&["key", "Down", "Right"]);
    wait_for("the sites submenu opens", UPDATE, || {
        match capture().below_panel_extent() {
            Some((right, _)) if right > menu_right + 20 => Ok(()),
            other => Err(format!("drawn below the panel up to {other:?}")),
        }
    });
    // Mapped is not yet painted: give the submenu a moment to draw its text.
    std::thread::sleep(Duration::from_millis(500));
    let screen = capture();
    let (right, bottom) = screen
        .below_panel_extent()
        .expect("the menus are still open");
    screen.save_top_left(&artifacts().join(name), right + 16, bottom + 16);
    display.xdotool(&["key", "Escape", "Escape"]);
    wait_for("the menus close on Escape", UPDATE, || {
        match capture().below_panel_extent() {
            None => Ok(()),
            Some(e) => Err(format!("still drawn up to {e:?}")),
        }
    });
}

#[test]
fn tray_menu_in_the_panel_switches_language_revokes_a_site_and_quits() {
    let fx = Fixture::full();
    let token = &fx.manifest.tokens[0].label;
    let work = fx.scratch("tray");
    let dir = work.join("agent");
    std::fs::create_dir_all(&dir).expect("agent dir");
    // The agent reads the user's pairings beside its configuration.
    let paired_file = dir.join("paired-sites.json");
    std::fs::write(&paired_file, json!([PAIRED]).to_string()).expect("seed paired-sites.json");

    let display = VirtualDisplay::start();
    let bus = SessionBus::start(&work.join("desktop"));
    let _panel = Panel::start(&display, &bus);
    let xdg_config = dir.join(".config");
    let xdg_config_text = xdg_config.to_string_lossy().into_owned();
    let mut agent = start_agent(
        fx,
        &dir,
        &[
            ("DISPLAY", display.name.as_str()),
            ("DBUS_SESSION_BUS_ADDRESS", bus.address.as_str()),
            ("KYSO_LANG", "vi"),
            // Start at login writes here: never into the real user's session.
            ("XDG_CONFIG_HOME", xdg_config_text.as_str()),
        ],
    );
    let certificates = agent.get("/v1/certificates", Some(PAIRED));
    assert_eq!(
        certificates.status, 200,
        "the paired site is served: {}",
        certificates.body
    );

    // ksni names the item after the process.
    let mine = format!("-{}-", agent.pid());
    let registered = wait_for(
        "the agent's icon registers with the panel's watcher",
        Duration::from_secs(20),
        || {
            let items = bus.items()?;
            items
                .iter()
                .find(|i| i.contains(&mine))
                .cloned()
                .ok_or_else(|| format!("registered: {items:?}"))
        },
    );

    // Vietnamese first: KYSO_LANG=vi and no preferences.json yet.
    let item = bus.item(&registered).expect("read the agent's tray item");
    assert_eq!(item.props["Id"], "kyso", "{:?}", item.props);
    assert_eq!(item.props["Title"], "Kyso");
    assert_eq!(item.props["Status"], "Active");
    assert_eq!(
        item.tooltip(),
        ("Kyso".to_string(), format!("Kyso: Sẵn sàng — {token}"))
    );
    assert_eq!(
        item.props["IconPixmap"],
        json!([[32, 32, 32 * 32 * 4]]),
        "one 32×32 ARGB icon"
    );
    let menu = &item.menu;
    let ready_vi = format!("Sẵn sàng — {token}");
    assert_eq!(
        menu.labels(),
        [
            ready_vi.as_str(),
            "Trang web được phép ký",
            "Mở nhật ký ký số",
            "Ngôn ngữ / Language",
            "Khởi động cùng máy tính",
            "Thoát Kyso",
        ],
        "\n{}",
        menu.outline()
    );
    assert!(
        !menu.get(&ready_vi).enabled,
        "the status line is not clickable"
    );
    let revoke_vi = format!("Thu hồi quyền của {PAIRED}");
    let admin_vi = format!("{PORTAL} (do quản trị viên cho phép)");
    let sites = menu.get("Trang web được phép ký");
    assert_eq!(
        sites.labels(),
        [revoke_vi.as_str(), admin_vi.as_str()],
        "\n{}",
        menu.outline()
    );
    assert!(sites.get(&revoke_vi).enabled);
    assert!(
        !sites.get(&admin_vi).enabled,
        "admin policy is not revocable"
    );
    assert!(
        menu.get("Mở nhật ký ký số").enabled,
        "there is an audit log"
    );
    assert_eq!(menu.get("Tiếng Việt").checked, Some(true));
    assert_eq!(menu.get("English").checked, Some(false));
    // Unchecked here, unless a Kyso package installed a login item for
    // every user (/etc/xdg/autostart): the click below flips it either way.
    let autostart = menu
        .get("Khởi động cùng máy tính")
        .checked
        .expect("start at login is a check entry");
    photograph_menu(&display, &work, "agent-tray-menu-vi.png");

    // English.
    bus.click(&item, menu.get("English"));
    let ready_en = format!("Ready — {token}");
    let item = item_when(&bus, &registered, "the menu turns English", |i| {
        i.menu.labels().first() == Some(&ready_en.as_str())
    });
    let menu = &item.menu;
    assert_eq!(
        menu.labels(),
        [
            ready_en.as_str(),
            "Allowed sites",
            "Open the signing log",
            "Ngôn ngữ / Language",
            "Start at login",
            "Quit Kyso",
        ],
        "\n{}",
        menu.outline()
    );
    let revoke_en = format!("Revoke {PAIRED}");
    let admin_en = format!("{PORTAL} (allowed by the administrator)");
    assert_eq!(
        menu.get("Allowed sites").labels(),
        [revoke_en.as_str(), admin_en.as_str()],
        "\n{}",
        menu.outline()
    );
    assert_eq!(menu.get("Tiếng Việt").checked, Some(false));
    assert_eq!(menu.get("English").checked, Some(true));
    assert_eq!(item.tooltip().1, format!("Kyso: Ready — {token}"));
    let preferences = std::fs::read_to_string(dir.join("preferences.json"))
        .expect("the language choice is saved in preferences.json beside the config");
    let preferences: serde_json::Value =
        serde_json::from_str(&preferences).expect("preferences.json is JSON");
    assert_eq!(preferences["language"], "en", "{preferences}");
    photograph_menu(&display, &work, "agent-tray-menu-en.png");

    // Start at login: the check mark follows the login item.
    assert_eq!(menu.get("Start at login").checked, Some(autostart));
    bus.click(&item, menu.get("Start at login"));
    let item = item_when(&bus, &registered, "Start at login flips", |i| {
        i.menu.find("Start at login").and_then(|e| e.checked) == Some(!autostart)
    });
    if !autostart {
        assert!(
            xdg_config.join("autostart/kyso-agent.desktop").is_file(),
            "the user's XDG autostart entry is written"
        );
    }

    // Revoke the paired site.
    bus.click(&item, item.menu.get(&revoke_en));
    let item = item_when(&bus, &registered, "the revoked site leaves the menu", |i| {
        i.menu.find(&revoke_en).is_none()
    });
    assert_eq!(
        item.menu.get("Allowed sites").labels(),
        [admin_en.as_str()],
        "\n{}",
        item.menu.outline()
    );
    let r = agent.get("/v1/certificates", Some(PAIRED));
    assert_eq!(
        (r.status, r.code().as_str()),
        (403, "ORIGIN_NOT_ALLOWED"),
        "{}",
        r.body
    );
    let r = agent.post(
        "/v1/sign",
        Some(PAIRED),
        &json!({
            "certificateId": fx.cert_id("rsa2048"),
            "signedAttributes": signing::signed_attributes(fx, "rsa2048", b"hop dong"),
            "documentName": "hop-dong.pdf",
        }),
    );
    assert_eq!(
        (r.status, r.code().as_str()),
        (403, "ORIGIN_NOT_ALLOWED"),
        "{}",
        r.body
    );
    let r = agent.get("/v1/certificates", Some(PORTAL));
    assert_eq!(
        r.status, 200,
        "the administrator's origin is untouched: {}",
        r.body
    );
    let audit = agent.audit_lines();
    assert!(
        audit
            .iter()
            .any(|l| l["event"] == "site-revoked" && l["origin"] == PAIRED && l["outcome"] == "ok"),
        "{audit:?}"
    );
    let paired: Vec<String> = serde_json::from_str(
        &std::fs::read_to_string(&paired_file).expect("paired-sites.json is still there"),
    )
    .expect("paired-sites.json is a JSON list");
    assert!(!paired.contains(&PAIRED.to_string()), "{paired:?}");

    // Quit. The agent may be gone before it answers this click: quitting
    // is what it does with it.
    if let Err(e) = bus.try_click(&item, item.menu.get("Quit Kyso")) {
        assert!(e.contains("NoReply"), "clicking Quit failed: {e}");
    }
    let status = agent
        .wait_exit(Duration::from_secs(5))
        .unwrap_or_else(|| panic!("the agent still runs 5 s after Quit: {}", agent.stop()));
    assert!(
        status.success(),
        "Quit exits with status 0, not {status}: {}",
        agent.stop()
    );
    assert!(
        agent
            .audit_lines()
            .iter()
            .any(|l| l["event"] == "agent-quit"),
        "{:?}",
        agent.audit_lines()
    );
    wait_for("the icon leaves the panel", UPDATE, || {
        let items = bus.items()?;
        let screen = Screen::capture(&display, &work.join("screen.png"));
        match (
            items.contains(&registered),
            screen.find_in_panel(READY_GREEN, 10),
        ) {
            (false, None) => Ok(()),
            seen => Err(format!("(registered, icon drawn at) = {seen:?}")),
        }
    });
}

/// With no session bus (a server, CI, a broken desktop) the tray fails at
/// once and the agent serves anyway.
#[test]
fn without_a_session_bus_the_agent_serves_without_a_tray() {
    let fx = Fixture::full();
    let dir = fx.scratch("tray-no-bus");
    let nowhere = format!("unix:path={}", dir.join("no-bus-here").display());
    let mut agent = start_agent(
        fx,
        &dir,
        &[
            ("DBUS_SESSION_BUS_ADDRESS", nowhere.as_str()),
            ("DISPLAY", ""),
        ],
    );
    let info = agent.get("/v1/info", Some(PORTAL));
    assert_eq!(info.status, 200, "{}", info.body);
    assert_eq!(info.json()["tokens"], 1);
    // The tray is tried once the server is up; its failure takes about a
    // millisecond, so half a second is ample for it to have been said.
    std::thread::sleep(Duration::from_millis(500));
    assert!(agent.alive(), "the agent keeps running without a tray");
    assert_eq!(agent.get("/v1/info", None).status, 200);
    let stderr = agent.stop();
    assert!(
        stderr.contains("no tray icon") && stderr.contains("serving without one"),
        "the agent says it runs without a tray: {stderr}"
    );
}
