//! One running desktop app in its own sandbox: a fresh repository folder, a fresh settings
//! folder and its own WebDriver session.

use crate::driver::Driver;
use crate::ui::Ui;
use std::path::PathBuf;
use thirtyfour::prelude::*;

#[derive(Default)]
pub struct DesktopOptions {
    /// Extra environment for the app (e.g. the EC2 endpoint and credentials).
    pub env: Vec<(String, String)>,
    /// Use this repository instead of a fresh one.
    pub repo: Option<PathBuf>,
}

pub struct DesktopApp {
    pub ui: Ui,
    /// One app at a time in a test process: two WebKit sessions starting together can make
    /// tauri-driver drop a connection, and each app needs about 400 MB anyway (see [`turn`]).
    _turn: tokio::sync::OwnedMutexGuard<()>,
    pub repo: PathBuf,
    pub sandbox: tempfile::TempDir,
    _driver: Driver,
}

impl DesktopApp {
    pub async fn start(options: DesktopOptions) -> DesktopApp {
        let turn = turn().lock_owned().await;
        let sandbox = tempfile::tempdir().expect("sandbox");
        let repo = options.repo.clone().unwrap_or_else(|| sandbox.path().join("repo"));
        let config = sandbox.path().join("config");
        // The app is started by WebKitWebDriver, a child of tauri-driver: it inherits this.
        let mut env = vec![
            ("PONI_ROOT".to_string(), repo.display().to_string()),
            ("PONI_DESKTOP_CONFIG_DIR".to_string(), config.display().to_string()),
            ("NO_AT_BRIDGE".to_string(), "1".to_string()),
        ];
        env.extend(options.env);
        let driver = Driver::start(&sandbox.path().join("tauri-driver.log"), &env);

        let mut caps = Capabilities::new();
        caps.set("browserName", "wry").expect("capability");
        caps.set("tauri:options", serde_json::json!({ "application": app_binary() })).expect("capability");
        let mut attempt = 0;
        let driver_session = loop {
            match WebDriver::new(driver.url(), caps.clone()).await {
                Ok(session) => break session,
                Err(e) if attempt < 3 => {
                    attempt += 1;
                    eprintln!("starting a WebDriver session failed ({e}); trying again");
                    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                }
                Err(e) => panic!("start a WebDriver session with the app: {e}"),
            }
        };
        let ui = Ui::new(driver_session);
        ui.wait_ready().await;
        DesktopApp { ui, repo, sandbox, _driver: driver, _turn: turn }
    }

    /// Reads a node's saved properties from disk.
    pub fn node_file(&self, name: &str) -> serde_json::Value {
        let path = name.split('/').fold(self.repo.join("system"), |p, s| p.join(s)).join("node.json");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_str(&text).expect("node.json is JSON")
    }

    /// Waits until the node's file on disk satisfies `check` (the app saves asynchronously).
    pub async fn wait_node(&self, name: &str, check: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            if self.exists(&format!("{name}/node.json")) {
                let value = self.node_file(name);
                if check(&value) {
                    return value;
                }
                assert!(std::time::Instant::now() < deadline, "{name}/node.json never got there: {value}");
            } else {
                assert!(std::time::Instant::now() < deadline, "{name} was never created");
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    pub fn exists(&self, name: &str) -> bool {
        name.split('/').fold(self.repo.join("system"), |p, s| p.join(s)).exists()
    }

    pub async fn quit(self) {
        let _ = self.ui.driver.clone().quit().await;
    }
}

/// The test process's one turn at the display and the debug app binary. Every desktop test is
/// in one test binary (tests/desktop/tests/it), so this one lock orders them all: a
/// [`DesktopApp`] holds it while it runs, and the package test, which rebuilds
/// target/debug/poni-desktop, installs the package and screenshots the whole display, holds it
/// through [`exclusive_turn`].
fn turn() -> std::sync::Arc<tokio::sync::Mutex<()>> {
    static TURN: std::sync::OnceLock<std::sync::Arc<tokio::sync::Mutex<()>>> = std::sync::OnceLock::new();
    TURN.get_or_init(Default::default).clone()
}

/// Waits for the turn (see [`turn`]) from a plain, non-async test, and keeps it until the guard
/// is dropped: no [`DesktopApp`] of this process runs meanwhile. Not for async code (it blocks
/// the thread; a [`DesktopApp`] takes the turn itself).
pub fn exclusive_turn() -> tokio::sync::OwnedMutexGuard<()> {
    turn().blocking_lock_owned()
}

/// The app to drive: `PONI_DESKTOP_APP` when set (the desktop benchmark measures a release
/// build that way), else the debug build beside this executable: tests run from
/// target/debug/deps, measurement binaries from target/debug.
pub fn app_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("PONI_DESKTOP_APP").map(PathBuf::from) {
        assert!(path.is_file(), "PONI_DESKTOP_APP={} is not a file", path.display());
        return path;
    }
    let exe = std::env::current_exe().expect("own path");
    let name = format!("poni-desktop{}", std::env::consts::EXE_SUFFIX);
    let candidates: Vec<PathBuf> = exe.ancestors().skip(1).take(2).map(|dir| dir.join(&name)).collect();
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .unwrap_or_else(|| panic!("{} is missing: build it with `cargo build -p poni-desktop` (./dev test does)", candidates[0].display()))
}
