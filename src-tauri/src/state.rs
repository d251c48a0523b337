//! What the running app holds: the open workspace with its watcher, and the settings store.

use poni_app::watch::{RepoWatcher, SeenFingerprint};
use poni_app::{AppError, AppResult, SettingsStore, Workspace};
use std::path::PathBuf;
use std::sync::{Mutex, RwLock};

pub struct AppState {
    workspace: RwLock<Option<Workspace>>,
    watcher: Mutex<Option<RepoWatcher>>,
    pub seen: SeenFingerprint,
    pub settings: SettingsStore,
    /// Why the repository chosen at start could not be opened.
    pub start_error: Mutex<Option<AppError>>,
}

impl AppState {
    pub fn new(settings: SettingsStore) -> Self {
        Self {
            workspace: RwLock::new(None),
            watcher: Mutex::new(None),
            seen: SeenFingerprint::default(),
            settings,
            start_error: Mutex::new(None),
        }
    }

    /// Runs `f` on the open workspace.
    pub fn with<T>(&self, f: impl FnOnce(&Workspace) -> AppResult<T>) -> AppResult<T> {
        let guard = self.workspace.read().unwrap_or_else(|e| e.into_inner());
        let workspace = guard.as_ref().ok_or_else(|| AppError::new("workspace.none", "No repository is open: open or create one first."))?;
        f(workspace)
    }

    /// Runs an edit and records the repository's new fingerprint, so the watcher does not
    /// report our own write as an outside change.
    pub fn edit<T>(&self, f: impl FnOnce(&Workspace) -> AppResult<T>) -> AppResult<T> {
        self.with(|ws| {
            let result = f(ws);
            if let Ok(fingerprint) = ws.fingerprint() {
                self.seen.update(fingerprint);
            }
            result
        })
    }

    pub fn root(&self) -> Option<PathBuf> {
        self.workspace.read().unwrap_or_else(|e| e.into_inner()).as_ref().map(|w| w.root().to_path_buf())
    }

    /// Makes `workspace` the open one, watched by `watcher`, and remembers it in the settings.
    pub fn replace(&self, workspace: Workspace, watcher: Option<RepoWatcher>) -> AppResult<()> {
        let mut settings = self.settings.load().unwrap_or_default();
        settings.remember(workspace.root());
        *self.watcher.lock().unwrap_or_else(|e| e.into_inner()) = watcher;
        *self.workspace.write().unwrap_or_else(|e| e.into_inner()) = Some(workspace);
        *self.start_error.lock().unwrap_or_else(|e| e.into_inner()) = None;
        self.settings.save(&settings)
    }
}
