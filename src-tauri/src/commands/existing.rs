//! Existing fleets: the account's instances, importing untracked ones, and drift.

use crate::events::repo_changed;
use crate::state::AppState;
use poni_app::cloud::{AccountInstance, ImportPreviewNode, ImportRequest, Scope};
use poni_app::poni_cloud::engine::drift::{Drift, DriftField};
use poni_app::AppResult;
use tauri::{AppHandle, Runtime, State};

#[tauri::command]
pub async fn account_instances(state: State<'_, AppState>, regions: Vec<String>) -> AppResult<Vec<AccountInstance>> {
    state.cloud()?.account_instances(&regions).await
}

#[tauri::command]
pub async fn import_preview(state: State<'_, AppState>, request: ImportRequest) -> AppResult<Vec<ImportPreviewNode>> {
    state.cloud()?.import_preview(&request).await
}

#[tauri::command]
pub async fn import_instances<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, request: ImportRequest) -> AppResult<Vec<String>> {
    let made = state.cloud()?.import_instances(&request).await?;
    let _ = state.with(|ws| {
        state.record_own_write(ws);
        Ok(())
    });
    repo_changed(&app);
    Ok(made)
}

#[tauri::command]
pub async fn cloud_drift(state: State<'_, AppState>, scope: Scope) -> AppResult<Vec<Drift>> {
    state.cloud()?.drift(&scope).await
}

#[tauri::command]
pub async fn cloud_take_drift<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, node: String, fields: Vec<DriftField>) -> AppResult<usize> {
    let changed = state.cloud()?.take_drift(&node, &fields).await?;
    let _ = state.with(|ws| {
        state.record_own_write(ws);
        Ok(())
    });
    repo_changed(&app);
    Ok(changed)
}

/// Terminates instances an undo left running (the repository no longer names them).
#[tauri::command]
pub async fn cloud_terminate_instances(state: State<'_, AppState>, instances: Vec<poni_app::poni_repo::RunningInstance>) -> AppResult<Vec<String>> {
    state.cloud()?.terminate_instances(&instances).await
}
