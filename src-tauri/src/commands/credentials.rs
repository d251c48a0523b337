//! Credentials and cloud settings. The secret of a credential set goes into the OS keyring
//! and no command ever returns it.

use crate::state::AppState;
use poni_app::cloud::{CredentialChoice, CredentialStatus, NewCredentialSet, StoredCredentialSet};
use poni_app::AppResult;
use tauri::State;

#[tauri::command]
pub async fn credentials_status(state: State<'_, AppState>) -> AppResult<CredentialStatus> {
    state.credentials.status().await
}

#[tauri::command]
pub async fn list_credential_sets(state: State<'_, AppState>) -> AppResult<Vec<StoredCredentialSet>> {
    state.credentials.list_sets().await
}

#[tauri::command]
pub async fn save_credential_set(state: State<'_, AppState>, set: NewCredentialSet) -> AppResult<StoredCredentialSet> {
    state.credentials.save_set(set).await
}

#[tauri::command]
pub async fn delete_credential_set(state: State<'_, AppState>, name: String) -> AppResult<bool> {
    state.credentials.delete_set(&name).await
}

#[tauri::command]
pub async fn choose_credentials(state: State<'_, AppState>, choice: CredentialChoice) -> AppResult<CredentialStatus> {
    state.credentials.choose(choice)?;
    state.credentials.status().await
}

#[tauri::command]
pub fn set_ec2_endpoint(state: State<'_, AppState>, url: Option<String>) -> AppResult<Option<String>> {
    state.credentials.set_endpoint(url)
}
