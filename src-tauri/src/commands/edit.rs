use crate::events::repo_changed;
use crate::state::AppState;
use poni_app::check::{EditProblem, NameProblem};
use poni_app::view::{NodesPlan, NodesRequest, PropertyEdit};
use poni_app::AppResult;
use tauri::{AppHandle, Runtime, State};

#[tauri::command]
pub async fn add_system<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, name: String) -> AppResult<()> {
    state.edit(|ws| ws.add_system(&name)).inspect(|_| repo_changed(&app))
}

#[tauri::command]
pub async fn plan_nodes(state: State<'_, AppState>, request: NodesRequest) -> AppResult<NodesPlan> {
    state.with(|ws| ws.plan_nodes(&request))
}

#[tauri::command]
pub async fn add_nodes<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, request: NodesRequest) -> AppResult<Vec<String>> {
    state.edit(|ws| ws.add_nodes(&request)).inspect(|_| repo_changed(&app))
}

#[tauri::command]
pub async fn set_properties<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, name: String, edits: Vec<PropertyEdit>) -> AppResult<usize> {
    let changed = state.edit(|ws| ws.set_properties(&name, &edits)).inspect(|_| repo_changed(&app))?;
    state.credentials.remember_region(&edits);
    Ok(changed)
}

#[tauri::command]
pub async fn unset_properties<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, name: String, keys: Vec<String>) -> AppResult<usize> {
    state.edit(|ws| ws.unset_properties(&name, &keys)).inspect(|_| repo_changed(&app))
}

/// Every problem of a save (values set, keys removed), each naming its key; empty: it can be saved.
#[tauri::command]
pub async fn check_edit(state: State<'_, AppState>, name: String, set: Vec<PropertyEdit>, unset: Vec<String>) -> AppResult<Vec<EditProblem>> {
    state.with(|ws| ws.check_edit(&name, &set, &unset))
}

/// Saves values and removals on one item as one change (one file written, all or nothing).
#[tauri::command]
pub async fn edit_properties<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, name: String, set: Vec<PropertyEdit>, unset: Vec<String>) -> AppResult<usize> {
    let changed = state.edit(|ws| ws.edit_properties(&name, &set, &unset)).inspect(|_| repo_changed(&app))?;
    state.credentials.remember_region(&set);
    Ok(changed)
}

/// Why a name cannot be a new system's name, or (with `renameFrom`) that item's new name.
#[tauri::command]
pub async fn check_name(state: State<'_, AppState>, name: String, rename_from: Option<String>) -> AppResult<Option<NameProblem>> {
    state.with(|ws| ws.check_name(&name, rename_from.as_deref()))
}

#[tauri::command]
pub async fn rename_item<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, from: String, to: String) -> AppResult<()> {
    state.edit(|ws| ws.rename(&from, &to)).inspect(|_| repo_changed(&app))
}

#[tauri::command]
pub async fn remove_item<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, name: String) -> AppResult<Vec<String>> {
    state.edit(|ws| ws.remove(&name)).inspect(|_| repo_changed(&app))
}
