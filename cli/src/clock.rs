//! The system clock, read in one place: kyso-core takes time as a parameter.

use kyso_core::time::DateTime;

/// Now, to the second.
pub fn now() -> DateTime {
    kyso_core::time::from_system(std::time::SystemTime::now())
}
