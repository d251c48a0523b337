//! Helpers for the unit tests that plant special files where files are read.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

/// Runs `work` on its own thread: a read that blocks (a FIFO opened) fails the test instead of
/// hanging it.
pub(crate) fn within_seconds<T: Send + 'static>(seconds: u64, work: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || tx.send(work()));
    rx.recv_timeout(Duration::from_secs(seconds)).expect("blocked: a file was opened that should not have been")
}

/// Makes a FIFO (named pipe) at `path`.
pub(crate) fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}
