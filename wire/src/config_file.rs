//! Where the agent's configuration file lives: the agent reads it, and the
//! `kyso` CLI reads its `[timestamp] urls` (the TSAs an administrator chose
//! serve the command line too). One definition for both.

use std::path::PathBuf;

/// `$XDG_CONFIG_HOME/kyso/agent.toml` (Linux), `%APPDATA%\Kyso\agent.toml`
/// (Windows), `~/Library/Application Support/Kyso/agent.toml` (macOS).
pub fn default_path() -> Option<PathBuf> {
    config_dir().map(|d| d.join("agent.toml"))
}

/// The administrator's file for every user of the machine (the .deb's
/// conffile); read when the user has none. Linux only: Windows and macOS
/// deployments put policy in the user's directory.
pub fn system_path() -> Option<PathBuf> {
    (!cfg!(windows) && !cfg!(target_os = "macos")).then(|| PathBuf::from("/etc/kyso/agent.toml"))
}

/// The per-OS directory for Kyso's configuration and state.
pub fn config_dir() -> Option<PathBuf> {
    if cfg!(windows) {
        std::env::var_os("APPDATA").map(|d| PathBuf::from(d).join("Kyso"))
    } else if cfg!(target_os = "macos") {
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join("Library/Application Support/Kyso"))
    } else {
        std::env::var_os("XDG_CONFIG_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
            .map(|d| d.join("kyso"))
    }
}

/// `[timestamp] urls` of the configuration the agent would read (the
/// user's file, else the system-wide one), when one sets it. A file that
/// cannot be read or parsed gives `None`: the agent itself reports it.
pub fn timestamp_urls() -> Option<Vec<String>> {
    let text = [default_path(), system_path()]
        .into_iter()
        .flatten()
        .find_map(|p| std::fs::read_to_string(p).ok())?;
    timestamp_urls_in(&text)
}

/// `[timestamp] urls` of a configuration text.
///
/// ```
/// let urls = kyso_wire::config_file::timestamp_urls_in("[timestamp]\nurls = [\"http://tsa.example.vn\"]\n");
/// assert_eq!(urls, Some(vec!["http://tsa.example.vn".to_string()]));
/// assert_eq!(kyso_wire::config_file::timestamp_urls_in("[server]\nport = 1\n"), None);
/// ```
pub fn timestamp_urls_in(text: &str) -> Option<Vec<String>> {
    #[derive(serde::Deserialize)]
    struct File {
        timestamp: Option<Timestamp>,
    }
    #[derive(serde::Deserialize)]
    struct Timestamp {
        urls: Option<Vec<String>>,
    }
    toml::from_str::<File>(text).ok()?.timestamp?.urls
}
