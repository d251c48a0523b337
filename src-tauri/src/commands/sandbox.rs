//! The practice sandbox: start (installing it on first use), stop, status. Progress arrives
//! as `sandbox-changed` events; every change of where cloud calls go is an `account-changed`.

use crate::events::account_changed;
use crate::state::AppState;
use poni_app::cloud::SandboxStatus;
use poni_app::AppResult;
use tauri::{AppHandle, Runtime, State};

#[tauri::command]
pub fn sandbox_status(state: State<'_, AppState>) -> SandboxStatus {
    state.credentials.sandbox_handle().status()
}

#[tauri::command]
pub async fn sandbox_start<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> AppResult<SandboxStatus> {
    let status = state.credentials.start_sandbox().await?;
    account_changed(&app, &state);
    Ok(status)
}

#[tauri::command]
pub async fn sandbox_stop<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> AppResult<SandboxStatus> {
    let status = state.credentials.sandbox_handle().stop().await;
    account_changed(&app, &state);
    Ok(status)
}
