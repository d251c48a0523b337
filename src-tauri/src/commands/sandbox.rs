//! The practice sandbox: start (installing it on first use), stop, status. Progress arrives
//! as `sandbox-changed` events; every change of where cloud calls go is an `account-changed`.

use crate::ctx::Ctx;
use poni_app::cloud::SandboxStatus;
use poni_app::AppResult;
use tauri::Runtime;

#[tauri::command]
pub async fn sandbox_status<R: Runtime>(ctx: Ctx<R>) -> AppResult<SandboxStatus> {
    let state = ctx.desk();
    Ok(state.credentials.sandbox_handle().status())
}

#[tauri::command]
pub async fn sandbox_start<R: Runtime>(ctx: Ctx<R>) -> AppResult<SandboxStatus> {
    let state = ctx.desk();
    let status = state.credentials.start_sandbox().await?;
    ctx.account_changed();
    Ok(status)
}

#[tauri::command]
pub async fn sandbox_stop<R: Runtime>(ctx: Ctx<R>) -> AppResult<SandboxStatus> {
    let state = ctx.desk();
    let status = state.credentials.sandbox_handle().stop().await;
    ctx.account_changed();
    Ok(status)
}
