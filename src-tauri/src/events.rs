//! Events the backend sends to the UI. The UI invalidates its cached queries on them.

use poni_app::cloud::{CloudEventPayload, CloudNotice, CloudSession, NoticeSink};
use poni_app::watch::RepoWatcher;
use poni_app::Workspace;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use poni_app::Desk;

/// The repository's files changed (by us or by another program): reload what is shown.
pub const REPO_CHANGED: &str = "repo-changed";
/// An engine event of an operation: `CloudEventPayload` `{operationId, event}`.
pub const CLOUD_EVENT: &str = "cloud-event";
/// An operation started, or its progress (k of N) or phase changed: `OperationStatus`.
pub const OPERATION_PROGRESS: &str = "operation-progress";
/// An operation ended: `OperationStatus` with its per-node reports.
pub const OPERATION_FINISHED: &str = "operation-finished";
/// Nodes' live state changed: `FleetChange` `{nodes, removed}` (only what changed; both
/// empty when the automatic refresh started or stopped).
pub const FLEET_CHANGED: &str = "fleet-changed";

/// The practice sandbox's status changed: `SandboxStatus`.
pub const SANDBOX_CHANGED: &str = "sandbox-changed";
/// Credentials, profile, endpoint or sandbox changed: every cloud view is stale.
pub const ACCOUNT_CHANGED: &str = "account-changed";

/// Tells the UI that cloud calls now reach another account (or the same one anew).
pub fn account_changed<R: Runtime>(app: &AppHandle<R>) {
    let _ = app.emit(ACCOUNT_CHANGED, ());
}

/// Sandbox progress becomes window events.
pub fn forward_sandbox<R: Runtime>(app: &AppHandle<R>) {
    let handle = app.clone();
    app.state::<Desk>().credentials.sandbox_handle().set_listener(std::sync::Arc::new(move |status| {
        let _ = handle.emit(SANDBOX_CHANGED, status.clone());
    }));
}

pub fn repo_changed<R: Runtime>(app: &AppHandle<R>) {
    let _ = app.emit(REPO_CHANGED, ());
}

/// Watches the workspace's folder and tells the UI about outside changes. A repository that
/// cannot be watched still works; it just does not refresh by itself.
/// The cloud session's fleet follows the repository too (instance ids and addresses the
/// engine or another program wrote).
pub fn watch<R: Runtime>(app: &AppHandle<R>, workspace: &Workspace, seen: poni_app::watch::SeenFingerprint) -> Option<RepoWatcher> {
    let handle = app.clone();
    RepoWatcher::start(workspace.repo().clone(), seen, move || {
        if let Ok(cloud) = handle.state::<Desk>().cloud() {
            cloud.sync();
        }
        repo_changed(&handle)
    })
    .ok()
}

/// A cloud session for `workspace` whose notices become window events.
pub fn cloud_session<R: Runtime>(app: &AppHandle<R>, state: &Desk, workspace: &Workspace) -> CloudSession {
    let runtime = tauri::async_runtime::handle().inner().clone();
    CloudSession::new(workspace.repo().clone(), state.credentials.clone(), state.session_options.clone(), runtime, notices(app))
}

fn notices<R: Runtime>(app: &AppHandle<R>) -> NoticeSink {
    let app = app.clone();
    std::sync::Arc::new(move |notice| {
        let _ = match notice {
            CloudNotice::Event { operation_id, event } => app.emit(CLOUD_EVENT, CloudEventPayload::new(operation_id, event)),
            CloudNotice::Progress(status) => app.emit(OPERATION_PROGRESS, status),
            CloudNotice::Finished(status) => app.emit(OPERATION_FINISHED, status),
            CloudNotice::Fleet(change) => app.emit(FLEET_CHANGED, change),
        };
    })
}
