//! The one answer line on stdout: whoever writes first (the window, the
//! watchdog, the panic hook) is the only one to write.

use std::io::Write;
use std::sync::Mutex;

use kyso_wire::dialog::Answer;

/// Whether the one answer line has been written. Held while writing, so the
/// window, the watchdog and the panic hook never write two lines.
static ANSWERED: Mutex<bool> = Mutex::new(false);

/// Writes `answer` as the one line on stdout, unless an answer was already
/// written. Returns whether this call wrote it.
pub(crate) fn emit(answer: &Answer) -> bool {
    let mut answered = ANSWERED.lock().unwrap_or_else(|p| p.into_inner());
    if *answered {
        return false;
    }
    *answered = true;
    let line = answer.to_line();
    // The line ends with '\n': stdout's LineWriter hands it straight to the
    // pipe instead of copying it into its buffer.
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(&line);
    let _ = out.flush();
    true
}
