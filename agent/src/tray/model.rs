//! What the tray shows, as plain data: the state of the agent and the menu
//! built from it, in Vietnamese or English. The platform code only draws this
//! model and hands clicks back as [`Command`]s, so everything a user can read
//! or do in the tray is tested here without a desktop.

use crate::activity::Failure;
use kyso_core::Lang;

/// Everything the tray needs to know, gathered once per refresh.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// Labels of the tokens plugged in.
    pub tokens: Vec<String>,
    /// Token operations under way (waiting for the user or signing).
    pub busy: bool,
    pub failure: Option<Failure>,
    /// Sites the user allowed; each can be revoked.
    pub paired_sites: Vec<String>,
    /// Origins allowed by the administrator's configuration (shown, not
    /// revocable from the tray: that is policy).
    pub admin_origins: Vec<String>,
    pub language: Lang,
    pub autostart: bool,
}

/// The icon's state, in order of precedence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Signing,
    Error,
    NoToken,
    Ready,
}

impl Snapshot {
    pub fn state(&self) -> State {
        if self.busy {
            State::Signing
        } else if self.failure.is_some() {
            State::Error
        } else if self.tokens.is_empty() {
            State::NoToken
        } else {
            State::Ready
        }
    }

    /// One line saying what the agent is doing: the tooltip and the menu's
    /// first, disabled, item.
    pub fn status_line(&self) -> String {
        let lang = self.language;
        match self.state() {
            State::Signing => lang.pick("Đang ký số…", "Signing…").into(),
            State::Error => {
                let f = self.failure.as_ref().expect("state Error has a failure");
                lang.pick(
                    format!("Lỗi: {}", f.message_vi),
                    format!("Error: {}", f.message),
                )
            }
            State::NoToken => lang
                .pick("Chưa cắm thiết bị ký số", "No signing token plugged in")
                .into(),
            State::Ready => format!(
                "{} — {}",
                lang.pick("Sẵn sàng", "Ready"),
                self.tokens.join(", ")
            ),
        }
    }

    pub fn tooltip(&self) -> String {
        format!("Kyso: {}", self.status_line())
    }

    /// The menu, top to bottom.
    pub fn menu(&self) -> Vec<Entry> {
        let lang = self.language;
        let vi = lang == Lang::Vi;
        let t = |v: &'static str, e: &'static str| lang.pick(v, e).to_string();
        let mut sites = Vec::new();
        for origin in &self.paired_sites {
            sites.push(Entry::Item {
                id: Command::Revoke(origin.clone()).id(),
                text: lang.pick(
                    format!("Thu hồi quyền của {origin}"),
                    format!("Revoke {origin}"),
                ),
                enabled: true,
            });
        }
        for origin in &self.admin_origins {
            sites.push(Entry::Item {
                id: format!("admin:{origin}"),
                text: lang.pick(
                    format!("{origin} (do quản trị viên cho phép)"),
                    format!("{origin} (allowed by the administrator)"),
                ),
                enabled: false,
            });
        }
        if sites.is_empty() {
            sites.push(Entry::Item {
                id: "sites:none".into(),
                text: t("Chưa có trang nào", "No sites yet"),
                enabled: false,
            });
        }
        vec![
            Entry::Item {
                id: "status".into(),
                text: self.status_line(),
                enabled: false,
            },
            Entry::Separator,
            Entry::Submenu {
                id: "sites".into(),
                text: t("Trang web được phép ký", "Allowed sites"),
                entries: sites,
            },
            Entry::Item {
                id: Command::OpenAuditLog.id(),
                text: t("Mở nhật ký ký số", "Open the signing log"),
                enabled: true,
            },
            Entry::Submenu {
                id: "language".into(),
                text: "Ngôn ngữ / Language".into(),
                entries: vec![
                    Entry::Check {
                        id: Command::Language(Lang::Vi).id(),
                        text: "Tiếng Việt".into(),
                        checked: vi,
                    },
                    Entry::Check {
                        id: Command::Language(Lang::En).id(),
                        text: "English".into(),
                        checked: !vi,
                    },
                ],
            },
            Entry::Check {
                id: Command::ToggleAutostart.id(),
                text: t("Khởi động cùng máy tính", "Start at login"),
                checked: self.autostart,
            },
            Entry::Separator,
            Entry::Item {
                id: Command::Quit.id(),
                text: t("Thoát Kyso", "Quit Kyso"),
                enabled: true,
            },
        ]
    }
}

/// One line of the menu.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    Item {
        id: String,
        text: String,
        enabled: bool,
    },
    Check {
        id: String,
        text: String,
        checked: bool,
    },
    Submenu {
        id: String,
        text: String,
        entries: Vec<Entry>,
    },
    Separator,
}

/// What a click asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Revoke(String),
    OpenAuditLog,
    Language(Lang),
    ToggleAutostart,
    Quit,
}

impl Command {
    /// The menu item id that carries this command.
    pub fn id(&self) -> String {
        match self {
            Command::Revoke(origin) => format!("revoke:{origin}"),
            Command::OpenAuditLog => "audit-log".into(),
            Command::Language(l) => format!("language:{}", l.tag()),
            Command::ToggleAutostart => "autostart".into(),
            Command::Quit => "quit".into(),
        }
    }

    /// The command behind a clicked id; `None` for lines that do nothing.
    pub fn from_id(id: &str) -> Option<Command> {
        if let Some(origin) = id.strip_prefix("revoke:") {
            return Some(Command::Revoke(origin.to_string()));
        }
        Some(match id {
            "audit-log" => Command::OpenAuditLog,
            "language:vi" => Command::Language(Lang::Vi),
            "language:en" => Command::Language(Lang::En),
            "autostart" => Command::ToggleAutostart,
            "quit" => Command::Quit,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot() -> Snapshot {
        Snapshot {
            tokens: vec!["Kyso Demo".into()],
            busy: false,
            failure: None,
            paired_sites: vec!["https://dichvucong.example.gov.vn".into()],
            admin_origins: vec!["https://*.gov.vn".into()],
            language: Lang::Vi,
            autostart: false,
        }
    }

    fn texts(entries: &[Entry]) -> Vec<String> {
        let mut out = Vec::new();
        for e in entries {
            match e {
                Entry::Item { text, .. } | Entry::Check { text, .. } => out.push(text.clone()),
                Entry::Submenu { text, entries, .. } => {
                    out.push(text.clone());
                    out.extend(texts(entries));
                }
                Entry::Separator => {}
            }
        }
        out
    }

    #[test]
    fn state_follows_precedence() {
        let mut s = snapshot();
        assert_eq!(s.state(), State::Ready);
        assert_eq!(s.status_line(), "Sẵn sàng — Kyso Demo");
        s.tokens.clear();
        assert_eq!(s.state(), State::NoToken);
        s.failure = Some(Failure {
            code: "TOKEN_REMOVED",
            message: "The token was removed".into(),
            message_vi: "Thiết bị ký đã bị rút ra".into(),
        });
        assert_eq!(s.state(), State::Error);
        assert_eq!(s.status_line(), "Lỗi: Thiết bị ký đã bị rút ra");
        s.busy = true;
        assert_eq!(s.state(), State::Signing);
        s.language = Lang::En;
        assert_eq!(s.tooltip(), "Kyso: Signing…");
    }

    #[test]
    fn menu_speaks_the_chosen_language() {
        let mut s = snapshot();
        let vi = texts(&s.menu());
        assert!(vi.contains(&"Thu hồi quyền của https://dichvucong.example.gov.vn".to_string()));
        assert!(vi.contains(&"Khởi động cùng máy tính".to_string()));
        assert!(vi.contains(&"Thoát Kyso".to_string()));
        s.language = Lang::En;
        let en = texts(&s.menu());
        assert!(en.contains(&"Revoke https://dichvucong.example.gov.vn".to_string()));
        assert!(en.contains(&"Quit Kyso".to_string()));
        assert!(!en.iter().any(|t| t.contains("Thoát")));
    }

    #[test]
    fn every_clickable_id_maps_to_its_command() {
        fn walk(entries: &[Entry], found: &mut Vec<Command>) {
            for e in entries {
                match e {
                    Entry::Item {
                        id, enabled: true, ..
                    }
                    | Entry::Check { id, .. } => {
                        found.push(Command::from_id(id).expect("clickable line has a command"))
                    }
                    Entry::Submenu { entries, .. } => walk(entries, found),
                    _ => {}
                }
            }
        }
        let mut found = Vec::new();
        walk(&snapshot().menu(), &mut found);
        assert_eq!(
            found,
            vec![
                Command::Revoke("https://dichvucong.example.gov.vn".into()),
                Command::OpenAuditLog,
                Command::Language(Lang::Vi),
                Command::Language(Lang::En),
                Command::ToggleAutostart,
                Command::Quit,
            ]
        );
        // Disabled lines (status, admin origins) do nothing when clicked.
        assert_eq!(Command::from_id("status"), None);
        assert_eq!(Command::from_id("admin:https://*.gov.vn"), None);
    }

    #[test]
    fn no_sites_is_said_rather_than_an_empty_submenu() {
        let mut s = snapshot();
        s.paired_sites.clear();
        s.admin_origins.clear();
        assert!(texts(&s.menu()).contains(&"Chưa có trang nào".to_string()));
    }
}
