//! Credentials and cloud settings. The secret of a credential set goes into the OS keyring
//! and no command ever returns it.

use crate::state::AppState;
use poni_app::cloud::{CredentialChoice, CredentialStatus, NewCredentialSet, StoredCredentialSet};
use poni_app::AppResult;
use crate::events::account_changed;
use tauri::{AppHandle, Runtime, State};

#[tauri::command]
pub async fn credentials_status(state: State<'_, AppState>) -> AppResult<CredentialStatus> {
    state.credentials.status().await
}

#[tauri::command]
pub async fn list_credential_sets(state: State<'_, AppState>) -> AppResult<Vec<StoredCredentialSet>> {
    state.credentials.list_sets().await
}

#[tauri::command]
pub async fn save_credential_set<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, set: NewCredentialSet) -> AppResult<StoredCredentialSet> {
    let saved = state.credentials.save_set(set).await?;
    account_changed(&app, &state);
    Ok(saved)
}

#[tauri::command]
pub async fn delete_credential_set<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, name: String) -> AppResult<bool> {
    let removed = state.credentials.delete_set(&name).await?;
    account_changed(&app, &state);
    Ok(removed)
}

#[tauri::command]
pub async fn choose_credentials<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, choice: CredentialChoice) -> AppResult<CredentialStatus> {
    state.credentials.choose(choice)?;
    account_changed(&app, &state);
    state.credentials.status().await
}

#[tauri::command]
pub fn set_ec2_endpoint<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, url: Option<String>) -> AppResult<Option<String>> {
    let saved = state.credentials.set_endpoint(url)?;
    account_changed(&app, &state);
    Ok(saved)
}
