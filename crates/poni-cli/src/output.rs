//! Standard output that copes with its reader going away (`poni list | head`), where
//! `println!` would panic: the rest of the output is dropped, and the command carries on to
//! its end and its own exit status (an import still imports, a diff still reports drift).

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// No more output: its reader has gone, or writing it failed.
static STOPPED: AtomicBool = AtomicBool::new(false);
/// Writing failed other than by the reader going away (a full disk, say).
static FAILED: AtomicBool = AtomicBool::new(false);

pub fn write(args: std::fmt::Arguments<'_>) {
    if STOPPED.load(Ordering::Relaxed) {
        return;
    }
    if let Err(e) = io::stdout().lock().write_fmt(args) {
        STOPPED.store(true, Ordering::Relaxed);
        // A reader that has all it wanted is not a failure.
        if e.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write the output: {e}");
            FAILED.store(true, Ordering::Relaxed);
        }
    }
}

/// Whether some output could not be written (not counting a reader that went away).
pub fn failed() -> bool {
    FAILED.load(Ordering::Relaxed)
}

/// `println!` through [`write`].
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::output::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` through [`write`].
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write(format_args!($($arg)*))
    };
}
