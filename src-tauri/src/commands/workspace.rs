use crate::ctx::Ctx;
use crate::events;
use poni_app::view::WorkspaceInfo;
use poni_app::{AppResult, Desk, Workspace};
use tauri::{AppHandle, Runtime};

#[tauri::command]
pub async fn workspace_info<R: Runtime>(ctx: Ctx<R>) -> AppResult<WorkspaceInfo> {
    let state = ctx.desk();
    let open_error = state.start_error.lock().unwrap_or_else(|e| e.into_inner()).clone();
    Ok(WorkspaceInfo {
        root: state.root().map(|r| r.display().to_string()),
        open_error,
        recent: state.settings.load().unwrap_or_default().recent_repositories,
        default_root: poni_repo::Repo::default_root().display().to_string(),
    })
}

#[tauri::command]
pub async fn open_repository<R: Runtime>(ctx: Ctx<R>, path: String) -> AppResult<()> {
    let state = ctx.desk();
    switch_to(ctx.app(), &state, Workspace::open(path)?)
}

#[tauri::command]
pub async fn create_repository<R: Runtime>(ctx: Ctx<R>, path: String) -> AppResult<()> {
    let state = ctx.desk();
    switch_to(ctx.app(), &state, Workspace::create(path)?)
}

#[tauri::command]
pub async fn forget_repository<R: Runtime>(ctx: Ctx<R>, path: String) -> AppResult<()> {
    let state = ctx.desk();
    let mut settings = state.settings.load()?;
    settings.forget(&path);
    state.settings.save(&settings)
}

pub fn switch_to<R: Runtime>(app: &AppHandle<R>, state: &Desk, workspace: Workspace) -> AppResult<()> {
    let watcher = events::watch(app, &workspace, state.seen.clone());
    let cloud = events::cloud_session(app, state, &workspace);
    state.replace(workspace, watcher, cloud)?;
    events::repo_changed(app);
    Ok(())
}
