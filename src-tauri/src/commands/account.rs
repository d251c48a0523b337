//! The account's lists to pick from, making key pairs and SSH access, and whose account a
//! launch goes to. Each command is one call into poni-app's account service.

use crate::state::AppState;
use poni_app::cloud::{AccountStatus, LaunchChecks, RegionList, Scope, SshAccessRequest};
use poni_app::poni_cloud::account::{ImageInfo, InstanceTypeInfo, KeyPairInfo, PublicKeyFile, SecurityGroupInfo, SshAccess, SubnetInfo};
use poni_app::AppResult;
use tauri::State;

#[tauri::command]
pub async fn account_status(state: State<'_, AppState>) -> AppResult<AccountStatus> {
    Ok(state.account.status().await)
}

#[tauri::command]
pub async fn launch_checks(state: State<'_, AppState>, scope: Scope) -> AppResult<LaunchChecks> {
    let tree = state.cloud()?.repo().tree()?;
    state.account.launch_checks(&tree, &scope).await
}

#[tauri::command]
pub async fn account_regions(state: State<'_, AppState>, refresh: Option<bool>) -> AppResult<RegionList> {
    state.account.regions(refresh.unwrap_or(false)).await
}

#[tauri::command]
pub async fn account_images(state: State<'_, AppState>, region: String, refresh: Option<bool>) -> AppResult<Vec<ImageInfo>> {
    state.account.images(&region, refresh.unwrap_or(false)).await
}

#[tauri::command]
pub async fn account_instance_types(
    state: State<'_, AppState>,
    region: String,
    architecture: Option<String>,
    refresh: Option<bool>,
) -> AppResult<Vec<InstanceTypeInfo>> {
    state.account.instance_types(&region, architecture.as_deref(), refresh.unwrap_or(false)).await
}

#[tauri::command]
pub async fn account_key_pairs(state: State<'_, AppState>, region: String, refresh: Option<bool>) -> AppResult<Vec<KeyPairInfo>> {
    state.account.key_pairs(&region, refresh.unwrap_or(false)).await
}

#[tauri::command]
pub async fn create_key_pair(state: State<'_, AppState>, region: String, name: String) -> AppResult<KeyPairInfo> {
    state.account.create_key_pair(&region, &name).await
}

#[tauri::command]
pub async fn import_key_pair(state: State<'_, AppState>, region: String, name: String, public_key_path: String) -> AppResult<KeyPairInfo> {
    state.account.import_key_pair(&region, &name, &public_key_path).await
}

#[tauri::command]
pub fn local_public_keys(state: State<'_, AppState>) -> AppResult<Vec<PublicKeyFile>> {
    state.account.local_public_keys()
}

#[tauri::command]
pub async fn account_security_groups(state: State<'_, AppState>, region: String, refresh: Option<bool>) -> AppResult<Vec<SecurityGroupInfo>> {
    state.account.security_groups(&region, refresh.unwrap_or(false)).await
}

#[tauri::command]
pub async fn allow_ssh(state: State<'_, AppState>, request: SshAccessRequest) -> AppResult<SshAccess> {
    state.account.allow_ssh(request).await
}

#[tauri::command]
pub async fn account_subnets(state: State<'_, AppState>, region: String, refresh: Option<bool>) -> AppResult<Vec<SubnetInfo>> {
    state.account.subnets(&region, refresh.unwrap_or(false)).await
}
