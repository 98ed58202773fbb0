//! The tray icon: the agent's face on the desktop.
//!
//! It shows the state (ready, no token, signing, error) and offers the
//! allowed sites (each revocable), the audit log, the language, start at
//! login and quit. [`model`] decides what is shown; this module draws it with
//! `tray-icon` (a D-Bus StatusNotifierItem on Linux, the notification area on
//! Windows, the menu bar on macOS) and carries out the clicks.
//!
//! The tray is optional: with no desktop (a server, CI, no D-Bus session)
//! [`run`] fails at once and the agent serves without it.

// The Windows message pump and the AppKit run loop are FFI.
#[allow(unsafe_code)]
mod event_loop;
pub mod icon;
pub mod model;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tray_icon::menu::{CheckMenuItem, IsMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tray_icon::{Icon, TrayIcon, TrayIconBuilder};

use crate::audit::Event;
use crate::autostart;
use crate::preferences::Preferences;
use crate::server::Pairing;
use crate::service::Service;
use event_loop::EventLoop;
use model::{Command, Entry, Snapshot};

/// How often the tray reads its state when nothing is clicked.
const REFRESH: Duration = Duration::from_secs(2);
/// How often, with no token present, the modules are asked again (a
/// re-initialisation: every other token call waits for it, and smart-card
/// drivers do not like it often). A request from a page looks at once.
const LOOK_FOR_TOKENS: Duration = Duration::from_secs(10);

/// What the tray reads and changes.
pub struct Context {
    pub service: Arc<Service>,
    pub pairing: Arc<Pairing>,
    pub preferences: Arc<Preferences>,
    /// The origin patterns of the administrator's configuration.
    pub admin_origins: Vec<String>,
    /// The signing log (there always is one on a desktop).
    pub audit_log: PathBuf,
}

/// Why [`run`] returned.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// The user chose Quit.
    Quit,
    /// `keep_running` said stop (the server ended).
    Stopped,
}

/// Shows the tray on this thread (the main thread: macOS requires it) and
/// handles it until the user quits or `keep_running` returns false. An error
/// means no tray can be shown here; nothing was changed.
pub fn run(ctx: &Context, keep_running: impl Fn() -> bool) -> Result<Ended, String> {
    let events = EventLoop::new()?;
    let mut shown = ctx.snapshot();
    let mut tray = TrayIconBuilder::new()
        .with_id("kyso")
        .with_title("Kyso")
        .with_tooltip(shown.tooltip())
        .with_icon(tray_icon(&shown)?)
        .with_menu(Box::new(build_menu(&shown.menu())?))
        .build()
        .map_err(|e| format!("no tray icon: {e}"))?;
    let mut refreshed = Instant::now();
    let mut looked = Instant::now();
    loop {
        if !keep_running() {
            return Ok(Ended::Stopped);
        }
        let clicked = events.next_click(Duration::from_millis(200));
        if let Some(command) = clicked.and_then(|c| Command::from_id(c.id.as_ref())) {
            if command == Command::Quit {
                ctx.service
                    .audit()
                    .record(&Event::new("agent-quit", "ok", "tray"));
                return Ok(Ended::Quit);
            }
            ctx.execute(&command);
        } else if refreshed.elapsed() < REFRESH {
            continue;
        }
        refreshed = Instant::now();
        if shown.tokens.is_empty() && looked.elapsed() >= LOOK_FOR_TOKENS {
            ctx.service.look_for_new_tokens();
            looked = Instant::now();
        }
        let mut next = ctx.snapshot();
        if next.tokens != shown.tokens && !next.tokens.is_empty() {
            // A token (re)plugged in: the failure of the one pulled out is
            // history now, not the state to show.
            ctx.service.activity().clear_failure();
            next.failure = None;
        }
        if next != shown {
            show(&mut tray, &shown, &next)?;
            shown = next;
        }
    }
}

impl Context {
    fn snapshot(&self) -> Snapshot {
        Snapshot {
            tokens: self.service.token_labels(),
            busy: self.service.activity().in_progress() > 0,
            failure: self.service.activity().last_failure(),
            paired_sites: self.pairing.sites(),
            admin_origins: self.admin_origins.clone(),
            language: self.preferences.language(),
            autostart: autostart::is_enabled(),
        }
    }

    fn execute(&self, command: &Command) {
        match command {
            Command::Revoke(origin) => {
                let outcome = if self.pairing.revoke(origin) {
                    "ok"
                } else {
                    "NOT_PAIRED"
                };
                self.service.audit().record(&Event {
                    origin: Some(origin),
                    ..Event::new("site-revoked", outcome, "tray")
                });
            }
            Command::OpenAuditLog => open_in_viewer(&self.audit_log),
            Command::Language(language) => self.preferences.set_language(*language),
            Command::ToggleAutostart => {
                let result = if autostart::is_enabled() {
                    autostart::disable()
                } else {
                    std::env::current_exe()
                        .map_err(|e| e.to_string())
                        .and_then(|exe| autostart::enable(&exe).map(|_| ()))
                };
                if let Err(e) = result {
                    eprintln!("kyso-agent: start at login: {e}");
                }
            }
            Command::Quit => {}
        }
    }
}

/// Updates only what changed, so the desktop does not redraw the menu while
/// the user has it open for nothing.
fn show(tray: &mut TrayIcon, old: &Snapshot, new: &Snapshot) -> Result<(), String> {
    if old.state() != new.state() {
        tray.set_icon(Some(tray_icon(new)?))
            .map_err(|e| e.to_string())?;
    }
    if old.tooltip() != new.tooltip() {
        tray.set_tooltip(Some(new.tooltip()))
            .map_err(|e| e.to_string())?;
    }
    let menu = new.menu();
    if old.menu() != menu {
        tray.set_menu(Some(Box::new(build_menu(&menu)?)));
    }
    Ok(())
}

fn tray_icon(snapshot: &Snapshot) -> Result<Icon, String> {
    Icon::from_rgba(icon::rgba(snapshot.state()), icon::SIZE, icon::SIZE).map_err(|e| e.to_string())
}

fn build_menu(entries: &[Entry]) -> Result<Menu, String> {
    let menu = Menu::new();
    for entry in entries {
        menu.append(build_entry(entry)?.as_ref())
            .map_err(|e| e.to_string())?;
    }
    Ok(menu)
}

fn build_entry(entry: &Entry) -> Result<Box<dyn IsMenuItem>, String> {
    Ok(match entry {
        Entry::Item { id, text, enabled } => {
            Box::new(MenuItem::with_id(id.as_str(), text, *enabled, None))
        }
        Entry::Check { id, text, checked } => Box::new(CheckMenuItem::with_id(
            id.as_str(),
            text,
            true,
            *checked,
            None,
        )),
        Entry::Submenu { id, text, entries } => {
            let sub = Submenu::with_id(id.as_str(), text, true);
            for e in entries {
                sub.append(build_entry(e)?.as_ref())
                    .map_err(|e| e.to_string())?;
            }
            Box::new(sub)
        }
        Entry::Separator => Box::new(PredefinedMenuItem::separator()),
    })
}

/// Opens the audit log in the desktop's viewer for text files.
fn open_in_viewer(path: &std::path::Path) {
    let mut command = if cfg!(windows) {
        // A .jsonl file has no association on Windows; Notepad always works.
        std::process::Command::new("notepad.exe")
    } else if cfg!(target_os = "macos") {
        let mut c = std::process::Command::new("open");
        c.arg("-t");
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    match command.arg(path).spawn() {
        // Reap the viewer launcher when it ends, off the tray's thread.
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
        }
        Err(e) => eprintln!("kyso-agent: cannot open {}: {e}", path.display()),
    }
}
