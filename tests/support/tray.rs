//! The desktop a tray icon lives in, for tests: a private D-Bus session bus,
//! the Xfce panel as a real StatusNotifier host that draws the icon and its
//! menu on a virtual display, and `tray_dbus.py`, which reads and clicks the
//! menu over D-Bus as the panel does. Also a little pixel reading, to find
//! the icon on the screen and to frame photographs of the menu.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kyso_testkit::display::VirtualDisplay;

/// Debian's Python, which python3-dbus is installed for: a python3 earlier on
/// PATH (pyenv, a venv) would not have it.
const PYTHON: &str = "/usr/bin/python3";

/// Everything a desktop program may write goes under `home`, so a test never
/// touches the real user's settings. Services the bus starts (xfconfd, dconf)
/// inherit the bus's environment, so the bus gets this too.
fn desktop_env(home: &Path) -> Vec<(&'static str, OsString)> {
    let runtime = home.join("run");
    std::fs::create_dir_all(&runtime).expect("desktop runtime dir");
    // The XDG spec wants the runtime dir private; GTK warns otherwise.
    crate::agent::set_mode(&runtime, 0o700);
    vec![
        ("HOME", home.into()),
        ("XDG_CONFIG_HOME", home.join(".config").into()),
        ("XDG_CACHE_HOME", home.join(".cache").into()),
        ("XDG_DATA_HOME", home.join(".local/share").into()),
        ("XDG_RUNTIME_DIR", runtime.into()),
        // No accessibility bus: GTK would start at-spi's own dbus-daemon,
        // which outlives the test.
        ("NO_AT_BRIDGE", "1".into()),
    ]
}

/// Repeats `probe` until it gives a value or `timeout` passes; then panics
/// saying what was awaited and what was last seen (the probe's `Err`).
pub fn wait_for<T>(
    what: &str,
    timeout: Duration,
    mut probe: impl FnMut() -> Result<T, String>,
) -> T {
    let started = Instant::now();
    loop {
        match probe() {
            Ok(v) => return v,
            Err(last) if started.elapsed() > timeout => {
                panic!("{what}: not within {timeout:?}; last seen: {last}")
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// A private `dbus-daemon --session`; stopped when dropped.
pub struct SessionBus {
    /// For `DBUS_SESSION_BUS_ADDRESS`.
    pub address: String,
    pid: u32,
    home: PathBuf,
}

impl SessionBus {
    /// Starts a bus whose services keep their files under `home`.
    pub fn start(home: &Path) -> SessionBus {
        std::fs::create_dir_all(home).expect("desktop home");
        let out = Command::new("dbus-daemon")
            .args(["--session", "--fork", "--print-address=1", "--print-pid=1"])
            .envs(desktop_env(home))
            .stdin(Stdio::null())
            .output()
            .expect("run dbus-daemon (package dbus-daemon, installed by `cargo xtask setup`)");
        let text = String::from_utf8_lossy(&out.stdout);
        let mut lines = text.lines();
        let (Some(address), Some(Ok(pid))) = (lines.next(), lines.next().map(str::parse::<u32>))
        else {
            panic!(
                "dbus-daemon did not print its address and pid ({}): {text}{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            )
        };
        SessionBus {
            address: address.to_string(),
            pid,
            home: home.to_path_buf(),
        }
    }

    /// `tray_dbus.py ADDRESS ARGS`: its stdout, or why it failed.
    fn tool(&self, args: &[&str]) -> Result<String, String> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("support/tray_dbus.py");
        let out = Command::new(PYTHON)
            .arg(&script)
            .arg(&self.address)
            .args(args)
            .output()
            .expect("run /usr/bin/python3 (python3-dbus, installed by `cargo xtask setup`)");
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(format!(
                "tray_dbus.py {} ({}): {}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }

    /// Whether a StatusNotifierWatcher (the tray host's registry) is on the bus.
    pub fn has_watcher(&self) -> bool {
        self.tool(&["watcher"]).is_ok()
    }

    /// The items registered with the watcher, as `service/path`.
    pub fn items(&self) -> Result<Vec<String>, String> {
        let text = self.tool(&["items"])?;
        serde_json::from_str(&text).map_err(|e| format!("items: {e}: {text}"))
    }

    /// What a host reads of the registered item `registered`.
    pub fn item(&self, registered: &str) -> Result<Item, String> {
        // The spec allows a bare bus name, meaning the standard path.
        let (service, path) = match registered.find('/') {
            Some(at) => registered.split_at(at),
            None => (registered, "/StatusNotifierItem"),
        };
        let text = self.tool(&["item", service, path])?;
        let props: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("item: {e}: {text}"))?;
        Ok(Item {
            service: service.to_string(),
            menu_path: props["Menu"].as_str().unwrap_or_default().to_string(),
            menu: MenuEntry::from_json(&props["menu"]),
            props,
        })
    }

    /// Clicks `entry` of `item`'s menu, as the host does when the user does.
    pub fn click(&self, item: &Item, entry: &MenuEntry) {
        self.try_click(item, entry)
            .unwrap_or_else(|e| panic!("clicking {:?} failed: {e}", entry.label));
    }

    /// Like [`SessionBus::click`], saying why the click went unanswered.
    pub fn try_click(&self, item: &Item, entry: &MenuEntry) -> Result<(), String> {
        self.tool(&[
            "click",
            &item.service,
            &item.menu_path,
            &entry.id.to_string(),
        ])
        .map(drop)
    }
}

impl Drop for SessionBus {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
    }
}

/// A StatusNotifierItem as a tray host reads it.
#[derive(Debug)]
pub struct Item {
    pub service: String,
    pub menu_path: String,
    /// Its org.kde.StatusNotifierItem properties (pixel data as its length).
    pub props: serde_json::Value,
    pub menu: MenuEntry,
}

impl Item {
    /// The tooltip's text (title, description).
    pub fn tooltip(&self) -> (String, String) {
        let t = &self.props["ToolTip"];
        let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
        (s(&t[2]), s(&t[3]))
    }
}

/// One com.canonical.dbusmenu entry, with the spec's defaults filled in.
#[derive(Clone, Debug)]
pub struct MenuEntry {
    pub id: i64,
    pub label: String,
    pub enabled: bool,
    pub visible: bool,
    pub separator: bool,
    /// `Some` for check and radio entries.
    pub checked: Option<bool>,
    pub children: Vec<MenuEntry>,
}

impl MenuEntry {
    fn from_json(v: &serde_json::Value) -> MenuEntry {
        MenuEntry {
            id: v["id"].as_i64().unwrap_or(-1),
            label: v["label"].as_str().unwrap_or_default().to_string(),
            enabled: v["enabled"].as_bool().unwrap_or(true),
            visible: v["visible"].as_bool().unwrap_or(true),
            separator: v["type"] == "separator",
            checked: v
                .get("toggle-type")
                .filter(|t| !t.as_str().unwrap_or_default().is_empty())
                .map(|_| v["toggle-state"] == 1),
            children: v["children"]
                .as_array()
                .map(|c| c.iter().map(MenuEntry::from_json).collect())
                .unwrap_or_default(),
        }
    }

    /// The labels of the visible entries right below this one, without
    /// separators: what a user reads, top to bottom.
    pub fn labels(&self) -> Vec<&str> {
        self.children
            .iter()
            .filter(|c| c.visible && !c.separator)
            .map(|c| c.label.as_str())
            .collect()
    }

    /// The first entry labelled `label`, at any depth.
    pub fn find(&self, label: &str) -> Option<&MenuEntry> {
        self.children
            .iter()
            .find_map(|c| (c.label == label).then_some(c).or_else(|| c.find(label)))
    }

    /// Like [`MenuEntry::find`], with the whole menu in the message when it
    /// is missing.
    pub fn get(&self, label: &str) -> &MenuEntry {
        self.find(label)
            .unwrap_or_else(|| panic!("no menu entry {label:?} in\n{}", self.outline()))
    }

    /// The menu as indented text, for assertion messages.
    pub fn outline(&self) -> String {
        fn walk(e: &MenuEntry, depth: usize, out: &mut String) {
            for c in &e.children {
                let state = match (c.separator, c.enabled, c.checked) {
                    (true, _, _) => "-----".to_string(),
                    (_, enabled, checked) => format!(
                        "{}{}{}",
                        c.label,
                        if enabled { "" } else { " (disabled)" },
                        match checked {
                            Some(true) => " [x]",
                            Some(false) => " [ ]",
                            None => "",
                        }
                    ),
                };
                out.push_str(&format!("{}{state}\n", "  ".repeat(depth)));
                walk(c, depth + 1, out);
            }
        }
        let mut out = String::new();
        walk(self, 0, &mut out);
        out
    }
}

/// xfce4-panel with only its status tray (which hosts StatusNotifierItems),
/// across the top of the screen; stopped when dropped.
pub struct Panel {
    child: Child,
    log: PathBuf,
}

/// One panel at the top (`p=6`) holding the systray plugin, `configver` 2 so
/// the panel does not ask how to set itself up.
const PANEL_CONFIG: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<channel name="xfce4-panel" version="1.0">
  <property name="configver" type="int" value="2"/>
  <property name="panels" type="array">
    <value type="int" value="1"/>
    <property name="panel-1" type="empty">
      <property name="position" type="string" value="p=6;x=0;y=0"/>
      <property name="length" type="uint" value="100"/>
      <property name="position-locked" type="bool" value="true"/>
      <property name="size" type="uint" value="32"/>
      <property name="plugin-ids" type="array">
        <value type="int" value="1"/>
      </property>
    </property>
  </property>
  <property name="plugins" type="empty">
    <property name="plugin-1" type="string" value="systray"/>
  </property>
</channel>
"#;

impl Panel {
    /// Starts the panel on `display` and `bus`, and waits until its tray is
    /// the bus's StatusNotifierWatcher, ready to take an item.
    pub fn start(display: &VirtualDisplay, bus: &SessionBus) -> Panel {
        // xfconfd, started by the bus, reads this from the bus's XDG_CONFIG_HOME.
        let channels = bus.home.join(".config/xfce4/xfconf/xfce-perchannel-xml");
        std::fs::create_dir_all(&channels).expect("xfconf dir");
        std::fs::write(channels.join("xfce4-panel.xml"), PANEL_CONFIG).expect("panel config");
        let log = bus.home.join("xfce4-panel.log");
        let log_file = std::fs::File::create(&log).expect("panel log");
        let child = Command::new("xfce4-panel")
            // No window manager runs on the virtual display; the panel would
            // wait for one.
            .arg("--disable-wm-check")
            .envs(desktop_env(&bus.home))
            .env("DISPLAY", &display.name)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .env("GDK_BACKEND", "x11")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("SESSION_MANAGER")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("panel log"))
            .stderr(log_file)
            .spawn()
            .expect("start xfce4-panel (installed by `cargo xtask setup`)");
        let mut panel = Panel { child, log };
        wait_for(
            "xfce4-panel's tray takes the StatusNotifierWatcher name",
            Duration::from_secs(20),
            || {
                if let Ok(Some(status)) = panel.child.try_wait() {
                    panic!("xfce4-panel exited ({status}): {}", panel.log_text());
                }
                if bus.has_watcher() {
                    Ok(())
                } else {
                    Err(panel.log_text())
                }
            },
        );
        panel
    }

    /// What the panel wrote on stdout and stderr.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Panel {
    /// SIGTERM, so the panel takes its plugin processes with it.
    fn drop(&mut self) {
        kyso_testkit::display::terminate(&mut self.child);
    }
}

/// A screenshot's pixels.
pub struct Screen {
    pub width: u32,
    pub height: u32,
    rgb: Vec<u8>,
}

/// Darker than this in every channel counts as the bare (black) root window.
const BLACK: u8 = 16;

impl Screen {
    /// Photographs the whole of `display` into `file` and reads it back.
    pub fn capture(display: &VirtualDisplay, file: &Path) -> Screen {
        display.screenshot(file);
        let bytes = std::fs::read(file).expect("read the screenshot");
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let mut reader = decoder
            .read_info()
            .unwrap_or_else(|e| panic!("{} is not a PNG: {e}", file.display()));
        let mut buf = vec![0; reader.output_buffer_size().expect("screenshot size")];
        let frame = reader
            .next_frame(&mut buf)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let channels = frame.color_type.samples();
        let rgb = buf[..frame.buffer_size()]
            .chunks_exact(channels)
            .flat_map(|p| match channels {
                1 | 2 => [p[0], p[0], p[0]],
                _ => [p[0], p[1], p[2]],
            })
            .collect();
        Screen {
            width: frame.width,
            height: frame.height,
            rgb,
        }
    }

    pub fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        let i = ((y * self.width + x) * 3) as usize;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }

    fn drawn(&self, x: u32, y: u32) -> bool {
        self.pixel(x, y).iter().any(|&c| c > BLACK)
    }

    /// The first row below the panel that runs across the top of the screen.
    pub fn panel_bottom(&self) -> u32 {
        (0..self.height)
            .find(|&y| !self.drawn(self.width - 1, y))
            .unwrap_or(self.height)
    }

    /// The centre of the pixels of `colour` (each channel within
    /// `tolerance`) in the panel, if there are enough to be an icon's.
    pub fn find_in_panel(&self, colour: [u8; 3], tolerance: u8) -> Option<(u32, u32)> {
        let (mut n, mut sx, mut sy) = (0u64, 0u64, 0u64);
        for y in 0..self.panel_bottom() {
            for x in 0..self.width {
                let p = self.pixel(x, y);
                if (0..3).all(|i| p[i].abs_diff(colour[i]) <= tolerance) {
                    n += 1;
                    sx += u64::from(x);
                    sy += u64::from(y);
                }
            }
        }
        // A 16 px icon's disc is still ~100 pixels; a few stray ones are not an icon.
        (n >= 40).then(|| ((sx / n) as u32, (sy / n) as u32))
    }

    /// The bottom-right corner of what is drawn below the panel (open menus,
    /// on the black root window), if anything is.
    pub fn below_panel_extent(&self) -> Option<(u32, u32)> {
        let mut extent = None;
        for y in self.panel_bottom()..self.height {
            for x in 0..self.width {
                if self.drawn(x, y) {
                    let (mx, my) = extent.unwrap_or((0, 0));
                    extent = Some((mx.max(x), my.max(y)));
                }
            }
        }
        extent
    }

    /// Writes the top-left `width`×`height` of the screen as a PNG.
    pub fn save_top_left(&self, path: &Path, width: u32, height: u32) {
        let (width, height) = (width.min(self.width), height.min(self.height));
        let mut rows = Vec::with_capacity((width * height * 3) as usize);
        for y in 0..height {
            let start = (y * self.width * 3) as usize;
            rows.extend_from_slice(&self.rgb[start..start + (width * 3) as usize]);
        }
        let file = std::fs::File::create(path)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        let mut enc = png::Encoder::new(std::io::BufWriter::new(file), width, height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.write_header()
            .and_then(|mut w| {
                w.write_image_data(&rows)?;
                w.finish()
            })
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    }
}
