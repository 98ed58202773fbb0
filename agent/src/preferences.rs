//! The user's own choices made in the tray, kept in `preferences.json` beside
//! the configuration. Admin policy stays in `agent.toml`; this file holds only
//! what a user may change without an administrator (today: the language).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU8, Ordering};

use kyso_core::Lang;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Stored {
    language: Lang,
}

pub struct Preferences {
    file: Option<PathBuf>,
    language: AtomicU8,
}

impl Preferences {
    /// Reads `file` if it exists; otherwise the environment decides.
    pub fn load(file: Option<PathBuf>) -> Self {
        let stored = file
            .as_ref()
            .and_then(|f| std::fs::read_to_string(f).ok())
            .and_then(|text| serde_json::from_str::<Stored>(&text).ok());
        let language = stored.map_or_else(|| Lang::from_env(Lang::Vi), |s| s.language);
        Preferences {
            file,
            language: AtomicU8::new(language as u8),
        }
    }

    pub fn language(&self) -> Lang {
        match self.language.load(Ordering::SeqCst) {
            x if x == Lang::En as u8 => Lang::En,
            _ => Lang::Vi,
        }
    }

    /// Changes the language from now on and saves it for the next start.
    pub fn set_language(&self, language: Lang) {
        self.language.store(language as u8, Ordering::SeqCst);
        let Some(f) = &self.file else { return };
        if let Some(dir) = f.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let text = serde_json::to_string_pretty(&Stored { language }).unwrap_or_default();
        if let Err(e) = std::fs::write(f, text) {
            eprintln!("kyso-agent: cannot save preferences: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chosen_language_survives_a_restart() {
        let dir = std::env::temp_dir().join(format!("kyso-prefs-{}", std::process::id()));
        let file = dir.join("preferences.json");
        let _ = std::fs::remove_file(&file);
        let prefs = Preferences::load(Some(file.clone()));
        prefs.set_language(Lang::En);
        assert_eq!(Preferences::load(Some(file.clone())).language(), Lang::En);
        prefs.set_language(Lang::Vi);
        assert_eq!(Preferences::load(Some(file.clone())).language(), Lang::Vi);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn an_unreadable_file_falls_back_to_the_environment() {
        let dir = std::env::temp_dir().join(format!("kyso-prefs-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("preferences.json");
        std::fs::write(&file, "{not json").unwrap();
        assert_eq!(
            Preferences::load(Some(file)).language(),
            Lang::from_env(Lang::Vi)
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
