//! One agent per configuration: a second `kyso-agent` started with the same
//! configuration (a double click, a login item plus a manual start) would
//! otherwise listen on the fallback port and show its own windows.
//!
//! The guard is an advisory lock on `kyso-agent.lock` in the configuration's
//! directory, held for the life of the process; the OS releases it when the
//! process ends, even on a crash, so there is no stale-lock cleanup.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;

/// Held while this agent runs.
pub struct InstanceLock {
    _file: File,
}

/// Takes the lock in `dir`, or says which process holds it.
pub fn acquire(dir: &Path) -> Result<InstanceLock, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join("kyso-agent.lock");
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {
            // The holder's pid, for the message a second instance prints.
            let _ = file.set_len(0);
            let _ = file.rewind();
            let _ = write!(file, "{}", std::process::id());
            let _ = file.flush();
            Ok(InstanceLock { _file: file })
        }
        Err(TryLockError::WouldBlock) => {
            let mut pid = String::new();
            let _ = file.read_to_string(&mut pid);
            Err(format!(
                "another kyso-agent (pid {}) is already running with this configuration ({}); \
                 Kyso đang chạy rồi",
                pid.trim(),
                path.display()
            ))
        }
        Err(TryLockError::Error(e)) => Err(format!("{}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_in_the_same_directory_is_refused_until_the_first_goes() {
        let dir = std::env::temp_dir().join(format!("kyso-instance-{}", std::process::id()));
        let first = acquire(&dir).unwrap();
        let second = acquire(&dir).err().expect("refused while held");
        assert!(second.contains(&std::process::id().to_string()), "{second}");
        drop(first);
        assert!(acquire(&dir).is_ok(), "free again once released");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
