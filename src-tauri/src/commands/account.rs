//! The account's lists to pick from, making key pairs and SSH access, and whose account a
//! launch goes to. Each command is one call into poni-app's account service.

use crate::ctx::Ctx;
use poni_app::cloud::{AccountStatus, LaunchChecks, RegionList, Scope, SshAccessRequest, SshFromHere};
use poni_app::poni_cloud::account::{ImageInfo, InstanceTypeInfo, KeyPairInfo, PublicKeyFile, SecurityGroupInfo, SshAccess, SubnetInfo};
use poni_app::AppResult;
use tauri::Runtime;

#[tauri::command]
pub async fn account_status<R: Runtime>(ctx: Ctx<R>) -> AppResult<AccountStatus> {
    let state = ctx.desk();
    Ok(state.account.status().await)
}

#[tauri::command]
pub async fn launch_checks<R: Runtime>(ctx: Ctx<R>, scope: Scope) -> AppResult<LaunchChecks> {
    let state = ctx.desk();
    let tree = state.cloud()?.repo().tree()?;
    state.account.launch_checks(&tree, &scope).await
}

#[tauri::command]
pub async fn account_regions<R: Runtime>(ctx: Ctx<R>, refresh: Option<bool>) -> AppResult<RegionList> {
    let state = ctx.desk();
    state.account.regions(refresh.unwrap_or(false)).await
}

#[tauri::command]
pub async fn account_images<R: Runtime>(ctx: Ctx<R>, region: String, refresh: Option<bool>) -> AppResult<Vec<ImageInfo>> {
    let state = ctx.desk();
    state.account.images(&region, refresh.unwrap_or(false)).await
}

#[tauri::command]
pub async fn account_instance_types<R: Runtime>(
    ctx: Ctx<R>,
    region: String,
    architecture: Option<String>,
    refresh: Option<bool>,
) -> AppResult<Vec<InstanceTypeInfo>> {
    let state = ctx.desk();
    state.account.instance_types(&region, architecture.as_deref(), refresh.unwrap_or(false)).await
}

#[tauri::command]
pub async fn account_key_pairs<R: Runtime>(ctx: Ctx<R>, region: String, refresh: Option<bool>) -> AppResult<Vec<KeyPairInfo>> {
    let state = ctx.desk();
    state.account.key_pairs(&region, refresh.unwrap_or(false)).await
}

#[tauri::command]
pub async fn create_key_pair<R: Runtime>(ctx: Ctx<R>, region: String, name: String) -> AppResult<KeyPairInfo> {
    let state = ctx.desk();
    state.account.create_key_pair(&region, &name).await
}

#[tauri::command]
pub async fn import_key_pair<R: Runtime>(ctx: Ctx<R>, region: String, name: String, public_key_path: String) -> AppResult<KeyPairInfo> {
    let state = ctx.desk();
    state.account.import_key_pair(&region, &name, &public_key_path).await
}

#[tauri::command]
pub async fn local_public_keys<R: Runtime>(ctx: Ctx<R>) -> AppResult<Vec<PublicKeyFile>> {
    let state = ctx.desk();
    state.account.local_public_keys()
}

#[tauri::command]
pub async fn account_security_groups<R: Runtime>(ctx: Ctx<R>, region: String, refresh: Option<bool>) -> AppResult<Vec<SecurityGroupInfo>> {
    let state = ctx.desk();
    state.account.security_groups(&region, refresh.unwrap_or(false)).await
}

#[tauri::command]
pub async fn allow_ssh<R: Runtime>(ctx: Ctx<R>, request: SshAccessRequest) -> AppResult<SshAccess> {
    let state = ctx.desk();
    state.account.allow_ssh(request).await
}

#[tauri::command]
pub async fn allow_ssh_from_here<R: Runtime>(ctx: Ctx<R>, nodes: Vec<String>) -> AppResult<SshFromHere> {
    let state = ctx.desk();
    let tree = state.cloud()?.repo().tree()?;
    state.account.allow_ssh_from_here(&tree, &nodes).await
}

#[tauri::command]
pub async fn account_subnets<R: Runtime>(ctx: Ctx<R>, region: String, refresh: Option<bool>) -> AppResult<Vec<SubnetInfo>> {
    let state = ctx.desk();
    state.account.subnets(&region, refresh.unwrap_or(false)).await
}
