//! The agent's configuration file (TOML, docs/agent-api.md § Configuration). Unknown keys and bad values
//! stop start-up with an error naming the key: a typo in a security setting must
//! never be silently ignored.

use std::path::{Path, PathBuf};

use kyso_core::Localized;
use serde::Deserialize;

use crate::origin::{Origin, OriginPattern};

/// The built-in allow-list when the administrator lists no origins.
pub const DEFAULT_ORIGINS: [&str; 1] = ["https://*.gov.vn"];

/// The time-stamping authority when the administrator names none: the
/// Vietnamese government CA's (Ban Cơ yếu Chính phủ).
pub const DEFAULT_TSA_URLS: [&str; 1] = ["http://tsa.ca.gov.vn"];

/// The longest `timeout_seconds` of an outbound request: beyond it a page's
/// request would meet the operation timeout first.
const MAX_OUTBOUND_TIMEOUT: u64 = 300;

#[derive(Clone, Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub server: ServerConfig,
    #[serde(default)]
    pub pkcs11: Pkcs11Config,
    #[serde(default)]
    pub approver: ApproverConfig,
    #[serde(default)]
    pub origins: Vec<OriginConfig>,
    #[serde(default)]
    pub pairing: PairingConfig,
    #[serde(default)]
    pub audit: AuditConfig,
    #[serde(default)]
    pub limits: LimitsConfig,
    #[serde(default)]
    pub tray: TrayConfig,
    #[serde(default)]
    pub timestamp: TimestampConfig,
    #[serde(default)]
    pub revocation: RevocationConfig,
}

/// `[timestamp]`: where `/v1/timestamp` gets RFC 3161 tokens. Only these
/// URLs: a page never names a TSA.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimestampConfig {
    /// Absolute http/https URLs, tried in order; empty: no time-stamps.
    #[serde(default = "default_tsa_urls")]
    pub urls: Vec<String>,
    /// The time one TSA gets for the whole exchange.
    #[serde(default = "default_outbound_timeout")]
    pub timeout_seconds: u64,
}

impl Default for TimestampConfig {
    fn default() -> Self {
        TimestampConfig {
            urls: default_tsa_urls(),
            timeout_seconds: default_outbound_timeout(),
        }
    }
}

fn default_tsa_urls() -> Vec<String> {
    DEFAULT_TSA_URLS.iter().map(|u| u.to_string()).collect()
}

fn default_outbound_timeout() -> u64 {
    10
}

/// `[revocation]`: OCSP and CRLs, from the AIA and CRL distribution points
/// of certificates that chain to the trust anchors.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevocationConfig {
    /// What the signer's status does before the PIN is asked.
    #[serde(default)]
    pub before_signing: BeforeSigning,
    /// The time one OCSP, CRL or certificate request gets.
    #[serde(default = "default_outbound_timeout")]
    pub timeout_seconds: u64,
}

impl Default for RevocationConfig {
    fn default() -> Self {
        RevocationConfig {
            before_signing: BeforeSigning::default(),
            timeout_seconds: default_outbound_timeout(),
        }
    }
}

/// `revocation.before_signing`: the signer's revocation status, checked
/// before the consent window opens. A revoked certificate is refused
/// (`CERTIFICATE_REVOKED`) unless the check is off; the modes differ on an
/// unknown status.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum BeforeSigning {
    /// Unknown status (no responder, no usable answer): refused with
    /// `REVOCATION_UNAVAILABLE`.
    Require,
    /// Unknown status: signed, the window saying the status is unknown.
    #[default]
    Warn,
    /// No check and no outbound request.
    Off,
}

/// `[tray]`: the desktop icon. On by default; a kiosk or a seal server may
/// turn it off. Without a desktop the agent runs without it either way.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrayConfig {
    #[serde(default = "yes")]
    pub enabled: bool,
}

impl Default for TrayConfig {
    fn default() -> Self {
        TrayConfig { enabled: true }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// First port tried; port+1 and port+2 are the fallbacks. 0 picks a free
    /// port (tests).
    #[serde(default = "default_port")]
    pub port: u16,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            port: default_port(),
        }
    }
}

fn default_port() -> u16 {
    kyso_wire::api::DEFAULT_PORT
}

#[derive(Clone, Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Pkcs11Config {
    #[serde(default)]
    pub modules: Vec<PathBuf>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum ApproverMode {
    #[default]
    Dialog,
    Unattended,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApproverConfig {
    #[serde(default)]
    pub mode: ApproverMode,
    /// Unattended only: a file holding the PIN, mode 0600.
    pub pin_file: Option<PathBuf>,
    /// How long a user has to answer a dialog.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
}

impl Default for ApproverConfig {
    fn default() -> Self {
        ApproverConfig {
            mode: ApproverMode::Dialog,
            pin_file: None,
            timeout_seconds: default_timeout(),
        }
    }
}

fn default_timeout() -> u64 {
    120
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OriginConfig {
    pub origin: String,
    /// May the unattended approver serve this origin.
    #[serde(default)]
    pub unattended: bool,
    /// May this origin use the raw-hash endpoint (older portals).
    #[serde(default)]
    pub allow_raw_hash: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairingConfig {
    #[serde(default = "yes")]
    pub enabled: bool,
}

impl Default for PairingConfig {
    fn default() -> Self {
        PairingConfig { enabled: true }
    }
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// Default: `audit.jsonl` in the state directory (beside `--config`, else
    /// the user's configuration directory).
    pub path: Option<PathBuf>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// Largest request body accepted.
    #[serde(default = "default_body")]
    pub body_bytes: usize,
    /// Token operations waiting or running at once; more get BUSY.
    #[serde(default = "default_queue")]
    pub queue: usize,
    /// Requests one origin may make per minute.
    #[serde(default = "default_rate")]
    pub requests_per_minute: u32,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            body_bytes: default_body(),
            queue: default_queue(),
            requests_per_minute: default_rate(),
        }
    }
}

fn default_body() -> usize {
    1 << 20
}
fn default_queue() -> usize {
    256
}
fn default_rate() -> u32 {
    600
}

/// One allow-list entry, parsed.
#[derive(Clone, Debug)]
pub struct AllowedOrigin {
    pub pattern: OriginPattern,
    pub unattended: bool,
    pub allow_raw_hash: bool,
}

impl Config {
    /// Reads `path`, or when `None` the user's file, else the system-wide
    /// one the package installs (a missing default file means defaults; a
    /// missing explicit file is an error).
    pub fn load(path: Option<&Path>) -> Result<Config, String> {
        if let Some(p) = path {
            return Self::read(p);
        }
        for candidate in [default_path(), system_path()].into_iter().flatten() {
            match std::fs::read_to_string(&candidate) {
                Ok(text) => {
                    let cfg = Config::parse(&text)
                        .map_err(|e| format!("{}: {e}", candidate.display()))?;
                    return Ok(cfg);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(format!("{}: {e}", candidate.display())),
            }
        }
        Ok(Config::default())
    }

    fn read(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Config::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses and validates a configuration text.
    pub fn parse(text: &str) -> Result<Config, String> {
        let cfg: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        cfg.allowed_origins()?;
        if cfg.approver.mode == ApproverMode::Unattended && cfg.approver.pin_file.is_none() {
            return Err("approver.pin_file: required when approver.mode = \"unattended\"".into());
        }
        if cfg.approver.mode == ApproverMode::Unattended && cfg.audit.path.is_none() {
            return Err(
                "audit.path: required when approver.mode = \"unattended\" (every unattended signature is audited)".into(),
            );
        }
        if cfg.approver.timeout_seconds == 0 {
            return Err("approver.timeout_seconds: must be at least 1".into());
        }
        for (i, url) in cfg.timestamp.urls.iter().enumerate() {
            kyso_net::HttpUrl::parse(url)
                .map_err(|e| format!("timestamp.urls[{i}]: {url}: {}", e.message()))?;
        }
        for (key, seconds) in [
            ("timestamp.timeout_seconds", cfg.timestamp.timeout_seconds),
            ("revocation.timeout_seconds", cfg.revocation.timeout_seconds),
        ] {
            if !(1..=MAX_OUTBOUND_TIMEOUT).contains(&seconds) {
                return Err(format!("{key}: must be 1 to {MAX_OUTBOUND_TIMEOUT}"));
            }
        }
        if cfg.limits.queue == 0
            || cfg.limits.body_bytes < 1024
            || cfg.limits.requests_per_minute == 0
        {
            return Err(
                "limits: queue and requests_per_minute must be positive, body_bytes at least 1024"
                    .into(),
            );
        }
        Ok(cfg)
    }

    /// The allow-list: the configured origins, or the built-in default.
    pub fn allowed_origins(&self) -> Result<Vec<AllowedOrigin>, String> {
        if self.origins.is_empty() {
            return Ok(DEFAULT_ORIGINS
                .iter()
                .map(|o| AllowedOrigin {
                    pattern: OriginPattern::parse(o).expect("built-in pattern"),
                    unattended: false,
                    allow_raw_hash: false,
                })
                .collect());
        }
        self.origins
            .iter()
            .enumerate()
            .map(|(i, o)| {
                Ok(AllowedOrigin {
                    pattern: OriginPattern::parse(&o.origin)
                        .map_err(|e| format!("origins[{i}].origin: {e}"))?,
                    unattended: o.unattended,
                    allow_raw_hash: o.allow_raw_hash,
                })
            })
            .collect()
    }
}

impl AllowedOrigin {
    pub fn find<'a>(list: &'a [AllowedOrigin], origin: &Origin) -> Option<&'a AllowedOrigin> {
        list.iter().find(|a| a.pattern.matches(origin))
    }
}

pub use kyso_wire::config_file::{config_dir, default_path, system_path};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_packaged_configuration_parses_to_the_defaults() {
        let cfg = Config::parse(include_str!("../packaging/agent.toml")).unwrap();
        assert_eq!(cfg.approver.mode, ApproverMode::Dialog);
        assert!(cfg.pkcs11.modules.is_empty() && cfg.pairing.enabled && cfg.tray.enabled);
        let origins = cfg.allowed_origins().unwrap();
        assert_eq!(origins.len(), DEFAULT_ORIGINS.len());
        assert_eq!(cfg.timestamp.urls, DEFAULT_TSA_URLS);
        assert_eq!(cfg.revocation.before_signing, BeforeSigning::Warn);
    }

    #[test]
    fn timestamp_and_revocation_defaults() {
        let cfg = Config::parse("").unwrap();
        assert_eq!(cfg.timestamp.urls, ["http://tsa.ca.gov.vn"]);
        assert_eq!(cfg.timestamp.timeout_seconds, 10);
        assert_eq!(cfg.revocation.before_signing, BeforeSigning::Warn);
        assert_eq!(cfg.revocation.timeout_seconds, 10);
    }

    #[test]
    fn timestamp_and_revocation_values() {
        let cfg = Config::parse(
            r#"
[timestamp]
urls = ["https://tsa.example.vn/tsa", "http://127.0.0.1:3180"]
timeout_seconds = 20
[revocation]
before_signing = "require"
timeout_seconds = 5
"#,
        )
        .unwrap();
        assert_eq!(
            cfg.timestamp.urls,
            ["https://tsa.example.vn/tsa", "http://127.0.0.1:3180"]
        );
        assert_eq!(cfg.timestamp.timeout_seconds, 20);
        assert_eq!(cfg.revocation.before_signing, BeforeSigning::Require);
        assert_eq!(cfg.revocation.timeout_seconds, 5);
        let off = Config::parse("[revocation]\nbefore_signing = \"off\"\n").unwrap();
        assert_eq!(off.revocation.before_signing, BeforeSigning::Off);
        let none = Config::parse("[timestamp]\nurls = []\n").unwrap();
        assert!(
            none.timestamp.urls.is_empty(),
            "an empty list turns time-stamps off"
        );
    }

    #[test]
    fn timestamp_and_revocation_errors_name_the_key() {
        for (text, key) in [
            (
                "[timestamp]\nurls = [\"http://tsa.ca.gov.vn\", \"file:///etc/passwd\"]\n",
                "timestamp.urls[1]",
            ),
            (
                "[timestamp]\nurls = [\"ftp://tsa.example.vn\"]\n",
                "timestamp.urls[0]",
            ),
            (
                "[timestamp]\nurls = [\"tsa.ca.gov.vn\"]\n",
                "timestamp.urls[0]",
            ),
            ("[timestamp]\nurls = \"http://tsa.ca.gov.vn\"\n", "urls"),
            (
                "[timestamp]\ntimeout_seconds = 0\n",
                "timestamp.timeout_seconds",
            ),
            ("[timestamp]\nurl = [\"http://tsa.ca.gov.vn\"]\n", "url"),
            (
                "[revocation]\nbefore_signing = \"maybe\"\n",
                "before_signing",
            ),
            ("[revocation]\nbefore_signing = true\n", "before_signing"),
            (
                "[revocation]\ntimeout_seconds = 301\n",
                "revocation.timeout_seconds",
            ),
            ("[revocation]\nocsp = false\n", "ocsp"),
        ] {
            let e = Config::parse(text).unwrap_err();
            assert!(e.contains(key), "{text}: {e}");
        }
    }

    #[test]
    fn the_documented_example_parses() {
        let cfg = Config::parse(
            r#"
[server]
port = 27182
[pkcs11]
modules = ["/usr/lib/softhsm/libsofthsm2.so"]
[approver]
mode = "unattended"
pin_file = "/tmp/pin"
[[origins]]
origin = "https://dichvucong.example.gov.vn"
unattended = false
allow_raw_hash = false
[[origins]]
origin = "https://*.gov.vn"
[pairing]
enabled = true
[audit]
path = "/tmp/audit.jsonl"
"#,
        )
        .unwrap();
        assert_eq!(cfg.approver.mode, ApproverMode::Unattended);
        assert_eq!(cfg.allowed_origins().unwrap().len(), 2);
    }

    #[test]
    fn errors_name_the_key() {
        let e = Config::parse("[server]\nprot = 1\n").unwrap_err();
        assert!(e.contains("prot"), "{e}");
        let e = Config::parse("[approver]\nmode = \"silent\"\n").unwrap_err();
        assert!(e.contains("silent") || e.contains("mode"), "{e}");
        let e = Config::parse("[[origins]]\norigin = \"https://*\"\n").unwrap_err();
        assert!(e.contains("origins[0].origin"), "{e}");
        let e = Config::parse("[approver]\nmode = \"unattended\"\n").unwrap_err();
        assert!(e.contains("approver.pin_file"), "{e}");
        let e =
            Config::parse("[approver]\nmode = \"unattended\"\npin_file = \"/p\"\n").unwrap_err();
        assert!(e.contains("audit.path"), "{e}");
        let e = Config::parse("[server]\nport = 70000\n").unwrap_err();
        assert!(e.contains("port"), "{e}");
    }

    #[test]
    fn no_origins_means_gov_vn() {
        let list = Config::default().allowed_origins().unwrap();
        let o = Origin::parse("https://dichvucong.gov.vn").unwrap();
        assert!(AllowedOrigin::find(&list, &o).is_some());
        assert!(
            AllowedOrigin::find(&list, &Origin::parse("https://evil.example").unwrap()).is_none()
        );
    }
}
