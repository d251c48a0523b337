use crate::events;
use crate::state::AppState;
use poni_app::view::WorkspaceInfo;
use poni_app::{AppResult, Workspace};
use tauri::{AppHandle, Runtime, State};

#[tauri::command]
pub fn workspace_info(state: State<'_, AppState>) -> AppResult<WorkspaceInfo> {
    Ok(WorkspaceInfo {
        root: state.root().map(|r| r.display().to_string()),
        open_error: state.start_error.lock().unwrap_or_else(|e| e.into_inner()).clone(),
        recent: state.settings.load().unwrap_or_default().recent_repositories,
        default_root: poni_repo::Repo::default_root().display().to_string(),
    })
}

#[tauri::command]
pub fn open_repository<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, path: String) -> AppResult<()> {
    switch_to(&app, &state, Workspace::open(path)?)
}

#[tauri::command]
pub fn create_repository<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, path: String) -> AppResult<()> {
    switch_to(&app, &state, Workspace::create(path)?)
}

#[tauri::command]
pub fn forget_repository(state: State<'_, AppState>, path: String) -> AppResult<()> {
    let mut settings = state.settings.load()?;
    settings.forget(&path);
    state.settings.save(&settings)
}

pub fn switch_to<R: Runtime>(app: &AppHandle<R>, state: &AppState, workspace: Workspace) -> AppResult<()> {
    let watcher = events::watch(app, &workspace, state.seen.clone());
    let cloud = events::cloud_session(app, state, &workspace);
    state.replace(workspace, watcher, cloud)?;
    events::repo_changed(app);
    Ok(())
}
