//! Cloud actions, the live fleet and the connect helper: each command calls the open
//! workspace's cloud session. Operations return at once with an id; progress and results
//! arrive as events (see events.rs).

use crate::ctx::Ctx;
use poni_app::cloud::{
    Affected, CloudReference, ConfirmAction, ConnectCommand, FleetOverview, LaunchPreview, NodeLive, OperationRequest, OperationStatus, Scope,
};
use poni_app::poni_cloud::engine::snapshots::SnapshotList;
use poni_app::poni_cloud::engine::ProtectionLifted;
use poni_app::AppResult;
use tauri::Runtime;

#[tauri::command]
pub async fn cloud_reference<R: Runtime>(_ctx: Ctx<R>) -> AppResult<CloudReference> {
    Ok(poni_app::cloud::reference())
}

#[tauri::command]
pub async fn cloud_preview<R: Runtime>(ctx: Ctx<R>, scope: Scope, reinit: Option<bool>) -> AppResult<LaunchPreview> {
    let state = ctx.desk();
    state.cloud()?.preview(&scope, reinit.unwrap_or(false))
}

#[tauri::command]
pub async fn cloud_affected<R: Runtime>(ctx: Ctx<R>, scope: Scope, action: ConfirmAction) -> AppResult<Affected> {
    let state = ctx.desk();
    state.cloud()?.affected(&scope, action)
}

#[tauri::command]
pub async fn cloud_snapshots<R: Runtime>(ctx: Ctx<R>, scope: Scope) -> AppResult<SnapshotList> {
    let state = ctx.desk();
    state.cloud()?.snapshots(&scope).await
}

#[tauri::command]
pub async fn cloud_start<R: Runtime>(ctx: Ctx<R>, request: OperationRequest) -> AppResult<OperationStatus> {
    let state = ctx.desk();
    state.cloud()?.start(request).await
}

#[tauri::command]
pub async fn cancel_operation<R: Runtime>(ctx: Ctx<R>, id: String) -> AppResult<bool> {
    let state = ctx.desk();
    Ok(state.cloud()?.cancel(&id))
}

#[tauri::command]
pub async fn list_operations<R: Runtime>(ctx: Ctx<R>) -> AppResult<Vec<OperationStatus>> {
    let state = ctx.desk();
    Ok(state.cloud()?.operations())
}

#[tauri::command]
pub async fn fleet_overview<R: Runtime>(ctx: Ctx<R>) -> AppResult<FleetOverview> {
    let state = ctx.desk();
    Ok(state.cloud()?.fleet_overview())
}

#[tauri::command]
pub async fn fleet_nodes<R: Runtime>(ctx: Ctx<R>) -> AppResult<Vec<NodeLive>> {
    let state = ctx.desk();
    let nodes = state.cloud()?.fleet_nodes();
    crate::memory::trim_soon();
    Ok(nodes)
}

#[tauri::command]
pub async fn node_live<R: Runtime>(ctx: Ctx<R>, name: String) -> AppResult<Option<NodeLive>> {
    let state = ctx.desk();
    Ok(state.cloud()?.node_live(&name))
}

#[tauri::command]
pub async fn connect_command<R: Runtime>(ctx: Ctx<R>, node: String) -> AppResult<ConnectCommand> {
    let state = ctx.desk();
    state.cloud()?.connect_command(&node)
}

/// Lifts a node's termination protection (the instance's attribute, then the node's property):
/// the engine writes the repository, so the window reloads as after an edit.
#[tauri::command]
pub async fn lift_termination_protection<R: Runtime>(ctx: Ctx<R>, node: String) -> AppResult<ProtectionLifted> {
    let lifted = ctx.desk().cloud()?.lift_termination_protection(&node).await;
    ctx.wrote(lifted)
}
