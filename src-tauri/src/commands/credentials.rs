//! Credentials and cloud settings. The secret of a credential set goes into the OS keyring
//! and no command ever returns it.

use crate::ctx::Ctx;
use poni_app::cloud::{CredentialChoice, CredentialStatus, NewCredentialSet, StoredCredentialSet};
use poni_app::AppResult;
use tauri::Runtime;

#[tauri::command]
pub async fn credentials_status<R: Runtime>(ctx: Ctx<R>) -> AppResult<CredentialStatus> {
    let state = ctx.desk();
    state.credentials.status().await
}

#[tauri::command]
pub async fn list_credential_sets<R: Runtime>(ctx: Ctx<R>) -> AppResult<Vec<StoredCredentialSet>> {
    let state = ctx.desk();
    state.credentials.list_sets().await
}

#[tauri::command]
pub async fn save_credential_set<R: Runtime>(ctx: Ctx<R>, set: NewCredentialSet) -> AppResult<StoredCredentialSet> {
    let state = ctx.desk();
    let saved = state.credentials.save_set(set).await?;
    ctx.account_changed();
    Ok(saved)
}

#[tauri::command]
pub async fn delete_credential_set<R: Runtime>(ctx: Ctx<R>, name: String) -> AppResult<bool> {
    let state = ctx.desk();
    let removed = state.credentials.delete_set(&name).await?;
    ctx.account_changed();
    Ok(removed)
}

#[tauri::command]
pub async fn choose_credentials<R: Runtime>(ctx: Ctx<R>, choice: CredentialChoice) -> AppResult<CredentialStatus> {
    let state = ctx.desk();
    state.credentials.choose(choice)?;
    ctx.account_changed();
    state.credentials.status().await
}

#[tauri::command]
pub async fn set_ec2_endpoint<R: Runtime>(ctx: Ctx<R>, url: Option<String>) -> AppResult<Option<String>> {
    let state = ctx.desk();
    let saved = state.credentials.set_endpoint(url)?;
    ctx.account_changed();
    Ok(saved)
}
