//! What the running app holds: the open workspace with its watcher and cloud session, the
//! settings store and the credentials service.

use poni_repo::ErrorCode;
use poni_app::cloud::{AccountService, CloudCredentials, CloudSession, SessionOptions, SsoLogins};
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
    /// Credential sets, the credentials choice and the endpoint setting.
    pub credentials: CloudCredentials,
    /// How cloud sessions pace, retry and poll.
    pub session_options: SessionOptions,
    /// The account's lists and actions (shares the credentials' provider and pacing).
    pub account: AccountService,
    pub sso: SsoLogins,
    cloud: RwLock<Option<CloudSession>>,
}

impl AppState {
    /// The OS keyring (`$PONI_DESKTOP_KEYRING_SERVICE` names another service) and the process environment.
    pub fn new(settings: SettingsStore) -> Self {
        let credentials = CloudCredentials::system(settings.clone());
        Self::with_cloud(settings, credentials, SessionOptions::default())
    }

    /// With the credentials service and cloud options given (tests).
    pub fn with_cloud(settings: SettingsStore, credentials: CloudCredentials, session_options: SessionOptions) -> Self {
        Self {
            workspace: RwLock::new(None),
            watcher: Mutex::new(None),
            seen: SeenFingerprint::default(),
            settings,
            start_error: Mutex::new(None),
            account: AccountService::new(credentials.clone(), session_options.provider.clone()),
            sso: SsoLogins::default(),
            credentials,
            session_options,
            cloud: RwLock::new(None),
        }
    }

    /// The open workspace's cloud session.
    pub fn cloud(&self) -> AppResult<CloudSession> {
        let guard = self.cloud.read().unwrap_or_else(|e| e.into_inner());
        guard.clone().ok_or_else(|| AppError::new(ErrorCode::WorkspaceNone, "No repository is open: open or create one first."))
    }

    /// Runs `f` on the open workspace.
    pub fn with<T>(&self, f: impl FnOnce(&Workspace) -> AppResult<T>) -> AppResult<T> {
        let guard = self.workspace.read().unwrap_or_else(|e| e.into_inner());
        let workspace = guard.as_ref().ok_or_else(|| AppError::new(ErrorCode::WorkspaceNone, "No repository is open: open or create one first."))?;
        f(workspace)
    }

    /// Runs an edit and records the repository's new fingerprint, so the watcher does not
    /// report our own write as an outside change; the live fleet follows the edit.
    pub fn edit<T>(&self, f: impl FnOnce(&Workspace) -> AppResult<T>) -> AppResult<T> {
        let result = self.with(|ws| {
            let result = f(ws);
            self.record_own_write(ws);
            result
        });
        if let Ok(cloud) = self.cloud() {
            cloud.sync();
        }
        result
    }

    /// Records the repository's fingerprint after a write of ours, so the watcher does not
    /// announce it as an outside change.
    pub fn record_own_write(&self, ws: &Workspace) {
        if let Ok(fingerprint) = ws.fingerprint() {
            self.seen.update(fingerprint);
        }
    }

    pub fn root(&self) -> Option<PathBuf> {
        self.workspace.read().unwrap_or_else(|e| e.into_inner()).as_ref().map(|w| w.root().to_path_buf())
    }

    /// Makes `workspace` the open one, watched by `watcher`, with its cloud session, and
    /// remembers it in the settings. The previous session's operations are cancelled.
    pub fn replace(&self, workspace: Workspace, watcher: Option<RepoWatcher>, cloud: CloudSession) -> AppResult<()> {
        let mut settings = self.settings.load().unwrap_or_default();
        settings.remember(workspace.root());
        *self.watcher.lock().unwrap_or_else(|e| e.into_inner()) = watcher;
        *self.workspace.write().unwrap_or_else(|e| e.into_inner()) = Some(workspace);
        if let Some(old) = self.cloud.write().unwrap_or_else(|e| e.into_inner()).replace(cloud) {
            old.shutdown();
        }
        *self.start_error.lock().unwrap_or_else(|e| e.into_inner()) = None;
        self.settings.save(&settings)
    }
}
