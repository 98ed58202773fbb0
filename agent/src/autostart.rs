//! Starting the agent at login, the way each OS expects: an XDG autostart
//! entry on Linux, the per-user `Run` registry key on Windows, a LaunchAgent
//! on macOS. Per user, no administrator rights needed.

use std::path::{Path, PathBuf};

/// Where the login item lives (a file on Linux and macOS; a description of
/// the registry value on Windows).
pub fn location() -> Result<PathBuf, String> {
    imp::location()
}

/// Registers `exe` to start at login (replacing an older entry).
pub fn enable(exe: &Path) -> Result<PathBuf, String> {
    imp::enable(exe)
}

/// Removes the login item; not an error when there is none.
pub fn disable() -> Result<(), String> {
    imp::disable()
}

pub fn is_enabled() -> bool {
    imp::is_enabled()
}

/// Linux and macOS keep the login item in a file, removed the same way (on
/// Linux, unless the package installed one for everyone).
#[cfg(unix)]
mod file_item {
    use std::path::Path;

    /// Removes the login item at `path`; not an error when there is none.
    pub fn remove(path: &Path) -> Result<(), String> {
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(format!("{}: {e}", path.display()))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(all(unix, not(target_os = "macos")))]
mod imp {
    use std::path::{Path, PathBuf};

    pub fn location() -> Result<PathBuf, String> {
        let base = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
            .ok_or("neither XDG_CONFIG_HOME nor HOME is set")?;
        Ok(base.join("autostart").join("kyso-agent.desktop"))
    }

    pub fn enable(exe: &Path) -> Result<PathBuf, String> {
        let path = location()?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        // Desktop Entry spec: arguments with spaces are double-quoted.
        let entry = format!(
            "[Desktop Entry]\nType=Application\nName=Kyso\nName[vi]=Kyso — ký số\nComment=Signing agent for USB tokens\nComment[vi]=Phần mềm ký số cho thiết bị USB token\nExec=\"{}\"\nTerminal=false\nX-GNOME-Autostart-enabled=true\n",
            exe.display()
        );
        std::fs::write(&path, entry).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(path)
    }

    /// The entry the .deb installs for every user. A user's own file of the
    /// same name overrides it, and `Hidden=true` there turns it off (XDG
    /// Autostart spec): that is how one user opts out without root.
    const SYSTEM_ENTRY: &str = "/etc/xdg/autostart/kyso-agent.desktop";

    pub fn disable() -> Result<(), String> {
        if !Path::new(SYSTEM_ENTRY).is_file() {
            return super::file_item::remove(&location()?);
        }
        let path = location()?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(
            &path,
            "[Desktop Entry]\nType=Application\nName=Kyso\nHidden=true\n",
        )
        .map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn is_enabled() -> bool {
        match location().map(std::fs::read_to_string) {
            Ok(Ok(entry)) => !hidden(&entry),
            _ => Path::new(SYSTEM_ENTRY).is_file(),
        }
    }

    fn hidden(entry: &str) -> bool {
        entry
            .lines()
            .any(|l| l.trim().eq_ignore_ascii_case("hidden=true"))
    }
}

#[cfg(target_os = "macos")]
mod imp {
    use std::path::{Path, PathBuf};

    const LABEL: &str = "vn.kyso.agent";

    pub fn location() -> Result<PathBuf, String> {
        let home = std::env::var_os("HOME").ok_or("HOME is not set")?;
        Ok(PathBuf::from(home)
            .join("Library/LaunchAgents")
            .join(format!("{LABEL}.plist")))
    }

    pub fn enable(exe: &Path) -> Result<PathBuf, String> {
        let path = location()?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let exe = exe
            .display()
            .to_string()
            .replace('&', "&amp;")
            .replace('<', "&lt;");
        let plist = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\"><dict>\n<key>Label</key><string>{LABEL}</string>\n<key>ProgramArguments</key><array><string>{exe}</string></array>\n<key>RunAtLoad</key><true/>\n<key>ProcessType</key><string>Interactive</string>\n</dict></plist>\n"
        );
        std::fs::write(&path, plist).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(path)
    }

    pub fn is_enabled() -> bool {
        location().is_ok_and(|p| p.is_file())
    }

    pub fn disable() -> Result<(), String> {
        super::file_item::remove(&location()?)
    }
}

#[cfg(windows)]
mod imp {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    const KEY: &str = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run";
    const VALUE: &str = "Kyso";

    pub fn location() -> Result<PathBuf, String> {
        Ok(PathBuf::from(format!(r"{KEY}\{VALUE}")))
    }

    fn reg(args: &[&str]) -> Result<std::process::Output, String> {
        Command::new("reg")
            .args(args)
            .output()
            .map_err(|e| format!("reg.exe: {e}"))
    }

    pub fn enable(exe: &Path) -> Result<PathBuf, String> {
        let data = format!("\"{}\"", exe.display());
        let out = reg(&["add", KEY, "/v", VALUE, "/t", "REG_SZ", "/d", &data, "/f"])?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        location()
    }

    pub fn disable() -> Result<(), String> {
        if is_enabled() {
            let out = reg(&["delete", KEY, "/v", VALUE, "/f"])?;
            if !out.status.success() {
                return Err(String::from_utf8_lossy(&out.stderr).into_owned());
            }
        }
        Ok(())
    }

    pub fn is_enabled() -> bool {
        reg(&["query", KEY, "/v", VALUE]).is_ok_and(|o| o.status.success())
    }
}
