//! What the agent is doing right now, for the tray icon: how many token
//! operations are under way and the last token failure not yet followed by a
//! success. Kept apart from the audit log, which is history, not state.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use kyso_core::Localized;
use kyso_token::Error as TokenError;

use crate::error::Error;

/// A token failure the user should see until the next success.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub code: &'static str,
    pub message: String,
    pub message_vi: String,
}

#[derive(Default)]
pub struct Activity {
    in_progress: AtomicUsize,
    last_failure: Mutex<Option<Failure>>,
}

/// Counts one operation as under way until dropped, however it ends.
pub struct Busy<'a>(&'a Activity);

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.in_progress.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Activity {
    pub fn begin(&self) -> Busy<'_> {
        self.in_progress.fetch_add(1, Ordering::SeqCst);
        Busy(self)
    }

    /// Records how an operation ended. Only failures of the token itself
    /// (removed, locked, a PKCS#11 error) are worth a red icon; a user who
    /// cancels or mistypes once is not an error state.
    pub fn finished(&self, outcome: Result<(), &Error>) {
        let mut last = self.last_failure.lock().unwrap_or_else(|p| p.into_inner());
        match outcome {
            Ok(()) => *last = None,
            Err(
                e @ Error::Token(
                    TokenError::TokenRemoved
                    | TokenError::PinLocked
                    | TokenError::Pkcs11 { .. }
                    | TokenError::Module(_),
                ),
            ) => {
                *last = Some(Failure {
                    code: e.code(),
                    message: e.message(),
                    message_vi: e.message_vi(),
                })
            }
            Err(_) => {}
        }
    }

    /// Forgets the last failure: the token it was about was replaced.
    pub fn clear_failure(&self) {
        *self.last_failure.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    pub fn in_progress(&self) -> usize {
        self.in_progress.load(Ordering::SeqCst)
    }

    pub fn last_failure(&self) -> Option<Failure> {
        self.last_failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_operations_until_they_end() {
        let a = Activity::default();
        let one = a.begin();
        let two = a.begin();
        assert_eq!(a.in_progress(), 2);
        drop(one);
        assert_eq!(a.in_progress(), 1);
        drop(two);
        assert_eq!(a.in_progress(), 0);
    }

    #[test]
    fn a_token_failure_lasts_until_a_success() {
        let a = Activity::default();
        a.finished(Err(&Error::Token(TokenError::TokenRemoved)));
        assert_eq!(a.last_failure().unwrap().code, "TOKEN_REMOVED");
        // Cancelling is the user's choice, not a fault to show.
        a.finished(Err(&Error::UserCancelled));
        assert_eq!(a.last_failure().unwrap().code, "TOKEN_REMOVED");
        a.finished(Ok(()));
        assert_eq!(a.last_failure(), None);
        a.finished(Err(&Error::UserCancelled));
        assert_eq!(a.last_failure(), None);
    }
}
