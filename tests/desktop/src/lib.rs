//! Runs the real Poni Desktop binary in a real window and drives it through WebDriver:
//! `tauri-driver` (the WebDriver front for Tauri apps) in front of `WebKitWebDriver`.
//!
//! Needs a display (the test command runs everything under `xvfb-run`), `tauri-driver` on
//! PATH or in ~/.cargo/bin, and `/usr/bin/WebKitWebDriver` (Debian's webkit2gtk-driver);
//! scripts/install-deps installs all three. Each [`DesktopApp`] gets its own driver ports,
//! repository and settings folder; still, one app runs at a time in a test process (they wait
//! for their turn, see [`exclusive_turn`]).

mod app;
mod driver;
mod ui;

pub use app::{exclusive_turn, DesktopApp, DesktopOptions};
pub use ui::Ui;

/// Where screenshots go: tests/artifacts/ in the workspace (ignored by git).
pub fn artifacts_dir() -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../artifacts");
    std::fs::create_dir_all(&dir).expect("create tests/artifacts");
    dir
}

/// Why the desktop tests cannot run here, if they cannot (no display).
pub fn unavailable() -> Option<String> {
    if std::env::var_os("DISPLAY").is_none() {
        return Some("no DISPLAY: run the tests through ./dev test, which provides a virtual display".into());
    }
    None
}
