//! The system clock, read in one place: kyso-core takes time as a parameter.

use kyso_core::time::DateTime;

/// Now, to the second. A clock before 1970 reads as 1970.
pub fn now() -> DateTime {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    kyso_core::time::from_unix(secs).unwrap_or(DateTime::INFINITY)
}
