//! The repository's history and sharing through git: each command calls poni-vc on the open
//! repository. Pulls, resolutions and init rewrite files, so they reload the window.

use crate::events::repo_changed;
use crate::state::AppState;
use poni_app::poni_vc::{self, Choice, CommitInfo, Conflict, Mode, PullOutcome, PushOutcome, RepoDiff, VcStatus};
use poni_app::vc::error;
use poni_app::AppResult;
use std::path::PathBuf;
use tauri::{AppHandle, Runtime, State};

fn root(state: &AppState) -> AppResult<PathBuf> {
    state.with(|ws| Ok(ws.root().to_path_buf()))
}

#[tauri::command]
pub async fn vc_status(state: State<'_, AppState>) -> AppResult<VcStatus> {
    poni_vc::status(&root(&state)?).map_err(error)
}

#[tauri::command]
pub async fn vc_init<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> AppResult<CommitInfo> {
    state.edit(|ws| poni_vc::init(ws.root()).map_err(error)).inspect(|_| repo_changed(&app))
}

#[tauri::command]
pub async fn vc_set_mode(state: State<'_, AppState>, mode: Mode) -> AppResult<()> {
    poni_vc::set_mode(&root(&state)?, mode).map_err(error)
}

#[tauri::command]
pub async fn vc_set_remote(state: State<'_, AppState>, url: String) -> AppResult<()> {
    poni_vc::set_remote(&root(&state)?, &url).map_err(error)
}

#[tauri::command]
pub async fn vc_diff(state: State<'_, AppState>, name: Option<String>) -> AppResult<RepoDiff> {
    poni_vc::diff(&root(&state)?, name.as_deref()).map_err(error)
}

#[tauri::command]
pub async fn vc_checkpoint(state: State<'_, AppState>, message: Option<String>) -> AppResult<Option<CommitInfo>> {
    poni_vc::checkpoint(&root(&state)?, message.as_deref()).map_err(error)
}

#[tauri::command]
pub async fn vc_pull<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> AppResult<PullOutcome> {
    state.edit(|ws| poni_vc::pull(ws.root()).map_err(error)).inspect(|_| repo_changed(&app))
}

#[tauri::command]
pub async fn vc_push(state: State<'_, AppState>) -> AppResult<PushOutcome> {
    poni_vc::push(&root(&state)?).map_err(error)
}

#[tauri::command]
pub async fn vc_conflicts(state: State<'_, AppState>) -> AppResult<Vec<Conflict>> {
    poni_vc::conflicts(&root(&state)?).map_err(error)
}

#[tauri::command]
pub async fn vc_resolve<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, name: String, choice: Choice) -> AppResult<VcStatus> {
    state.edit(|ws| poni_vc::resolve(ws.root(), &name, choice).map_err(error)).inspect(|_| repo_changed(&app))
}
