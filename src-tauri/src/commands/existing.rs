//! Existing fleets: the account's instances, importing untracked ones, and drift.

use crate::ctx::Ctx;
use poni_app::cloud::{AccountInstance, ImportPreviewNode, ImportRequest, Scope};
use poni_app::poni_cloud::engine::drift::{Drift, DriftField};
use poni_app::AppResult;
use tauri::Runtime;

#[tauri::command]
pub async fn account_instances<R: Runtime>(ctx: Ctx<R>, regions: Vec<String>) -> AppResult<Vec<AccountInstance>> {
    let state = ctx.desk();
    state.cloud()?.account_instances(&regions).await
}

#[tauri::command]
pub async fn import_preview<R: Runtime>(ctx: Ctx<R>, request: ImportRequest) -> AppResult<Vec<ImportPreviewNode>> {
    let state = ctx.desk();
    state.cloud()?.import_preview(&request).await
}

#[tauri::command]
pub async fn import_instances<R: Runtime>(ctx: Ctx<R>, request: ImportRequest) -> AppResult<Vec<String>> {
    let written = ctx.desk().cloud()?.import_instances(&request).await;
    ctx.wrote(written)
}

#[tauri::command]
pub async fn cloud_drift<R: Runtime>(ctx: Ctx<R>, scope: Scope) -> AppResult<Vec<Drift>> {
    let state = ctx.desk();
    state.cloud()?.drift(&scope).await
}

#[tauri::command]
pub async fn cloud_take_drift<R: Runtime>(ctx: Ctx<R>, node: String, fields: Vec<DriftField>) -> AppResult<usize> {
    let written = ctx.desk().cloud()?.take_drift(&node, &fields).await;
    ctx.wrote(written)
}

/// Terminates instances an undo left running (the repository no longer names them).
#[tauri::command]
pub async fn cloud_terminate_instances<R: Runtime>(ctx: Ctx<R>, instances: Vec<poni_app::poni_repo::RunningInstance>) -> AppResult<Vec<String>> {
    let state = ctx.desk();
    state.cloud()?.terminate_instances(&instances).await
}
