//! The two languages Kyso speaks, and the one way its crates carry a message
//! in both.
//!
//! Every error enum of the workspace implements [`Localized`]: a stable
//! `SCREAMING_SNAKE` code plus the same message in Vietnamese and English.
//! Short fixed texts (menu labels, field names) are pairs picked with
//! [`Lang::pick`], always Vietnamese first, so a table never mixes orders.
//!
//! ```
//! use kyso_core::lang::{Lang, Localized};
//!
//! let e = kyso_core::Error::KeyMismatch;
//! assert_eq!(e.code(), "KEY_MISMATCH");
//! assert!(e.message_in(Lang::Vi).starts_with("Chữ ký"));
//! assert_eq!(Lang::En.pick("Hủy", "Cancel"), "Cancel");
//! ```

use serde::{Deserialize, Serialize};

/// The environment variable that chooses the language of every Kyso program
/// (`vi` or `en`); `LANG` is read when it is unset.
pub const ENV_LANG: &str = "KYSO_LANG";

/// A language of Kyso's messages and windows. On the wire: `"vi"`, `"en"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Vietnamese, the language of the people Kyso serves.
    #[default]
    Vi,
    /// English.
    En,
}

impl Lang {
    /// The language a tag such as `vi`, `en_US.UTF-8` or `vi-VN` names.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag.starts_with("vi") {
            Some(Lang::Vi)
        } else if tag.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// `KYSO_LANG`, else `LANG`, else `default`. Each program picks its own
    /// default: the windows and the tray Vietnamese, the CLI English (its
    /// output lands in scripts and logs).
    ///
    /// The process environment is the one ambient input core reads; in the
    /// page (wasm) there is none and `default` is returned.
    pub fn from_env(default: Lang) -> Lang {
        [ENV_LANG, "LANG"]
            .iter()
            .find_map(|var| std::env::var(var).ok())
            .and_then(|tag| Lang::from_tag(&tag))
            .unwrap_or(default)
    }

    /// The tag on the wire and in files: `"vi"`, `"en"`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// The Vietnamese or the English of a pair, Vietnamese first.
    pub fn pick<T>(self, vi: T, en: T) -> T {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }
}

/// Something Kyso tells a person or a program: a stable machine code and a
/// message in each language.
pub trait Localized {
    /// The stable `SCREAMING_SNAKE` code programs match on.
    fn code(&self) -> &'static str;
    /// The message in English.
    fn message(&self) -> String;
    /// The message in Vietnamese.
    fn message_vi(&self) -> String;
    /// The message in `lang`.
    fn message_in(&self, lang: Lang) -> String {
        match lang {
            Lang::Vi => self.message_vi(),
            Lang::En => self.message(),
        }
    }
}

/// `Display` (the English message) and `std::error::Error` for a
/// [`Localized`] error enum: every Kyso error prints the same way.
///
/// ```
/// use kyso_core::Localized;
///
/// #[derive(Debug)]
/// enum Oops { Spilt }
/// impl Localized for Oops {
///     fn code(&self) -> &'static str { "SPILT" }
///     fn message(&self) -> String { "Spilt".into() }
///     fn message_vi(&self) -> String { "Đổ".into() }
/// }
/// kyso_core::localized_error!(Oops);
/// assert_eq!(Oops::Spilt.to_string(), "Spilt");
/// ```
#[macro_export]
macro_rules! localized_error {
    ($ty:ty) => {
        impl ::core::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(&$crate::Localized::message(self))
            }
        }

        impl ::std::error::Error for $ty {}
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_name_languages() {
        assert_eq!(Lang::from_tag("vi_VN.UTF-8"), Some(Lang::Vi));
        assert_eq!(Lang::from_tag("en"), Some(Lang::En));
        assert_eq!(Lang::from_tag("EN-us"), Some(Lang::En));
        assert_eq!(Lang::from_tag("C.UTF-8"), None);
        assert_eq!(Lang::from_tag(""), None);
        assert_eq!(Lang::Vi.tag(), "vi");
    }

    #[test]
    fn serialises_as_its_tag() {
        assert_eq!(serde_json::to_string(&Lang::En).unwrap(), "\"en\"");
        let vi: Lang = serde_json::from_str("\"vi\"").unwrap();
        assert_eq!(vi, Lang::Vi);
        assert!(serde_json::from_str::<Lang>("\"fr\"").is_err());
    }

    #[test]
    fn pick_is_vietnamese_first() {
        assert_eq!(Lang::Vi.pick(1, 2), 1);
        assert_eq!(Lang::En.pick(1, 2), 2);
    }
}
