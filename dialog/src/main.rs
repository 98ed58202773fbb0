//! `kyso-dialog`: Kyso's consent and PIN window.
//!
//! `kyso-agent` runs this program once per question (a signature, a login,
//! a bare hash, or letting a site use the token), writes one JSON request on
//! its stdin and reads one JSON answer line from its stdout (see
//! `kyso_wire::dialog`). The window lives in its own process so the agent needs no
//! GUI toolkit and a crash here is a cancelled request, not a dead agent.
//!
//! Exit status: 0 with an answer (approve, cancel, timeout); 2 for a request
//! that cannot be shown (an `error` answer, no window); 1 when no window
//! could be opened (an `error` answer).
//!
//! The PIN is written only in the answer line, from buffers that are zeroed
//! when dropped; nothing else is ever printed to stdout.

#![forbid(unsafe_code)]

mod answer;
mod app;

use std::io::Read;
use std::time::Duration;

use kyso_wire::dialog::{Answer, Request, MAX_REQUEST_BYTES};

use crate::answer::emit;

fn main() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        emit(&Answer::error("the consent window failed"));
        default_hook(info);
    }));

    let mut input = Vec::new();
    let read = std::io::stdin()
        .take(MAX_REQUEST_BYTES as u64 + 1)
        .read_to_end(&mut input);
    let request = match read {
        Ok(_) => Request::parse(&input),
        Err(e) => Err(format!("cannot read the request: {e}")),
    };
    let request = match request {
        Ok(r) => r,
        Err(message) => {
            emit(&Answer::error(message));
            std::process::exit(2);
        }
    };

    // The window answers `timeout` itself; this covers an event loop that
    // stopped running (window hidden, display gone, renderer stuck).
    let limit = Duration::from_secs(request.timeout_seconds.min(app::MAX_TIMEOUT_SECONDS));
    std::thread::spawn(move || {
        std::thread::sleep(limit + Duration::from_secs(2));
        emit(&Answer::timeout());
        std::process::exit(0);
    });

    match app::run(request) {
        Ok(()) => {
            // Window closed without a decision (should not happen: closing is
            // a cancel, handled in the window).
            emit(&Answer::cancel());
            std::process::exit(0);
        }
        Err(e) => {
            eprintln!("kyso-dialog: cannot open the window: {e}");
            emit(&Answer::error(format!("cannot open the window: {e}")));
            std::process::exit(1);
        }
    }
}
