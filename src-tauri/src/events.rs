//! Events the backend sends to the UI. The UI invalidates its cached queries on them.

use poni_app::watch::RepoWatcher;
use poni_app::Workspace;
use tauri::{AppHandle, Emitter, Runtime};

/// The repository's files changed (by us or by another program): reload what is shown.
pub const REPO_CHANGED: &str = "repo-changed";

pub fn repo_changed<R: Runtime>(app: &AppHandle<R>) {
    let _ = app.emit(REPO_CHANGED, ());
}

/// Watches the workspace's folder and tells the UI about outside changes. A repository that
/// cannot be watched still works; it just does not refresh by itself.
pub fn watch<R: Runtime>(app: &AppHandle<R>, workspace: &Workspace, seen: poni_app::watch::SeenFingerprint) -> Option<RepoWatcher> {
    let handle = app.clone();
    RepoWatcher::start(workspace.repo().clone(), seen, move || repo_changed(&handle)).ok()
}
