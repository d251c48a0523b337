//! Crash points for tests. With `PONI_TEST_CRASH_AT=<point>` in its environment the process
//! aborts the moment it reaches that point: no unwinding, no cleanup, as a kill would leave
//! it. The crash tests use it to show that a grouped launch survives a kill at each step (the
//! same idea as the `fail` crate's fail points, without a build feature that would make the
//! tested binary differ from the shipped one). The variable is read once.

use std::sync::OnceLock;

/// The steps of a grouped launch, in order.
pub const LAUNCH_RECORDED: &str = "launch.recorded";
pub const LAUNCH_ANSWERED: &str = "launch.answered";
pub const LAUNCH_SAVED: &str = "launch.saved";
pub const LAUNCH_TAGGED: &str = "launch.tagged";

pub(crate) fn point(name: &str) {
    static AT: OnceLock<Option<String>> = OnceLock::new();
    if AT.get_or_init(|| std::env::var("PONI_TEST_CRASH_AT").ok()).as_deref() == Some(name) {
        eprintln!("PONI_TEST_CRASH_AT={name}: aborting here");
        std::process::abort();
    }
}
