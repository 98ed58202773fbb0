//! A virtual X display (Xvfb) for tests of native windows, with the xdotool
//! and ImageMagick commands the tests drive and photograph them with.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running Xvfb; killed when dropped.
pub struct VirtualDisplay {
    child: Child,
    /// `:N`, for `DISPLAY`.
    pub name: String,
}

impl VirtualDisplay {
    /// Starts Xvfb on a display number it picks itself (`-displayfd`), so
    /// tests running at once never share a screen.
    pub fn start() -> VirtualDisplay {
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb (installed by `cargo xtask setup`)");
        let stdout = child.stdout.take().expect("Xvfb stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("Xvfb prints its display number");
        let number: u32 = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("Xvfb did not start: {line:?}"));
        VirtualDisplay {
            child,
            name: format!(":{number}"),
        }
    }

    /// `program ARGS` with `DISPLAY` set to this display; its stdout.
    pub fn run(&self, program: &str, args: &[&str]) -> String {
        let out = Command::new(program)
            .args(args)
            .env("DISPLAY", &self.name)
            .env_remove("WAYLAND_DISPLAY")
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run {program} ({e}): install xdotool and imagemagick (cargo xtask setup)")
            });
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `xdotool ARGS` on this display; its stdout.
    pub fn xdotool(&self, args: &[&str]) -> String {
        self.run("xdotool", args)
    }

    /// The first visible window whose title matches `name` (ASCII part), if
    /// one appears within `wait`.
    pub fn window(&self, name: &str, wait: Duration) -> Option<String> {
        let started = Instant::now();
        loop {
            let found = self.xdotool(&["search", "--onlyvisible", "--name", name]);
            if let Some(id) = found.lines().next() {
                return Some(id.trim().to_string());
            }
            if started.elapsed() > wait {
                return None;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Types `text` into window `id`, then presses `key` (e.g. "Return").
    pub fn type_into(&self, id: &str, text: &str, key: Option<&str>) {
        self.xdotool(&["windowactivate", "--sync", id]);
        self.xdotool(&["windowfocus", "--sync", id]);
        if !text.is_empty() {
            self.xdotool(&["type", "--delay", "40", text]);
        }
        if let Some(key) = key {
            self.xdotool(&["key", key]);
        }
    }

    /// A PNG of the whole screen.
    pub fn screenshot(&self, path: &Path) {
        let path = path.to_string_lossy();
        self.run("import", &["-window", "root", &path]);
        assert!(
            Path::new(path.as_ref()).is_file(),
            "screenshot {path} was not written"
        );
    }
}

impl Drop for VirtualDisplay {
    /// SIGTERM, so Xvfb removes its lock file and socket.
    fn drop(&mut self) {
        terminate(&mut self.child);
    }
}

/// Ends a desktop program the way a session does: SIGTERM, so it can clean
/// up (lock files, sockets, its own child processes); SIGKILL if it is still
/// there after 5 s.
pub fn terminate(child: &mut std::process::Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(5) {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}
