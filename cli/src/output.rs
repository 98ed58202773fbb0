//! Standard output that ends quietly when its reader has gone.
//!
//! `kyso tokens --json | head` closes the pipe early; `println!` would panic
//! there with a backtrace. `say!` writes through this module
//! instead: a closed pipe makes the rest of the output go nowhere, and the
//! command still ends with its own exit status.

use std::fmt;
use std::io::{ErrorKind, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use kyso_core::Lang;

use crate::error::Error;

/// Set once the reader has gone; later lines are dropped.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes one line to standard output.
pub fn line(args: fmt::Arguments<'_>) -> Result<(), Error> {
    if CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    match out
        .write_fmt(args)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => {
            CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        Err(e) => Err(Error::Io(format!("standard output: {e}"))),
    }
}

/// The language of messages: `KYSO_LANG`, else `LANG`; English when neither
/// names one (the CLI's output lands in scripts and logs).
pub fn lang() -> Lang {
    Lang::from_env(Lang::En)
}

/// `println!` for the CLI's results: `say!("{x}")?`.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))
    };
}
pub(crate) use say;
