//! What the running desktop holds: the open workspace with its watcher and cloud session, the
//! settings store and the credentials service; and the one way every write ends (see
//! [`Desk::edit`]). The shell keeps one `Desk` and its commands call it.

use crate::cloud::{AccountService, CloudCredentials, CloudSession, SessionOptions, SsoLogins};
use crate::remote::RemoteService;
use crate::view::PropertyEdit;
use crate::watch::{RepoWatcher, SeenFingerprint};
use crate::{AppError, AppResult, SettingsStore, Workspace};
use poni_repo::ErrorCode;
use std::path::PathBuf;
use std::sync::{Mutex, RwLock};

pub struct Desk {
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
    /// Terminals, Run command and Copy files.
    pub remote: RemoteService,
    cloud: RwLock<Option<CloudSession>>,
}

impl Desk {
    /// The OS keyring (`$PONI_DESKTOP_KEYRING_SERVICE` names another service) and the process environment.
    pub fn new(settings: SettingsStore) -> Self {
        let credentials = CloudCredentials::system(settings.clone());
        Self::with_cloud(settings, credentials, SessionOptions::default())
    }

    /// With the credentials service and cloud options given (tests).
    pub fn with_cloud(settings: SettingsStore, credentials: CloudCredentials, session_options: SessionOptions) -> Self {
        let remote = RemoteService::new(settings.dir().map(|d| d.join("runs")), session_options.engine.ssh_dir.clone());
        Self {
            workspace: RwLock::new(None),
            watcher: Mutex::new(None),
            seen: SeenFingerprint::default(),
            settings,
            start_error: Mutex::new(None),
            account: AccountService::new(credentials.clone(), session_options.provider.clone()),
            sso: SsoLogins::default(),
            remote,
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

    /// Runs a write on the open workspace, then [`Desk::after_write`]. Every command that
    /// writes the repository goes through here (or calls `after_write` when the cloud
    /// engine wrote); the shell then tells the window.
    pub fn edit<T>(&self, f: impl FnOnce(&Workspace) -> AppResult<T>) -> AppResult<T> {
        let result = self.with(f);
        self.after_write();
        result
    }

    /// What follows every write of ours: the repository's new fingerprint is recorded, so the
    /// watcher does not announce it as an outside change, and the live fleet follows it.
    pub fn after_write(&self) {
        let _ = self.with(|ws| {
            if let Ok(fingerprint) = ws.fingerprint() {
                self.seen.update(fingerprint);
            }
            Ok(())
        });
        if let Ok(cloud) = self.cloud() {
            cloud.sync();
        }
    }

    /// Saves values and removals on one item as one change; a region set there becomes the
    /// region new nodes start with.
    pub fn edit_properties(&self, name: &str, set: &[PropertyEdit], unset: &[String]) -> AppResult<usize> {
        let changed = self.edit(|ws| ws.edit_properties(name, set, unset))?;
        self.credentials.remember_region(set);
        Ok(changed)
    }

    /// Cloud calls now reach another account (or the same one anew): the open session drops
    /// what the previous one said. The shell tells the window after this.
    pub fn account_changed(&self) {
        if let Ok(cloud) = self.cloud() {
            cloud.account_changed();
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
