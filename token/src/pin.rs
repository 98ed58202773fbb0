//! PINs: held in memory only as long as needed and wiped when dropped.

use cryptoki::types::AuthPin;
use zeroize::Zeroizing;

use crate::Error;

/// A user PIN. Never logged, never serialised; zeroized on drop.
pub struct Pin(Zeroizing<String>);

impl Pin {
    /// The PIN as typed; a trailing newline (from a pipe or a file) is not
    /// part of it. An empty PIN is refused.
    pub fn new(pin: String) -> Result<Self, Error> {
        let pin = Zeroizing::new(pin);
        let trimmed = pin.trim_end_matches(['\r', '\n']);
        if trimmed.is_empty() {
            return Err(Error::PinUnavailable("the PIN is empty".into()));
        }
        Ok(Pin(Zeroizing::new(trimmed.to_string())))
    }

    pub(crate) fn auth_pin(&self) -> AuthPin {
        // AuthPin (secrecy) zeroizes its own copy.
        AuthPin::from(self.0.as_str())
    }
}

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_newline_is_not_part_of_the_pin() {
        let pin = Pin::new("1234\n".into()).unwrap();
        assert_eq!(pin.0.as_str(), "1234");
        assert!(Pin::new("\n".into()).is_err());
        assert_eq!(format!("{pin:?}"), "Pin(***)");
    }
}
