//! Time is always a parameter in `kyso-core`: the page passes the browser's clock,
//! the CLI and agent the system clock. This keeps the crate usable on
//! `wasm32-unknown-unknown`, where there is no clock to read.

pub use der::DateTime;

/// Builds a [`DateTime`] from seconds since the Unix epoch.
///
/// ```
/// let t = kyso_core::time::from_unix(1_700_000_000).unwrap();
/// assert_eq!(t.to_string(), "2023-11-14T22:13:20Z");
/// ```
pub fn from_unix(secs: u64) -> Result<DateTime, crate::Error> {
    DateTime::from_unix_duration(core::time::Duration::from_secs(secs))
        .map_err(|_| crate::Error::InvalidValue("time out of range"))
}

/// The instant `at` read from a system clock, to the second: what the CLI,
/// the agent and servers pass in (`from_system(SystemTime::now())`). A clock
/// before 1970 reads as 1970, one past 9999 as [`DateTime::INFINITY`].
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// let t = kyso_core::time::from_system(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
/// assert_eq!(t.to_string(), "2023-11-14T22:13:20Z");
/// ```
pub fn from_system(at: std::time::SystemTime) -> DateTime {
    let secs = at
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    from_unix(secs).unwrap_or(DateTime::INFINITY)
}
